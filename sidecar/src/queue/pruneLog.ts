// Deletes sync log rows past the retention period, a small batch at a time.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export async function pruneLog(db: Kysely<Database>, olderThan: Date, batch = 1000): Promise<number> {
  const res = await db.deleteFrom('crm_bridge_log').where('created_at', '<', olderThan).orderBy('id').limit(batch).executeTakeFirst();
  return Number(res.numDeletedRows);
}
