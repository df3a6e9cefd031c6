// Clients of the plugin's link endpoint (stores the CRM's order id on an order) and notify endpoint.
import { PermanentError, TransientError } from '../errors.js';

/** Links an order to the CRM order created from it; `version` is that record's CRM version, when its answer had one. */
export type LinkFn = (orderId: number, crmOrderId: string, version: number | null, signal: AbortSignal) => Promise<void>;
export type NotifyFn = (kind: 'disabled' | 'exhausted', subscriptionId: number, signal: AbortSignal) => Promise<void>;

/** Asks the plugin to e-mail the site admin that a subscription was disabled or a delivery given up. */
export function wordpressNotify(opts: { url: string; user: string; appPassword: string }): NotifyFn {
  const auth = `Basic ${Buffer.from(`${opts.user}:${opts.appPassword}`).toString('base64')}`;
  return async (kind, subscriptionId, signal) => {
    const res = await fetch(`${opts.url}/wp-json/crm-bridge/v1/sidecar/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ kind, subscription_id: subscriptionId }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
    });
    if (!res.ok) throw new TransientError('wordpress_error', `the notify endpoint answered ${res.status}`);
  };
}

export function wordpressLink(opts: { url: string; user: string; appPassword: string }): LinkFn {
  const auth = `Basic ${Buffer.from(`${opts.user}:${opts.appPassword}`).toString('base64')}`;
  return async (orderId, crmOrderId, version, signal) => {
    const res = await fetch(`${opts.url}/wp-json/crm-bridge/v1/sidecar/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ order_id: orderId, crm_order_id: crmOrderId, ...(version === null ? {} : { version }) }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
    }).catch((err: unknown) => {
      throw new TransientError('wordpress_unreachable', `the link endpoint could not be reached: ${err instanceof Error ? err.message : String(err)}`);
    });
    // 409: the order or the CRM order is linked to another one; 400: the CRM's id is not acceptable. Retrying changes neither.
    if (res.status === 409 || res.status === 400) throw new PermanentError(res.status === 409 ? 'link_conflict' : 'invalid_crm_order_id', `the link endpoint refused the link (${res.status}): ${(await res.text()).slice(0, 200)}`);
    if (!res.ok) throw new TransientError('wordpress_error', `the link endpoint answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  };
}

/** Reports a connection test's outcome to the plugin. */
export function wordpressConnectionTest(opts: { url: string; user: string; appPassword: string }) {
  const auth = `Basic ${Buffer.from(`${opts.user}:${opts.appPassword}`).toString('base64')}`;
  return async (result: { id: string; ok: boolean; message: string; latency_ms: number }, signal: AbortSignal): Promise<void> => {
    const res = await fetch(`${opts.url}/wp-json/crm-bridge/v1/sidecar/connection-test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ ...result, message: result.message.slice(0, 500) }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
    });
    if (!res.ok) throw new TransientError('wordpress_error', `the connection-test endpoint answered ${res.status}`);
  };
}
