// The loop both workers run: read what this round works with (the settings), claim as many rows as
// there is room for, process each in parallel, wait for room or for new rows, back off while the
// database is unreachable, and on shutdown let the work in hand finish or release itself.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

export interface ClaimLoop<T, C> {
  name: string;
  /** What the rows claimed in this round are processed with. Nothing is claimed when it fails. */
  prepare(): Promise<C>;
  /** How many rows may be in flight now. */
  capacity(context: C): number;
  claim(limit: number): Promise<T[]>;
  process(row: T, context: C): Promise<void>;
  clock: Clock;
  log: Logger;
  pollMs: number;
}

export async function runClaimLoop<T, C>(loop: ClaimLoop<T, C>, signal: AbortSignal): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failures = 0;
  while (!signal.aborted) {
    let claimed: T[] = [];
    let free = 0;
    let context: C;
    try {
      context = await loop.prepare();
      free = loop.capacity(context) - inFlight.size;
      if (free > 0) claimed = await loop.claim(free);
      failures = 0;
    } catch (err) {
      failures++;
      loop.log.warn({ err: (err as Error).message }, `${loop.name} claim failed; retrying`);
      await loop.clock.sleep(Math.min(10_000, 250 * 2 ** Math.min(failures, 6)), signal);
      continue;
    }
    for (const row of claimed) {
      const work: Promise<void> = loop.process(row, context).finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
    if (free <= 0 && inFlight.size > 0) await Promise.race(inFlight);
    else if (claimed.length === 0) await loop.clock.sleep(loop.pollMs, signal);
  }
  await Promise.allSettled([...inFlight]);
}
