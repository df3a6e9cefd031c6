// The benchmark scenarios. Each says how it measures in its `method`, returns plain numbers, and
// never asserts: targets are compared and reported by run.ts.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../test/stack/paths.ts';
import { evalPhp } from '../test/stack/wordpress.ts';
import { startReceiver } from '../test/support/receiver.ts';
import { waitFor } from '../test/stack/system.ts';
import { SIGNING_SECRET, percentile, queueDone, resetQueues, rssOf, seedOrders, setCrmOrders, startReplicas, type BenchContext } from './context.ts';

export interface Sizes {
  receiverRates: number[];
  receiverSeconds: number;
  incomingEvents: number;
  incomingOrders: number;
  replicas: number[];
  baselineSeconds: number;
  steadySeconds: number;
  outgoingOrders: number;
  burstOrders: number;
  saveIterations: number;
}

export const FULL: Sizes = { receiverRates: [25, 50, 100, 200, 300], receiverSeconds: 10, incomingEvents: 10_000, incomingOrders: 1_000, replicas: [1, 2, 4], baselineSeconds: 60, steadySeconds: 30, outgoingOrders: 2_000, burstOrders: 5_000, saveIterations: 200 };
export const QUICK: Sizes = { receiverRates: [25], receiverSeconds: 2, incomingEvents: 100, incomingOrders: 10, replicas: [1], baselineSeconds: 3, steadySeconds: 3, outgoingOrders: 30, burstOrders: 20, saveIterations: 20 };

export const CRM_LATENCY_MS = 150;

export async function receiverScenario(ctx: BenchContext, sizes: Sizes) {
  const url = `${ctx.site.url}/wp-json/crm-bridge/v1/crm/events`;
  const rows = [];
  for (const rate of sizes.receiverRates) {
    const res = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'receiver-load.ts'), url, SIGNING_SECRET, String(rate), String(sizes.receiverSeconds)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, cwd: ROOT });
    const out = JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as { sent: number; errors: number; elapsed: number; latencies: number[] };
    rows.push({ rate, sent: out.sent, achieved_per_s: out.sent / out.elapsed, error_rate: out.errors / out.sent, p50_ms: percentile(out.latencies, 50), p95_ms: percentile(out.latencies, 95), p99_ms: percentile(out.latencies, 99) });
  }
  await resetQueues(ctx);
  return { method: 'A separate Node process sends signed events (unique ids) open-loop at each fixed rate for the given seconds to the receiver on PHP’s built-in server (6 workers); latency is request start to answer; errors are anything but 202.', rows };
}

/**
 * Preloads the inbox: `events` status events spread over `orders` orders, the CRM already at its final
 * state (`status`, or alternating paid and on_hold by the number of events per order).
 */
export async function preloadInbox(ctx: BenchContext, events: number, orders: number, status?: string): Promise<void> {
  await resetQueues(ctx);
  const ids = seedOrders(ctx, orders);
  const perOrder = Math.ceil(events / orders);
  setCrmOrders(ctx, ids, 'B', perOrder, status ?? (perOrder % 2 ? 'paid' : 'on_hold'));
  const values: string[] = [];
  for (let v = 1; v <= perOrder; v++) {
    for (let i = 0; i < orders && values.length < events; i++) values.push(`('b-${i}-${v}', 'order.status_changed', 'B-${i}', '{}', 'pending', 0, NOW(3), NOW(3))`);
  }
  for (let i = 0; i < values.length; i += 2000) {
    await ctx.db.query(`INSERT INTO ${ctx.site.tablePrefix}crm_bridge_inbox (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at) VALUES ${values.slice(i, i + 2000).join(',')}`);
  }
}

/**
 * One drain: preloads the inbox, starts the replicas and runs the clock until no event is pending or
 * running. Memory is the replicas' resident set, sampled every 200 ms.
 */
export async function drain(ctx: BenchContext, run: { events: number; orders: number; replicas: number; status?: string }) {
  await preloadInbox(ctx, run.events, run.orders, run.status);
  const started = Date.now();
  const running = await startReplicas(ctx, run.replicas);
  await waitFor('the drain', async () => (await queueDone(ctx, 'crm_bridge_inbox')).open === 0, 3_600_000);
  const seconds = (Date.now() - started) / 1000;
  const [lat] = await ctx.db.query(`SELECT TIMESTAMPDIFF(MICROSECOND, received_at, finished_at) / 1000 AS ms FROM ${ctx.site.tablePrefix}crm_bridge_inbox`);
  const ms = (lat as { ms: string }[]).map((r) => Number(r.ms));
  await running.stop();
  return { replicas: run.replicas, events: run.events, seconds, events_per_s: run.events / seconds, peak_rss_mb_one: running.peakRss().one / 2 ** 20, peak_rss_mb_all: running.peakRss().all / 2 ** 20, queued_to_done_p50_ms: percentile(ms, 50), queued_to_done_p95_ms: percentile(ms, 95) };
}

