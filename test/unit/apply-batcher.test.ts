// The write endpoint's batcher: a lone transition leaves after the short wait, at most maxInFlight
// requests are out at once, and what arrives meanwhile goes out together when one comes back.
import { describe, expect, it } from 'vitest';
import { ApplyBatcher, type ApplyResult, type Transition } from '../../sidecar/src/wordpress/apply.ts';

function endpoint() {
  const calls: { ids: string[]; finish: (err?: Error) => void }[] = [];
  const apply = (transitions: Transition[]) =>
    new Promise<ApplyResult[]>((resolve, reject) => {
      calls.push({
        ids: transitions.map((t) => t.event_id),
        finish: (err) => (err ? reject(err) : resolve(transitions.map((t) => ({ event_id: t.event_id, order_id: 1, outcome: 'applied' })))),
      });
    });
  return { calls, apply };
}

const transition = (id: string): Transition => ({ event_id: id, crm_order_id: `C-${id}`, to_status: 'processing', version: 1 });
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('the apply batcher', () => {
  it('sends a lone transition after its short wait, and holds later ones while every request slot is taken', async () => {
    const e = endpoint();
    const batcher = new ApplyBatcher(e.apply, new AbortController().signal, { maxWaitMs: 5, maxInFlight: 1 });
    const first = batcher.submit(transition('a'));
    await tick(20);
    expect(e.calls.map((c) => c.ids)).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((id) => batcher.submit(transition(id)));
    await tick(20);
    // The one slot is taken: nothing more has gone out, however long the wait.
    expect(e.calls).toHaveLength(1);
    e.calls[0]!.finish();
    expect((await first).outcome).toBe('applied');
    await tick();
    expect(e.calls.map((c) => c.ids)).toEqual([['a'], ['b', 'c', 'd']]);
    e.calls[1]!.finish();
    expect((await Promise.all(later)).map((r) => r.event_id)).toEqual(['b', 'c', 'd']);
  });

  it('keeps to its batch size and its number of requests, and a failed request fails only its own batch', async () => {
    const e = endpoint();
    const batcher = new ApplyBatcher(e.apply, new AbortController().signal, { maxBatch: 2, maxWaitMs: 5, maxInFlight: 2 });
    const results = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => batcher.submit(transition(id)).then((r) => r.outcome, (err: Error) => err.message));
    await tick(20);
    expect(e.calls.map((c) => c.ids)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    e.calls[0]!.finish(new Error('the write endpoint answered 503'));
    await tick();
    expect(e.calls.map((c) => c.ids).at(-1)).toEqual(['e', 'f']);
    e.calls[1]!.finish();
    await tick();
    expect(e.calls.map((c) => c.ids).at(-1)).toEqual(['g']);
    e.calls[2]!.finish();
    e.calls[3]!.finish();
    expect(await Promise.all(results)).toEqual(['the write endpoint answered 503', 'the write endpoint answered 503', 'applied', 'applied', 'applied', 'applied', 'applied']);
  });
});
