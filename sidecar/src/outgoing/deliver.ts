// One delivery attempt: POST the stored body with its signature headers through the guarded outbound
// client, within a timeout. Failures to reach the endpoint come back as the client's error classes
// (a refused address is permanent); any HTTP answer, a 3xx included, is returned for the worker to judge.
import type { OutboundSend } from '../net/client.js';

/** What is read of an endpoint's answer (the log keeps at most 4 KiB of it); the rest is never read. */
export const DELIVERY_BODY_KEPT_BYTES = 4 * 1024;

/** What is read of the CRM's answer to order.created, which carries its order id and often the whole order. */
export const LINK_ANSWER_MAX_BYTES = 64 * 1024;

/** The answer's headers an attempt's record keeps: the client reads headers by name, and these tell what happened. */
export const KEPT_ANSWER_HEADERS = ['content-type', 'content-length', 'retry-after', 'location', 'date', 'server', 'x-request-id', 'request-id', 'cf-ray'] as const;

/** What was sent, as the attempt's record shows it; the body is the outbox row's payload, sent unchanged. */
export interface DeliveryRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
}

export interface DeliveryResponse {
  status: number;
  body: string;
  /** Whether the body was cut at the read limit. */
  truncated: boolean;
  headers: Record<string, string>;
  retryAfter: string | null;
  durationMs: number;
}

/** The request an attempt sends: the signature headers with the content type and our user agent. */
export function deliveryRequest(url: string, headers: Record<string, string>): DeliveryRequest {
  return { method: 'POST', url, headers: { 'content-type': 'application/json', 'user-agent': 'CRM-Bridge-for-WooCommerce', ...headers } };
}

export async function deliver(
  send: OutboundSend,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  signal: AbortSignal,
  maxBodyBytes = DELIVERY_BODY_KEPT_BYTES,
): Promise<DeliveryResponse> {
  const started = performance.now();
  const res = await send({
    target: 'endpoint',
    ...deliveryRequest(url, headers),
    body,
    timeoutMs,
    signal,
    maxBodyBytes,
    overLimit: 'truncate',
    // A redirect is an answer to judge (not 2xx: retried), never followed to an address nobody checked.
    redirects: 'answer',
  });
  const kept = Object.fromEntries(KEPT_ANSWER_HEADERS.flatMap((name) => {
    const value = res.headers.get(name);
    return value === null ? [] : [[name, value]];
  }));
  return { status: res.status, body: res.body, truncated: res.truncated, headers: kept, retryAfter: res.headers.get('retry-after'), durationMs: Math.round(performance.now() - started) };
}
