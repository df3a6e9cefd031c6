// What happens to a queue row after a failed attempt: tried again at a given time, or sent to dead
// letters. Pure (time and the jitter draw are inputs), and shared by every worker that retries, so the
// inbox, the outbox and anything else read one rule.
import { TransientError, type BridgeError, type ErrorClass, type RetryAfter } from '../errors.js';
import { retryAfterDelay } from '../net/retryAfter.js';
import { backoffDelay, exhausted, type RetryPolicy } from './backoff.js';

export interface AttemptFailure {
  errorClass: ErrorClass;
  /** Attempts made so far, this one included (≥ 1). */
  attempt: number;
  /** What the other side asked for (Retry-After), if anything. */
  retryAfter?: RetryAfter;
  /** The worker is stopping: a transient failure is handed back at once for the next replica to take. */
  stopping: boolean;
}

/** The failure of one attempt as the rule reads it: the error's class and Retry-After, and whether the worker is stopping. */
export function attemptFailure(error: BridgeError, attempt: number, signal: AbortSignal): AttemptFailure {
  return { errorClass: error.errorClass, attempt, retryAfter: error instanceof TransientError ? error.retryAfter : undefined, stopping: signal.aborted };
}

export type FailureDecision = { kind: 'retry'; at: Date } | { kind: 'dead' };

/** A settings section with a retry policy (`retry` for CRM events, `outgoing` for deliveries). */
export interface RetrySettings {
  max_attempts: number;
  base_delay_ms: number;
  max_delay_ms: number;
}

/** The policy a parsed settings section describes. */
export function retryPolicy(section: RetrySettings): RetryPolicy {
  return { maxAttempts: section.max_attempts, baseDelayMs: section.base_delay_ms, maxDelayMs: section.max_delay_ms };
}

/**
 * Permanent failures go to dead letters; transient ones are retried with exponential backoff and
 * full jitter (at least what Retry-After asks, at most the policy's cap) until the attempts are used
 * up. `jitter` is one draw in [0, 1).
 */
export function decideFailure(failure: AttemptFailure, policy: RetryPolicy, now: Date, jitter: number): FailureDecision {
  if (failure.errorClass === 'transient' && failure.stopping) return { kind: 'retry', at: now };
  if (failure.errorClass === 'permanent' || exhausted(policy, failure.attempt)) return { kind: 'dead' };
  const waitAtLeast = failure.retryAfter === undefined ? undefined : retryAfterDelay(failure.retryAfter, now);
  return { kind: 'retry', at: new Date(now.getTime() + backoffDelay(policy, failure.attempt, () => jitter, waitAtLeast)) };
}
