// The admin screen in a real browser: under the WooCommerce menu, rendered by the built React app.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, loggedInPage, screenshot } from '../support/browser.ts';
import { closePools, dbPool, describeEachWordPress, site } from '../support/stack.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await closePools();
});

describeEachWordPress('admin screen', (version) => {
  it('sits under WooCommerce, shows the health of a running sidecar and notices when it stops', async () => {
    const s = site(version);
    // Replicas killed by earlier tests leave heartbeats that look alive for 30 s: start clean.
    await dbPool(s).query(`DELETE FROM ${s.tablePrefix}crm_bridge_sidecars`);
    const sidecar: RunningSidecar = await startSidecar(sidecarEnv(s, { CRM_BRIDGE_HEARTBEAT_SECONDS: '0.5' }));
    try {
      const page = await loggedInPage(browser, s);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${s.url}/wp-admin/`);
      const menuLink = page.locator('#toplevel_page_woocommerce a[href="admin.php?page=crm-bridge"]');
      await expect(menuLink.count()).resolves.toBe(1);
      await page.hover('#toplevel_page_woocommerce');
      await menuLink.click();
      await page.getByRole('heading', { name: 'CRM Bridge', level: 1 }).waitFor();
      await page.getByTestId('health').getByText('Sidecar online').waitFor();
      await expect(page.getByRole('cell', { name: sidecar.workerId }).count()).resolves.toBe(1);
      await page.getByTestId('queues').getByRole('row', { name: /From the CRM/ }).waitFor();
      await screenshot(page, `admin-health-wp${version}`);
      expect(errors).toEqual([]);

      // The sidecar stops: the health view says so.
      await sidecar.stop();
      await page.reload();
      await page.getByTestId('health').getByText(/^Sidecar offline/).waitFor();
      await expect(page.getByRole('cell', { name: sidecar.workerId }).count()).resolves.toBe(0);
      await page.context().close();
    } finally {
      await sidecar.stop();
    }
  });
});
