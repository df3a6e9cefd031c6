// What every benchmark scenario shares: the bench stack, its database, the CRM simulator, helpers to
// configure the plugin, seed orders and run sidecar replicas while sampling their memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPool, type Pool } from 'mysql2/promise';
import { up } from '../test/stack/stack.ts';
import { ROOT } from '../test/stack/paths.ts';
import { evalPhp, type SiteState } from '../test/stack/wordpress.ts';
import { freePort, waitFor } from '../test/stack/system.ts';
import { startCrmSimulator, type CrmSimulator } from '../test/crm-simulator/simulator.ts';
import { announceToCrmPhp } from '../test/support/announce.ts';

export const SIGNING_SECRET = 'whsec_' + Buffer.from('crm-bridge-benchmark-signing-key!').toString('base64');
export const CRM_TOKEN = 'bench-token';

export interface BenchContext {
  site: SiteState;
  db: Pool;
  crm: CrmSimulator;
  databaseUrl: string;
  close(): Promise<void>;
}

export async function openContext(stackName: string): Promise<BenchContext> {
  const state = await up({ name: stackName, versions: ['6.1'] });
  const site = state.sites['6.1']!;
  const m = state.mariadb;
  const db = createPool({ host: '127.0.0.1', port: m.port, user: m.user, password: m.password, database: site.database, timezone: 'Z', connectionLimit: 8 });
  const crm = await startCrmSimulator({ token: CRM_TOKEN });
  evalPhp(
    site,
    `\\CrmBridge\\Settings::update( array( 'crm' => array( 'base_url' => ${JSON.stringify(crm.url)}, 'auth_mode' => 'bearer', 'timeout_ms' => 10000 ), 'concurrency' => 64 ) );
     \\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::INCOMING, ${JSON.stringify(SIGNING_SECRET)} );
     \\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::CRM_TOKEN, ${JSON.stringify(CRM_TOKEN)} );`,
  );
  return {
    site,
    db,
    crm,
    databaseUrl: `mysql://${m.user}:${encodeURIComponent(m.password)}@127.0.0.1:${m.port}/${site.database}`,
    close: async () => {
      await crm.close();
      await db.end();
    },
  };
}

/** Empties the queues, the log and the links, so each run starts alike. */
export async function resetQueues(ctx: BenchContext): Promise<void> {
  for (const t of ['crm_bridge_inbox', 'crm_bridge_outbox', 'crm_bridge_log', 'crm_bridge_links']) await ctx.db.query(`TRUNCATE TABLE ${ctx.site.tablePrefix}${t}`);
  evalPhp(ctx.site, `foreach ( \\CrmBridge\\Subscriptions::all() as $s ) { \\CrmBridge\\Subscriptions::delete( $s['id'] ); }`);
}

/** Creates n pending orders (in one PHP process) and returns their ids. */
export function seedOrders(ctx: BenchContext, n: number): number[] {
  const ids = JSON.parse(
    evalPhp(ctx.site, `$ids = array(); for ( $i = 0; $i < ${n}; $i++ ) { $o = new WC_Order(); $o->set_status( 'pending' ); $o->set_total( '10.00' ); $ids[] = $o->save(); } echo wp_json_encode( $ids );`),
  ) as number[];
  // The simulated CRM names these orders by id: the plugin honours that only for orders announced to it.
  evalPhp(ctx.site, announceToCrmPhp(ids));
  return ids;
}

export interface Replicas {
  stop(): Promise<void>;
  /** Highest resident memory seen, in bytes, for one replica and for all together. */
  peakRss(): { one: number; all: number };
}

/** Starts n sidecar replicas and samples their memory every 200 ms. */
export async function startReplicas(ctx: BenchContext, n: number, env: Record<string, string> = {}): Promise<Replicas> {
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'sidecar', 'dist', 'main.js')], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env.PATH ?? '',
        CRM_BRIDGE_DATABASE_URL: ctx.databaseUrl,
        CRM_BRIDGE_WORDPRESS_URL: ctx.site.url,
        CRM_BRIDGE_WP_USER: ctx.site.sidecarUser,
        CRM_BRIDGE_WP_APP_PASSWORD: ctx.site.sidecarAppPassword,
        CRM_BRIDGE_ENCRYPTION_KEY: ctx.site.encryptionKey,
        CRM_BRIDGE_HTTP_PORT: String(port),
        CRM_BRIDGE_WORKER_ID: `bench-${i}`,
        CRM_BRIDGE_POLL_MS: '50',
        CRM_BRIDGE_LOG_LEVEL: 'warn',
        // The CRM simulator and the receivers listen on loopback, a private address.
        CRM_BRIDGE_ALLOW_PRIVATE_URLS: '1',
        ...env,
      },
    });
    children.push(child);
    await waitFor('a sidecar replica', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 30_000);
  }
  let one = 0;
  let all = 0;
  const sample = setInterval(() => {
    const rss = children.map((c) => rssOf(c.pid));
    one = Math.max(one, ...rss);
    all = Math.max(all, rss.reduce((a, b) => a + b, 0));
  }, 200);
  return {
    peakRss: () => ({ one, all }),
    stop: async () => {
      clearInterval(sample);
      await Promise.all(children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : (c.once('exit', () => resolve()), c.kill('SIGTERM'))))));
    },
  };
}

export function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function queueDone(ctx: BenchContext, table: 'crm_bridge_inbox' | 'crm_bridge_outbox'): Promise<{ done: number; open: number }> {
  const [rows] = await ctx.db.query(`SELECT SUM(status IN ('done','dead')) AS done, SUM(status IN ('pending','running')) AS open FROM ${ctx.site.tablePrefix}${table}`);
  const r = (rows as { done: string | null; open: string | null }[])[0]!;
  return { done: Number(r.done ?? 0), open: Number(r.open ?? 0) };
}
