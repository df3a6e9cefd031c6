// `npm run demo` as a user meets it, on its own stack: a line per stage while it starts, the banner, a
// wp-admin that says on every page that it runs the stand-in (and how to get WooCommerce), products and
// checkout-like orders seeded through WooCommerce's API, and Ctrl-C stopping all of it. Under
// `npm run test:woo` (CRM_BRIDGE_WOOCOMMERCE names a release) the demo runs that release instead: no
// notice, and the seeded orders on WooCommerce's own Orders screen.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, readState } from '../stack/stack.ts';
import { ROOT } from '../stack/paths.ts';
import type { SiteState } from '../stack/wordpress.ts';
import { waitFor } from '../stack/system.ts';
import { login, wpEvalJson } from '../support/stack.ts';

const STACK = 'demo-test';
const release = process.env.CRM_BRIDGE_WOOCOMMERCE && process.env.CRM_BRIDGE_WOOCOMMERCE !== 'standin' ? process.env.CRM_BRIDGE_WOOCOMMERCE : undefined;
const wp = release ? '6.5' : '6.1';
let demo: ChildProcess;
let output = '';
let site: SiteState;

beforeAll(async () => {
  demo = spawn(process.execPath, ['--import', 'tsx', 'demo/demo.ts'], {
    cwd: ROOT,
    env: { ...process.env, CRM_BRIDGE_WOOCOMMERCE: release ?? 'standin', CRM_BRIDGE_DEMO_STACK: STACK },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor('the demo', async () => demo.exitCode !== null || (output.includes('CRM Bridge demo is running.') && output.includes('Press Ctrl-C')), 420_000);
  if (demo.exitCode !== null) throw new Error(`the demo exited with ${demo.exitCode}:\n${output}`);
  site = readState(STACK)!.sites[wp]!;
}, 440_000);

afterAll(async () => {
  if (demo.exitCode === null) {
    demo.kill('SIGKILL');
    await once(demo, 'exit');
  }
  await down(STACK);
});

describe('npm run demo', () => {
  const woo = release ? 'WooCommerce \\d+\\.\\d+\\.\\d+ \\((HPOS|posts storage)\\)' : 'the WooCommerce stand-in';
  it('prints a line per stage while the stack starts, and which WooCommerce it runs', () => {
    for (const stage of [/▸ MariaDB: ready on 127\.0\.0\.1:\d+/, new RegExp(`▸ WordPress ${wp.replace('.', '\\.')}: ready at http://127\\.0\\.0\\.1:\\d+ with ${woo} and the CRM Bridge plugin active`), /▸ sidecar: ready/]) {
      expect(output).toMatch(stage);
    }
    expect(output).toMatch(new RegExp(`^WooCommerce: ${woo}`, 'm'));
    expect(output.includes('This demo runs the WooCommerce stand-in')).toBe(!release);
  });

  it.runIf(release)('runs real WooCommerce: its Orders screen lists the seeded orders, with no stand-in notice', async () => {
    const session = await login(site.adminUser, site.adminPassword, site);
    const html = await (await fetch(`${site.url}/wp-admin/admin.php?page=wc-orders`, { headers: { cookie: session.cookie } })).text();
    expect(html).not.toContain('crm-bridge-demo-standin');
    expect(html.match(/Ada Lovelace/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it.skipIf(release)('says in wp-admin, logged in with the printed credentials, that this is the stand-in and how to get WooCommerce', async () => {
    const url = /WordPress admin\s+(\S+)\/wp-admin\//.exec(output)?.[1];
    const [, user, password] = /login\s+(\S+) \/ (\S+)/.exec(output) ?? [];
    expect(url).toBe(site.url);
    const session = await login(user!, password!, site);
    for (const page of ['/wp-admin/', '/wp-admin/admin.php?page=crm-bridge']) {
      const html = await (await fetch(`${site.url}${page}`, { headers: { cookie: session.cookie } })).text();
      const notice = /<div class="notice notice-warning" id="crm-bridge-demo-standin">(.*?)<\/div>/s.exec(html)?.[1] ?? '';
      expect(notice, page).toContain('Not real WooCommerce.');
      expect(notice, page).toContain('CRM_BRIDGE_WOOCOMMERCE=standin asks for it');
      expect(notice, page).toContain('set CRM_BRIDGE_WOOCOMMERCE to an extracted release folder or a wordpress.org zip');
    }
  });

  it('seeds products with prices, and pending orders whose items name those products and whose totals add up', () => {
    const shop = wpEvalJson<{ products: Record<string, string>; orders: { status: string; email: string; total: number; items: { product: string; quantity: number; total: number }[] }[] }>(
      `$products = array();
       foreach ( get_posts( array( 'post_type' => 'product', 'numberposts' => -1 ) ) as $p ) { $products[ get_post_meta( $p->ID, '_sku', true ) ] = get_post_meta( $p->ID, '_price', true ); }
       $orders = array();
       foreach ( wc_get_orders( array( 'limit' => 3, 'orderby' => 'id', 'order' => 'ASC' ) ) as $o ) {
         $orders[] = array( 'status' => $o->get_status(), 'email' => $o->get_billing_email(), 'total' => (float) $o->get_total(), 'items' => array_values( array_map( fn( $i ) => array( 'product' => get_post_meta( $i->get_product_id(), '_sku', true ), 'quantity' => (int) $i->get_quantity(), 'total' => (float) $i->get_total() ), $o->get_items() ) ) );
       }
       echo wp_json_encode( array( 'products' => $products, 'orders' => $orders ) );`,
      site,
    );
    expect(shop.products).toEqual({ 'DEMO-CUPS': '12.00', 'DEMO-TEA': '8.50', 'DEMO-GRINDER': '49.00' });
    expect(shop.orders).toHaveLength(3);
    for (const order of shop.orders) {
      expect(order).toMatchObject({ status: 'pending', email: 'ada@shop.test' });
      expect(order.items.length).toBeGreaterThan(0);
      for (const item of order.items) expect(item.total).toBeCloseTo(Number(shop.products[item.product]) * item.quantity);
      expect(order.total).toBeCloseTo(order.items.reduce((sum, item) => sum + item.total, 0));
    }
  });

  it('stops everything on Ctrl-C', async () => {
    demo.kill('SIGINT');
    const [code] = (await once(demo, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(output).toContain('stopped.');
    await expect(fetch(`${site.url}/wp-json/`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
  }, 120_000);
});
