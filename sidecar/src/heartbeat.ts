// Writes the heartbeat row on an interval until the shutdown signal fires.
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { recordHeartbeat } from './db/recordHeartbeat.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Clock } from './clock.js';

export async function runHeartbeat(opts: {
  db: Kysely<Database>;
  workerId: string;
  version: string;
  intervalMs: number;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  signal: AbortSignal;
  /** Hosts whose circuit is open now, shown in the admin. */
  openCircuits: () => string[];
  /** Readiness warnings (such as excess database privileges), shown with the replica. */
  warnings: readonly string[];
}): Promise<void> {
  const beat = { workerId: opts.workerId, version: opts.version, hostname: hostname().slice(0, 191), startedAt: opts.clock.now() };
  while (!opts.signal.aborted) {
    try {
      await recordHeartbeat(opts.db, beat, opts.clock.now(), { open_circuits: opts.openCircuits(), warnings: [...opts.warnings] });
      opts.metrics.heartbeats.inc();
    } catch (err) {
      opts.metrics.heartbeatFailures.inc();
      opts.log.warn({ err }, 'heartbeat not written');
    }
    await opts.clock.sleep(opts.intervalMs, opts.signal);
  }
}
