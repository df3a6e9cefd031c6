// Reliability: a sustained load run (CRM events plus order traffic) with memory and queue depth
// sampled; the queues drain, memory levels off, and the reconciliation finds nothing lost or doubled.
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../stack/system.ts';
import { closePools } from '../support/stack.ts';
import { TIMEOUT, endScenario, expectNothingLost, incomingStream, orderTraffic, reconcile, recordSamples, sampleLoad, settle, size, startScenario, startScenarioSidecar, type LoadSample } from './harness.ts';

afterAll(closePools);

describe('reliability: sustained load', () => {
  it('incoming events and order traffic for a sustained period: queues drain, memory levels off, nothing lost', async () => {
    const seconds = size(45, 600);
    const perSecond = size(20, 50);
    const ordersPerSecond = size(4, 10);
    const sc = await startScenario('sustained-load', { incomingOrders: size(100, 1000), knobs: { latencyMs: 40 } });
    try {
      await startScenarioSidecar(sc);
      const started = Date.now();
      const samples: LoadSample[] = [];
      const done = new AbortController();
      const sampler = (async () => {
        while (!done.signal.aborted) {
          samples.push(await sampleLoad(sc, started));
          await sleep(size(3000, 10_000));
        }
      })();
      const traffic = (async () => {
        while (Date.now() - started < seconds * 1000) {
          const tick = Date.now();
          await orderTraffic(sc, ordersPerSecond * 5, ordersPerSecond * 5);
          await sleep(Math.max(0, 5000 - (Date.now() - tick)));
        }
      })();
      await Promise.all([incomingStream(sc, seconds * perSecond, perSecond), traffic]);
      await settle(sc);
      done.abort();
      await sampler;
      samples.push(await sampleLoad(sc, started));
      recordSamples(sc.name, samples);
      const figures = await reconcile(sc);
      expectNothingLost(figures, expect);
      console.log(`[chaos] sustained-load samples (second, RSS MiB, heap MiB, inbox open, outbox open): ${samples.map((s) => `${s.second}:${s.rssMiB[0]}/${s.heapMiB[0]}/${s.inboxOpen}/${s.outboxOpen}`).join(' ')}`);

      // The queues never grew without draining: they are empty at the end, and the deepest point
      // stayed far below what was sent (the sidecar kept up rather than fell behind).
      const last = samples.at(-1)!;
      expect([last.inboxOpen, last.outboxOpen]).toEqual([0, 0]);
      const deepest = Math.max(...samples.map((s) => s.inboxOpen + s.outboxOpen));
      expect(deepest).toBeLessThan((seconds * perSecond) / 4);
      // Memory levels off: the heap is a saw tooth (it grows until the garbage collector runs), so
      // what must not rise is its floor. The lowest heap of the last third of the run stays within
      // what the first third reached; a leak would lift the floor above it.
      const third = Math.max(1, Math.floor(samples.length / 3));
      const early = Math.max(...samples.slice(0, third).map((s) => s.heapMiB[0]!));
      const lateFloor = Math.min(...samples.slice(-third).map((s) => s.heapMiB[0]!));
      expect(lateFloor).toBeLessThan(early * 1.5 + 20);
    } finally {
      await endScenario(sc);
    }
  }, TIMEOUT);
});
