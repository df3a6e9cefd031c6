// The loop both workers run: read what this round works with (the settings), claim as many rows as
// there is room for, process each in parallel, wait for room or for new rows, back off while the
// database is unreachable, and on shutdown let the work in hand finish or release itself. With a
// concurrency limit, the room is what the limit allows under the configured ceiling.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ConcurrencyLimit, JobOutcome, LimitChange } from './concurrencyLimit.js';

export interface ClaimLoop<T, C> {
  name: string;
  /** What the rows claimed in this round are processed with. Nothing is claimed when it fails. */
  prepare(): Promise<C>;
  /** The most rows that may be in flight now (the ceiling when there is a limit). */
  capacity(context: C): number;
  claim(limit: number): Promise<T[]>;
  /** Processes one row; what it returns tells the limit how the job went (nothing counts as went well). */
  process(row: T, context: C): Promise<JobOutcome | void>;
  /** Sizes the work in flight from what finished jobs report; without it, capacity is the size. */
  limit?: ConcurrencyLimit;
  clock: Clock;
  log: Logger;
  pollMs: number;
}

/** Where a limit's changes go: one debug line each (not one per job) and the metrics gauge. */
export function reportLimitChanges(name: string, log: Logger, gauge?: { set(labels: { queue: string }, value: number): void }): (change: LimitChange) => void {
  return (change) => {
    log.debug({ queue: name, ...change }, `${name} concurrency limit ${change.from} → ${change.to} (${change.reason})`);
    gauge?.set({ queue: name }, change.to);
  };
}

export async function runClaimLoop<T, C>(loop: ClaimLoop<T, C>, signal: AbortSignal): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const { limit, clock } = loop;
  let failures = 0;
  while (!signal.aborted) {
    let claimed: T[] = [];
    let free = 0;
    let context: C;
    try {
      context = await loop.prepare();
      const ceiling = loop.capacity(context);
      limit?.setCeiling(ceiling);
      // The other side asked for a pause (Retry-After): no new work starts before it ends.
      const pause = limit?.pauseMs() ?? 0;
      if (pause > 0) {
        await clock.sleep(pause, signal);
        continue;
      }
      free = (limit?.current ?? ceiling) - inFlight.size;
      if (free > 0) claimed = await loop.claim(free);
      failures = 0;
    } catch (err) {
      failures++;
      loop.log.warn({ err: (err as Error).message }, `${loop.name} claim failed; retrying`);
      await clock.sleep(Math.min(10_000, 250 * 2 ** Math.min(failures, 6)), signal);
      continue;
    }
    for (const row of claimed) {
      const started = clock.now().getTime();
      const sharing = inFlight.size + 1;
      const work: Promise<void> = loop
        .process(row, context)
        .then((outcome) => limit?.record({ outcome: outcome ?? { kind: 'ok' }, durationMs: clock.now().getTime() - started, inFlight: sharing }))
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
    if (free <= 0 && inFlight.size > 0) await Promise.race(inFlight);
    else if (claimed.length === 0) await clock.sleep(loop.pollMs, signal);
  }
  await Promise.allSettled([...inFlight]);
}
