// The reliability suite's harness: a CRM simulator wired to the test stack both ways, streams of
// incoming CRM events and outgoing order traffic, and the reconciliation every scenario ends with.
//
// The reconciliation compares the CRM simulator's final state with every WooCommerce order (read
// through WC_Order) and the delivery records of the scenario's subscription, and returns figures:
// events sent, applied once, lost (must be 0), duplicated (must be 0).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCrmSimulator, type CrmSimulator, type Knobs } from '../crm-simulator/simulator.ts';
import { ROOT } from '../stack/paths.ts';
import { sleep } from '../stack/system.ts';
import { configureCrm, createOrders, DEFAULT_MAPPING, orderDetails, TEST_SECRET, unique } from '../support/incoming.ts';
import { announceToCrm } from '../support/trust.ts';
import { startSidecar, sidecarEnv, type RunningSidecar } from '../support/sidecar.ts';
import { adminSession, dbPool, rest, site, wpEval, wpEvalAsync } from '../support/stack.ts';

/** `npm run test:chaos` runs the full sizes; `npm test` the reduced ones. */
export const FULL = process.env.CRM_BRIDGE_CHAOS_SCALE === 'full';
export const size = (ci: number, full: number): number => (FULL ? full : ci);
/** Per scenario. */
export const TIMEOUT = FULL ? 3_600_000 : 300_000;

/** CRM flow per order: forward only, then the same final status again (a newer version, no new state). */
const FLOW = ['on_hold', 'paid', 'shipped'];
const RANK: Record<string, number> = { pending: 0, 'on-hold': 1, processing: 2, completed: 3 };

export interface Scenario {
  name: string;
  crm: CrmSimulator;
  subscriptionId: number;
  /** WooCommerce orders the CRM changes, by CRM order id. */
  incomingOrders: Map<string, number>;
  /** Event ids the CRM emitted. */
  eventIds: string[];
  /** WooCommerce orders the shop made or changed during the scenario. */
  outgoingOrders: number[];
  sidecars: RunningSidecar[];
  since: Date;
}

export interface SidecarOptions {
  workerId?: string;
  claimMode?: 'skip_locked' | 'update';
  env?: Record<string, string>;
}

/**
 * Starts a sidecar for the scenario; fast polling, short leases so a killed worker's rows come back soon.
 * sidecarEnv sets CRM_BRIDGE_ALLOW_PRIVATE_URLS: the CRM simulator and the receivers listen on loopback.
 */
export async function startScenarioSidecar(sc: Scenario, opts: SidecarOptions = {}): Promise<RunningSidecar> {
  const env = sidecarEnv(undefined, {
    CRM_BRIDGE_POLL_MS: '50',
    CRM_BRIDGE_SETTINGS_TTL_MS: '500',
    CRM_BRIDGE_LEASE_SECONDS: '5',
    CRM_BRIDGE_LOG_LEVEL: 'warn',
    ...(opts.workerId ? { CRM_BRIDGE_WORKER_ID: opts.workerId } : {}),
    ...(opts.claimMode === 'update' ? { CRM_BRIDGE_CLAIM_MODE: 'update' } : {}),
    ...opts.env,
  });
  const sidecar = await startSidecar(env);
  sc.sidecars.push(sidecar);
  return sidecar;
}

/**
 * A CRM simulator, the plugin configured for it, and a CRM subscription pointing back at it. The CRM
 * retries a webhook the shop did not take for up to 100 s (a database outage lasts 20 s).
 */
export async function startScenario(name: string, opts: { incomingOrders: number; knobs?: Partial<Knobs> }): Promise<Scenario> {
  const knobs = opts.knobs ?? {};
  const crm = await startCrmSimulator({ token: 'crm-api-token-for-tests', knobs: { webhookRetries: 400, webhookRetryDelayMs: 250, ...knobs } });
  configureCrm(crm.url, {
    retry: { max_attempts: 30, base_delay_ms: 100, max_delay_ms: 2000 },
    outgoing: { max_attempts: 30, base_delay_ms: 100, max_delay_ms: 2000, timeout_ms: 2000, disable_after_hours: 72 },
    concurrency: 16,
  });
  wpEval(`global $wpdb; $wpdb->query( "UPDATE {$wpdb->prefix}crm_bridge_subscriptions SET active = 0" );`);
  // The orders the CRM will change exist before the subscription: they are the CRM's already.
  const incomingOrders = new Map<string, number>();
  const created = createOrders(Array.from({ length: opts.incomingOrders }, () => 'pending'));
  // The simulated CRM names these orders by id: the plugin honours that only for orders announced to it.
  announceToCrm(created);
  for (const id of created) incomingOrders.set(unique('CX'), id);
  const session = await adminSession();
  const res = await rest('/crm-bridge/v1/admin/subscriptions', {
    method: 'POST',
    session,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `chaos ${name}`, url: `${crm.url}/webhooks`, topics: ['order.created', 'order.status_changed'], is_crm: true }),
  });
  if (res.status !== 201) throw new Error(`subscription not created: ${res.status} ${await res.text()}`);
  const sub = (await res.json()) as { id: number; secret: string };
  crm.inboundSecret = sub.secret;
  crm.setTarget({ url: `${site().url}/wp-json/crm-bridge/v1/crm/events`, secret: TEST_SECRET });
  return { name, crm, subscriptionId: sub.id, incomingOrders, eventIds: [], outgoingOrders: [], sidecars: [], since: new Date() };
}

