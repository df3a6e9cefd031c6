// The Deliveries and Dead letters tabs in a real browser, with a running sidecar and webhook receivers on
// loopback: a delivery's attempts (request and answer), resend, bulk replay and discard of dead ones;
// dead letters with their dates, reason and log link, a replay that fails again said so, bulk select.
// The Deliveries screenshot is the README's, written on every run.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loggedInPage } from '../support/browser.ts';
import { adminSession, closePools, dbPool, rest, site, wpEval, type Session } from '../support/stack.ts';
import { configureCrm, createOrders, unique } from '../support/incoming.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { startReceiver, type TestReceiver } from '../support/receiver.ts';
import { waitFor } from '../stack/system.ts';
import { ROOT } from '../stack/paths.ts';

const table = (name: string) => `${site().tablePrefix}crm_bridge_${name}`;

let browser: Browser;
let page: Page;
let admin: Session;
let sidecar: RunningSidecar;
const receivers: TestReceiver[] = [];
const subscriptions: number[] = [];

async function subscribed(script: number[]): Promise<{ r: TestReceiver; name: string; id: number }> {
  const r = await startReceiver();
  receivers.push(r);
  r.script = script;
  const name = unique('hooks');
  const res = await rest('/crm-bridge/v1/admin/subscriptions', {
    method: 'POST',
    session: admin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, url: r.url, topics: ['order.created'] }),
  });
  expect(res.status).toBe(201);
  const sub = (await res.json()) as { id: number; secret: string };
  r.secret = sub.secret;
  subscriptions.push(sub.id);
  return { r, name, id: sub.id };
}

const outbox = async (webhookIds?: string[], subscriptionIds: number[] = subscriptions) =>
  (
    await dbPool().query(
      `SELECT id, webhook_id, status, attempts FROM ${table('outbox')} WHERE subscription_id IN (?) ${webhookIds ? 'AND webhook_id IN (?)' : ''} ORDER BY id`,
      webhookIds ? [subscriptionIds, webhookIds] : [subscriptionIds],
    )
  )[0] as {
    id: number;
    webhook_id: string;
    status: string;
    attempts: number;
  }[];

const openTab = async (tab: string) => {
  await page.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=${tab}`);
  await page.getByRole('heading', { name: 'CRM Bridge', level: 1 }).waitFor();
};

beforeAll(async () => {
  admin = await adminSession();
  configureCrm('http://127.0.0.1:9', {
    retry: { max_attempts: 1, base_delay_ms: 50, max_delay_ms: 100 },
  });
  wpEval(`\\CrmBridge\\Settings::update( array( 'outgoing' => array( 'max_attempts' => 2, 'base_delay_ms' => 100, 'max_delay_ms' => 200 ) ) );`);
  sidecar = await startSidecar(
    sidecarEnv(undefined, {
      CRM_BRIDGE_POLL_MS: '50',
      CRM_BRIDGE_SETTINGS_TTL_MS: '0',
    }),
  );
  browser = await launchBrowser();
  page = await loggedInPage(browser, site());
});
afterAll(async () => {
  await browser?.close();
  await sidecar?.stop();
  for (const id of subscriptions) wpEval(`\\CrmBridge\\Subscriptions::delete( ${id} );`);
  await Promise.all(receivers.map((r) => r.close()));
  configureCrm('http://127.0.0.1:9');
  await closePools();
});

describe('deliveries tab', () => {
  it('shows a delivery with its two attempts, request and answer, and resends it under the same webhook id', async () => {
    const { r, name } = await subscribed([500]);
    const [orderId] = createOrders(['pending']);
    await waitFor('delivered on the second attempt', async () => (await outbox()).some((o) => o.status === 'done' && o.attempts === 2));
    const [delivery] = await outbox();

    await openTab('deliveries');
    await page.getByLabel('Subscription').selectOption({ label: name });
    const row = page.getByTestId(`delivery-${delivery!.id}`);
    await row.getByText('Delivered').waitFor();
    expect(await row.getByRole('cell').nth(1).textContent()).toBe(name);
    // The order's own edit screen: admin.php?page=wc-orders&action=edit&id=N with HPOS, post.php?post=N&action=edit without.
    expect(await row.getByRole('link', { name: `#${orderId}` }).getAttribute('href')).toMatch(new RegExp(`[?&](id|post)=${orderId}(&|$)`));
    await row.getByRole('button', { name: 'Attempts' }).click();
    const detail = page.getByTestId('delivery-detail');
    await detail.getByTestId('delivery-attempt').nth(1).waitFor();
    expect(await detail.getByTestId('delivery-attempt').count()).toBe(2);
    const [first, second] = [detail.getByTestId('delivery-attempt').nth(0), detail.getByTestId('delivery-attempt').nth(1)];
    expect(await first.getByTestId('answer-status').textContent()).toBe('500');
    expect(await second.getByTestId('answer-status').textContent()).toBe('200');
    await first.getByText('HTTP status (not 2xx)').waitFor();
    await first.getByRole('rowheader', { name: 'webhook-signature' }).waitFor();
    expect(
      await first
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: 'webhook-id' }) })
        .textContent(),
    ).toContain(delivery!.webhook_id);
    await first.getByText(`POST ${new URL(r.url).origin}/…`).waitFor();
    await first.getByText('Duration').waitFor();
    expect(JSON.parse((await detail.getByTestId('delivery-body').textContent()) ?? '')).toMatchObject({
      type: 'order.created',
      data: { order: { id: orderId } },
    });
    expect(await page.content()).not.toContain(r.secret.replace(/^whsec_/, ''));
    await page.screenshot({
      path: join(ROOT, 'docs', 'screenshots', 'deliveries.png'),
      fullPage: true,
    });

    await row.getByRole('button', { name: `Resend delivery ${delivery!.webhook_id}` }).click();
    await page.getByTestId('deliveries-outcome').getByText('1 delivery queued to be sent again; its state below shows how it goes.').waitFor();
    await waitFor('the resend received', async () => r.received.filter((m) => m.id === delivery!.webhook_id).length === 3);
    expect(r.received.filter((m) => m.id === delivery!.webhook_id).every((m) => m.verified)).toBe(true);
  });

  it('bulk-replays dead deliveries, then discards the selected one', async () => {
    const { r, name, id } = await subscribed(Array(40).fill(503));
    createOrders(['pending', 'pending']);
    // Two orders make at least two deliveries (WooCommerce may save an order more than once as it
    // is created); all of this subscription's end dead.
    await waitFor('every delivery dead', async () => {
      const rows = await outbox(undefined, [id]);
      return rows.length >= 2 && rows.every((o) => o.status === 'dead');
    });
    const dead = await outbox(undefined, [id]);
    const n = dead.length;
    await openTab('deliveries');
    await page.getByLabel('State').selectOption('dead');
    await page.getByLabel('Subscription').selectOption({ label: name });
    const rows = page.getByTestId('deliveries').locator('tbody tr');
    // Only once the list holds this subscription's dead deliveries alone: a box checked in a list that is
    // then replaced would not stay checked.
    const listed = async () => `${await rows.count()}/${(await rows.allTextContents()).filter((t) => t.includes(name) && t.includes('Dead')).length}`;
    await expect.poll(listed, { timeout: 15_000 }).toBe(`${n}/${n}`);
    const received = r.received.length;
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    await page.getByRole('button', { name: 'Replay selected' }).click();
    await page.getByTestId('deliveries-outcome').getByText(`${n} deliveries queued to be sent again; their states below show how they go.`).waitFor();
    await waitFor('all sent again', async () => r.received.length >= received + n);
    await waitFor('all dead again', async () => (await outbox(dead.map((d) => d.webhook_id))).every((o) => o.status === 'dead'));

    await page.reload();
    await page.getByLabel('State').selectOption('dead');
    await page.getByLabel('Subscription').selectOption({ label: name });
    await expect.poll(listed, { timeout: 15_000 }).toBe(`${n}/${n}`);
    await page.getByRole('checkbox', { name: `Select delivery ${dead[0]!.webhook_id}` }).check();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Discard selected' }).click();
    await page.getByTestId('deliveries-outcome').getByText('1 delivery discarded.').waitFor();
    expect((await outbox(dead.map((d) => d.webhook_id))).map((o) => o.webhook_id)).toEqual(dead.slice(1).map((d) => d.webhook_id));
  });
});

