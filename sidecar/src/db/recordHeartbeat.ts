// Upserts this worker's heartbeat row, which the admin health view reads.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface Heartbeat {
  workerId: string;
  version: string;
  hostname: string;
  startedAt: Date;
}

/** What the admin health view shows about a replica besides its heartbeat. */
export interface HeartbeatInfo {
  open_circuits: string[];
  warnings: string[];
}

export async function recordHeartbeat(db: Kysely<Database>, beat: Heartbeat, now: Date, info: HeartbeatInfo): Promise<void> {
  const json = JSON.stringify(info);
  await db
    .insertInto('crm_bridge_sidecars')
    .values({ worker_id: beat.workerId, version: beat.version, hostname: beat.hostname, started_at: beat.startedAt, heartbeat_at: now, info: json })
    .onDuplicateKeyUpdate({ heartbeat_at: sql`VALUES(heartbeat_at)`, version: beat.version, info: json })
    .execute();
}
