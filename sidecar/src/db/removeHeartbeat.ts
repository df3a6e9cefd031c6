// Deletes this worker's heartbeat row on a clean shutdown, so the admin sees it gone at once.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function removeHeartbeat(db: Kysely<Database>, workerId: string): Promise<void> {
  await db.deleteFrom('crm_bridge_sidecars').where('worker_id', '=', workerId).execute();
}
