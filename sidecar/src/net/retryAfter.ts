// Reading an HTTP Retry-After header, for the CRM connector and the deliveries alike. Pure: an HTTP
// date stays a date, and the retry decision turns it into a delay with the injected clock.
import type { RetryAfter } from '../errors.js';

/** Retry-After as a delay in milliseconds (delta-seconds) or the moment it names (HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): RetryAfter | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at);
}

/** The wait a Retry-After asks for, seen from `now`: never negative. */
export function retryAfterDelay(retryAfter: RetryAfter, now: Date): number {
  return typeof retryAfter === 'number' ? retryAfter : Math.max(0, retryAfter.getTime() - now.getTime());
}
