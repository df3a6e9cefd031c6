// "Test connection" in a real browser: it tests the values on the screen before they are saved, shows
// what the sidecar read (status, version, the WooCommerce status it maps to) or the step that failed,
// and the result goes away when a connection setting changes. Writes the README's screenshot.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loggedInPage } from '../support/browser.ts';
import { closePools, site } from '../support/stack.ts';
import { CRM_TOKEN, configureCrm } from '../support/incoming.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { startCrmSimulator, type CrmSimulator } from '../crm-simulator/simulator.ts';
import { ROOT } from '../stack/paths.ts';

const ORDER = 'CRM-E2E-TEST-1';
let crm: CrmSimulator;
let sidecar: RunningSidecar;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  crm = await startCrmSimulator({ token: CRM_TOKEN });
  crm.orders.set(ORDER, { crm_order_id: ORDER, status: 'shipped', version: 4, updated_at: new Date().toISOString(), woo_order_id: null });
  configureCrm(crm.url);
  sidecar = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_SETTINGS_TTL_MS: '0' }));
  browser = await launchBrowser();
  page = await loggedInPage(browser, site());
});
afterAll(async () => {
  await browser?.close();
  await sidecar?.stop();
  await crm?.close();
  configureCrm('http://127.0.0.1:9');
  await closePools();
});

const control = (path: string) => page.locator(`[data-field="${path}"]`).locator('input, select, textarea').first();
const result = () => page.getByTestId('connection-test');
const runTest = async () => {
  await page.getByRole('button', { name: 'Test connection' }).click();
  // The answer replaces the "asking" notice.
  await result().locator('.components-notice.is-success, .components-notice.is-error').waitFor({ timeout: 20_000 });
};

describe('test connection on the settings page', () => {
  it('tests the unsaved order URL template, names the failing step, shows what it read, and clears on change', async () => {
    await page.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=settings`);
    await page.locator('[data-section="connection"]').waitFor();
    await control('crm_order_id').fill(ORDER);

    // A wrong template, typed and not saved: a red result naming HTTP 404 and the URL asked.
    await control('crm.order_url_template').fill('/api/orders/{crm_order_id}');
    await runTest();
    expect(await result().textContent()).toContain(`Failed at: HTTP status. HTTP 404: the CRM has no order ${ORDER} at ${crm.url}/api/orders/${ORDER}`);

    // Any change to a connection setting takes the stale result away.
    await control('crm.order_url_template').fill('/orders/{crm_order_id}');
    await result().waitFor({ state: 'detached' });

    // The right template: green, with the order's status, version and the WooCommerce status it maps to.
    await runTest();
    expect(await result().locator('.components-notice').getAttribute('class')).toContain('is-success');
    const detail = result().getByTestId('connection-test-detail');
    expect(await detail.innerText()).toMatch(/CRM status\s+shipped[\s\S]*Version\s+4[\s\S]*WooCommerce status\s+completed/);
    await detail.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'connection-test.png') });

    // Any other connection setting clears it as well.
    await control('crm.timeout_ms').fill('3000');
    await result().waitFor({ state: 'detached' });
  });
});
