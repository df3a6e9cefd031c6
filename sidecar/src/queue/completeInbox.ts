// Marks a claimed event done and releases it in one statement, only while this worker still holds it.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { LeaseLostError } from './leaseLost.js';

export async function completeInbox(db: Kysely<Database>, id: number, workerId: string, now: Date): Promise<void> {
  const res = await db
    .updateTable('crm_bridge_inbox')
    .set({ status: 'done', finished_at: now, locked_by: null, locked_until: null, last_error: null, last_error_class: null })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new LeaseLostError(id);
}
