// The demo's five things to try, run exactly as the demo prints them: the demo runs as a child process
// on its own stack (not `demo`, which would be a user's), each numbered step's command block is read
// from its output and run with bash as one pasted block, and what the step claims is checked in the
// shop, the sync log and the CRM simulator. Ctrl-C then stops the demo.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, readState } from '../stack/stack.ts';
import { ROOT, stackDir } from '../stack/paths.ts';
import { ownsProcess, waitFor } from '../stack/system.ts';
import { evalPhp, type SiteState } from '../stack/wordpress.ts';

const STACK = 'demo-try';

let demo: ChildProcess;
let printed = '';
/** Resolves when the demo and everything it started that holds its output have ended. */
let ended: Promise<void>;

/** The numbered steps of the printed "Try:" block: each one's commands, as printed. */
function steps(text: string): Map<number, string> {
  const start = text.indexOf('\nTry:\n');
  expect(start, text).toBeGreaterThan(-1);
  const found = new Map<number, string>();
  let current = 0;
  for (const line of text.slice(start + 6).split('\n')) {
    const numbered = /^ {2}(\d+)\. /.exec(line);
    if (numbered) current = Number(numbered[1]);
    else if (current > 0 && line.startsWith('       ')) found.set(current, found.has(current) ? `${found.get(current)}\n${line}` : line);
    else current = 0;
  }
  return found;
}

/** A block as a user pastes it: bash reads it whole, from a directory that is not the checkout. */
function paste(block: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', block], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', (code) => resolve({ code, out }));
  });
}

function site(): SiteState {
  const state = readState(STACK);
  expect(state, `stack ${STACK} is up`).toBeDefined();
  return Object.values(state!.sites)[0]!;
}

const php = (code: string): unknown => JSON.parse(evalPhp(site(), code));
const orderFor = (crmOrderId: string) => php(`echo wp_json_encode( \\CrmBridge\\Links::order_for( ${JSON.stringify(crmOrderId)} ) );`) as number;
const statusOf = (orderId: number) => php(`echo wp_json_encode( wc_get_order( ${orderId} )->get_status() );`) as string;
/** The sync log's decisions for one CRM order, oldest first. */
const logOf = (crmOrderId: string) =>
  php(`global $wpdb; echo wp_json_encode( $wpdb->get_results( $wpdb->prepare( "SELECT event_id, decision FROM {$wpdb->prefix}crm_bridge_log WHERE crm_order_id = %s ORDER BY id", ${JSON.stringify(crmOrderId)} ) ) );`) as { event_id: string; decision: string }[];
/** The CRM simulator's address, from the command that resets its knobs (step 2). */
const crmUrl = () => /-X DELETE (http:\/\/\S+)\/admin\/knobs/.exec(printed)![1]!;

