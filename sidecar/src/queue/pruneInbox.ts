// Deletes finished events past the retention period, a small batch at a time, so the table stays small.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export async function pruneInbox(db: Kysely<Database>, olderThan: Date, batch = 500): Promise<number> {
  const res = await db
    .deleteFrom('crm_bridge_inbox')
    .where('status', '=', 'done')
    .where('finished_at', '<', olderThan)
    .orderBy('id')
    .limit(batch)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
