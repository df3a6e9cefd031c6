// One order's story in a real browser: the order box's link opens the sync log filtered to the order,
// with what came from the CRM and what went to subscribers together, times in the site's time zone
// with UTC on hover, an entry's labelled details with the raw JSON folded, and the CSV download.
// Its screenshot is the README's, written on every run so that it is never stale.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loggedInPage } from '../support/browser.ts';
import { closePools, dbPool, site, wpEval } from '../support/stack.ts';
import { createOrders, unique } from '../support/incoming.ts';
import { ROOT } from '../stack/paths.ts';

const table = (name: string) => `${site().tablePrefix}crm_bridge_${name}`;

let browser: Browser;
let page: Page;
let timezone: string;
beforeAll(async () => {
  browser = await launchBrowser();
  page = await loggedInPage(browser, site());
  timezone = wpEval(`echo get_option( 'timezone_string' );`);
  // A site time zone far from UTC, so that local and UTC times differ visibly.
  wpEval(`update_option( 'timezone_string', 'Asia/Tokyo' );`);
});
afterAll(async () => {
  wpEval(`update_option( 'timezone_string', ${JSON.stringify(timezone)} );`);
  await browser?.close();
  await closePools();
});

/** A linked order with a CRM event (accepted before its order was known, then applied) and a delivery. */
async function orderWithStory(): Promise<{ orderId: number; crmId: string; subName: string }> {
  const [orderId] = createOrders(['pending']);
  const crmId = unique('E2E-STORY');
  wpEval(`\\CrmBridge\\Links::save( ${JSON.stringify(crmId)}, ${orderId}, null );`);
  const subName = unique('Warehouse');
  const [sub] = await dbPool().query(
    `INSERT INTO ${table('subscriptions')} (name, url, topics, status_filter, payload_mode, secret, secret_rotated_at, is_crm, active, created_at, updated_at) VALUES (?, 'http://127.0.0.1:9/hook', 'order.status_changed', '', 'full', 'x', NOW(3), 0, 1, NOW(3), NOW(3))`,
    [subName],
  );
  const subId = (sub as { insertId: number }).insertId;
  const eventId = unique('evt-e2e-story');
  const webhookId = `msg_${unique('e2estory').replaceAll('-', '')}`;
  await dbPool().query(
    `INSERT INTO ${table('inbox')} (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at, finished_at) VALUES (?, 'order.status_changed', ?, ?, 'done', 1, NOW(3), NOW(3), NOW(3))`,
    [eventId, crmId, JSON.stringify({ type: 'order.status_changed', data: { crm_order_id: crmId, status: 'paid', version: 2 } })],
  );
  await dbPool().query(
    `INSERT INTO ${table('outbox')} (webhook_id, subscription_id, order_id, topic, order_version, payload, status, attempts, run_after, created_at) VALUES (?, ?, ?, 'order.status_changed', 'v', '{"type":"order.status_changed"}', 'done', 1, NOW(3), NOW(3))`,
    [webhookId, subId, orderId],
  );
  await dbPool().query(
    `INSERT INTO ${table('log')} (created_at, direction, decision, order_id, crm_order_id, event_id, subscription_id, attempt, from_status, to_status, latency_ms, message, detail) VALUES
      ('2026-01-15 23:30:00', 'in', 'accepted', NULL, ?, ?, NULL, 0, NULL, NULL, NULL, NULL, NULL),
      ('2026-01-15 23:30:01', 'in', 'applied', ?, ?, ?, NULL, 1, 'pending', 'processing', 120, NULL, '{"crm_version":2}'),
      ('2026-01-15 23:30:02', 'out', 'delivered', ?, NULL, ?, ?, 1, NULL, NULL, 45, NULL, '{"status_code":200,"topic":"order.status_changed"}')`,
    [crmId, eventId, orderId, crmId, eventId, orderId, webhookId, subId],
  );
  return { orderId: orderId!, crmId, subName };
}

describe('one order’s story', () => {
  it('opens from the order box, shows both directions in local time, labelled details and a CSV download', async () => {
    const { orderId, crmId, subName } = await orderWithStory();
    // The order box as WooCommerce's order screen prints it: its link opens the story.
    const box = wpEval(`wp_set_current_user( 1 ); \\CrmBridge\\Admin\\OrderBox::render( wc_get_order( ${orderId} ) );`);
    const href = /<a href="([^"]+)">Open this order in the sync log<\/a>/.exec(box)?.[1]?.replaceAll('&#038;', '&');
    expect(href).toBe(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=log&order=${orderId}`);
    await page.goto(href!);

    const log = page.getByTestId('log');
    const rows = log.locator('tbody tr[data-log-id]');
    await rows.first().waitFor();
    expect(await page.getByLabel('Order', { exact: true }).inputValue()).toBe(String(orderId));
    expect(await rows.count()).toBe(3);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-direction')))).toEqual(['out', 'in', 'in']);
    const delivered = rows.nth(0);
    expect(await delivered.textContent()).toContain(`${subName} · order.status_changed`);
    expect(await rows.nth(2).textContent()).toContain('← from the CRM: accepted');
    expect(await rows.nth(2).textContent()).toContain(crmId);

    // Local time: the site's zone (Tokyo, UTC+9) in the cell and the header, UTC in the title.
    expect(await log.locator('thead').textContent()).toContain('Time (Asia/Tokyo)');
    const time = delivered.locator('time');
    expect(await time.getAttribute('title')).toBe('2026-01-15 23:30:02.000 UTC');
    expect(await time.textContent()).toMatch(/Jan 16, 2026/);
    expect(await time.textContent()).toMatch(/8:30:02/);

    // "#3" typed as WooCommerce prints order numbers gives the same rows, and the URL keeps the filter.
    await page.getByLabel('Order', { exact: true }).fill(`#${orderId}`);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('order')).toBe(`#${orderId}`);
    await expect.poll(() => rows.count()).toBe(3);

    // Details: labelled fields, the raw JSON folded until asked for.
    await rows.nth(1).getByRole('button', { name: 'Details' }).click();
    const detail = page.getByTestId('log-entry-detail');
    await detail.waitFor();
    const fields = Object.fromEntries(
      await detail.locator('dl > div').evaluateAll((divs) => divs.map((d) => [d.querySelector('dt')?.textContent ?? '', d.querySelector('dd')?.textContent ?? ''])),
    );
    expect(fields).toMatchObject({ Decision: 'applied', Order: `#${orderId}`, 'CRM order': crmId, Topic: 'order.status_changed', 'Status change': 'pending → processing', 'CRM version': '2', Latency: '120 ms' });
    expect(await page.getByTestId('log-payload').isVisible()).toBe(false);
    await detail.getByText('Raw JSON').click();
    expect(await page.getByTestId('log-payload').textContent()).toContain('"status": "paid"');

    // README screenshot: the story with one entry open.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.setViewportSize({ width: 1280, height: await page.evaluate(() => document.documentElement.scrollHeight) });
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'sync-log.png') });

    // CSV of the same rows.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`crm-bridge-sync-log-order-${orderId}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8').trimEnd().split('\n');
    expect(csv[0]).toMatch(/^id,time_utc,direction,decision,/);
    expect(csv.slice(1).map((l) => l.split(',')[3])).toEqual(['delivered', 'applied', 'accepted']);
  });
});
