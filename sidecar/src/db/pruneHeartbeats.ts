// Forgets replicas that have not beaten for a day (a crashed replica never removes its own row).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function pruneHeartbeats(db: Kysely<Database>, olderThan: Date): Promise<number> {
  const res = await db.deleteFrom('crm_bridge_sidecars').where('heartbeat_at', '<', olderThan).executeTakeFirst();
  return Number(res.numDeletedRows);
}
