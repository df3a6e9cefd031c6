// Writes the heartbeat row: once before the workers claim anything, then on an interval until the
// shutdown signal fires. Other replicas read it to tell a live holder of a claim from a dead one.
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { recordHeartbeat } from './db/recordHeartbeat.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Clock } from './clock.js';

/**
 * How many heartbeat intervals a replica may stay silent before its claims are taken over. One and
 * a half: a beat up to half an interval late, or a failed write tried again a fifth of an interval
 * later, keeps the claims; a killed replica's claims are claimable at most 1.5 intervals after its
 * last beat (7.5 s with the default 5 s), so with the default polling they are taken back within
 * 10 s of the kill. Every replica must run with the same heartbeat interval.
 */
export const TAKEOVER_INTERVALS = 1.5;

export const takeoverWindowMs = (heartbeatMs: number): number => TAKEOVER_INTERVALS * heartbeatMs;

/** A failed beat is tried again this much sooner than the interval, to stay inside the window. */
const RETRY_DIVISOR = 5;

export interface HeartbeatOptions {
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
}

/**
 * Writes the first beat (and throws when it cannot), then keeps beating in the background: no row
 * is claimed under this worker id before its heartbeat says it is alive.
 */
export async function startHeartbeat(opts: HeartbeatOptions): Promise<{ running: Promise<void> }> {
  const beat = { workerId: opts.workerId, version: opts.version, hostname: hostname().slice(0, 191), startedAt: opts.clock.now() };
  const write = async (): Promise<void> => {
    await recordHeartbeat(opts.db, beat, opts.clock.now(), { open_circuits: opts.openCircuits(), warnings: [...opts.warnings] });
    opts.metrics.heartbeats.inc();
  };
  await write();
  const running = (async () => {
    let wait = opts.intervalMs;
    for (;;) {
      await opts.clock.sleep(wait, opts.signal);
      if (opts.signal.aborted) return;
      try {
        await write();
        wait = opts.intervalMs;
      } catch (err) {
        opts.metrics.heartbeatFailures.inc();
        opts.log.warn({ err }, 'heartbeat not written');
        wait = opts.intervalMs / RETRY_DIVISOR;
      }
    }
  })();
  return { running };
}
