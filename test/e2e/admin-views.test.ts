// The admin views in a real browser: settings with write-only secrets, the sync log, dead letters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loggedInPage, screenshot } from '../support/browser.ts';
import { adminSession, closePools, dbPool, rest, site } from '../support/stack.ts';
import { configureCrm, sendEvent, statusEvent, unique } from '../support/incoming.ts';

let browser: Browser;
let page: Page;
beforeAll(async () => {
  configureCrm('http://127.0.0.1:9');
  browser = await launchBrowser();
  page = await loggedInPage(browser, site());
});
afterAll(async () => {
  await browser?.close();
  configureCrm('http://127.0.0.1:9');
  await closePools();
});

const open = async (tab: string) => {
  await page.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=${tab}`);
  await page.getByRole('heading', { name: 'CRM Bridge', level: 1 }).waitFor();
};

describe('admin views', () => {
  it('saves the CRM connection, shows field errors, and never shows a secret twice', async () => {
    await open('settings');
    await page.getByLabel('CRM API base URL').fill('https://crm.example.test/api');
    await page.getByLabel('Order URL template').fill('/orders/by-id');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.crm-bridge-admin').getByText('The template must contain {crm_order_id}.').waitFor();
    await page.getByLabel('Order URL template').fill('/v2/orders/{crm_order_id}');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.crm-bridge-admin').getByText('Settings saved.').waitFor();

    const token = `tok-${unique('secret')}`;
    await page.getByLabel('New token').fill(token);
    await page.getByRole('button', { name: 'Save token' }).click();
    await page.getByTestId('crm-token-state').getByText(/^Set, last changed/).waitFor();
    await page.getByRole('button', { name: /^Rotate|^Generate/ }).click();
    const signing = (await page.getByTestId('shown-secret').textContent()) ?? '';
    expect(signing).toMatch(/^whsec_/);
    await screenshot(page, 'admin-settings');

    await open('settings');
    const html = await page.content();
    expect(html).not.toContain(token);
    expect(html).not.toContain(signing);
    expect(await page.getByLabel('CRM API base URL').inputValue()).toBe('https://crm.example.test/api');
    const api = await (await rest('/crm-bridge/v1/admin/settings', { session: await adminSession() })).text();
    expect(api).not.toContain(token);
    expect(api).not.toContain(signing.slice(6));
    expect(JSON.parse(api)).toMatchObject({ secrets: { crm_api_token: { set: true }, incoming_signing: { set: true } } });
  });

  it('filters the sync log by CRM order', async () => {
    configureCrm('http://127.0.0.1:9');
    const crmId = unique('LOGVIEW');
    expect((await sendEvent({ id: unique('evt'), body: statusEvent(crmId, 'paid', 1) })).status).toBe(202);
    await open('log');
    await page.getByLabel('CRM order').fill(crmId);
    await page.getByRole('button', { name: 'Filter' }).click();
    const row = page.getByTestId('log').getByRole('row').filter({ hasText: crmId });
    await row.first().waitFor();
    expect(await row.count()).toBeGreaterThanOrEqual(1);
    expect(await row.first().textContent()).toContain('accepted');
    await screenshot(page, 'admin-log');
  });

  it('replays a dead letter', async () => {
    const eventId = unique('dead');
    await dbPool().query(
      `INSERT INTO wp_crm_bridge_inbox (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at, finished_at, last_error_class, last_error)
       VALUES (?, 'order.status_changed', 'DL-1', '{}', 'dead', 3, NOW(3), NOW(3), NOW(3), 'permanent', 'unmapped_status: lost')`,
      [eventId],
    );
    await open('dead-letters');
    const row = page.getByTestId('dead-letters').getByRole('row').filter({ hasText: eventId });
    await row.waitFor();
    await screenshot(page, 'admin-dead-letters');
    await row.getByRole('button', { name: `Replay event ${eventId}` }).click();
    await page.locator('.crm-bridge-admin').getByText('1 event replayed.').waitFor();
    const [rows] = await dbPool().query('SELECT status FROM wp_crm_bridge_inbox WHERE event_id = ?', [eventId]);
    expect((rows as { status: string }[])[0]!.status).not.toBe('dead');
  });
});