export async function incomingScenario(ctx: BenchContext, sizes: Sizes) {
  ctx.crm.setKnobs({ latencyMs: CRM_LATENCY_MS });
  const rows = [];
  for (const replicas of sizes.replicas) rows.push(await drain(ctx, { events: sizes.incomingEvents, orders: sizes.incomingOrders, replicas }));
  ctx.crm.setKnobs({ latencyMs: 0 });
  return { method: `The inbox is preloaded with the events (the CRM already at each order’s last version, so after one applied change the rest verify as stale, as in a burst); then N sidecar replicas start and the clock runs until no event is pending or running. CRM answers in ${CRM_LATENCY_MS} ms. Memory is the resident set of the sidecar processes, sampled every 200 ms.`, rows };
}

export async function steadyScenario(ctx: BenchContext, sizes: Sizes) {
  await resetQueues(ctx);
  const orders = seedOrders(ctx, 200);
  ctx.crm.setKnobs({ latencyMs: CRM_LATENCY_MS });
  ctx.crm.setTarget({ url: `${ctx.site.url}/wp-json/crm-bridge/v1/crm/events`, secret: SIGNING_SECRET });
  const running = await startReplicas(ctx, 1);
  const sentAt = new Map<string, number>();
  const total = 25 * sizes.steadySeconds;
  const start = Date.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * 40;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const crmId = `S-${i % orders.length}`;
    const version = (ctx.crm.orders.get(crmId)?.version ?? 0) + 1;
    sentAt.set(`evt_${crmId}_v${version}`, Date.now());
    sends.push(ctx.crm.changeStatus(crmId, version % 2 ? 'paid' : 'on_hold', orders[i % orders.length]));
  }
  await Promise.all(sends);
  await waitFor('the steady run to finish', async () => (await queueDone(ctx, 'crm_bridge_inbox')).open === 0, 600_000);
  const [rows] = await ctx.db.query(`SELECT event_id, finished_at FROM ${ctx.site.tablePrefix}crm_bridge_inbox`);
  const e2e = (rows as { event_id: string; finished_at: Date }[]).filter((r) => sentAt.has(r.event_id)).map((r) => r.finished_at.getTime() - sentAt.get(r.event_id)!);
  await running.stop();
  ctx.crm.setTarget(null);
  ctx.crm.setKnobs({ latencyMs: 0 });
  return { method: `The CRM simulator changes an order and sends its signed webhook 25 times a second for ${sizes.steadySeconds} s (200 orders); one sidecar; latency is webhook sent to event done (CRM verified, order written or found stale), CRM answering in ${CRM_LATENCY_MS} ms.`, rows: [{ rate: 25, events: e2e.length, p50_ms: percentile(e2e, 50), p95_ms: percentile(e2e, 95), p99_ms: percentile(e2e, 99) }] };
}

export async function baselineScenario(ctx: BenchContext, sizes: Sizes) {
  ctx.crm.setKnobs({ latencyMs: CRM_LATENCY_MS });
  const rows = [];
  for (const workers of [1, 8]) {
    const preload = Math.max(20, workers * sizes.baselineSeconds * 8);
    await preloadInbox(ctx, preload, preload);
    const run = await runPhpProcesses(Array.from({ length: workers }, () => [join(ROOT, 'bench', 'php', 'baseline-worker.php'), ctx.site.dir, ctx.site.url, String(sizes.baselineSeconds)]));
    const done = run.outputs.reduce((a, o) => a + Number(o.done ?? 0), 0);
    rows.push({ workers, events: done, seconds: run.seconds, events_per_s: done / run.seconds, peak_rss_mb_all: run.peakRssMb });
  }
  ctx.crm.setKnobs({ latencyMs: 0 });
  await resetQueues(ctx);
  return { method: `The Action Scheduler way: PHP CLI workers in the same WordPress, each claiming one inbox event at a time (UPDATE … LIMIT 1), calling the CRM (${CRM_LATENCY_MS} ms) with wp_remote_get and writing the order through WC_Order (compare version, two meta, update_status with a note, save), for ${sizes.baselineSeconds} s; events/s = events done / wall time. Action Scheduler itself is not installed here.`, rows };
}