export async function endScenario(sc: Scenario): Promise<void> {
  await Promise.all(sc.sidecars.map((s) => s.stop()));
  sc.sidecars = [];
  wpEval(`global $wpdb; $wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->prefix}crm_bridge_subscriptions SET active = 0 WHERE id = %d", ${sc.subscriptionId} ) );`);
  await sc.crm.close();
}

/**
 * Sends `events` CRM status changes spread over the prepared orders, `perSecond` at most (0: as fast as
 * the simulator sends). Each change gives the order a new version; the CRM's webhooks carry it.
 */
export async function incomingStream(sc: Scenario, events: number, perSecond = 0, signal?: AbortSignal): Promise<void> {
  const crmIds = [...sc.incomingOrders.keys()];
  const started = Date.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < events && !signal?.aborted; i++) {
    const crmId = crmIds[Math.floor(Math.random() * crmIds.length)]!;
    const version = (sc.crm.orders.get(crmId)?.version ?? 0) + 1;
    const status = FLOW[Math.min(version - 1, FLOW.length - 1)]!;
    sc.eventIds.push(`evt_${crmId}_v${version}`);
    sends.push(sc.crm.changeStatus(crmId, status, sc.incomingOrders.get(crmId)));
    if (perSecond > 0) {
      const due = started + ((i + 1) * 1000) / perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    if (sends.length >= 32) await Promise.all(sends.splice(0));
  }
  await Promise.all(sends);
  await sc.crm.flush();
}

/** Order traffic as a shop makes it: new orders, then status changes, written through WC_Order. */
export async function orderTraffic(sc: Scenario, orders: number, batch = 100): Promise<void> {
  for (let done = 0; done < orders; done += batch) {
    const ids = JSON.parse(
      await wpEvalAsync(
        `$ids = array();
         for ( $i = 0; $i < ${Math.min(batch, orders - done)}; $i++ ) { $o = new WC_Order(); $o->set_status( 'pending' ); $o->set_billing_email( 'buyer@shop.test' ); $o->set_total( '10.00' ); $ids[] = $o->save(); }
         echo wp_json_encode( $ids );`,
      ),
    ) as number[];
    sc.outgoingOrders.push(...ids);
    await wpEvalAsync(`foreach ( json_decode( ${JSON.stringify(JSON.stringify(ids))} ) as $id ) { wc_get_order( $id )->update_status( 'processing' ); }`);
  }
}

export interface Figures {
  scenario: string;
  incoming: { sent: number; accepted: number; appliedOnce: number; superseded: number; lost: number; duplicated: number; drift: number; refusedAnswers: number };
  outgoing: { events: number; delivered: number; redelivered: number; lost: number; duplicated: number; outOfOrder: number; echoes: number; unlinked: number };
  seconds: number;
}

interface InboxRow {
  event_id: string;
  status: string;
}

/** Waits until every event and delivery of the scenario is finished (done or dead), or throws with what is left. */
export async function settle(sc: Scenario, timeoutMs = FULL ? 900_000 : 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let left = '';
  while (Date.now() < deadline) {
    const [inbox] = await dbPool().query(`SELECT COUNT(*) AS n FROM wp_crm_bridge_inbox WHERE event_id IN (?) AND status IN ('pending', 'running')`, [sc.eventIds.length ? [...new Set(sc.eventIds)] : ['-']]);
    const [outbox] = await dbPool().query(`SELECT COUNT(*) AS n FROM wp_crm_bridge_outbox WHERE subscription_id = ? AND status IN ('pending', 'running')`, [sc.subscriptionId]);
    const open = Number((inbox as { n: number }[])[0]!.n) + Number((outbox as { n: number }[])[0]!.n);
    // The CRM may still be retrying webhooks the shop refused (a database outage, a rotated secret).
    const accepted = new Set(sc.crm.webhooksSent.filter((w) => w.status >= 200 && w.status < 300).map((w) => w.id));
    const unsent = [...new Set(sc.eventIds)].filter((id) => !accepted.has(id)).length;
    if (open === 0 && unsent === 0) return;
    left = `${open} queue rows open, ${unsent} CRM webhooks not yet accepted`;
    await sleep(500);
  }
  throw new Error(`scenario ${sc.name} did not settle: ${left}`);
}

