// The scenarios that need a real WooCommerce release: Action Scheduler (shipped inside WooCommerce) as
// the baseline, the sidecar at its default and swept settings, and recovery after SIGKILL. Like
// scenarios.ts, each says how it measures in its `method` and returns plain numbers.
import { join } from 'node:path';
import { ROOT } from '../test/stack/paths.ts';
import { evalPhp } from '../test/stack/wordpress.ts';
import { waitFor } from '../test/stack/system.ts';
import { applyRunSettings, resetQueues, seedOrders, setCrmOrders, startReplicas, type BenchContext } from './context.ts';
import { CRM_LATENCY_MS, drain, preloadInbox, runPhpProcesses } from './scenarios.ts';

export interface RealSizes {
  /** Actions for Action Scheduler as shipped (one runner) and tuned (8 runners, 8 concurrent batches). */
  asShipped: number;
  asTuned: number;
  /** Orders per process for the write ceiling, and the process counts. */
  ceilingOrders: number;
  ceilingProcesses: number[];
  /** Events (one per order) per sidecar run, and the concurrency settings swept. */
  sidecarEvents: number;
  sweep: number[];
  /** Orders in the burst run (4 events each). */
  burstOrders: number;
  /** Events in flight when the sidecar is killed, and how long to wait for their recovery. */
  recoveryEvents: number;
  recoveryCapSeconds: number;
  saveIterations: number;
}

export const REAL_FULL: RealSizes = { asShipped: 90, asTuned: 400, ceilingOrders: 40, ceilingProcesses: [1, 4], sidecarEvents: 300, sweep: [16, 32, 64, 128], burstOrders: 100, recoveryEvents: 48, recoveryCapSeconds: 90, saveIterations: 100 };
export const REAL_QUICK: RealSizes = { asShipped: 12, asTuned: 48, ceilingOrders: 8, ceilingProcesses: [1, 4], sidecarEvents: 40, sweep: [16, 64], burstOrders: 10, recoveryEvents: 16, recoveryCapSeconds: 20, saveIterations: 20 };

const HOOK = 'crm_bridge_bench_apply';

/** Action Scheduler's counts of the benchmark actions by status. */
function actionCounts(ctx: BenchContext): Record<string, number> {
  const out = evalPhp(ctx.site, `global $wpdb; echo wp_json_encode( $wpdb->get_results( $wpdb->prepare( "SELECT status, COUNT(*) AS n FROM {$wpdb->prefix}actionscheduler_actions WHERE hook = %s GROUP BY status", '${HOOK}' ), OBJECT_K ) );`);
  const rows = JSON.parse(out.trim().split('\n').pop() || '{}') as Record<string, { n: string }>;
  return Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, Number(v.n)]));
}

export async function actionSchedulerScenario(ctx: BenchContext, sizes: RealSizes) {
  ctx.crm.setKnobs({ latencyMs: CRM_LATENCY_MS });
  const rows = [];
  for (const [run, runners, batches, actions] of [['as shipped', 1, 1, sizes.asShipped], ['tuned', 8, 8, sizes.asTuned]] as const) {
    await resetQueues(ctx);
    const ids = seedOrders(ctx, actions);
    setCrmOrders(ctx, ids, 'A', 1, 'paid');
    // Only the benchmark's actions are queued at the start; WooCommerce's own follow-up actions of the
    // status changes (scheduled during the run) are run by the same runners, as in a shop.
    evalPhp(
      ctx.site,
      `global $wpdb; $wpdb->query( "DELETE FROM {$wpdb->prefix}actionscheduler_actions WHERE status IN ( 'pending', 'in-progress' ) OR hook = '${HOOK}'" ); $wpdb->query( "DELETE FROM {$wpdb->prefix}actionscheduler_claims" );
       for ( $i = 0; $i < ${actions}; $i++ ) { as_enqueue_async_action( '${HOOK}', array( 'A-' . $i ), 'crm-bridge-bench' ); }`,
    );
    const cap = Math.max(60, actions * 2);
    const out = await runPhpProcesses(Array.from({ length: runners }, () => [join(ROOT, 'bench', 'php', 'as-runner.php'), ctx.site.dir, ctx.site.url, String(batches), String(cap)]));
    const counts = actionCounts(ctx);
    const done = counts.complete ?? 0;
    rows.push({ run, runners, concurrent_batches: batches, actions, done, failed: counts.failed ?? 0, seconds: out.seconds, events_per_s: done / out.seconds, peak_rss_mb_all: out.peakRssMb });
  }
  ctx.crm.setKnobs({ latencyMs: 0 });
  return {
    method: `Action Scheduler as it ships inside WooCommerce. Fresh pending orders, the CRM at version 1 “paid” for each; one async action per order (as_enqueue_async_action), whose callback (a benchmark must-use plugin) fetches the CRM order (${CRM_LATENCY_MS} ms) with wp_remote_get and applies it through WC_Order (compare version, two meta, update_status pending → processing with a note, save). Runners are PHP CLI processes that load WordPress and call ActionScheduler_QueueRunner::instance()->run() in a loop (batch size as shipped, 25) until no benchmark action is left: as shipped, one runner and one concurrent batch; tuned, 8 runners with action_scheduler_queue_runner_concurrent_batches = 8. Events/s = completed actions / wall time, WordPress start-up included; memory is the sum of the runners’ resident sets, sampled every 200 ms.`,
    rows,
  };
}

