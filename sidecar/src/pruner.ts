// Retention: finished queue rows and old log rows are deleted in small batches, once a minute, so
// the tables never bloat. Dead letters stay until someone replays or discards them.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { SettingsSource } from './settings.js';
import { pruneQueue } from './queue/pruneQueue.js';
import { pruneLog } from './queue/pruneLog.js';
import { pruneHeartbeats } from './db/pruneHeartbeats.js';

const DAY_MS = 86_400_000;

/** One pass: deletes until a batch comes back short. Returns how many rows went. */
export async function pruneOnce(db: Kysely<Database>, retentionDays: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  let total = 0;
  const prunes = [(c: Date) => pruneQueue(db, 'inbox', c), (c: Date) => pruneQueue(db, 'outbox', c), (c: Date) => pruneLog(db, c)];
  for (const prune of prunes) {
    for (;;) {
      const deleted = await prune(cutoff);
      total += deleted;
      if (deleted === 0) break;
    }
  }
  total += await pruneHeartbeats(db, new Date(now.getTime() - DAY_MS));
  return total;
}

export async function runPruner(opts: { db: Kysely<Database>; settings: SettingsSource; clock: Clock; log: Logger; signal: AbortSignal; intervalMs?: number }): Promise<void> {
  while (!opts.signal.aborted) {
    try {
      const { settings } = await opts.settings.get();
      const deleted = await pruneOnce(opts.db, settings.retention_days, opts.clock.now());
      if (deleted > 0) opts.log.info({ deleted }, 'pruned finished rows past retention');
    } catch (err) {
      opts.log.warn({ err: (err as Error).message }, 'pruning failed');
    }
    await opts.clock.sleep(opts.intervalMs ?? 60_000, opts.signal);
  }
}