describe('dead letters tab', () => {
  async function deadLetter(): Promise<string> {
    const eventId = unique('dead');
    await dbPool().query(
      `INSERT INTO ${table('inbox')} (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at, finished_at, last_error_class, last_error)
       VALUES (?, 'order.status_changed', 'DL-9', '{"type":"order.status_changed","data":{"crm_order_id":"DL-9","status":"paid","version":1}}', 'dead', 1, NOW(3), NOW(3), NOW(3), 'permanent', 'unmapped_status: lost')`,
      [eventId],
    );
    return eventId;
  }

  it('shows dates, reason and a log link; a replay that fails again says so; bulk discard', async () => {
    const [a, b, c] = [await deadLetter(), await deadLetter(), await deadLetter()];
    await openTab('dead-letters');
    const row = page.getByTestId('dead-letters').getByRole('row').filter({ hasText: a });
    await row.getByText('unmapped_status: lost').waitFor();
    expect(await row.getByRole('cell').nth(3).getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d.* UTC$/);

    // The CRM cannot be reached: the replayed event dies again, and the screen says so.
    await row.getByRole('button', { name: `Replay event ${a}` }).click();
    await page.getByTestId('dead-letters-outcome').getByText('1 event queued for another try; waiting for the sidecar to handle it…').waitFor();
    await page
      .getByTestId('dead-letters-outcome')
      .getByText(/^1 of 1 replayed events failed again: /)
      .waitFor({ timeout: 30_000 });
    expect(await page.getByText(/event replayed|events replayed/).count()).toBe(0);

    // Its log rows: the Sync log tab, filtered by its event id.
    await page.getByTestId('dead-letters').getByRole('link', { name: a }).click();
    await page.getByRole('heading', { name: 'Sync log' }).waitFor();
    expect(await page.getByLabel('Event id').inputValue()).toBe(a);
    await page.getByTestId('log').getByRole('row').filter({ hasText: 'dead' }).first().waitFor();

    // Bulk select: two discarded at once.
    await openTab('dead-letters');
    for (const id of [b, c]) await page.getByRole('checkbox', { name: `Select event ${id}` }).check();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Discard selected' }).click();
    await page.getByTestId('dead-letters-outcome').getByText('2 events discarded.').waitFor();
    const [left] = await dbPool().query(`SELECT event_id FROM ${table('inbox')} WHERE event_id IN (?, ?)`, [b, c]);
    expect(left).toEqual([]);
  });
});