/** Compares the CRM with WooCommerce and the delivery records; prints and stores the figures. */
export async function reconcile(sc: Scenario): Promise<Figures> {
  const pool = dbPool();
  const ours = new Set(sc.eventIds);
  const eventIds = [...ours];
  const acceptedIds = new Set(sc.crm.webhooksSent.filter((w) => w.status >= 200 && w.status < 300).map((w) => w.id));
  const refusedAnswers = sc.crm.webhooksSent.filter((w) => !(w.status >= 200 && w.status < 300)).length;

  // Incoming: every accepted event is done, applied at most once, and every order ends in the CRM's state.
  const [inboxRows] = eventIds.length ? await pool.query(`SELECT event_id, status FROM wp_crm_bridge_inbox WHERE event_id IN (?)`, [eventIds]) : [[]];
  const inbox = new Map((inboxRows as InboxRow[]).map((r) => [r.event_id, r.status]));
  const [appliedRows] = eventIds.length
    ? await pool.query(`SELECT event_id, COUNT(*) AS n FROM wp_crm_bridge_log WHERE decision = 'applied' AND event_id IN (?) GROUP BY event_id`, [eventIds])
    : [[]];
  const applied = new Map((appliedRows as { event_id: string; n: number }[]).map((r) => [r.event_id, Number(r.n)]));
  const lostIds = [...acceptedIds].filter((id) => ours.has(id) && inbox.get(id) !== 'done');
  const duplicatedIds = [...applied].filter(([, n]) => n > 1).map(([id]) => id);

  const orderIds = [...sc.incomingOrders.values(), ...sc.outgoingOrders];
  const states = orderDetails(orderIds);
  const drift: string[] = [];
  for (const [crmId, orderId] of sc.incomingOrders) {
    const crmOrder = sc.crm.orders.get(crmId);
    if (!crmOrder) continue;
    const state = states[orderId]!;
    const expected = DEFAULT_MAPPING[crmOrder.status];
    if (state.status !== expected || state.version !== String(crmOrder.version) || state.crmNotes > crmOrder.version) {
      drift.push(`order ${orderId} (${crmId}): WooCommerce ${state.status} v${state.version} with ${state.crmNotes} CRM notes, CRM ${crmOrder.status} v${crmOrder.version}`);
    }
  }

  // Outgoing: every outbox row delivered (its webhook id seen by the CRM), one order.created per order,
  // status changes in order, nothing echoed back for the CRM's own changes, every new order linked.
  const [outboxRows] = await pool.query(`SELECT webhook_id, order_id, topic, status FROM wp_crm_bridge_outbox WHERE subscription_id = ? ORDER BY id`, [sc.subscriptionId]);
  const outbox = outboxRows as { webhook_id: string; order_id: number; topic: string; status: string }[];
  const received = sc.crm.webhooksReceived.filter((w) => w.verified);
  const receivedIds = new Set(received.map((w) => w.id));
  const outLost = outbox.filter((r) => r.status !== 'done' || !receivedIds.has(r.webhook_id));
  const createdPerOrder = new Map<number, number>();
  for (const r of outbox) if (r.topic === 'order.created') createdPerOrder.set(r.order_id, (createdPerOrder.get(r.order_id) ?? 0) + 1);
  const outDuplicated = [...createdPerOrder.values()].filter((n) => n > 1).length;
  let outOfOrder = 0;
  const lastRank = new Map<number, number>();
  for (const w of received) {
    if (w.duplicate || w.orderId === null || !w.status) continue;
    const rank = RANK[w.status] ?? 0;
    if (rank < (lastRank.get(w.orderId) ?? -1)) outOfOrder++;
    lastRank.set(w.orderId, Math.max(rank, lastRank.get(w.orderId) ?? -1));
  }
  const incomingOrderIds = new Set(sc.incomingOrders.values());
  const echoes = received.filter((w) => w.type === 'order.status_changed' && w.orderId !== null && incomingOrderIds.has(w.orderId) && !w.duplicate).length;
  const unlinked = sc.outgoingOrders.filter((id) => !states[id]?.crmOrderId).length;

  const figures: Figures = {
    scenario: sc.name,
    incoming: {
      sent: eventIds.length,
      accepted: [...acceptedIds].filter((id) => ours.has(id)).length,
      appliedOnce: [...applied.values()].filter((n) => n === 1).length,
      superseded: eventIds.filter((id) => !applied.has(id) && inbox.get(id) === 'done').length,
      lost: lostIds.length,
      duplicated: duplicatedIds.length,
      drift: drift.length,
      refusedAnswers,
    },
    outgoing: {
      events: outbox.length,
      delivered: outbox.filter((r) => r.status === 'done' && receivedIds.has(r.webhook_id)).length,
      redelivered: received.filter((w) => w.duplicate).length,
      lost: outLost.length,
      duplicated: outDuplicated,
      outOfOrder,
      echoes,
      unlinked,
    },
    seconds: Math.round((Date.now() - sc.since.getTime()) / 100) / 10,
  };
  report(figures, { lostIds: lostIds.slice(0, 5), duplicatedIds: duplicatedIds.slice(0, 5), drift: drift.slice(0, 5), outLost: outLost.slice(0, 5) });
  return figures;
}

