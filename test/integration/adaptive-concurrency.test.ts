// The inbox sizes its work in flight from what it observes, through the real sidecar process and the
// CRM simulator: the limit rises above its start while the CRM answers well, falls when the CRM
// rate-limits or times out, and no new CRM call goes out before the time a Retry-After asks for.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closePools, dbPool, site } from '../support/stack.ts';
import { CRM_TOKEN, configureCrm, createOrders } from '../support/incoming.ts';
import { announceToCrm, updateSettings } from '../support/trust.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { startCrmSimulator, type CrmSimulator, type Knobs } from '../crm-simulator/simulator.ts';
import { waitFor } from '../stack/system.ts';

const PREFIX = 'aimd-';
let crm: CrmSimulator;
const sidecars: RunningSidecar[] = [];
let batch = 0;

interface LimitLine {
  queue: string;
  from: number;
  to: number;
  reason: string;
}

/** The limit changes the sidecar logged (debug level). */
function limitChanges(sc: RunningSidecar): LimitLine[] {
  return sc
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('concurrency limit'))
    .map((line) => JSON.parse(line) as LimitLine)
    .filter((line) => line.queue === 'inbox');
}

async function sidecar(): Promise<RunningSidecar> {
  const sc = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_POLL_MS: '50', CRM_BRIDGE_LOG_LEVEL: 'debug', CRM_BRIDGE_SETTINGS_TTL_MS: '200' }));
  sidecars.push(sc);
  return sc;
}

/** Orders the CRM knows, each with one status event waiting in the inbox. Returns the event ids. */
async function queueEvents(count: number): Promise<string[]> {
  const ids = createOrders(Array.from({ length: count }, () => 'pending'));
  announceToCrm(ids);
  batch++;
  const events = ids.map((orderId, i) => {
    const crmOrderId = `${PREFIX}${batch}-${i}-${Date.now().toString(36)}`;
    crm.orders.set(crmOrderId, { crm_order_id: crmOrderId, status: 'paid', version: 1, updated_at: new Date().toISOString(), woo_order_id: orderId });
    return { eventId: `${crmOrderId}-v1`, crmOrderId };
  });
  const rows = events.map(({ eventId, crmOrderId }) => [eventId, 'order.status_changed', crmOrderId, '{}', 'pending', 0, new Date(), new Date()]);
  await dbPool().query(`INSERT INTO ${site().tablePrefix}crm_bridge_inbox (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at) VALUES ?`, [rows]);
  return events.map((e) => e.eventId);
}

async function drained(eventIds: string[]): Promise<void> {
  await waitFor(
    'the events to be done',
    async () => {
      const [rows] = await dbPool().query(`SELECT COUNT(*) AS n FROM ${site().tablePrefix}crm_bridge_inbox WHERE event_id IN (?) AND status = 'done'`, [eventIds]);
      return Number((rows as { n: number }[])[0]!.n) === eventIds.length;
    },
    120_000,
  );
}

beforeAll(async () => {
  crm = await startCrmSimulator({ token: CRM_TOKEN });
  configureCrm(crm.url, { crm: { base_url: crm.url, timeout_ms: 2000, paths: { woo_order_id: 'woo_order_id' } }, concurrency: 64 });
});
afterEach(async () => {
  await Promise.all(sidecars.splice(0).map((s) => s.stop()));
  crm.setKnobs({ latencyMs: 0, rateLimitRate: 0, retryAfterSeconds: 1 });
  updateSettings({ concurrency: 64, crm: { base_url: crm.url, auth_mode: 'bearer', order_url_template: '/orders/{crm_order_id}', version_source: 'version', timeout_ms: 2000, paths: { woo_order_id: 'woo_order_id' } } });
  // Events a test left unfinished are not left for the next one's sidecar.
  await dbPool().query(`DELETE FROM ${site().tablePrefix}crm_bridge_inbox WHERE event_id LIKE ? AND status <> 'done'`, [`${PREFIX}%`]);
});
afterAll(async () => {
  await crm.close();
  await closePools();
});

describe('adaptive concurrency in the inbox', () => {
  it('while the CRM answers well, the limit rises above its start, and every event is applied', async () => {
    crm.setKnobs({ latencyMs: 30 });
    const events = await queueEvents(160);
    const sc = await sidecar();
    await drained(events);
    const changes = limitChanges(sc);
    expect(changes.length).toBeGreaterThan(0);
    const start = changes[0]!.from;
    expect(changes.some((c) => c.reason === 'growth' && c.to > start)).toBe(true);
    expect(Math.max(...changes.map((c) => c.to))).toBeLessThanOrEqual(64);
  });

  it.each<[string, Partial<Knobs>, Record<string, unknown>]>([
    ['answers 429', { rateLimitRate: 1, retryAfterSeconds: 0 }, {}],
    ['answers too slowly (timeouts)', { latencyMs: 1500 }, { timeout_ms: 300 }],
  ])('when the CRM %s, the limit falls below its start', async (_name, knobs, crmSettings) => {
    crm.setKnobs(knobs);
    updateSettings({ crm: { base_url: crm.url, auth_mode: 'bearer', order_url_template: '/orders/{crm_order_id}', version_source: 'version', timeout_ms: 2000, paths: { woo_order_id: 'woo_order_id' }, ...crmSettings } });
    await queueEvents(60);
    const sc = await sidecar();
    const fell = await waitFor('the limit to fall', async () => limitChanges(sc).find((c) => c.reason === 'drop'), 60_000);
    expect(fell.to).toBeLessThan(fell.from);
    const start = limitChanges(sc)[0]!.from;
    await waitFor('the limit to fall below its start', async () => limitChanges(sc).some((c) => c.to < start), 60_000);
  });

  it('after a 429 with Retry-After, no new CRM call goes out before the time it asked for', async () => {
    // One job at a time, so every call after the 429 is a new one the sidecar chose to make.
    updateSettings({ concurrency: 1 });
    crm.setKnobs({ rateLimitRate: 1, retryAfterSeconds: 3 });
    await queueEvents(5);
    const before = { ...crm.calls };
    await sidecar();
    await waitFor('the 429', async () => crm.calls.rateLimited > before.rateLimited, 30_000);
    const limitedAt = Date.now();
    crm.setKnobs({ rateLimitRate: 0 });
    await waitFor('the next CRM call', async () => crm.calls.ok > before.ok, 30_000);
    const calledAfter = Date.now() - limitedAt;
    expect(crm.calls.rateLimited - before.rateLimited).toBe(1);
    // The waiting was observed from here, polling: allow for the poll's lag, never less than asked.
    expect(calledAfter).toBeGreaterThanOrEqual(2500);
  });
});
