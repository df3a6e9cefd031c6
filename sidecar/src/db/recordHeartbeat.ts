// Upserts this worker's heartbeat row, which the admin health view reads.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface Heartbeat {
  workerId: string;
  version: string;
  hostname: string;
  startedAt: Date;
}

export async function recordHeartbeat(db: Kysely<Database>, beat: Heartbeat, now: Date): Promise<void> {
  await db
    .insertInto('crm_bridge_sidecars')
    .values({ worker_id: beat.workerId, version: beat.version, hostname: beat.hostname, started_at: beat.startedAt, heartbeat_at: now })
    .onDuplicateKeyUpdate({ heartbeat_at: sql`VALUES(heartbeat_at)`, version: beat.version })
    .execute();
}
