// What every benchmark scenario shares: the bench stack (on the WooCommerce stand-in or a real release),
// its database, the CRM simulator, helpers to configure the plugin, seed orders and run sidecar replicas
// while sampling their memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
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
  /** The WooCommerce the site runs: 'standin', or a real release's version and its order storage. */
  woocommerce: { version: string; hpos?: boolean };
  /** The site's WordPress release, such as 6.5.5. */
  wordpress: string;
  db: Pool;
  crm: CrmSimulator;
  databaseUrl: string;
  close(): Promise<void>;
}

/** A real WooCommerce release (an extracted folder or a zip) and its order storage ('on' or 'off'). */
export interface RealWooCommerce {
  woocommerce: string;
  hpos?: string;
}

/**
 * What a run changes from the settings schema's defaults (a partial settings document); whatever it
 * leaves out is the default a new shop gets.
 */
export interface RunSettings {
  concurrency?: number;
  crm?: { timeout_ms?: number };
}

/** The stand-in's runs keep the settings its published figures were measured with. */
const STANDIN_RUN: RunSettings = { concurrency: 64, crm: { timeout_ms: 10000 } };

/**
 * Opens the bench stack: WordPress 6.1 with the stand-in, or WordPress 6.5 with the given release. The
 * benchmark actions plugin is installed as a must-use plugin and the CRM connection configured.
 */
export async function openContext(stackName: string, real?: RealWooCommerce): Promise<BenchContext> {
  const version = real ? '6.5' : '6.1';
  const state = await up({ name: stackName, versions: [version], woocommerce: real?.woocommerce, hpos: real?.hpos });
  const site = state.sites[version]!;
  const m = state.mariadb;
  const db = createPool({ host: '127.0.0.1', port: m.port, user: m.user, password: m.password, database: site.database, timezone: 'Z', connectionLimit: 8 });
  const crm = await startCrmSimulator({ token: CRM_TOKEN });
  const mu = join(site.dir, 'wp-content', 'mu-plugins');
  mkdirSync(mu, { recursive: true });
  copyFileSync(join(ROOT, 'bench', 'php', 'bench-actions.php'), join(mu, 'crm-bridge-bench-actions.php'));
  const wordpress = evalPhp(
    site,
    `\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::INCOMING, ${JSON.stringify(SIGNING_SECRET)} );
     \\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::CRM_TOKEN, ${JSON.stringify(CRM_TOKEN)} );
     update_option( 'crm_bridge_bench', array( 'crm' => ${JSON.stringify(crm.url)}, 'token' => ${JSON.stringify(CRM_TOKEN)} ), false );
     echo get_bloginfo( 'version' );`,
  )
    .trim()
    .split('\n')
    .pop()!;
  const woocommerce = site.woocommerce.version === 'standin' ? { version: 'standin' } : site.woocommerce;
  const ctx: BenchContext = {
    site,
    woocommerce,
    wordpress,
    db,
    crm,
    databaseUrl: `mysql://${m.user}:${encodeURIComponent(m.password)}@127.0.0.1:${m.port}/${site.database}`,
    close: async () => {
      await crm.close();
      await db.end();
    },
  };
  applyRunSettings(ctx);
  return ctx;
}

export const isStandin = (ctx: BenchContext): boolean => ctx.woocommerce.version === 'standin';

/**
 * The one place a run's settings are applied: the schema's defaults, the CRM connection, then the
 * run's changes (on the stand-in, its published settings unless the run says otherwise). Returns
 * the settings the sidecar then reads, for the results.
 */
export function applyRunSettings(ctx: BenchContext, run: RunSettings = {}): { concurrency: number } {
  const changes = isStandin(ctx) ? { ...STANDIN_RUN, ...run } : run;
  const out = evalPhp(
    ctx.site,
    `$d = \\CrmBridge\\Settings::defaults();
     $d['crm']['base_url'] = ${JSON.stringify(ctx.crm.url)};
     $d['crm']['auth_mode'] = 'bearer';
     \\CrmBridge\\Settings::update( array_replace_recursive( $d, json_decode( ${JSON.stringify(JSON.stringify(changes))}, true ) ) );
     echo wp_json_encode( array( 'concurrency' => \\CrmBridge\\Settings::get( 'concurrency' ) ) );`,
  );
  return JSON.parse(out.trim().split('\n').pop()!) as { concurrency: number };
}

/** Empties the queues, the log and the links, so each run starts alike. */
export async function resetQueues(ctx: BenchContext): Promise<void> {
  for (const t of ['crm_bridge_inbox', 'crm_bridge_outbox', 'crm_bridge_log', 'crm_bridge_links']) await ctx.db.query(`TRUNCATE TABLE ${ctx.site.tablePrefix}${t}`);
  evalPhp(ctx.site, `foreach ( \\CrmBridge\\Subscriptions::all() as $s ) { \\CrmBridge\\Subscriptions::delete( $s['id'] ); }`);
}

/**
 * Creates n pending orders (in one PHP process) and returns their ids. On a real release each order
 * has a line item of a stocked product, so the status change reduces stock as in a shop.
 */
export function seedOrders(ctx: BenchContext, n: number): number[] {
  const lines = isStandin(ctx)
    ? `$o->set_total( '10.00' );`
    : `$o->add_product( $p, 1 ); $o->calculate_totals( false );`;
  const product = isStandin(ctx)
    ? ''
    : `$pid = wc_get_product_id_by_sku( 'crm-bridge-bench' );
       if ( ! $pid ) { $p = new WC_Product_Simple(); $p->set_name( 'Benchmark product' ); $p->set_sku( 'crm-bridge-bench' ); $p->set_regular_price( '10.00' ); $p->set_manage_stock( true ); $p->set_stock_quantity( 1000000 ); $pid = $p->save(); }
       $p = wc_get_product( $pid );`;
  const ids = JSON.parse(
    evalPhp(ctx.site, `${product} $ids = array(); for ( $i = 0; $i < ${n}; $i++ ) { $o = new WC_Order(); $o->set_status( 'pending' ); ${lines} $ids[] = $o->save(); } echo wp_json_encode( $ids );`).trim().split('\n').pop()!,
  ) as number[];
  // The simulated CRM names these orders by id: the plugin honours that only for orders announced to it.
  evalPhp(ctx.site, announceToCrmPhp(ids));
  return ids;
}

/** Puts the CRM at its final state for the orders: `${prefix}-${i}` at the given version and status. */
export function setCrmOrders(ctx: BenchContext, ids: number[], prefix: string, version: number, status: string): void {
  ctx.crm.orders.clear();
  ids.forEach((id, i) => ctx.crm.orders.set(`${prefix}-${i}`, { crm_order_id: `${prefix}-${i}`, status, version, updated_at: new Date().toISOString(), woo_order_id: id }));
}

export interface Replicas {
  stop(): Promise<void>;
  /** Kills every replica with SIGKILL (no shutdown, claims left as they are). */
  kill(): Promise<void>;
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
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    clearInterval(sample);
    await Promise.all(children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : (c.once('exit', () => resolve()), c.kill(signal))))));
  };
  return { peakRss: () => ({ one, all }), stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
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
