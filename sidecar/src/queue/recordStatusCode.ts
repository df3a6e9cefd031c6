// Keeps the HTTP status of a delivery's last answer on its outbox row, for the admin's delivery list.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export async function recordStatusCode(db: Kysely<Database>, id: number, status: number): Promise<void> {
  await db.updateTable('crm_bridge_outbox').set({ last_status_code: status }).where('id', '=', id).execute();
}