export async function outgoingScenario(ctx: BenchContext, sizes: Sizes) {
  const rows = [];
  for (const [label, subscriptions, orders] of [['steady', 1, sizes.outgoingOrders], ['burst', 3, sizes.burstOrders]] as const) {
    await resetQueues(ctx);
    const endpoints = await Promise.all(Array.from({ length: subscriptions }, () => startReceiver()));
    for (const e of endpoints) {
      e.delayMs = 50;
      const secret = evalPhp(ctx.site, `echo \\CrmBridge\\Subscriptions::create( array( 'name' => 'bench', 'url' => ${JSON.stringify(e.url)}, 'topics' => \\CrmBridge\\Subscriptions::TOPICS, 'status_filter' => array(), 'payload_mode' => 'full', 'is_crm' => false, 'active' => true, 'rate_limit_per_second' => null ) )['secret'];`);
      e.secret = secret.trim();
    }
    seedOrders(ctx, orders);
    const started = Date.now();
    const running = await startReplicas(ctx, 1);
    await waitFor('the outbox drain', async () => (await queueDone(ctx, 'crm_bridge_outbox')).open === 0, 3_600_000);
    const seconds = (Date.now() - started) / 1000;
    const delivered = endpoints.reduce((a, e) => a + e.received.length, 0);
    await running.stop();
    await Promise.all(endpoints.map((e) => e.close()));
    rows.push({ run: label, subscriptions, order_events: orders, deliveries: delivered, seconds, deliveries_per_s: delivered / seconds, all_verified: endpoints.every((e) => e.received.every((m) => m.verified)) });
  }
  await resetQueues(ctx);
  return { method: 'Orders are created first (each writes an order.created outbox row per subscription); then one sidecar starts and the clock runs until the outbox is empty. Each endpoint is a local HTTP server answering after 50 ms and verifying every signature with the standardwebhooks package.', rows };
}

export async function orderSaveScenario(ctx: BenchContext, sizes: { saveIterations: number }) {
  await resetQueues(ctx);
  evalPhp(ctx.site, `\\CrmBridge\\Subscriptions::create( array( 'name' => 'bench', 'url' => 'http://127.0.0.1:9/', 'topics' => \\CrmBridge\\Subscriptions::TOPICS, 'status_filter' => array(), 'payload_mode' => 'full', 'is_crm' => false, 'active' => true, 'rate_limit_per_second' => null ) );`);
  const out = lastJson(spawnSync('php', [join(ROOT, 'bench', 'php', 'order-save.php'), ctx.site.dir, ctx.site.url, String(sizes.saveIterations)], { encoding: 'utf8' }).stdout) as { save_ms_with_plugin: number; save_ms_without_plugin: number; outbox_write_ms: number; pairs: number };
  await resetQueues(ctx);
  return {
    method: `One PHP process creates ${sizes.saveIterations} orders, saves ten of them with the plugin on (warm-up: autoloading, caches, WooCommerce’s first save), then saves each order once (a changed billing e-mail, one active subscription), alternating with and without the plugin’s outbox hooks in pairs (AB, BA, AB, …); the overhead is the difference of the medians, outbox row included; outbox_write_ms is the median of the end-of-request write alone (the order read back, its snapshot, the outbox insert).`,
    rows: [{ save_ms_with_plugin: out.save_ms_with_plugin, save_ms_without_plugin: out.save_ms_without_plugin, overhead_ms: out.save_ms_with_plugin - out.save_ms_without_plugin, outbox_write_ms: out.outbox_write_ms, pairs: out.pairs }],
  };
}

/** The JSON a PHP script printed on its last line. */
export function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop() || '{}') as Record<string, unknown>;
}

/** Runs PHP processes at once, sums their resident memory every 200 ms, and returns what each printed last. */
export async function runPhpProcesses(argvs: string[][]): Promise<{ seconds: number; peakRssMb: number; outputs: Record<string, unknown>[] }> {
  const started = Date.now();
  const procs = argvs.map((argv) => spawn('php', argv, { stdio: ['ignore', 'pipe', 'inherit'] }));
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, procs.reduce((a, p) => a + rssOf(p.pid), 0))), 200);
  const outs = await Promise.all(procs.map((p) => new Promise<string>((resolve) => { let out = ''; p.stdout!.on('data', (d: Buffer) => (out += d)); p.once('exit', () => resolve(out)); })));
  clearInterval(sample);
  return { seconds: (Date.now() - started) / 1000, peakRssMb: peak / 2 ** 20, outputs: outs.map(lastJson) };
}

/** The write ceiling: each of N PHP processes applies the transition to its share of fresh pending orders; no queue, no CRM. */
export async function writeCeilingScenario(ctx: BenchContext, sizes: { ceilingOrders: number; ceilingProcesses: number[] }) {
  const rows = [];
  for (const processes of sizes.ceilingProcesses) {
    await resetQueues(ctx);
    const ids = seedOrders(ctx, sizes.ceilingOrders * processes);
    const shares = Array.from({ length: processes }, (_, i) => ids.filter((_, j) => j % processes === i));
    const run = await runPhpProcesses(shares.map((share) => [join(ROOT, 'bench', 'php', 'write-ceiling.php'), ctx.site.dir, ctx.site.url, share.join(',')]));
    const done = run.outputs.reduce((a, o) => a + Number(o.done ?? 0), 0);
    rows.push({ processes, orders: done, seconds: run.seconds, orders_per_s: done / run.seconds, peak_rss_mb_all: run.peakRssMb });
  }
  await resetQueues(ctx);
  return { method: 'Fresh pending orders are split among N PHP CLI processes started at once; each loads WordPress and applies the benchmark’s unit of work (load, compare version, two meta, update_status to processing with a note, save) to its share, with no queue and no CRM. Orders/s = orders changed / wall time from start to the last exit, WordPress start-up included.', rows };
}
