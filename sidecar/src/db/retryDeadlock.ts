// Runs a statement or transaction again when the server chose it as a deadlock's victim. InnoDB
// rolls the victim back whole, so running it again is safe; two workers claiming overlapping rows
// at the same moment can meet this in the ordinary course of work.
import { errnoOf } from './errno.js';

const ER_LOCK_DEADLOCK = 1213;

export interface DeadlockRetry {
  /** Runs in all, the first included. */
  tries: number;
  /** Upper bound of the random pause before the first rerun; doubles each rerun. */
  pauseMs: number;
}

const defaults: DeadlockRetry = { tries: 5, pauseMs: 20 };

export async function retryDeadlock<T>(run: () => Promise<T>, opts: Partial<DeadlockRetry> = {}): Promise<T> {
  const { tries, pauseMs } = { ...defaults, ...opts };
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (errnoOf(err) !== ER_LOCK_DEADLOCK || attempt >= tries) throw err;
      // Full jitter, so the two victims of one deadlock do not meet again at once.
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * pauseMs * 2 ** (attempt - 1))));
    }
  }
}
