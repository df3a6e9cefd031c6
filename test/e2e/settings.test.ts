// The Settings tab in a real browser: every setting of the settings schema in its section with help and a
// README link, errors beside their field with focus on the first and nothing saved, no value clamped,
// the site's own order statuses in the mapping, and a valid change saved. Writes the README's screenshot.
import { rmSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loggedInPage } from '../support/browser.ts';
import { adminSession, closePools, ensureUser, rest, site, wpEval } from '../support/stack.ts';
import { configureCrm } from '../support/incoming.ts';
import { ROOT } from '../stack/paths.ts';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
}

/** Every setting's dotted path in plugin/settings.schema.json (the mapping is one setting: a map). */
function settingPaths(node: JsonSchema, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) =>
    child.type === 'object' && child.properties ? settingPaths(child, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}
const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'plugin', 'settings.schema.json'), 'utf8')) as JsonSchema;
/** Settings shown only in the mode that uses them. */
const CONDITIONAL = ['crm.auth_header', 'crm.basic_user', 'incoming.hmac_header', 'incoming.hmac_encoding', 'incoming.event_id_path'];

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

const openSettings = async () => {
  await page.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=settings`);
  await page.locator('[data-section="retention"]').waitFor();
};
const field = (path: string) => page.locator(`[data-field="${path}"]`);
const control = (path: string) => field(path).locator('input, select, textarea').first();
/** The dotted path of the field whose control has focus, or null. */
const focusedField = () => page.evaluate(() => document.activeElement?.closest('[data-field]')?.getAttribute('data-field') ?? null);
const storedSettings = async () => ((await (await rest('/crm-bridge/v1/admin/settings', { session: await adminSession() })).json()) as { settings: Record<string, unknown> }).settings;
const save = () => page.getByRole('button', { name: 'Save settings' }).click();

describe('settings page', () => {
  it('shows each section with its help and README link, and every setting the schema has', async () => {
    await openSettings();
    const sections = ['connection', 'signature', 'paths', 'mapping', 'lifecycle', 'retries', 'outgoing', 'retention'];
    expect(await page.locator('[data-section]').evaluateAll((els) => els.map((e) => e.getAttribute('data-section')))).toEqual(sections);
    for (const id of sections) {
      const section = page.locator(`[data-section="${id}"]`);
      expect((await section.locator('.crm-bridge-settings-help').textContent())?.length).toBeGreaterThan(40);
      const link = section.locator('.crm-bridge-settings-help a');
      expect(await link.textContent()).toMatch(/^README: \S/);
      // Every link points at the README's section by its heading's anchor, from the same address.
      expect(await link.getAttribute('href')).toMatch(/^https:\/\/example\.org\/crm-bridge#[a-z0-9-]+$/);
    }

    const all = settingPaths(SCHEMA).filter((p) => p !== 'mapping');
    expect(all).toContain('concurrency');
    expect(all).toContain('outgoing.max_delay_ms');
    for (const path of all.filter((p) => !CONDITIONAL.includes(p))) expect(await field(path).count(), path).toBe(1);
    await page.locator('.crm-bridge-mapping-row').first().waitFor();

    // The mode-specific settings appear with their mode.
    await page.getByLabel('Authentication').selectOption('basic');
    await field('crm.basic_user').waitFor();
    await page.getByLabel('Authentication').selectOption('header');
    await field('crm.auth_header').waitFor();
    await page.getByLabel('How the CRM signs its webhooks').selectOption('hmac');
    for (const path of ['incoming.hmac_header', 'incoming.hmac_encoding', 'incoming.event_id_path']) await field(path).waitFor();

    // Bounds and defaults come from the schema; concurrency is a ceiling the sidecar adapts below.
    const concurrency = field('concurrency');
    expect(await concurrency.getByLabel('Most jobs at once').inputValue()).toMatch(/^\d+$/);
    const ceiling = SCHEMA.properties!['concurrency'] as { minimum: number; maximum: number; default: number };
    expect(await concurrency.textContent()).toMatch(new RegExp(`adapts below.*From ${ceiling.minimum} to ${ceiling.maximum}\\. Default: ${ceiling.default}\\.`));
    expect(await field('outgoing.secret_grace_hours').textContent()).toContain('From 0 to 168. Default: 24.');
  });

  it('refuses a malformed JSON path and retention 0 beside their fields, focuses the first, and saves nothing', async () => {
    const before = await storedSettings();
    await openSettings();
    await page.getByLabel('Path to version').fill('$.data[0].status');
    await page.getByLabel('Retention (days)').fill('0');
    await save();

    const save_bar = page.locator('.crm-bridge-settings-save');
    await save_bar.getByText('Nothing was saved: 2 settings need attention (marked in red).').waitFor();
    expect(await field('crm.paths.version').locator('.crm-bridge-field-error').textContent()).toMatch(/^Enter a dotted JSON path such as data\.status/);
    expect(await field('retention_days').locator('.crm-bridge-field-error').textContent()).toBe('Enter a whole number of at least 1.');
    // In WordPress's error red, beside the field, marked invalid.
    expect(await field('retention_days').locator('.crm-bridge-field-error').evaluate((e) => getComputedStyle(e).color)).toBe('rgb(214, 54, 56)');
    expect(await control('retention_days').getAttribute('aria-invalid')).toBe('true');
    // The first field in error (in page order) has the focus; the value typed stays as typed.
    expect(await focusedField()).toBe('crm.paths.version');
    expect(await control('retention_days').inputValue()).toBe('0');
    expect(await storedSettings()).toEqual(before);

    // The README's screenshot: the page with a refused save, the JSON path's error in view.
    await page.setViewportSize({ width: 1280, height: 1400 });
    await page.locator('[data-section="paths"]').evaluate((e) => e.scrollIntoView());
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'settings.png') });
    await page.setViewportSize({ width: 1280, height: 900 });

    // A refusal only the server makes (an address that is no IP range) is shown at its field too.
    await page.getByLabel('Path to version').fill('version');
    await page.getByLabel('Retention (days)').fill('30');
    await page.getByLabel('Allowed sender addresses').fill('not-an-address');
    const [answer] = await Promise.all([page.waitForResponse((r) => /\/admin\/settings(\?|&|$)/.test(decodeURIComponent(r.url())) && r.request().method() !== 'GET'), save()]);
    expect(answer.status()).toBe(400);
    await field('incoming.allowed_ips').locator('.crm-bridge-field-error').getByText('"not-an-address" is not an IP address').waitFor();
    expect(await field('crm.paths.version').locator('.crm-bridge-field-error').count()).toBe(0);
    expect(await focusedField()).toBe('incoming.allowed_ips');
    await save_bar.getByText('Nothing was saved: 1 setting needs attention (marked in red).').waitFor();
    expect(await storedSettings()).toEqual(before);
  });

  it('offers the site’s custom order status in the mapping and saves a valid change', async () => {
    const muPlugin = join(site().dir, 'wp-content', 'mu-plugins', 'crm-bridge-test-settings-status.php');
    writeFileSync(muPlugin, `<?php\nadd_filter( 'wc_order_statuses', static fn( $s ) => $s + array( 'wc-ready-to-ship' => 'Ready to ship' ) );\n`);
    try {
      await openSettings();
      const firstStatus = page.locator('.crm-bridge-mapping-row').first().getByLabel('WooCommerce status');
      await firstStatus.locator('option', { hasText: 'Ready to ship' }).waitFor({ state: 'attached' });
      await firstStatus.selectOption('ready-to-ship');
      const crmStatus = await page.locator('.crm-bridge-mapping-row').first().getByLabel('CRM status').inputValue();
      await page.getByLabel('Most jobs at once').fill('7');
      await page.getByLabel('Retention (days)').fill('45');
      await page.getByLabel('Delivery timeout (ms)').fill('4500');
      await save();
      await page.locator('.crm-bridge-settings-save').getByText('Settings saved.').waitFor();

      const stored = await storedSettings();
      expect(stored).toMatchObject({ concurrency: 7, retention_days: 45, outgoing: { timeout_ms: 4500 }, mapping: { [crmStatus]: 'ready-to-ship' } });
      await openSettings();
      expect(await page.getByLabel('Retention (days)').inputValue()).toBe('45');
    } finally {
      configureCrm('http://127.0.0.1:9');
      wpEval(`\\CrmBridge\\Settings::update( array( 'concurrency' => 16, 'retention_days' => 30, 'outgoing' => array( 'timeout_ms' => 10000 ) ) );`);
      rmSync(muPlugin, { force: true });
    }
  });
});

describe('links to the settings', () => {
  it('leaves the checklist’s Settings and Subscriptions links out for a shop manager, who cannot open those tabs', async () => {
    // No subscription: the checklist has open steps that link to Settings and Subscriptions.
    wpEval(`foreach ( \\CrmBridge\\Subscriptions::all() as $s ) { \\CrmBridge\\Subscriptions::delete( $s['id'] ); }`);
    const links = (p: Page) => p.getByTestId('checklist').getByRole('link', { name: /^Open (Settings|Subscriptions)$/ });
    await page.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=health`);
    await page.getByTestId('checklist').locator('li[data-step="subscription"][data-done="0"]').waitFor();
    expect(await links(page).count()).toBeGreaterThan(0);

    ensureUser('crm-bridge-e2e-settings-manager', 'shop_manager', 'e2e-settings-manager-password-1');
    const manager = await loggedInPage(browser, site(), 'crm-bridge-e2e-settings-manager', 'e2e-settings-manager-password-1');
    try {
      await manager.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=health`);
      await manager.getByTestId('checklist').locator('li[data-step="subscription"][data-done="0"]').waitFor();
      expect(await links(manager).count()).toBe(0);
    } finally {
      await manager.context().close();
    }
  });
});