beforeAll(async () => {
  // A fresh stack each run: the demo's seeded CRM orders start at version 0 on every start.
  await down(STACK);
  rmSync(stackDir(STACK), { recursive: true, force: true });
  // The stand-in, named on purpose (the demo would otherwise try a download); under `npm run test:woo`
  // the release it was given.
  const release = process.env.CRM_BRIDGE_WOOCOMMERCE && process.env.CRM_BRIDGE_WOOCOMMERCE !== 'standin' ? process.env.CRM_BRIDGE_WOOCOMMERCE : undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, CRM_BRIDGE_DEMO_STACK: STACK, CRM_BRIDGE_WOOCOMMERCE: release ?? 'standin' };
  // Its own process group, so that SIGINT reaches it as a terminal's Ctrl-C does.
  demo = spawn('npx', ['tsx', 'demo/demo.ts'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  demo.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
  demo.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  ended = new Promise((resolve) => demo.once('close', () => resolve()));
  await waitFor('the demo to print its banner', async () => {
    if (demo.exitCode !== null) throw new Error(`the demo ended (${demo.exitCode}): ${errors}\n${printed}`);
    return printed.includes('Press Ctrl-C to stop everything.');
  }, 480_000);
}, 600_000);

/** Ctrl-C, as a terminal sends it: to the demo's whole process group. */
function interrupt(): void {
  try {
    process.kill(-demo.pid!, 'SIGINT');
  } catch {
    // Already gone.
  }
}

afterAll(async () => {
  if (demo) {
    interrupt();
    await ended;
  }
  await down(STACK);
}, 120_000);

describe('the things to try, pasted as printed', () => {
  it('each step shows what it claims, one after another, and Ctrl-C stops the demo', async () => {
    const printedSteps = steps(printed);
    expect([...printedSteps.keys()]).toEqual([1, 2, 3, 4, 5]);
    const run = async (n: number) => {
      const result = await paste(printedSteps.get(n)!);
      expect(result.code, `step ${n}:\n${printedSteps.get(n)}\n${result.out}`).toBe(0);
      return result.out;
    };
    const [first, second, third] = ['CRM-1001', 'CRM-1002', 'CRM-1003'].map(orderFor) as [number, number, number];

    // 1. The CRM's change reaches the shop.
    // WooCommerce adds `_links` after the fields asked for.
    expect(await run(1)).toContain(`{"id":${first},"status":"processing"`);
    expect(statusOf(first)).toBe('processing');

    // 2. A burst through a flaky CRM: applied once, duplicates recorded as such, and the knobs are back.
    await run(2);
    expect(statusOf(second)).toBe('completed');
    const burst = logOf('CRM-1002').filter((r) => r.event_id === 'evt_CRM-1002_v1');
    const count = (decision: string) => burst.filter((r) => r.decision === decision).length;
    expect({ accepted: count('accepted'), duplicate: count('duplicate'), applied: count('applied') }).toEqual({ accepted: 1, duplicate: 2, applied: 1 });
    expect(await (await fetch(`${crmUrl()}/admin/knobs`)).json()).toMatchObject({ errorRate: 0, duplicates: 1, failNext: 0, rateLimitRate: 0 });

    // 3. Shipped is applied first, then the move back to paid is refused (not found stale).
    expect(await run(3)).toContain('"message":"Moving from completed to processing goes backwards');
    expect(statusOf(third)).toBe('completed');
    const backward = logOf('CRM-1003');
    expect(backward.filter((r) => r.event_id === 'evt_CRM-1003_v1').map((r) => r.decision)).toContain('applied');
    const refusal = backward.filter((r) => r.event_id === 'evt_CRM-1003_v2').map((r) => r.decision);
    expect(refusal).toContain('refused');
    expect(refusal).not.toContain('stale');

    // 4. A new order reaches the CRM, signed and verified, and is linked to the record the CRM made.
    const created = /"orderId":(\d+),"verified":true/.exec(await run(4));
    expect(created).not.toBeNull();
    const newOrder = Number(created![1]);
    const webhooks = (await (await fetch(`${crmUrl()}/admin/webhooks?order_id=${newOrder}`)).json()) as { type: string; verified: boolean }[];
    expect(webhooks).toContainEqual(expect.objectContaining({ type: 'order.created', verified: true }));
    const crmRecords = (await (await fetch(`${crmUrl()}/admin/orders`)).json()) as { crm_order_id: string; woo_order_id: number | null }[];
    const record = crmRecords.find((o) => o.woo_order_id === newOrder);
    expect(record).toBeDefined();
    await waitFor('the new order to be linked', async () => php(`echo wp_json_encode( \\CrmBridge\\Links::crm_order_for( ${newOrder} ) );`) === record!.crm_order_id);

    // 5. The lost cancellation is repaired by reconcile, which exits 0.
    const reconciled = await run(5);
    expect(reconciled).toMatch(/errors\s+0/);
    expect(statusOf(first)).toBe('cancelled');
    expect(logOf('CRM-1001').filter((r) => r.event_id.startsWith('reconcile:')).map((r) => r.decision)).toEqual(['applied']);

    // Ctrl-C: the demo stops everything it started and ends.
    const { mariadb } = readState(STACK)!;
    const wordpress = site();
    interrupt();
    await ended;
    expect(printed).toMatch(/stopping…\nstopped\.\n$/);
    expect(ownsProcess(mariadb.pid, mariadb.datadir)).toBe(false);
    expect(ownsProcess(wordpress.pid, wordpress.dir)).toBe(false);
  }, 600_000);
});
