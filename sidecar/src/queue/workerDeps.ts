// What every queue worker is given: the database, who it is, time and jitter, where to log and
// record decisions, the settings, and how it claims (mode, lease, takeover, polling).
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { SettingsSource } from '../settings.js';
import type { SyncLog } from '../syncLog.js';
import type { Jitter } from './backoff.js';

export interface WorkerDeps {
  db: Kysely<Database>;
  workerId: string;
  clock: Clock;
  jitter: Jitter;
  log: Logger;
  syncLog: SyncLog;
  settings: SettingsSource;
  skipLocked: boolean;
  leaseMs: number;
  /** How long another replica's heartbeat may be silent before its claims are taken over. */
  takeoverMs: number;
  pollMs: number;
}
