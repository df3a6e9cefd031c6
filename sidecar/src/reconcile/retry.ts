// Reconcile's CRM reads, tried again when the CRM fails in a way that passes (5xx, 429, timeouts,
// connection errors) with the workers' backoff, a bounded number of times, before an order is
// reported as an error. The decision is pure; fetchWithRetries is the loop around it.
import { classify, TransientError, type BridgeError } from '../errors.js';
import { attemptFailure, decideFailure } from '../queue/decideFailure.js';
import type { RetryPolicy } from '../queue/backoff.js';
import type { Clock } from '../clock.js';

/** A run is read by a person waiting at a terminal: a few tries within about half a minute. */
export const RECONCILE_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 10_000 };

/**
 * Transient for a worker that tries again minutes later, but not within one run: an open circuit
 * ends the run (every further order would fail alike), a body that is not JSON will not become JSON in
 * a second, and missing settings need a person.
 */
const REPORTED_AT_ONCE = new Set(['circuit_open', 'crm_bad_response', 'crm_not_configured']);

export type RetryStep = { kind: 'retry'; delayMs: number } | { kind: 'report' };

/**
 * After `attempt` failed reads (≥ 1): wait and read again, or report the error. Permanent errors
 * (404, 401, a document without a status) are reported at once; transient ones are retried with
 * exponential backoff and full jitter, at least what Retry-After asks (at most the policy's cap),
 * until the policy's attempts are used up. `jitter` is one draw in [0, 1).
 */
export function decideCrmRetry(error: BridgeError, attempt: number, policy: RetryPolicy, now: Date, jitter: number, signal: AbortSignal): RetryStep {
  if (signal.aborted || REPORTED_AT_ONCE.has(error.code)) return { kind: 'report' };
  const decision = decideFailure(attemptFailure(error, attempt, signal), policy, now, jitter);
  return decision.kind === 'dead' ? { kind: 'report' } : { kind: 'retry', delayMs: decision.at.getTime() - now.getTime() };
}

export interface RetryDeps {
  policy: RetryPolicy;
  clock: Clock;
  /** A number in [0, 1). */
  random: () => number;
}

/** Runs `read` until it succeeds or decideCrmRetry reports; the error thrown names the attempts made. */
export async function fetchWithRetries<T>(read: () => Promise<T>, deps: RetryDeps, signal: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      const error = classify(err);
      const step = decideCrmRetry(error, attempt, deps.policy, deps.clock.now(), deps.random(), signal);
      if (step.kind === 'report') {
        // The same code and class, so the caller's verdict is unchanged; the message says it was tried.
        throw attempt > 1 && error instanceof TransientError ? new TransientError(error.code, `${error.message} (after ${attempt} attempts)`, error.retryAfter, error.context) : error;
      }
      await deps.clock.sleep(step.delayMs, signal);
    }
  }
}
