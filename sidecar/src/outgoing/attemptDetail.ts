// What one delivery attempt's log row keeps, so an admin can see exactly what was sent and answered:
// the request (its URL's origin only; its body is the outbox row's payload, referred to), the answer's
// status, headers and first bytes (marked when cut), the duration, and for a transport failure its step.
import type { BridgeError } from '../errors.js';
import { cleanText } from '../syncLog.js';
import type { DeliveryRequest, DeliveryResponse } from './deliver.js';

/** The first bytes of an answer kept in an attempt's record. */
export const ANSWER_KEPT_BYTES = 2 * 1024;

/** The step a request failed at, as the client's errors name it, in the words the admin screen shows. */
const STEPS: Record<string, string> = {
  resolve: 'dns',
  'check address': 'address_refused',
  connect: 'connect',
  tls: 'tls',
  'wait for answer': 'timeout',
  'read answer': 'answer',
  'read body': 'answer',
};

/**
 * The URL as recorded: its origin only. Shop managers read attempts but not subscriptions, and a
 * webhook URL often carries its credential in the path or the query (chat and automation hooks).
 */
export function recordedUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}/${u.pathname === '/' && u.search === '' ? '' : '…'}`;
}

export interface AttemptDetail extends Record<string, unknown> {
  topic: string;
  status_code: number | null;
  /** The answer's first bytes (also read by older views as the answer). */
  response: string | null;
  retry_at: string | null;
  duration_ms: number | null;
  request: (DeliveryRequest & { body_ref: 'payload' }) | null;
  answer: { status: number; headers: Record<string, string>; truncated: boolean } | null;
  failure: { step: string; code: string } | null;
}

/**
 * The record of one attempt. `request` is null when nothing was sent (the subscription was gone or
 * disabled, the circuit open); `response` is the answer when one came; `failure` is why it failed.
 */
export function attemptDetail(a: {
  topic: string;
  request: DeliveryRequest | null;
  response: DeliveryResponse | null;
  durationMs: number | null;
  failure: BridgeError | null;
  retryAt: Date | null;
}): AttemptDetail {
  const body = a.response ? cleanText(a.response.body, ANSWER_KEPT_BYTES) : null;
  const step = a.failure && !a.response ? STEPS[String(a.failure.context.step ?? '')] : undefined;
  return {
    topic: a.topic,
    status_code: a.response?.status ?? null,
    response: body,
    retry_at: a.retryAt?.toISOString() ?? null,
    duration_ms: a.response?.durationMs ?? a.durationMs,
    request: a.request ? { ...a.request, url: recordedUrl(a.request.url), body_ref: 'payload' } : null,
    answer: a.response ? { status: a.response.status, headers: a.response.headers, truncated: a.response.truncated || Buffer.byteLength(a.response.body, 'utf8') > ANSWER_KEPT_BYTES } : null,
    failure: a.failure ? { step: step ?? (a.response ? 'http_status' : 'other'), code: a.failure.code } : null,
  };
}
