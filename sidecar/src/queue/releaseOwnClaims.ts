// Hands back, at start, the rows a previous process with this worker id left running when it was
// killed: they become pending and due now. Only a restarted process may do this, and only because
// two live processes never share a worker id. The attempt count stays, so the dead claim's fence
// (worker, attempt) can never match the next claim of the row.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { tableOf, type QueueName } from './queues.js';

export async function releaseOwnClaims(db: Kysely<Database>, queue: QueueName, workerId: string, now: Date): Promise<number> {
  const res = await db
    .updateTable(tableOf(queue))
    .set({ status: 'pending', run_after: now, locked_by: null, locked_until: null })
    .where('status', '=', 'running')
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
