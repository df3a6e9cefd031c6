// One delivery attempt: POST the stored body with its signature headers, within a timeout. Network
// failures and timeouts become TransientErrors; any HTTP answer is returned for the worker to judge.
import { TransientError } from '../errors.js';

export interface DeliveryResponse {
  status: number;
  body: string;
  retryAfter: string | null;
  durationMs: number;
}

export type PostFn = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal; redirect: 'manual' }) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export async function deliver(post: PostFn, url: string, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal): Promise<DeliveryResponse> {
  const started = performance.now();
  try {
    const res = await post(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'CRM-Bridge-for-WooCommerce', ...headers },
      body,
      // A redirect is an answer to judge, never followed to an address nobody validated.
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    const text = await res.text().catch(() => '');
    return { status: res.status, body: text.slice(0, 1000), retryAfter: res.headers.get('retry-after'), durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new TransientError(timedOut ? 'endpoint_timeout' : 'endpoint_unreachable', `delivery failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
