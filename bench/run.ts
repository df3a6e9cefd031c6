// npm run bench [-- --woocommerce <dir|zip>] [--hpos on|off] [--quick] [--out DIR] [--stack NAME]: runs
// the benchmarks on the bench stack, on a real WooCommerce release when one is given (or in
// CRM_BRIDGE_WOOCOMMERCE), on the stand-in otherwise; writes bench/results/<date>-<woocommerce>.json and
// prints the WooCommerce it ran on, then the targets and the tables. Never part of a test verdict.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execSync } from 'node:child_process';
import { ROOT } from '../test/stack/paths.ts';
import { isStandin, openContext, startReplicas, type BenchContext, type RealWooCommerce } from './context.ts';
import { FULL, QUICK, baselineScenario, incomingScenario, orderSaveScenario, outgoingScenario, receiverScenario, steadyScenario, writeCeilingScenario } from './scenarios.ts';
import { REAL_FULL, REAL_QUICK, actionSchedulerScenario, recoveryScenario, sidecarScenario } from './woo-scenarios.ts';
import { realTargets } from './targets.ts';
import { receiverVsFloor } from './receiver.ts';

export interface BenchOptions {
  quick: boolean;
  outDir: string;
  stackName?: string;
  /** A real WooCommerce release; the stand-in when absent. */
  real?: RealWooCommerce;
  /** Told which WooCommerce the run is on as soon as the site is up, before any scenario. */
  announce?: (line: string) => void;
}

export async function runBench(opts: BenchOptions): Promise<{ file: string; results: Record<string, unknown> }> {
  const ctx = await openContext(opts.stackName ?? 'bench', opts.real);
  opts.announce?.(headline(ctx.woocommerce, ctx.wordpress));
  try {
    const measured = isStandin(ctx) ? await standinRun(ctx, opts.quick) : await realRun(ctx, opts.quick);
    const results = {
      date: new Date().toISOString(),
      woocommerce: ctx.woocommerce,
      quick: opts.quick,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, php: execSync('php -r "echo PHP_VERSION;"').toString(), mariadb: execSync('mariadbd --version').toString().trim(), wordpress: ctx.wordpress },
      ...measured,
    };
    mkdirSync(opts.outDir, { recursive: true });
    const file = join(opts.outDir, `${results.date.slice(0, 19).replaceAll(':', '-')}-${woocommerceTag(ctx.woocommerce)}${opts.quick ? '-quick' : ''}.json`);
    writeFileSync(file, JSON.stringify(results, null, 2));
    return { file, results };
  } finally {
    await ctx.close();
  }
}

/** 'standin', or the release and its storage: 'wc9.4.3-hpos', 'wc8.2.2-posts'. */
export function woocommerceTag(w: { version: string; hpos?: boolean }): string {
  return w.version === 'standin' ? 'standin' : `wc${w.version}-${w.hpos ? 'hpos' : 'posts'}`;
}

