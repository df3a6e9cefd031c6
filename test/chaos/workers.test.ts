// Reliability: the sidecar killed at random points, replicas racing on one queue, and a CRM that
// sends every webhook three times, out of order and late. Each scenario ends with a reconciliation.
import { afterAll, describe, expect, it } from 'vitest';
import { closePools } from '../support/stack.ts';
import { TIMEOUT, endScenario, expectNothingLost, incomingStream, orderTraffic, reconcile, settle, size, startScenario, startScenarioSidecar } from './harness.ts';

afterAll(closePools);

describe('reliability: workers', () => {
  it('a sidecar killed with SIGKILL at random points and restarted each time loses and repeats nothing', async () => {
    const events = size(150, 2000);
    const sc = await startScenario('sigkill', { incomingOrders: size(40, 400), knobs: { latencyMs: 30 } });
    try {
      await startScenarioSidecar(sc, { workerId: 'chaos-kill' });
      const stream = incomingStream(sc, events, size(60, 100));
      const traffic = orderTraffic(sc, events, size(25, 100));
      let kills = 0;
      const killer = (async () => {
        for (let i = 0; i < size(4, 12); i++) {
          await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
          const victim = sc.sidecars.pop()!;
          victim.process.kill('SIGKILL');
          await victim.exited;
          kills++;
          await startScenarioSidecar(sc, { workerId: 'chaos-kill' });
        }
      })();
      await Promise.all([stream, traffic, killer]);
      await settle(sc);
      const figures = await reconcile(sc);
      expectNothingLost(figures, expect);
      expect(kills).toBe(size(4, 12));
      expect(figures.incoming.accepted).toBe(figures.incoming.sent);
      expect(figures.outgoing.events).toBeGreaterThanOrEqual(events * 2);
    } finally {
      await endScenario(sc);
    }
  }, TIMEOUT);

  for (const replicas of [2, 4]) {
    it(`${replicas} sidecar replicas racing on the same queues apply and deliver everything once, in order`, async () => {
      const sc = await startScenario(`replicas-${replicas}`, { incomingOrders: size(30, 300), knobs: { latencyMs: 20, reorderWindow: 8 } });
      try {
        await Promise.all(
          Array.from({ length: replicas }, (_, i) => startScenarioSidecar(sc, { workerId: `chaos-r${replicas}-${i}`, claimMode: i % 2 === 1 ? 'update' : 'skip_locked' })),
        );
        const events = size(150, 2000);
        await Promise.all([incomingStream(sc, events), orderTraffic(sc, size(100, 1000), 50)]);
        await settle(sc);
        const figures = await reconcile(sc);
        expectNothingLost(figures, expect);
        expect(figures.incoming.accepted).toBe(figures.incoming.sent);
      } finally {
        await endScenario(sc);
      }
    }, TIMEOUT);
  }

  it('every webhook three times, reordered and delayed: one effect each, final state equals the CRM', async () => {
    const sc = await startScenario('duplicates-reorder', { incomingOrders: size(25, 250), knobs: { duplicates: 3, reorderWindow: 12, webhookDelayMs: 2, latencyMs: 15 } });
    try {
      await startScenarioSidecar(sc);
      await incomingStream(sc, size(150, 2000));
      await settle(sc);
      const figures = await reconcile(sc);
      expectNothingLost(figures, expect);
      // Every event arrived three times; the receiver kept one row each.
      expect(sc.crm.webhooksSent.filter((w) => w.status === 200).length).toBeGreaterThan(0);
      expect(figures.incoming.accepted).toBe(figures.incoming.sent);
    } finally {
      await endScenario(sc);
    }
  }, TIMEOUT);
});
