// Writes the outcome of a connection test into its request row, where the settings page reads it,
// and clears the request: a token typed for the test is not kept once it was used.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ConnectionTestAnswer {
  ok: boolean;
  message: string;
  latencyMs: number;
  /** What the test read, or the step that failed (shown on the settings page). */
  detail: object | null;
}

export async function answerConnectionTest(db: Kysely<Database>, id: string, workerId: string, answer: ConnectionTestAnswer, now: Date): Promise<void> {
  await db
    .updateTable('crm_bridge_connection_tests')
    .set({ answered_at: now, ok: answer.ok, message: answer.message, latency_ms: answer.latencyMs, detail: answer.detail === null ? null : JSON.stringify(answer.detail), request: null })
    .where('id', '=', id)
    .where('taken_by', '=', workerId)
    .execute();
}
