// What became of a test event: the sidecar delivers it like any other, so its outcome is read from
// the sync log rows of its webhook id (delivered, retried or dead, with the answer's status code).
import type { LogRow } from '../../api/client';

export type TestResult =
  | { kind: 'waiting' }
  | { kind: 'delivered'; statusCode: number | null }
  | { kind: 'failed'; statusCode: number | null; retrying: boolean; message: string | null }
  | { kind: 'no_answer' };

/** Polls: how often, and for how long before the screen says no sidecar picked the event up. */
export const TEST_POLL_MS = 1500;
export const TEST_WAIT_MS = 60_000;

function statusCode(row: LogRow): number | null {
  const detail = row.detail as { status_code?: unknown } | null;
  return typeof detail?.status_code === 'number' ? detail.status_code : null;
}

/** The outcome the log rows of a test event (newest first) show so far. */
export function testResultOf(rows: LogRow[]): TestResult {
  const outcome = rows.find((r) => r.decision === 'delivered' || r.decision === 'retried' || r.decision === 'dead');
  if (!outcome) return { kind: 'waiting' };
  if (outcome.decision === 'delivered') return { kind: 'delivered', statusCode: statusCode(outcome) };
  return { kind: 'failed', statusCode: statusCode(outcome), retrying: outcome.decision === 'retried', message: outcome.message };
}
