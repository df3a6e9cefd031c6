// Marks a claimed row done and releases it in one statement, only while this worker still holds it.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { LeaseLostError } from './leaseLost.js';
import { tableOf, type QueueName } from './queues.js';

export async function completeJob(db: Kysely<Database>, queue: QueueName, id: number, workerId: string, now: Date): Promise<void> {
  const res = await db
    .updateTable(tableOf(queue))
    .set({ status: 'done', finished_at: now, locked_by: null, locked_until: null, last_error: null, last_error_class: null })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new LeaseLostError(id);
}
