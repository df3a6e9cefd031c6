// The CRM connector: fetches an order from the CRM's API as the settings describe it (URL template,
// auth mode, JSON paths) through the guarded outbound client, and turns every failure into a
// transient or permanent error.
import { PermanentError, TransientError } from '../errors.js';
import { cleanText } from '../syncLog.js';
import type { OutboundSend } from '../net/client.js';
import { parseRetryAfter } from '../net/retryAfter.js';
import type { CircuitBreakers } from '../circuitBreaker.js';
import type { CrmCredentials, Settings } from '../settings.js';
import { crmVersionOf, jsonPath } from '../crmDocument.js';

export interface CrmOrder {
  status: string;
  /** Comparable version: the CRM's integer version, or updated_at in epoch milliseconds. */
  version: number;
  wooOrderId: number | null;
}

/** An order is a small JSON document: anything larger is refused unread, so a CRM cannot exhaust memory. */
export const CRM_MAX_BODY_BYTES = 64 * 1024;

/**
 * The order's URL on the CRM API. It must stay on the base URL's origin: a template such as
 * "@other.host/…" or ":8443/…" would otherwise send the CRM token to another host.
 */
export function orderUrl(crm: Settings['crm'], crmOrderId: string): string {
  const url = crm.base_url.replace(/\/+$/, '') + crm.order_url_template.replaceAll('{crm_order_id}', encodeURIComponent(crmOrderId));
  let origins: [string, string];
  try {
    origins = [new URL(url).origin, new URL(crm.base_url).origin];
  } catch {
    throw new PermanentError('crm_bad_url', 'the CRM base URL and order URL template do not form a valid URL');
  }
  if (origins[0] !== origins[1]) {
    throw new PermanentError('crm_bad_url', `the order URL template leaves the CRM's address (${origins[1]}); it must be a path such as /orders/{crm_order_id}`);
  }
  return url;
}

function authHeaders(crm: Settings['crm'], credentials: CrmCredentials): Record<string, string> {
  if (!credentials.token) return {};
  switch (crm.auth_mode) {
    case 'bearer':
      return { authorization: `Bearer ${credentials.token}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${crm.basic_user}:${credentials.token}`).toString('base64')}` };
    case 'header':
      return { [crm.auth_header.toLowerCase()]: credentials.token };
  }
}

export async function fetchCrmOrder(
  send: OutboundSend,
  breakers: CircuitBreakers,
  settings: Settings,
  credentials: CrmCredentials,
  crmOrderId: string,
  signal: AbortSignal,
): Promise<CrmOrder> {
  const crm = settings.crm;
  if (!crm.base_url) throw new TransientError('crm_not_configured', 'the CRM API base URL is not set on the settings page');
  const url = orderUrl(crm, crmOrderId);
  const host = new URL(url).host;
  return breakers.run(host, async () => {
    // Redirects are refused (the error names the Location): the CRM's address is the one in the settings.
    const res = await send({
      target: 'crm',
      method: 'GET',
      url,
      headers: { accept: 'application/json', ...authHeaders(crm, credentials) },
      timeoutMs: crm.timeout_ms,
      signal,
      maxBodyBytes: CRM_MAX_BODY_BYTES,
      overLimit: 'fail',
      redirects: 'refuse',
    });
    const body = res.body;
    if (res.status === 429 || res.status === 408 || res.status >= 500) {
      throw new TransientError(res.status === 429 ? 'crm_rate_limited' : 'crm_unavailable', `CRM answered ${res.status}`, parseRetryAfter(res.headers.get('retry-after')), { status: res.status });
    }
    if (res.status === 404 || res.status === 410) throw new PermanentError('crm_order_not_found', `the CRM has no order ${crmOrderId}`, { status: res.status });
    if (res.status < 200 || res.status >= 300) throw new PermanentError('crm_rejected', `CRM answered ${res.status}: ${cleanText(body, 200)}`, { status: res.status });
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      throw new TransientError('crm_bad_response', 'the CRM answered with something that is not JSON', undefined, { step: 'read body' });
    }
    return readCrmOrder(data, crm);
  }, crmOrderId);
}

/** What a JSON path found, for a message: "nothing" or its JSON type. */
const foundAt = (value: unknown): string => (value === undefined ? 'nothing' : value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

/** The order as the settings' JSON paths read it; a path that finds nothing usable is a permanent error naming it. */
export function readCrmOrder(data: unknown, crm: Settings['crm']): CrmOrder {
  const status = jsonPath(data, crm.paths.status);
  if (typeof status !== 'string' || status === '') {
    throw new PermanentError('crm_bad_order', `the CRM order has no status at "${crm.paths.status}" (found ${foundAt(status)})`, { step: 'json path', path: crm.paths.status, found: foundAt(status) });
  }
  const version = crmVersionOf(data, crm);
  if (version === null) {
    const path = crm.version_source === 'version' ? crm.paths.version : crm.paths.updated_at;
    const found = foundAt(jsonPath(data, path));
    throw new PermanentError('crm_bad_order', crm.version_source === 'version' ? `the CRM order has no integer version at "${path}" (found ${found})` : `the CRM order has no date at "${path}" (found ${found})`, { step: 'json path', path, found });
  }
  const woo = jsonPath(data, crm.paths.woo_order_id);
  const wooOrderId = typeof woo === 'number' && Number.isInteger(woo) && woo > 0 ? woo : typeof woo === 'string' && /^\d+$/.test(woo) ? Number(woo) : null;
  return { status, version, wooOrderId };
}
