// The one mapping of the write endpoint's answers to what the worker and reconcile do.
import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../sidecar/src/errors.ts';
import { actOn } from '../../sidecar/src/outcome.ts';
import { applyOutcomeSchema, type ApplyOutcome, type ApplyResult } from '../../sidecar/src/wordpress/apply.ts';

const answer = (outcome: ApplyOutcome, extra: Partial<ApplyResult> = {}): ApplyResult => ({ event_id: 'e', order_id: 7, outcome, ...extra });

describe('what a caller does with the endpoint’s answer', () => {
  const done = (decision: string, changed: boolean, errorClass: string | null, message: string | null, recorded = false) => ({ kind: 'done', decision, changed, recorded, errorClass, message });
  const cases: [string, ApplyResult, unknown][] = [
    ['applied is done and changed the order', answer('applied', { recorded: true }), done('applied', true, null, null, true)],
    ['unchanged is logged as applied, the status was already current', answer('unchanged'), done('applied', false, null, 'status already current; version recorded')],
    ['stale is done, nothing written', answer('stale', { message: 'Version 1 is not newer than the applied version 2.' }), done('stale', false, null, 'Version 1 is not newer than the applied version 2.')],
    ['a backward refusal is done, with no error class', answer('refused', { reason: 'backward', message: 'backwards' }), done('refused', false, null, 'backwards')],
    ['a foreign order is a permanent refusal', answer('refused', { code: 'foreign_order', reason: 'foreign_order', message: 'foreign' }), done('refused', false, 'permanent', 'foreign')],
    ['lease_lost leaves the event to its new claim', answer('lease_lost'), { kind: 'lease_lost' }],
  ];
  it.each(cases)('%s', (_name, result, expected) => {
    expect(actOn(result)).toEqual(expected);
  });

  it('busy is retried as a transient error', () => {
    const action = actOn(answer('busy', { message: 'locked' }));
    expect(action.kind).toBe('retry');
    expect(action.kind === 'retry' && action.error).toBeInstanceOf(TransientError);
    expect(action.kind === 'retry' && action.error.code).toBe('order_busy');
  });

  it.each([
    ['not_found', 'order_not_found'],
    ['invalid', 'invalid_status'],
  ] as const)('%s fails permanently as %s', (outcome, code) => {
    const action = actOn(answer(outcome));
    expect(action.kind).toBe('fail');
    expect(action.kind === 'fail' && action.error).toBeInstanceOf(PermanentError);
    expect(action.kind === 'fail' && action.error.code).toBe(code);
  });

  it('has an action for every outcome the endpoint answers', () => {
    for (const outcome of applyOutcomeSchema.options) expect(['done', 'retry', 'fail', 'lease_lost']).toContain(actOn(answer(outcome)).kind);
  });
});
