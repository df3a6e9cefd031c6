import { describe, expect, it } from 'vitest';
import { inBatches, type BatchProgress } from '../../admin-ui/src/views/Deliveries/batches.ts';

describe('bulk actions in batches', () => {
  it('sends the ids in batches, one at a time with a pause between, and sums what the server did', async () => {
    const sent: number[][] = [];
    const pauses: number[] = [];
    const seen: BatchProgress[] = [];
    const ids = Array.from({ length: 7 }, (_, i) => i + 1);
    const done = await inBatches(
      ids,
      async (batch) => (sent.push(batch), batch.length - 1),
      (p) => seen.push(p),
      async (ms) => void pauses.push(ms),
      3,
      500,
    );
    expect(sent).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(pauses).toEqual([500, 500]);
    expect(seen.map((p) => [p.sent, p.affected])).toEqual([
      [3, 2],
      [6, 4],
      [7, 4],
    ]);
    expect(done).toEqual({ sent: 7, total: 7, affected: 4 });
  });

  it('stops at the first refused batch and sends nothing after it', async () => {
    const sent: number[][] = [];
    const run = inBatches(
      [1, 2, 3, 4],
      async (batch) => {
        sent.push(batch);
        if (batch[0] === 3) throw new Error('503');
        return batch.length;
      },
      () => undefined,
      async () => undefined,
      2,
    );
    await expect(run).rejects.toThrow('503');
    expect(sent).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
