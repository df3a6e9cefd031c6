// Reliability: a CRM that fails, rate-limits and times out for a while; the database stopped during
// processing; the signing secret rotated while events flow. Each scenario ends with a reconciliation.
import { afterAll, describe, expect, it } from 'vitest';
import { startDatabase, stopDatabase } from '../stack/stack.ts';
import { sleep, waitFor } from '../stack/system.ts';
import { configureCrm, sendEvent, statusEvent, TEST_SECRET, unique } from '../support/incoming.ts';
import { adminSession, closePools, dbPool, rest, site, stack } from '../support/stack.ts';
import { TIMEOUT, endScenario, expectNothingLost, incomingStream, orderTraffic, reconcile, settle, size, startScenario, startScenarioSidecar } from './harness.ts';

afterAll(closePools);

describe('reliability: faults', () => {
  it('a CRM answering 500, 429 with Retry-After, timeouts and slow responses for a while, then recovering', async () => {
    const sc = await startScenario('crm-faults', { incomingOrders: size(30, 300) });
    try {
      await startScenarioSidecar(sc);
      // Both directions fail: the orders API (verify) and the webhook endpoint (deliveries).
      sc.crm.setKnobs({ errorRate: 0.3, rateLimitRate: 0.2, retryAfterSeconds: 1, inboundErrorRate: 0.3, inboundRateLimitRate: 0.2, latencyMs: 100 });
      const stream = incomingStream(sc, size(100, 1000), size(50, 100));
      const traffic = orderTraffic(sc, size(60, 600), 30);
      await sleep(size(2000, 20_000));
      // However slow the machine, the errors have hit both directions before the next phase.
      await waitFor('CRM errors in both directions', async () => sc.crm.calls.failed + sc.crm.calls.rateLimited > 0 && sc.crm.inboundRefused > 0, 60_000);
      // Timeouts: slower than the 2 s the settings allow, for a while.
      sc.crm.setKnobs({ latencyMs: 2500, inboundLatencyMs: 2500 });
      await sleep(size(3000, 20_000));
      sc.crm.setKnobs({ errorRate: 0, rateLimitRate: 0, inboundErrorRate: 0, inboundRateLimitRate: 0, latencyMs: 10, inboundLatencyMs: 0 });
      await Promise.all([stream, traffic]);
      await settle(sc);
      const figures = await reconcile(sc);
      expectNothingLost(figures, expect);
      expect(sc.crm.calls.failed + sc.crm.calls.rateLimited).toBeGreaterThan(0);
      expect(sc.crm.inboundRefused).toBeGreaterThan(0);
      // The failures were retried, not dropped: the log has the retries.
      const [retried] = await dbPool().query(`SELECT COUNT(*) AS n FROM wp_crm_bridge_log WHERE decision = 'retried' AND created_at >= ?`, [sc.since]);
      expect(Number((retried as { n: number }[])[0]!.n)).toBeGreaterThan(0);
    } finally {
      await endScenario(sc);
    }
  }, TIMEOUT);

  it('MariaDB stopped during processing: the receiver answers 503, never 2xx, and everything resumes', async () => {
    const sc = await startScenario('database-outage', { incomingOrders: size(30, 300), knobs: { latencyMs: 20 } });
    const sidecar = await startScenarioSidecar(sc);
    try {
      const stream = incomingStream(sc, size(150, 2000), size(40, 80));
      // Checkouts fail while the database is down (the batch in progress then is given up).
      const traffic = orderTraffic(sc, size(40, 400), 20).catch(() => undefined);
      await sleep(1500);
      await stopDatabase(stack().name);
      const down = Date.now();
      // While it is down, a signed event gets 503 with Retry-After: not stored, so not acknowledged.
      const probe = await sendEvent({ id: unique('evt_outage'), body: statusEvent(unique('C'), 'paid', 1) });
      expect(probe.status).toBe(503);
      expect(probe.headers.get('retry-after')).toBe('30');
      expect(await probe.json()).toMatchObject({ code: 'database_unavailable' });
      await sleep(Math.max(0, size(8000, 20_000) - (Date.now() - down)));
      await startDatabase(stack().name);
      // The shop takes orders again once it is back.
      await Promise.all([stream, traffic]);
      await orderTraffic(sc, size(40, 400), 20);
      await settle(sc);
      // The sidecar waited and resumed: still the same process.
      expect(sidecar.process.exitCode).toBeNull();
      const figures = await reconcile(sc);
      expectNothingLost(figures, expect);
      // The CRM saw refusals during the outage and no 2xx for anything the shop did not store.
      expect(sc.crm.webhooksSent.some((w) => w.status === 503)).toBe(true);
      expect(figures.incoming.accepted).toBe(figures.incoming.sent);
    } finally {
      await startDatabase(stack().name);
      await endScenario(sc);
    }
  }, TIMEOUT);

  it('the signing secret rotated while events flow: nothing accepted is refused, the retired secret stops after the grace period', async () => {
    const sc = await startScenario('secret-rotation', { incomingOrders: size(20, 200) });
    try {
      await startScenarioSidecar(sc);
      const session = await adminSession();
      const grace = size(6, 30);
      const stream = incomingStream(sc, size(240, 3000), size(30, 60));
      await sleep(1500);
      const res = await rest('/crm-bridge/v1/admin/settings/secrets', {
        method: 'POST',
        session,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'incoming_signing', action: 'rotate', grace_seconds: grace }),
      });
      expect(res.status).toBe(200);
      const { secret } = (await res.json()) as { secret: string };
      const rotatedAt = Date.now();
      // The CRM is updated a little later, inside the grace period; both secrets work meanwhile.
      await sleep((grace * 1000) / 2);
      sc.crm.setTarget({ url: `${site().url}/wp-json/crm-bridge/v1/crm/events`, secret });
      await stream;
      await sleep(Math.max(0, grace * 1000 + 1500 - (Date.now() - rotatedAt)));
      // A CRM event sent again: refused with the retired secret, a known duplicate with the current one.
      const [crmId, crmOrder] = [...sc.crm.orders.entries()][0]!;
      const again = { id: `evt_${crmId}_v${crmOrder.version}`, body: statusEvent(crmId, crmOrder.status, crmOrder.version) };
      expect((await sendEvent({ ...again, secret: TEST_SECRET })).status).toBe(401);
      const current = await sendEvent({ ...again, secret });
      expect(current.status).toBe(200);
      expect(await current.json()).toMatchObject({ duplicate: true });
      await settle(sc);
      const figures = await reconcile(sc);
      expectNothingLost(figures, expect);
      // No event the CRM signed with a valid secret was refused.
      expect(sc.crm.webhooksSent.filter((w) => w.status === 401)).toEqual([]);
    } finally {
      // Later scenarios sign with the test secret again.
      configureCrm(sc.crm.url);
      await endScenario(sc);
    }
  }, TIMEOUT);
});