/** The scenarios and targets on the WooCommerce stand-in (the figures published before real releases were measured). */
async function standinRun(ctx: BenchContext, quick: boolean) {
  const sizes = quick ? QUICK : FULL;
  const receiver = await receiverScenario(ctx, sizes);
  const incoming = await incomingScenario(ctx, sizes);
  const steady = await steadyScenario(ctx, sizes);
  const baseline = await baselineScenario(ctx, sizes);
  const outgoing = await outgoingScenario(ctx, sizes);
  const orderSave = await orderSaveScenario(ctx, sizes);
  const ceiling = await writeCeilingScenario(ctx, { ceilingOrders: sizes.saveIterations, ceilingProcesses: [1] });
  const idleRss = await idleSidecarRss(ctx);

  const one = incoming.rows.find((r) => r.replicas === 1)!;
  const b1 = baseline.rows.find((r) => r.workers === 1)!;
  const b8 = baseline.rows.find((r) => r.workers === 8)!;
  const r300 = receiver.rows.find((r) => r.rate === 300);
  const rates = incoming.rows.map((r) => r.events_per_s);
  const targets = [
    { target: 'incoming drain ≥ 45 events/s (1 sidecar)', value: one.events_per_s, met: one.events_per_s >= 45 },
    { target: '≥ 9× the one-at-a-time baseline', value: one.events_per_s / b1.events_per_s, met: one.events_per_s >= 9 * b1.events_per_s },
    { target: '≥ 1.3× the baseline with 8 workers', value: one.events_per_s / b8.events_per_s, met: one.events_per_s >= 1.3 * b8.events_per_s },
    {
      target: 'sidecar memory ≤ ¼ of the 8 workers’',
      value: `${(one.peak_rss_mb_one / b8.peak_rss_mb_all).toFixed(2)} (sidecar ${one.peak_rss_mb_one.toFixed(0)} MB peak, ${idleRss.toFixed(0)} MB idle; 8 workers ${b8.peak_rss_mb_all.toFixed(0)} MB)`,
      met: one.peak_rss_mb_one <= b8.peak_rss_mb_all / 4,
    },
    { target: 'adding replicas never lowers throughput', value: rates.join(' → '), met: rates.every((r, i) => i === 0 || r >= rates[i - 1]! * 0.95) },
    { target: 'end-to-end p95 < 1 s at 25 events/s', value: steady.rows[0]!.p95_ms, met: steady.rows[0]!.p95_ms < 1000 },
    { target: 'receiver ≥ 300 req/s with p99 < 50 ms', value: r300 ? `${r300.achieved_per_s.toFixed(0)} req/s, p99 ${r300.p99_ms.toFixed(1)} ms, errors ${(r300.error_rate * 100).toFixed(1)}%` : 'not run', met: r300 ? r300.achieved_per_s >= 295 && r300.p99_ms < 50 && r300.error_rate === 0 : false },
    { target: 'plugin overhead < 2 ms median on an order save', value: orderSave.rows[0]!.overhead_ms, met: orderSave.rows[0]!.overhead_ms < 2 },
  ];
  return { sizes, receiver, incoming, steady, baseline, write_ceiling: ceiling, sidecar_idle_rss_mb: idleRss, outgoing, order_save: orderSave, targets };
}

/** The scenarios and targets on a real WooCommerce release, side by side in one run. */
async function realRun(ctx: BenchContext, quick: boolean) {
  const sizes = quick ? REAL_QUICK : REAL_FULL;
  const actionScheduler = await actionSchedulerScenario(ctx, sizes);
  const ceiling = await writeCeilingScenario(ctx, sizes);
  const sidecar = await sidecarScenario(ctx, sizes);
  const recovery = await recoveryScenario(ctx, sizes);
  const orderSave = await orderSaveScenario(ctx, sizes);
  // The receiver beside its floor: a must-use route doing only the same signature check and insert.
  const receiverRun = await receiverVsFloor(ctx, { clients: 4, seconds: quick ? 3 : 15 });
  const [floorRow, receiverRow] = [receiverRun.rows.find((r) => r.route === 'floor')!, receiverRun.rows.find((r) => r.route === 'receiver')!];
  const receiver = {
    receiver_per_s: receiverRow.req_per_s,
    floor_per_s: floorRow.req_per_s,
    receiver_p99_ms: receiverRow.p99_ms,
    floor_p99_ms: floorRow.p99_ms,
    receiver_cpu_ms: receiverRow.cpu_ms_per_req,
    floor_cpu_ms: floorRow.cpu_ms_per_req,
  };
  const targets = realTargets({
    asShipped: actionScheduler.rows[0]!,
    asTuned: actionScheduler.rows[1]!,
    sidecarDefault: sidecar.rows[0]!,
    sidecarBest: sidecar.rows.find((r) => r.run === sidecar.best)!,
    recovery: recovery.rows,
    receiver,
    orderSave: orderSave.rows[0]!,
    writeCeiling: ceiling.rows,
  });
  return { sizes, action_scheduler: actionScheduler, write_ceiling: ceiling, sidecar, recovery, receiver: receiverRun, order_save: orderSave, targets };
}

