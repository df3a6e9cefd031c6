// The receiver beside its floor: a closed-loop load of signed events against the plugin's receiver and
// against a must-use plugin that does only the same check and insert, on the same site, alternating.
// `npx tsx bench/receiver.ts --stack NAME [--clients 4] [--seconds 10] [--woocommerce DIR|ZIP]` runs it
// alone (with a real WooCommerce release: on WordPress 6.5, HPOS as CRM_BRIDGE_HPOS says).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ROOT } from '../test/stack/paths.ts';
import { SIGNING_SECRET, openContext, percentile, type BenchContext } from './context.ts';

/** What the measurement uses of the bench context: the site and its database. */
type SiteContext = Pick<BenchContext, 'site' | 'db'>;

export type Route = 'receiver' | 'floor';

export interface ReceiverRow {
  route: Route;
  clients: number;
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  /**
   * CPU time the site's PHP workers and MariaDB spent per answered request. On a machine other work
   * also loads, this is the steadier comparison: throughput follows it when the cores are the limit.
   */
  cpu_ms_per_req: number;
}

const LoadOutput = z.object({ sent: z.number(), errors: z.number(), elapsed: z.number(), latencies: z.array(z.number()) });
type LoadOutput = z.infer<typeof LoadOutput>;

const FLOOR_FILE = 'crm-bridge-bench-floor.php';
const FLOOR_SECRET_OPTION = 'crm_bridge_floor_secret';
/** Seconds each route is loaded before the measured rounds, so neither pays for a cold start. */
const WARMUP_SECONDS = 2;

/** Installs the floor route into the bench site: the must-use plugin, its table and its plain secret. */
async function installFloor(ctx: SiteContext): Promise<void> {
  const mu = join(ctx.site.dir, 'wp-content', 'mu-plugins');
  mkdirSync(mu, { recursive: true });
  copyFileSync(join(ROOT, 'bench', 'php', 'receiver-floor.php'), join(mu, FLOOR_FILE));
  const p = ctx.site.tablePrefix;
  await ctx.db.query(`CREATE TABLE IF NOT EXISTS ${p}crm_bridge_floor (event_id VARCHAR(191) NOT NULL PRIMARY KEY, body LONGTEXT NOT NULL, received_at DATETIME(3) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  await ctx.db.query(`INSERT INTO ${p}options (option_name, option_value, autoload) VALUES (?, ?, 'yes') ON DUPLICATE KEY UPDATE option_value = VALUES(option_value), autoload = 'yes'`, [FLOOR_SECRET_OPTION, SIGNING_SECRET]);
}

async function removeFloor(ctx: SiteContext): Promise<void> {
  rmSync(join(ctx.site.dir, 'wp-content', 'mu-plugins', FLOOR_FILE), { force: true });
  const p = ctx.site.tablePrefix;
  await ctx.db.query(`DROP TABLE IF EXISTS ${p}crm_bridge_floor`);
  await ctx.db.query(`DELETE FROM ${p}options WHERE option_name = ?`, [FLOOR_SECRET_OPTION]);
  // The receiver's events and log rows, so the next scenario starts alike.
  for (const t of ['crm_bridge_inbox', 'crm_bridge_log']) await ctx.db.query(`TRUNCATE TABLE ${p}${t}`);
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

/** CPU time (ms) used so far by a process (threads included), or 0 when it is gone. */
function cpuMs(pid: number): number {
  try {
    // The fields after the command name (which may hold spaces) start at field 3: utime is the 14th field, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** The processes that answer a request: PHP's server and its workers, and the database server. */
async function servingPids(ctx: SiteContext): Promise<number[]> {
  const [rows] = await ctx.db.query('SELECT @@pid_file AS f');
  const pidFile = (rows as { f: string }[])[0]!.f;
  const workers = readdirSync(`/proc/${ctx.site.pid}/task`).flatMap((t) => readFileSync(`/proc/${ctx.site.pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  return [ctx.site.pid, ...workers, Number(readFileSync(pidFile, 'utf8').trim())];
}

type Round = LoadOutput & { cpuMs: number };

/** One closed-loop round against one route, in its own process, with the CPU the serving processes spent. */
function round(url: string, clients: number, seconds: number, idPrefix: string, pids: number[]): Round {
  const cpuBefore = pids.reduce((a, p) => a + cpuMs(p), 0);
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'receiver-load.ts'), 'closed', url, SIGNING_SECRET, String(clients), String(seconds), idPrefix], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, cwd: ROOT });
  if (res.status !== 0) throw new Error(`the load generator failed: ${res.stderr}`);
  const cpu = pids.reduce((a, p) => a + cpuMs(p), 0) - cpuBefore;
  return { ...LoadOutput.parse(JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}')), cpuMs: cpu };
}

/** The row of one route from its measured rounds. */
export function summarize(route: Route, clients: number, rounds: Round[]): ReceiverRow {
  const latencies = rounds.flatMap((r) => r.latencies);
  const answered = rounds.reduce((a, r) => a + r.sent, 0);
  const elapsed = rounds.reduce((a, r) => a + r.elapsed, 0);
  return { route, clients, req_per_s: answered / elapsed, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99), errors: rounds.reduce((a, r) => a + r.errors, 0), cpu_ms_per_req: rounds.reduce((a, r) => a + r.cpuMs, 0) / answered };
}

/**
 * Loads the receiver and the floor with `clients` closed-loop clients: a warm-up of each, then
 * floor, receiver, floor, receiver for `seconds` each. Only 202 counts as success. `ratio` compares
 * throughput; `cpu_ratio` compares the serving processes' CPU per request (floor ÷ receiver).
 */
export async function receiverVsFloor(ctx: SiteContext, opts: { clients: number; seconds: number }): Promise<{ rows: ReceiverRow[]; ratio: number; cpu_ratio: number }> {
  const urls: Record<Route, string> = { receiver: `${ctx.site.url}/wp-json/crm-bridge/v1/crm/events`, floor: `${ctx.site.url}/crm-bridge-floor` };
  const run = Date.now().toString(36);
  await installFloor(ctx);
  try {
    const pids = await servingPids(ctx);
    for (const route of ['floor', 'receiver'] as const) round(urls[route], opts.clients, WARMUP_SECONDS, `${run}-warm-${route}`, pids);
    const rounds: Record<Route, Round[]> = { receiver: [], floor: [] };
    for (const [i, route] of (['floor', 'receiver', 'floor', 'receiver'] as const).entries()) rounds[route].push(round(urls[route], opts.clients, opts.seconds, `${run}-${i}-${route}`, pids));
    const rows = [summarize('floor', opts.clients, rounds.floor), summarize('receiver', opts.clients, rounds.receiver)];
    return { rows, ratio: rows[1]!.req_per_s / rows[0]!.req_per_s, cpu_ratio: rows[0]!.cpu_ms_per_req / rows[1]!.cpu_ms_per_req };
  } finally {
    await removeFloor(ctx);
  }
}

/** A site on a real WooCommerce release (WordPress 6.5), its signing secret set as the bench's. */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { stack: { type: 'string', default: 'bench' }, clients: { type: 'string', default: '4' }, seconds: { type: 'string', default: '10' }, woocommerce: { type: 'string' } } });
  const ctx = await openContext(values.stack, values.woocommerce ? { woocommerce: values.woocommerce } : undefined);
  try {
    const result = await receiverVsFloor(ctx, { clients: Number(values.clients), seconds: Number(values.seconds) });
    console.table(result.rows);
    console.log(JSON.stringify(result));
  } finally {
    await ctx.close();
  }
}