/** The sidecar at the schema's defaults, at each swept concurrency, and a burst at the defaults. */
export async function sidecarScenario(ctx: BenchContext, sizes: RealSizes) {
  ctx.crm.setKnobs({ latencyMs: CRM_LATENCY_MS });
  const one = { events: sizes.sidecarEvents, orders: sizes.sidecarEvents, replicas: 1, status: 'paid' };
  const settings = [['default', {}] as const, ...sizes.sweep.map((c) => [`concurrency ${c}`, { concurrency: c }] as const)];
  // Two passes, the second in reverse order (ABC…CBA): on a shared machine, whatever drifts during the
  // run (caches warming, other load) weighs on every setting alike instead of favouring the last ones.
  const passes = new Map<string, { concurrency: number; runs: Awaited<ReturnType<typeof drain>>[] }>();
  for (const [setting, run] of [...settings, ...[...settings].reverse()]) {
    const applied = applyRunSettings(ctx, run);
    const drained = await drain(ctx, one);
    const entry = passes.get(setting) ?? { concurrency: applied.concurrency, runs: [] };
    entry.runs.push(drained);
    passes.set(setting, entry);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = [...passes].map(([setting, { concurrency, runs }]) => ({
    run: setting,
    concurrency,
    replicas: 1,
    events: runs.reduce((n, r) => n + r.events, 0),
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
    events_per_s: runs.reduce((n, r) => n + r.events, 0) / runs.reduce((n, r) => n + r.seconds, 0),
    events_per_s_passes: runs.map((r) => Number(r.events_per_s.toFixed(2))).join(' / '),
    peak_rss_mb_one: Math.max(...runs.map((r) => r.peak_rss_mb_one)),
    peak_rss_mb_all: Math.max(...runs.map((r) => r.peak_rss_mb_all)),
    queued_to_done_p50_ms: mean(runs.map((r) => r.queued_to_done_p50_ms)),
    queued_to_done_p95_ms: mean(runs.map((r) => r.queued_to_done_p95_ms)),
  }));
  const applied = applyRunSettings(ctx);
  const burstRun = await drain(ctx, { events: sizes.burstOrders * 4, orders: sizes.burstOrders, replicas: 1, status: 'paid' });
  const burst = { run: 'burst, default', concurrency: applied.concurrency, ...burstRun, events_per_s_passes: burstRun.events_per_s.toFixed(2) };
  ctx.crm.setKnobs({ latencyMs: 0 });
  const swept = rows.slice(1);
  const best = swept.reduce((a, b) => (b.events_per_s > a.events_per_s ? b : a), swept[0] ?? rows[0]!);
  return {
    method: `One sidecar replica drains a preloaded inbox: one status event per fresh pending order, the CRM (answering in ${CRM_LATENCY_MS} ms) at version 1 “paid”, so each event is a real pending → processing change through the plugin’s write endpoint. “default” applies nothing over the settings schema’s defaults; each “concurrency N” changes that setting only. Every setting runs twice, the second pass in reverse order (default, 16, …, 128, 128, …, 16, default), and its events/s is both passes’ events over both passes’ time (each pass’s own figure beside it). The burst run has 4 events per order (most verify as stale once the order is at the CRM’s last version). Events/s = events / wall time from the replica’s start to the empty inbox.`,
    rows: [...rows, burst],
    best: best.run,
  };
}

interface Claim {
  id: number;
  locked_until: Date;
}

/** The inbox rows that are running, with their lease, for one worker id or for all. */
async function runningClaims(ctx: BenchContext, workerId?: string): Promise<Claim[]> {
  const [rows] = await ctx.db.query(`SELECT id, locked_until FROM ${ctx.site.tablePrefix}crm_bridge_inbox WHERE status = 'running'${workerId ? ' AND locked_by = ?' : ''}`, workerId ? [workerId] : []);
  return rows as Claim[];
}

/**
 * One recovery: a sidecar claims events while the CRM holds its calls, is killed with SIGKILL, and a
 * replica with `nextWorkerId` starts at once. Returns the seconds from the kill until every claimed
 * event was taken back (no longer running under the lease it had at the kill) and until all were done.
 */
async function recoverOnce(ctx: BenchContext, sizes: RealSizes, nextWorkerId: string) {
  const killedId = 'bench-recovery-killed';
  await preloadInbox(ctx, sizes.recoveryEvents, sizes.recoveryEvents, 'paid');
  // The CRM answers slowly, so the claims are still held when the process dies.
  ctx.crm.setKnobs({ latencyMs: 30_000 });
  const victim = await startReplicas(ctx, 1, { CRM_BRIDGE_WORKER_ID: killedId });
  await waitFor('claims to kill', async () => (await runningClaims(ctx, killedId)).length > 0, 60_000);
  await new Promise((r) => setTimeout(r, 500));
  const claims = await runningClaims(ctx, killedId);
  await victim.kill();
  const killedAt = Date.now();
  ctx.crm.setKnobs({ latencyMs: CRM_LATENCY_MS });
  const next = await startReplicas(ctx, 1, { CRM_BRIDGE_WORKER_ID: nextWorkerId });
  const lease = new Map(claims.map((c) => [c.id, c.locked_until.getTime()]));
  const ids = claims.map((c) => c.id);
  let takenBack: number | undefined;
  let applied: number | undefined;
  const deadline = killedAt + sizes.recoveryCapSeconds * 1000;
  while (Date.now() < deadline && applied === undefined) {
    const [rows] = await ctx.db.query(`SELECT id, status, locked_until FROM ${ctx.site.tablePrefix}crm_bridge_inbox WHERE id IN (?)`, [ids]);
    const now = (rows as { id: number; status: string; locked_until: Date | null }[]);
    if (takenBack === undefined && now.every((r) => r.status !== 'running' || r.locked_until?.getTime() !== lease.get(r.id))) takenBack = (Date.now() - killedAt) / 1000;
    if (now.every((r) => r.status === 'done' || r.status === 'dead')) applied = (Date.now() - killedAt) / 1000;
    else await new Promise((r) => setTimeout(r, 250));
  }
  await next.stop();
  await resetQueues(ctx);
  const verdict = (s: number | undefined) => (s === undefined ? `not recovered within ${sizes.recoveryCapSeconds} s` : s);
  return { claimed_at_kill: claims.length, taken_back_s: verdict(takenBack), all_applied_s: verdict(applied) };
}

export async function recoveryScenario(ctx: BenchContext, sizes: RealSizes) {
  applyRunSettings(ctx);
  const restart = await recoverOnce(ctx, sizes, 'bench-recovery-killed');
  const replica = await recoverOnce(ctx, sizes, 'bench-recovery-other');
  ctx.crm.setKnobs({ latencyMs: 0 });
  return {
    method: `${sizes.recoveryEvents} events on fresh pending orders; one sidecar at default settings claims them while the CRM holds its calls (30 s), and is killed with SIGKILL while it holds its claims. The CRM then answers in ${CRM_LATENCY_MS} ms and a sidecar starts at once: (a) with the killed one’s worker id, (b) with another. Seconds are from the kill (the new process’s start-up included) until every claimed event is taken back (no longer running under the lease it had at the kill) and until all are done; the wait is capped at ${sizes.recoveryCapSeconds} s.`,
    rows: [
      { run: 'restart, same worker id', ...restart },
      { run: 'another replica', ...replica },
    ],
  };
}
