// Writes the outcome of a connection test into its request row, where the settings page reads it.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ConnectionTestAnswer {
  ok: boolean;
  message: string;
  latencyMs: number;
}

export async function answerConnectionTest(db: Kysely<Database>, id: string, workerId: string, answer: ConnectionTestAnswer, now: Date): Promise<void> {
  await db
    .updateTable('crm_bridge_connection_tests')
    .set({ answered_at: now, ok: answer.ok, message: answer.message, latency_ms: answer.latencyMs })
    .where('id', '=', id)
    .where('taken_by', '=', workerId)
    .execute();
}
