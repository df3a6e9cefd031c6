// From the CRM's webhook to the WooCommerce order, through the real sidecar process: verified,
// versioned, exactly once, in order, never backwards, surviving failures and crashes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, rest, site } from '../support/stack.ts';
import { CRM_TOKEN, DEFAULT_MAPPING, TEST_SECRET, configureCrm, createOrders as createUnannounced, inboxRows, logDecisions, orderDetails, orderStates, sendEvent, statusEvent, unique } from '../support/incoming.ts';
import { announceToCrm } from '../support/trust.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { startCrmSimulator, type CrmSimulator } from '../crm-simulator/simulator.ts';
import { waitFor } from '../stack/system.ts';

let crm: CrmSimulator;

/** Orders the shop announced to the CRM (order.created), as every order the CRM may claim is. */
function createOrders(statuses: string[]): number[] {
  const ids = createUnannounced(statuses);
  announceToCrm(ids);
  return ids;
}
const sidecars: RunningSidecar[] = [];

async function sidecar(env: Record<string, string> = {}): Promise<RunningSidecar> {
  const sc = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_POLL_MS: '50', ...env }));
  sidecars.push(sc);
  return sc;
}

/** The CRM changes the order, then sends its webhook for that version. */
async function crmChanges(crmOrderId: string, status: string, wooOrderId: number): Promise<string> {
  const rec = await crm.changeStatus(crmOrderId, status, wooOrderId);
  const id = `evt_${crmOrderId}_v${rec.version}`;
  const res = await sendEvent({ id, body: statusEvent(crmOrderId, status, rec.version) });
  expect(res.status).toBe(202);
  return id;
}

async function settled(eventIds: string[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `events ${eventIds.slice(0, 3).join(', ')}… to finish`,
    async () => {
      const [rows] = await dbPool().query(`SELECT COUNT(*) AS n FROM wp_crm_bridge_inbox WHERE event_id IN (?) AND status IN ('done', 'dead')`, [eventIds]);
      return Number((rows as { n: number }[])[0]!.n) === new Set(eventIds).size;
    },
    timeoutMs,
  );
}

beforeAll(async () => {
  crm = await startCrmSimulator({ token: CRM_TOKEN });
  configureCrm(crm.url, { crm: { base_url: crm.url, paths: { woo_order_id: 'woo_order_id' } } });
});
afterEach(async () => {
  await Promise.all(sidecars.splice(0).map((s) => s.stop()));
  crm.setTarget(null);
  crm.setKnobs({ latencyMs: 0, errorRate: 0, rateLimitRate: 0, failNext: 0, failOrderIds: [], duplicates: 1, reorderWindow: 1 });
});
afterAll(async () => {
  await crm.close();
  await closePools();
});