function report(f: Figures, examples: Record<string, unknown[]>): void {
  const line =
    `[chaos] ${f.scenario}: incoming sent ${f.incoming.sent}, accepted ${f.incoming.accepted}, applied once ${f.incoming.appliedOnce}, superseded ${f.incoming.superseded}, ` +
    `lost ${f.incoming.lost}, duplicated ${f.incoming.duplicated}, drift ${f.incoming.drift}; outgoing events ${f.outgoing.events}, delivered ${f.outgoing.delivered}, ` +
    `redelivered ${f.outgoing.redelivered}, lost ${f.outgoing.lost}, duplicated ${f.outgoing.duplicated}, out of order ${f.outgoing.outOfOrder}, echoes ${f.outgoing.echoes}; ${f.seconds} s`;
  console.log(line);
  const bad = Object.entries(examples).filter(([, v]) => v.length > 0);
  if (bad.length > 0) console.log(`[chaos] ${f.scenario} examples: ${JSON.stringify(Object.fromEntries(bad))}`);
  const dir = join(ROOT, 'test-results', 'chaos');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${f.scenario}.json`), JSON.stringify({ ...f, scale: FULL ? 'full' : 'ci' }, null, 2) + '\n');
}

/** The figures no scenario may break. */
export function expectNothingLost(f: Figures, expect: (v: unknown, msg?: string) => { toBe(x: unknown): void; toBeGreaterThan(x: number): void }): void {
  expect(f.incoming.lost, 'incoming events lost').toBe(0);
  expect(f.incoming.duplicated, 'incoming events applied twice').toBe(0);
  expect(f.incoming.drift, 'orders not in the CRM’s state').toBe(0);
  expect(f.outgoing.lost, 'outgoing events lost').toBe(0);
  expect(f.outgoing.duplicated, 'orders announced twice').toBe(0);
  expect(f.outgoing.outOfOrder, 'status changes delivered out of order').toBe(0);
  expect(f.outgoing.echoes, 'CRM changes echoed back to the CRM').toBe(0);
  expect(f.outgoing.unlinked, 'new orders without their CRM id').toBe(0);
}

export interface LoadSample {
  second: number;
  /** Resident memory of each sidecar, MiB. */
  rssMiB: number[];
  heapMiB: number[];
  inboxOpen: number;
  outboxOpen: number;
}

/** Memory of every running sidecar (its own /metrics) and the open queue rows, now. */
export async function sampleLoad(sc: Scenario, started: number): Promise<LoadSample> {
  const rssMiB: number[] = [];
  const heapMiB: number[] = [];
  for (const sidecar of sc.sidecars) {
    const text = await (await fetch(`${sidecar.url}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024;
    rssMiB.push(Math.round(metric('crm_bridge_sidecar_process_resident_memory_bytes') * 10) / 10);
    heapMiB.push(Math.round(metric('crm_bridge_sidecar_nodejs_heap_size_used_bytes') * 10) / 10);
  }
  const [[inbox], [outbox]] = await Promise.all([
    dbPool().query(`SELECT COUNT(*) AS n FROM wp_crm_bridge_inbox WHERE status IN ('pending', 'running')`),
    dbPool().query(`SELECT COUNT(*) AS n FROM wp_crm_bridge_outbox WHERE status IN ('pending', 'running')`),
  ]);
  return {
    second: Math.round((Date.now() - started) / 1000),
    rssMiB,
    heapMiB,
    inboxOpen: Number((inbox as { n: number }[])[0]!.n),
    outboxOpen: Number((outbox as { n: number }[])[0]!.n),
  };
}

/** Adds the load samples to the scenario's stored figures. */
export function recordSamples(name: string, samples: LoadSample[]): void {
  const dir = join(ROOT, 'test-results', 'chaos');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}-samples.json`), JSON.stringify({ scale: FULL ? 'full' : 'ci', samples }, null, 2) + '\n');
}
