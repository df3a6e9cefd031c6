// The admin views in a real browser: settings with write-only secrets, the sync log, dead letters.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loggedInPage, screenshot } from '../support/browser.ts';
import { adminSession, closePools, dbPool, ensureUser, rest, site, wpEval } from '../support/stack.ts';
import { startReceiver } from '../support/receiver.ts';
import { sidecarEnv, startSidecar } from '../support/sidecar.ts';
import { waitFor } from '../stack/system.ts';
import { setConfigFlag } from '../stack/wordpress.ts';
import { ROOT } from '../stack/paths.ts';
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

/** A dead letter in the inbox, as the sidecar leaves one after a permanent failure. */
async function deadLetter(prefix: string, reason: string): Promise<string> {
  const eventId = unique(prefix);
  await dbPool().query(
    `INSERT INTO wp_crm_bridge_inbox (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at, finished_at, last_error_class, last_error)
     VALUES (?, 'order.status_changed', 'DL-1', '{}', 'dead', 1, NOW(3), NOW(3), NOW(3), 'permanent', ?)`,
    [eventId, reason],
  );
  return eventId;
}

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
    await page.locator('.crm-bridge-admin').getByText('Enter a path on the CRM API that starts with / and contains {crm_order_id}, such as /orders/{crm_order_id}.').waitFor();
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

  it('offers the server’s WooCommerce statuses, a custom one included, and checks a JSON path before saving', async () => {
    const muPlugin = join(site().dir, 'wp-content', 'mu-plugins', 'crm-bridge-test-custom-status.php');
    writeFileSync(muPlugin, `<?php\nadd_filter( 'wc_order_statuses', static fn( $s ) => $s + array( 'wc-awaiting-pickup' => 'Awaiting pickup' ) );\n`);
    try {
      await open('settings');
      const firstStatus = page.locator('.crm-bridge-mapping-row').first().getByLabel('WooCommerce status');
      await firstStatus.locator('option', { hasText: 'Awaiting pickup' }).waitFor({ state: 'attached' });
      await page.getByLabel('Path to version').fill('$.data[0].version');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.locator('.crm-bridge-admin').getByText(/^Enter a dotted JSON path such as data\.status/).waitFor();
      await page.getByLabel('Path to version').fill('version');
      await firstStatus.selectOption('awaiting-pickup');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.locator('.crm-bridge-admin').getByText('Settings saved.').waitFor();
      const stored = JSON.parse(wpEval(`echo get_option( 'crm_bridge_settings' );`)) as { mapping: Record<string, string> };
      expect(Object.values(stored.mapping)).toContain('awaiting-pickup');
    } finally {
      wpEval(`\\CrmBridge\\Settings::update( array( 'mapping' => \\CrmBridge\\Settings::defaults()['mapping'] ) );`);
      rmSync(muPlugin, { force: true });
    }
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
    await row.first().getByRole('button', { name: 'Details' }).click();
    await page.getByText('Raw JSON').click();
    await page.getByTestId('log-payload').getByText(/order\.status_changed/).waitFor();
    await screenshot(page, 'admin-log');
  });

  it('creates a subscription (errors on the right field, secret shown once) and sends a test event that the sync log shows', async () => {
    const receiver = await startReceiver();
    const sidecar = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_POLL_MS: '50' }));
    try {
      await open('subscriptions');
      await page.getByRole('button', { name: 'Add subscription' }).click();
      const name = unique('Fulfilment');
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Endpoint URL').fill('ftp://fulfilment.example/hook');
      await page.getByRole('button', { name: 'Save subscription' }).click();
      await page.locator('.crm-bridge-admin').getByText('Enter an http:// or https:// URL of at most 2048 characters.').waitFor();
      await page.getByLabel('Endpoint URL').fill(receiver.url);
      await page.getByRole('button', { name: 'Save subscription' }).click();
      receiver.secret = (await page.getByTestId('subscription-secret').textContent()) ?? '';
      expect(receiver.secret).toMatch(/^whsec_/);
      const row = page.getByTestId('subscriptions').getByRole('row').filter({ hasText: name });
      await row.getByRole('button', { name: 'Send test event' }).click();
      await page.locator('.crm-bridge-admin').getByText(`Test event queued for ${name}.`).waitFor();
      await waitFor('the test event', async () => receiver.received.some((m) => m.body.type === 'test')).catch(async (err: Error) => {
        // What the queue and the sidecar say, so that a miss can be told apart from a slow stack.
        const [rows] = await dbPool().query(
          'SELECT o.id, o.status, o.attempts, o.run_after, o.locked_by, o.last_status_code, o.last_error_class, o.last_error FROM wp_crm_bridge_outbox o JOIN wp_crm_bridge_subscriptions s ON s.id = o.subscription_id WHERE s.name = ?',
          [name],
        );
        throw new Error(`${err.message}\noutbox rows of ${name}: ${JSON.stringify(rows)}\nthe sidecar's last output:\n${sidecar.output().slice(-4000)}`);
      });
      expect(receiver.received.find((m) => m.body.type === 'test')!.verified).toBe(true);
      await screenshot(page, 'admin-subscriptions');
      await open('subscriptions');
      expect(await page.content()).not.toContain(receiver.secret);
      await open('log');
      await page.getByLabel('Decision').selectOption('delivered');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByTestId('log').getByRole('row').filter({ hasText: 'delivered' }).first().waitFor();
    } finally {
      await sidecar.stop();
      await receiver.close();
      wpEval(`foreach ( \\CrmBridge\\Subscriptions::all() as $s ) { \\CrmBridge\\Subscriptions::delete( $s['id'] ); }`);
    }
  });

  it('replays a dead letter', async () => {
    const eventId = await deadLetter('dead', 'unmapped_status: lost');
    await open('dead-letters');
    const row = page.getByTestId('dead-letters').getByRole('row').filter({ hasText: eventId });
    await row.waitFor();
    await screenshot(page, 'admin-dead-letters');
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'dead-letters.png') });
    await row.getByRole('button', { name: `Replay event ${eventId}` }).click();
    // Queued is all the answer can say: the event's fate is shown once the sidecar has handled it.
    await page.getByTestId('dead-letters-outcome').getByText('1 event queued for another try; waiting for the sidecar to handle it…').waitFor();
    const [rows] = await dbPool().query('SELECT status FROM wp_crm_bridge_inbox WHERE event_id = ?', [eventId]);
    expect((rows as { status: string }[])[0]!.status).not.toBe('dead');
  });

  it('discards a dead letter after a confirmation', async () => {
    const eventId = await deadLetter('discard', 'crm_order_not_found: gone');
    await open('dead-letters');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: `Discard event ${eventId}` }).click();
    await page.locator('.crm-bridge-admin').getByText('1 event discarded.').waitFor();
    const [rows] = await dbPool().query('SELECT id FROM wp_crm_bridge_inbox WHERE event_id = ?', [eventId]);
    expect(rows).toEqual([]);
  });

  it('tells the administrator that a new CRM host needs the token again', async () => {
    await open('settings');
    await page.getByLabel('CRM API base URL').fill('https://crm-moved.example.test/api');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.crm-bridge-admin').getByText(/the stored CRM API token was removed/).waitFor();
    await page.getByTestId('crm-token-state').getByText('Not set.').waitFor();
  });

  it('lists the audit trail, newest first, with what changed', async () => {
    await rest('/crm-bridge/v1/admin/settings', { method: 'PUT', session: await adminSession(), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings: { retention_days: 44 } }) });
    await open('audit');
    const first = page.getByTestId('audit').getByRole('row').nth(1);
    await first.getByText('settings.updated').waitFor();
    await first.getByText(/retention_days: \d+ → 44/).waitFor();
    expect(await first.getByRole('cell').nth(1).textContent()).toBe(site().adminUser);
    await screenshot(page, 'admin-audit');
    await rest('/crm-bridge/v1/admin/settings', { method: 'PUT', session: await adminSession(), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings: { retention_days: 30 } }) });
  });

  it('shows a sidecar’s warnings as a notice on that replica', async () => {
    const workerId = unique('sidecar-warned');
    const warning = 'the database user has more privileges than the sidecar needs: DROP, ALTER';
    await dbPool().query(
      `INSERT INTO ${site().tablePrefix}crm_bridge_sidecars (worker_id, version, hostname, started_at, heartbeat_at, info) VALUES (?, '0.1.0', 'test-host', UTC_TIMESTAMP(), UTC_TIMESTAMP(), ?)`,
      [workerId, JSON.stringify({ open_circuits: [], warnings: [warning] })],
    );
    try {
      await open('health');
      const notice = page.locator(`[data-testid="sidecar-warnings"][data-worker="${workerId}"]`);
      await notice.waitFor();
      expect(await notice.textContent()).toContain(warning);
      // Right under its own replica's row.
      const replica = page.getByRole('row').filter({ has: page.getByRole('cell', { name: workerId, exact: true }) });
      expect(await replica.locator('xpath=following-sibling::tr[1]').getByTestId('sidecar-warnings').getAttribute('data-worker')).toBe(workerId);
      await screenshot(page, 'admin-health-warnings');
    } finally {
      await dbPool().query(`DELETE FROM ${site().tablePrefix}crm_bridge_sidecars WHERE worker_id = ?`, [workerId]);
    }
  });

  it('shows a shop manager only health, the log, deliveries and dead letters, and says who manages settings', async () => {
    ensureUser('crm-bridge-e2e-manager', 'shop_manager', 'e2e-manager-password-1');
    const manager = await loggedInPage(browser, site(), 'crm-bridge-e2e-manager', 'e2e-manager-password-1');
    try {
      await manager.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=settings`);
      await manager.getByRole('heading', { name: 'CRM Bridge', level: 1 }).waitFor();
      await manager.locator('#crm-bridge-admin').getByText('Settings, subscriptions and the audit trail are managed by an administrator.').waitFor();
      const tabs = await manager.getByRole('tab').allTextContents();
      expect(tabs).toEqual(['Health', 'Sync log', 'Dead letters', 'Deliveries']);
      expect(await manager.getByLabel('CRM API base URL').count()).toBe(0);
      await manager.getByRole('tab', { name: 'Dead letters' }).click();
      await manager.getByTestId('dead-letters').waitFor();
      await screenshot(manager, 'admin-shop-manager');
    } finally {
      await manager.context().close();
    }
  });

  it('says what to add to wp-config.php when secrets cannot be stored, on the settings page and the subscription form', async () => {
    setConfigFlag(site(), 'production', true);
    setConfigFlag(site(), 'encryptionKey', true, '');
    try {
      await open('settings');
      expect(await page.getByTestId('encryption-problem').textContent()).toContain("define( 'CRM_BRIDGE_ENCRYPTION_KEY'");
      await open('subscriptions');
      await page.getByRole('button', { name: 'Add subscription' }).click();
      await page.getByLabel('Name').fill(unique('No key'));
      await page.getByLabel('Endpoint URL').fill('https://93.184.215.14/hook');
      await page.getByRole('button', { name: 'Save subscription' }).click();
      expect(await page.getByTestId('subscription-secret-error').textContent()).toContain("define( 'CRM_BRIDGE_ENCRYPTION_KEY'");
    } finally {
      setConfigFlag(site(), 'production', false);
      setConfigFlag(site(), 'encryptionKey', false);
    }
  });
});
