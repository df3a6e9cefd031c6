// The one retry rule both queue workers use, as a table: error class, attempt, Retry-After, shutdown
// and the settings' policy in; a retry time or dead letters out.
import { describe, expect, it } from 'vitest';
import { attemptFailure, decideFailure, retryPolicy, type AttemptFailure, type FailureDecision } from '../../sidecar/src/queue/decideFailure.ts';
import { PermanentError, TransientError } from '../../sidecar/src/errors.ts';

const now = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): FailureDecision => ({ kind: 'retry', at: new Date(now.getTime() + ms) });
const dead: FailureDecision = { kind: 'dead' };
// The settings' shape, as both sections (retry, outgoing) carry it.
const policy = retryPolicy({ max_attempts: 5, base_delay_ms: 1000, max_delay_ms: 60_000 });
const transient = (attempt: number, more: Partial<AttemptFailure> = {}): AttemptFailure => ({ errorClass: 'transient', attempt, stopping: false, ...more });

describe('decideFailure', () => {
  it.each<[string, AttemptFailure, number, FailureDecision]>([
    ['a permanent failure goes to dead letters at once', { errorClass: 'permanent', attempt: 1, stopping: false }, 0.5, dead],
    ['a permanent failure while stopping still goes to dead letters', { errorClass: 'permanent', attempt: 1, stopping: true }, 0.5, dead],
    ['a first transient failure waits up to the base delay, scaled by the jitter', transient(1), 0.5, at(500)],
    ['the ceiling doubles with each attempt', transient(3), 0.5, at(2000)],
    ['a jitter of 0 retries at once', transient(3), 0, at(0)],
    ['at the fourth attempt the ceiling is 8 s', transient(4), 0.999, at(7992)],
    ['the last allowed attempt used up is dead', transient(5), 0.5, dead],
    ['beyond the attempts is dead too', transient(9), 0.5, dead],
    ['Retry-After in milliseconds is a floor', transient(1, { retryAfter: 30_000 }), 0.1, at(30_000)],
    ['Retry-After never waits past the cap', transient(1, { retryAfter: 600_000 }), 0.1, at(60_000)],
    ['a Retry-After date is measured from now', transient(1, { retryAfter: new Date(now.getTime() + 20_000) }), 0.1, at(20_000)],
    ['a Retry-After date in the past asks for nothing', transient(2, { retryAfter: new Date(now.getTime() - 20_000) }), 0.5, at(1000)],
    ['a transient failure while stopping is handed back now', transient(2, { stopping: true }), 0.5, at(0)],
    ['even on the last attempt, stopping hands a transient failure back', transient(5, { stopping: true }), 0.5, at(0)],
  ])('%s', (_name, failure, jitter, expected) => {
    expect(decideFailure(failure, policy, now, jitter)).toEqual(expected);
  });

  it('takes the policy only from the settings section it is given', () => {
    const outgoing = retryPolicy({ max_attempts: 2, base_delay_ms: 30_000, max_delay_ms: 43_200_000 });
    expect(outgoing).toEqual({ maxAttempts: 2, baseDelayMs: 30_000, maxDelayMs: 43_200_000 });
    expect(decideFailure(transient(1), outgoing, now, 0.5)).toEqual(at(15_000));
    expect(decideFailure(transient(2), outgoing, now, 0.5)).toEqual(dead);
    const patient = retryPolicy({ max_attempts: 20, base_delay_ms: 1000, max_delay_ms: 60_000 });
    expect(decideFailure(transient(10), patient, now, 0.5)).toEqual(at(30_000));
  });

  it('reads an error’s class and Retry-After, and the worker’s signal', () => {
    const stop = new AbortController();
    expect(attemptFailure(new TransientError('crm_rate_limited', 'slow down', 5000), 2, stop.signal)).toEqual({ errorClass: 'transient', attempt: 2, retryAfter: 5000, stopping: false });
    stop.abort();
    expect(attemptFailure(new PermanentError('crm_order_not_found', 'gone'), 1, stop.signal)).toEqual({ errorClass: 'permanent', attempt: 1, retryAfter: undefined, stopping: true });
  });
});