/** Resident memory of one idle sidecar after start-up, for scale. */
async function idleSidecarRss(ctx: BenchContext): Promise<number> {
  const replica = await startReplicas(ctx, 1);
  await new Promise((r) => setTimeout(r, 2000));
  const rss = replica.peakRss().one / 2 ** 20;
  await replica.stop();
  return rss;
}

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const keys = Object.keys(rows[0]!);
  const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v));
  return [`| ${keys.join(' | ')} |`, `| ${keys.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${keys.map((k) => fmt(r[k])).join(' | ')} |`)].join('\n');
}

/** The first line of the output: which WooCommerce the figures describe. */
export function headline(w: { version: string; hpos?: boolean }, wordpress: string): string {
  return w.version === 'standin'
    ? 'WooCommerce: the stand-in (test/woocommerce-standin), not a real release: these figures do not describe a real shop.'
    : `WooCommerce ${w.version} (${w.hpos ? 'HPOS' : 'posts storage'}) on WordPress ${wordpress}.`;
}

export function summary(results: Record<string, unknown>): string {
  type Section = { method?: string; rows: Record<string, unknown>[] };
  const r = results as Record<string, Section> & { woocommerce: { version: string; hpos?: boolean }; targets: { target: string; value: unknown; met: boolean; reason?: string }[] };
  const tag = r.woocommerce.version === 'standin' ? ' (stand-in)' : ` (WooCommerce ${r.woocommerce.version}, ${r.woocommerce.hpos ? 'HPOS' : 'posts'})`;
  const sections: [string, string][] =
    r.woocommerce.version === 'standin'
      ? [
          ['receiver', 'Receiver'],
          ['incoming', 'Incoming drain (CRM at 150 ms)'],
          ['steady', 'End-to-end at 25 events/s'],
          ['baseline', 'Baseline (PHP workers, one event at a time)'],
          ['write_ceiling', 'Write ceiling (no queue, no CRM)'],
          ['outgoing', 'Outgoing (endpoints at 50 ms)'],
          ['order_save', 'Order save'],
        ]
      : [
          ['action_scheduler', 'Action Scheduler (CRM at 150 ms)'],
          ['write_ceiling', 'Write ceiling (no queue, no CRM)'],
          ['sidecar', 'Sidecar (CRM at 150 ms)'],
          ['recovery', 'Recovery after SIGKILL'],
          ['order_save', 'Order save'],
        ];
  return [
    `### Targets${tag}`,
    table(r.targets.map((t) => ({ target: t.target, value: t.value, met: t.met ? 'met' : 'missed', why: t.reason ?? '' }))),
    ...sections.flatMap(([key, title]) => [`### ${title}${tag}`, table(r[key]!.rows)]),
  ].join('\n\n');
}

if (process.argv[1]?.endsWith('run.ts')) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: join(ROOT, 'bench', 'results') },
      stack: { type: 'string', default: 'bench' },
      woocommerce: { type: 'string', default: process.env.CRM_BRIDGE_WOOCOMMERCE || undefined },
      hpos: { type: 'string', default: process.env.CRM_BRIDGE_HPOS || 'on' },
    },
  });
  const real = values.woocommerce ? { woocommerce: values.woocommerce, hpos: values.hpos } : undefined;
  const { file, results } = await runBench({ quick: values.quick, outDir: values.out, stackName: values.stack, real, announce: (line) => process.stdout.write(`${line}\n\n`) });
  // Exit only once stdout has drained, so a pipe gets the whole table and the results line.
  process.stdout.write(`${summary(results)}\n\nresults: ${file}\n`, () => process.exit(0));
}
