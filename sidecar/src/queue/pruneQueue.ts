// Deletes finished rows of a queue past the retention period, a small batch at a time, so the table stays small.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { tableOf, type QueueName } from './queues.js';

export async function pruneQueue(db: Kysely<Database>, queue: QueueName, olderThan: Date, batch = 500): Promise<number> {
  const res = await db
    .deleteFrom(tableOf(queue))
    .where('status', '=', 'done')
    .where('finished_at', '<', olderThan)
    .orderBy('id')
    .limit(batch)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
