// Exponential backoff with full jitter (the AWS scheme), honouring a Retry-After floor.
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A number in [0, 1). Injected so tests are deterministic. */
export type Jitter = () => number;

/** Delay before attempt number `attempt + 1`, after `attempt` failed attempts (attempt ≥ 1). */
export function backoffDelay(policy: RetryPolicy, attempt: number, jitter: Jitter, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const delay = Math.floor(jitter() * ceiling);
  return retryAfterMs !== undefined ? Math.max(delay, Math.min(retryAfterMs, policy.maxDelayMs)) : delay;
}

/** True when no attempt is left after `attempt` failures. */
export function exhausted(policy: RetryPolicy, attempt: number): boolean {
  return attempt >= policy.maxAttempts;
}
