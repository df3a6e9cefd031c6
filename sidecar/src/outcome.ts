// What a caller does with the write endpoint's answer to one transition. The one mapping of the
// endpoint's outcomes, shared by the incoming worker and reconcile, so an answer means the same
// wherever it comes back. Pure.
import { PermanentError, TransientError } from './errors.js';
import type { ApplyResult } from './wordpress/apply.js';
import type { DecisionName } from './syncLog.js';

/** The sync log decisions the endpoint writes for the outcomes it owns (the plugin's Outcome::DECISIONS, without `verified`). */
export const OUTCOME_DECISIONS = ['applied', 'stale', 'refused'] as const satisfies readonly DecisionName[];
export type OutcomeDecision = (typeof OUTCOME_DECISIONS)[number];

export type OutcomeAction =
  /** The outcome is final: `changed` when the order's status moved. The plugin logged it when `recorded`. */
  | { kind: 'done'; decision: OutcomeDecision; changed: boolean; recorded: boolean; errorClass: 'permanent' | null; message: string | null }
  /** Nothing was written and trying again later can help (another writer held the order). */
  | { kind: 'retry'; error: TransientError }
  /** Nothing was written and trying again cannot help. */
  | { kind: 'fail'; error: PermanentError }
  /** The claim no longer holds its inbox row: another claim owns the event, nothing was written. */
  | { kind: 'lease_lost' };

export function actOn(result: ApplyResult): OutcomeAction {
  const done = (decision: OutcomeDecision, changed: boolean, message: string | null, errorClass: 'permanent' | null = null): OutcomeAction => ({
    kind: 'done',
    decision,
    changed,
    recorded: result.recorded === true,
    errorClass,
    message,
  });
  switch (result.outcome) {
    case 'applied':
      return done('applied', true, null);
    case 'unchanged':
      return done('applied', false, 'status already current; version recorded');
    case 'stale':
      return done('stale', false, result.message ?? null);
    case 'refused':
      // A foreign order is a permanent refusal of the event; a backward move is the lifecycle working as set.
      return done('refused', false, result.message ?? null, result.code === 'foreign_order' ? 'permanent' : null);
    case 'busy':
      return { kind: 'retry', error: new TransientError('order_busy', result.message ?? 'the order is locked') };
    case 'not_found':
      return { kind: 'fail', error: new PermanentError('order_not_found', result.message ?? 'the order is gone') };
    case 'invalid':
      return { kind: 'fail', error: new PermanentError('invalid_status', result.message ?? 'the transition is invalid') };
    case 'lease_lost':
      return { kind: 'lease_lost' };
  }
}
