// Bulk actions on many rows are sent as batches, one after another with a pause between them: a bulk
// replay then releases work to the queue at a bounded rate, and the screen shows how far it got.

/** Rows per request. */
export const BATCH_SIZE = 25;
/** Pause between two requests: at most BATCH_SIZE rows released per this many milliseconds. */
export const BATCH_PAUSE_MS = 1000;

export interface BatchProgress {
  /** Rows sent so far. */
  sent: number;
  total: number;
  /** What the server answered it did, summed (rows queued, rows discarded). */
  affected: number;
}

/** Sends `ids` in batches through `send`, reporting progress after each; stops at the first error (it propagates). */
export async function inBatches(
  ids: number[],
  send: (batch: number[]) => Promise<number>,
  onProgress: (progress: BatchProgress) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  size = BATCH_SIZE,
  pauseMs = BATCH_PAUSE_MS,
): Promise<BatchProgress> {
  const progress: BatchProgress = { sent: 0, total: ids.length, affected: 0 };
  for (let start = 0; start < ids.length; start += size) {
    if (start > 0) await sleep(pauseMs);
    const batch = ids.slice(start, start + size);
    progress.affected += await send(batch);
    progress.sent += batch.length;
    onProgress({ ...progress });
  }
  return progress;
}
