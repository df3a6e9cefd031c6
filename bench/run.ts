// npm run bench [-- --quick] [--out DIR] [--stack NAME]: runs the benchmarks on the bench stack, writes
// bench/results/<date>.json and prints a short table with the targets. Never part of a test verdict.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execSync } from 'node:child_process';
import { ROOT } from '../test/stack/paths.ts';
import { openContext, startReplicas, type BenchContext } from './context.ts';
import { FULL, QUICK, baselineScenario, incomingScenario, orderSaveScenario, outgoingScenario, receiverScenario, steadyScenario } from './scenarios.ts';

export async function runBench(opts: { quick: boolean; outDir: string; stackName?: string }): Promise<{ file: string; results: Record<string, unknown> }> {
  const sizes = opts.quick ? QUICK : FULL;
  const ctx = await openContext(opts.stackName ?? 'bench');
  try {
    const receiver = await receiverScenario(ctx, sizes);
    const incoming = await incomingScenario(ctx, sizes);
    const steady = await steadyScenario(ctx, sizes);
    const baseline = await baselineScenario(ctx, sizes);
    const outgoing = await outgoingScenario(ctx, sizes);
    const orderSave = await orderSaveScenario(ctx, sizes);
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
    const results = {
      date: new Date().toISOString(),
      quick: opts.quick,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, php: execSync('php -r "echo PHP_VERSION;"').toString(), mariadb: execSync('mariadbd --version').toString().trim() },
      sizes,
      receiver,
      incoming,
      steady,
      baseline,
      write_ceiling_per_s: orderSave.rows[0]!.write_ceiling_per_s,
      sidecar_idle_rss_mb: idleRss,
      outgoing,
      order_save: orderSave,
      targets,
    };
    mkdirSync(opts.outDir, { recursive: true });
    const file = join(opts.outDir, `${results.date.slice(0, 19).replaceAll(':', '-')}${opts.quick ? '-quick' : ''}.json`);
    writeFileSync(file, JSON.stringify(results, null, 2));
    return { file, results };
  } finally {
    await ctx.close();
  }
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

export function summary(results: Record<string, unknown>): string {
  type Section = { rows: Record<string, unknown>[] };
  const r = results as { receiver: Section; incoming: Section; steady: Section; baseline: Section; outgoing: Section; order_save: Section; targets: Record<string, unknown>[]; write_ceiling_per_s: number };
  return [
    '### Targets',
    table(r.targets),
    '### Receiver',
    table(r.receiver.rows),
    '### Incoming drain (CRM at 150 ms)',
    table(r.incoming.rows),
    '### End-to-end at 25 events/s',
    table(r.steady.rows),
    '### Baseline (PHP workers, one event at a time)',
    table(r.baseline.rows),
    `Write ceiling (one PHP process, no queue, no CRM): ${r.write_ceiling_per_s.toFixed(1)} orders/s`,
    '### Outgoing (endpoints at 50 ms)',
    table(r.outgoing.rows),
    '### Order save',
    table(r.order_save.rows),
  ].join('\n\n');
}

if (process.argv[1]?.endsWith('run.ts')) {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, out: { type: 'string', default: join(ROOT, 'bench', 'results') }, stack: { type: 'string', default: 'bench' } },
  });
  const { file, results } = await runBench({ quick: values.quick, outDir: values.out, stackName: values.stack });
  // Exit only once stdout has drained, so a pipe gets the whole table and the results line.
  process.stdout.write(`${summary(results)}\n\nresults: ${file}\n`, () => process.exit(0));
}