describe('incoming events through the sidecar', () => {
  it('a status changed in the CRM reaches the order with a note, and the whole history is logged', async () => {
    const [orderId] = createOrders(['pending']);
    const crmId = unique('C');
    await sidecar();
    const eventId = await crmChanges(crmId, 'paid', orderId!);
    await settled([eventId]);
    expect(orderStates([orderId!])[orderId!]).toEqual({ status: 'processing', crmNotes: 1, version: '1' });
    const log = await logDecisions({ eventId });
    expect(log.map((r) => r.decision)).toEqual(['accepted', 'verified', 'applied']);
    expect(log[2]!.order_id).toBe(orderId);
  });

  it('a CRM answer naming an order linked to another CRM order, or never announced, is refused and logged; the orders stay as they were', async () => {
    const [victim, fresh] = createOrders(['pending', 'pending']);
    const [unannounced] = createUnannounced(['pending']);
    const [owner, thief, stranger, newcomer] = [unique('own'), unique('thief'), unique('stranger'), unique('new')];
    await sidecar();
    const own = await crmChanges(owner, 'paid', victim!);
    await settled([own]);
    const takeover = await crmChanges(thief, 'shipped', victim!);
    const claim = await crmChanges(stranger, 'shipped', unannounced!);
    const honest = await crmChanges(newcomer, 'paid', fresh!);
    await settled([takeover, claim, honest]);
    for (const id of [takeover, claim]) {
      const refused = (await logDecisions({ eventId: id })).find((r) => r.decision === 'refused');
      expect(refused?.message, id).toMatch(/^foreign_order: /);
      expect(refused?.error_class, id).toBe('permanent');
    }
    expect(orderDetails([victim!, unannounced!, fresh!])).toMatchObject({
      [victim!]: { status: 'processing', version: '1', crmOrderId: owner, crmNotes: 1 },
      [unannounced!]: { status: 'pending', version: '', crmOrderId: '', crmNotes: 0 },
      [fresh!]: { status: 'processing', version: '1', crmOrderId: newcomer, crmNotes: 1 },
    });
    const [links] = await dbPool().query(`SELECT crm_order_id, order_id FROM wp_crm_bridge_links WHERE crm_order_id IN (?) ORDER BY order_id`, [[owner, thief, stranger, newcomer]]);
    expect(links).toEqual([{ crm_order_id: owner, order_id: victim }, { crm_order_id: newcomer, order_id: fresh }]);
  });

  it('an unmapped CRM status reaches the log and the dead letter as at most 64 printable characters', async () => {
    const [orderId] = createOrders(['pending']);
    const crmId = unique('U');
    await sidecar();
    const secret = `sk_live_${'s'.repeat(40)}\u0000\u001b[2J<script>${'t'.repeat(100)}`;
    // The webhook is only a trigger: the status the sidecar acts on is the one the CRM's API answers.
    const rec = await crm.changeStatus(crmId, secret, orderId!);
    const id = `evt_${crmId}_v${rec.version}`;
    expect((await sendEvent({ id, body: statusEvent(crmId, 'paid', rec.version) })).status).toBe(202);
    await settled([id]);
    const [rows] = await dbPool().query(`SELECT decision, to_status, message FROM wp_crm_bridge_log WHERE event_id = ? ORDER BY id`, [id]);
    const [inbox] = await dbPool().query(`SELECT last_error FROM wp_crm_bridge_inbox WHERE event_id = ?`, [id]);
    const stored = JSON.stringify([rows, inbox]);
    expect(stored).toContain('unmapped');
    expect(stored).not.toContain('t'.repeat(20));
    expect(stored).not.toMatch(/\\u0000|\\u001b/);
    const dead = (rows as { decision: string; message: string }[]).find((r) => r.decision === 'dead')!;
    const quoted = /"(.*)"/u.exec(dead.message)![1]!;
    expect([...quoted].length).toBeLessThanOrEqual(65);
  });

  it('a duplicate storm (the same event 20 times, concurrently) applies once', async () => {
    const [orderId] = createOrders(['pending']);
    const crmId = unique('C');
    const rec = await crm.changeStatus(crmId, 'paid', orderId!);
    const id = `evt_${crmId}_v${rec.version}`;
    const body = statusEvent(crmId, 'paid', rec.version);
    await sidecar();
    const answers = await Promise.all(Array.from({ length: 20 }, () => sendEvent({ id, body })));
    expect(answers.filter((r) => r.status === 202)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(19);
    await settled([id]);
    expect(await inboxRows(id)).toHaveLength(1);
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ status: 'processing', crmNotes: 1 });
  });

  it('events for one order sent in reverse version order end in the CRM’s final state', async () => {
    const [orderId] = createOrders(['pending']);
    const crmId = unique('C');
    const steps = ['on_hold', 'paid', 'shipped'];
    const versions = [];
    for (const s of steps) versions.push(await crm.changeStatus(crmId, s, orderId!));
    await sidecar();
    const ids = [];
    for (const rec of [...versions].reverse()) {
      const id = `evt_${crmId}_v${rec.version}`;
      ids.push(id);
      expect((await sendEvent({ id, body: statusEvent(crmId, rec.status, rec.version) })).status).toBe(202);
    }
    await settled(ids);
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ status: 'completed', version: '3', crmNotes: 1 });
    const decisions = (await logDecisions({ crmOrderId: crmId })).map((r) => r.decision).filter((d) => d === 'applied' || d === 'stale');
    expect(decisions).toEqual(['applied', 'stale', 'stale']);
  });

  it('a completed order receiving processing stays completed, and the refusal is logged', async () => {
    const [orderId] = createOrders(['completed']);
    const crmId = unique('C');
    await sidecar();
    const id = await crmChanges(crmId, 'paid', orderId!);
    await settled([id]);
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ status: 'completed', crmNotes: 0 });
    const refused = (await logDecisions({ eventId: id })).find((r) => r.decision === 'refused');
    expect(refused?.message).toMatch(/completed to processing/);
  });

  it('a CRM that fails 3 times and then answers is retried with backoff and applied', async () => {
    const [orderId] = createOrders(['pending']);
    const crmId = unique('C');
    await sidecar();
    crm.setKnobs({ failNext: 3 });
    const id = await crmChanges(crmId, 'paid', orderId!);
    await settled([id]);
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ status: 'processing', crmNotes: 1 });
    const decisions = await logDecisions({ eventId: id });
    expect(decisions.map((r) => r.decision)).toEqual(['accepted', 'retried', 'retried', 'retried', 'verified', 'applied']);
    expect(decisions.filter((r) => r.decision === 'retried').every((r) => r.error_class === 'transient')).toBe(true);
  });

  it('an order the CRM keeps failing on slows no other order, and is applied once the CRM recovers', async () => {
    const orderIds = createOrders(Array.from({ length: 6 }, () => 'pending'));
    const crmIds = orderIds.map(() => unique('F'));
    crm.setKnobs({ failOrderIds: [crmIds[0]!] });
    configureCrm(crm.url, { retry: { max_attempts: 100, base_delay_ms: 50, max_delay_ms: 300 } });
    await sidecar();
    const ids = [];
    for (const [i, orderId] of orderIds.entries()) ids.push(await crmChanges(crmIds[i]!, 'paid', orderId));
    await settled(ids.slice(1));
    // Still being retried (waiting, or in an attempt right now), not given up.
    expect(['pending', 'running']).toContain((await inboxRows(ids[0]!))[0]!.status);
    expect(Object.values(orderStates(orderIds.slice(1))).map((s) => s.status)).toEqual(orderIds.slice(1).map(() => 'processing'));
    crm.setKnobs({ failOrderIds: [] });
    await settled([ids[0]!]);
    expect(orderStates([orderIds[0]!])[orderIds[0]!]).toMatchObject({ status: 'processing', crmNotes: 1 });
    expect((await logDecisions({ eventId: ids[0]! })).filter((r) => r.decision === 'retried').length).toBeGreaterThan(0);
    configureCrm(crm.url);
  });

  it('a permanent failure goes to dead letters and replays to applied once fixed', async () => {
    const [orderId] = createOrders(['pending']);
    const crmId = unique('C');
    await sidecar({ CRM_BRIDGE_SETTINGS_TTL_MS: '0' });
    const unmapped = unique('teleported');
    const id = await crmChanges(crmId, unmapped, orderId!);
    await settled([id]);
    expect(await inboxRows(id)).toEqual([{ status: 'dead', attempts: 1 }]);
    expect((await logDecisions({ eventId: id })).at(-1)).toMatchObject({ decision: 'dead', error_class: 'permanent' });

    configureCrm(crm.url, { mapping: { ...DEFAULT_MAPPING, [unmapped]: 'on-hold' } });
    const session = await adminSession();
    const list = await rest(`/crm-bridge/v1/admin/dead-letters?crm_order_id=${crmId}`, { session });
    expect(((await list.json()) as { items: { event_id: string }[] }).items.map((i) => i.event_id)).toEqual([id]);
    const replay = await rest('/crm-bridge/v1/admin/dead-letters/replay', { method: 'POST', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ crm_order_id: crmId }) });
    expect(await replay.json()).toEqual({ replayed: 1 });
    await waitFor('the replayed event', async () => (await inboxRows(id))[0]?.status === 'done');
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ status: 'on-hold', crmNotes: 1 });
  });

  it('a worker killed with SIGKILL mid-batch loses nothing and applies nothing twice after restart', async () => {
    const orderIds = createOrders(Array.from({ length: 30 }, () => 'pending'));
    const crmIds = orderIds.map(() => unique('K'));
    crm.setKnobs({ latencyMs: 1500 });
    const ids: string[] = [];
    for (const [i, orderId] of orderIds.entries()) ids.push(await crmChanges(crmIds[i]!, 'paid', orderId));
    // Killed while it holds events: claimed, waiting for the (slow) CRM.
    const first = await sidecar({ CRM_BRIDGE_LEASE_SECONDS: '2' });
    await waitFor('events in flight', async () => {
      const [rows] = await dbPool().query(`SELECT COUNT(*) AS n FROM wp_crm_bridge_inbox WHERE event_id IN (?) AND status = 'running'`, [ids]);
      return Number((rows as { n: number }[])[0]!.n) > 0;
    }, 30_000);
    first.process.kill('SIGKILL');
    await first.exited;
    crm.setKnobs({ latencyMs: 0 });
    await sidecar({ CRM_BRIDGE_LEASE_SECONDS: '2' });
    await settled(ids, 60_000);
    const states = orderStates(orderIds);
    expect(Object.values(states).map((s) => [s.status, s.crmNotes])).toEqual(orderIds.map(() => ['processing', 1]));
    // The kill really happened mid-work: some events were claimed by the first worker and again after it.
    const [reclaimed] = await dbPool().query(`SELECT COUNT(*) AS n FROM wp_crm_bridge_inbox WHERE event_id IN (?) AND attempts > 1`, [ids]);
    expect(Number((reclaimed as { n: number }[])[0]!.n)).toBeGreaterThan(0);
  });

  it('two replicas racing on one queue keep every order in version order and end in the CRM’s state', async () => {
    const orderIds = createOrders(Array.from({ length: 10 }, () => 'pending'));
    const crmIds = orderIds.map(() => unique('R'));
    const flow = ['on_hold', 'paid', 'shipped'];
    await Promise.all([sidecar({ CRM_BRIDGE_WORKER_ID: 'replica-a' }), sidecar({ CRM_BRIDGE_WORKER_ID: 'replica-b', CRM_BRIDGE_CLAIM_MODE: 'update' })]);
    crm.setTarget({ url: `${site().url}/wp-json/crm-bridge/v1/crm/events`, secret: TEST_SECRET });
    crm.setKnobs({ duplicates: 2, reorderWindow: 6, latencyMs: 20 });
    for (const status of flow) for (const [i, orderId] of orderIds.entries()) await crm.changeStatus(crmIds[i]!, status, orderId);
    await crm.flush();
    const ids = crmIds.flatMap((c) => [1, 2, 3].map((v) => `evt_${c}_v${v}`));
    await settled(ids, 60_000);
    const states = orderStates(orderIds);
    for (const orderId of orderIds) expect(states[orderId]).toMatchObject({ status: 'completed', version: '3' });
    // Each applied change is a new status: no version was applied twice and none went back.
    const [applied] = await dbPool().query(
      `SELECT crm_order_id, event_id, to_status, worker, message FROM wp_crm_bridge_log WHERE crm_order_id IN (?) AND decision = 'applied' ORDER BY id`,
      [crmIds],
    );
    const byOrder = new Map<string, string[]>();
    for (const row of applied as { crm_order_id: string; to_status: string }[]) byOrder.set(row.crm_order_id, [...(byOrder.get(row.crm_order_id) ?? []), row.to_status]);
    const rank = { 'on-hold': 1, processing: 2, completed: 3 } as Record<string, number>;
    for (const [crmId, statuses] of byOrder) {
      const ranks = statuses.map((st) => rank[st] ?? 0);
      expect(ranks, `${crmId}: ${JSON.stringify((applied as { crm_order_id: string }[]).filter((r) => r.crm_order_id === crmId))}`).toEqual([...ranks].sort());
      expect(new Set(statuses).size, `${crmId} applied a status twice: ${JSON.stringify((applied as { crm_order_id: string }[]).filter((r) => r.crm_order_id === crmId))}`).toBe(statuses.length);
    }
  });
});
