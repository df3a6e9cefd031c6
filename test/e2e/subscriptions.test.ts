// The Subscriptions tab in a real browser: the status filter and rate limit in the form and saved;
// each subscription's delivery health, a failing or disabled one standing out; a test event's outcome
// read back from the real sidecar's delivery; and a secret rotation that asks first. Its screenshot
// is the README's, written on every run so that it is never stale.
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loggedInPage } from '../support/browser.ts';
import { closePools, dbPool, site, wpEval, wpEvalJson } from '../support/stack.ts';
import { startReceiver } from '../support/receiver.ts';
import { sidecarEnv, startSidecar } from '../support/sidecar.ts';
import { unique } from '../support/incoming.ts';
import { ROOT } from '../stack/paths.ts';

const table = (name: string) => `${site().tablePrefix}crm_bridge_${name}`;

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchBrowser();
  page = await loggedInPage(browser, site());
});
const removeAll = () => wpEval(`foreach ( \\CrmBridge\\Subscriptions::all() as $s ) { \\CrmBridge\\Subscriptions::delete( $s['id'] ); }`);
beforeEach(removeAll);
afterAll(async () => {
  removeAll();
  await browser?.close();
  await closePools();
});

const open = async () => {
  await page.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=subscriptions`);
  await page.getByTestId('subscriptions').waitFor();
};

/** A subscription created as the API creates it (with an encrypted secret); its id. */
function create(name: string, url: string): number {
  return Number(
    wpEval(
      `echo \\CrmBridge\\Subscriptions::create( array( 'name' => ${JSON.stringify(name)}, 'url' => ${JSON.stringify(url)}, 'topics' => array( 'order.updated' ), 'status_filter' => array(), 'payload_mode' => 'full', 'is_crm' => false, 'active' => true, 'rate_limit_per_second' => null ) )['id'];`,
    ),
  );
}

/** Delivery attempts in the log, as the sidecar writes them. */
async function attempts(subId: number, outcomes: [string, number | null][]): Promise<void> {
  for (const [decision, code] of outcomes) {
    await dbPool().query(
      `INSERT INTO ${table('log')} (created_at, direction, decision, subscription_id, event_id, attempt, error_class, message, detail) VALUES (UTC_TIMESTAMP(3), 'out', ?, ?, ?, 1, ?, ?, ?)`,
      [decision, subId, unique('msg'), decision === 'delivered' ? null : 'transient', decision === 'delivered' ? null : `endpoint_error: the endpoint answered ${code}`, JSON.stringify({ status_code: code, topic: 'order.updated' })],
    );
  }
}

const row = (name: string) => page.getByTestId('subscriptions').getByRole('row').filter({ hasText: name });

describe('subscriptions', () => {
  it('saves the status filter and the rate limit from the form', async () => {
    await open();
    await page.getByRole('button', { name: 'Add subscription' }).click();
    const name = unique('Packing');
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/hook');
    await page.getByRole('checkbox', { name: 'Processing' }).check();
    await page.getByRole('checkbox', { name: 'Completed' }).check();
    await page.getByLabel('Rate limit (messages per second)').fill('5');
    await page.getByRole('button', { name: 'Save subscription' }).click();
    await page.getByTestId('subscription-secret').waitFor();
    const saved = wpEvalJson<{ status_filter: string[]; rate_limit_per_second: number }[]>(`echo wp_json_encode( \\CrmBridge\\Subscriptions::all() );`);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.status_filter.sort()).toEqual(['completed', 'processing']);
    expect(saved[0]!.rate_limit_per_second).toBe(5);

    // Editing shows what was saved; emptying the limit removes it.
    await row(name).getByRole('button', { name: 'Edit' }).click();
    expect(await page.getByRole('checkbox', { name: 'Processing' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Pending payment' }).isChecked()).toBe(false);
    expect(await page.getByLabel('Rate limit (messages per second)').inputValue()).toBe('5');
    await page.getByLabel('Rate limit (messages per second)').fill('');
    await page.getByRole('button', { name: 'Save subscription' }).click();
    await page.locator('.crm-bridge-admin').getByText('Subscription saved.').waitFor();
    expect(wpEvalJson<{ rate_limit_per_second: number | null }[]>(`echo wp_json_encode( \\CrmBridge\\Subscriptions::all() );`)[0]!.rate_limit_per_second).toBeNull();
  });

  it('shows each subscription’s health, and a failing or disabled one stands out in words and colour', async () => {
    const healthy = create(unique('Accounting'), 'http://127.0.0.1:9/accounting');
    const failing = create(unique('Warehouse'), 'http://127.0.0.1:9/warehouse');
    const gone = create(unique('Legacy'), 'http://127.0.0.1:9/legacy');
    await attempts(healthy, [['delivered', 200], ['delivered', 204]]);
    await attempts(failing, [['delivered', 200], ['retried', 503], ['retried', 500]]);
    await dbPool().query(`UPDATE ${table('subscriptions')} SET failing_since = UTC_TIMESTAMP(3) - INTERVAL 2 HOUR WHERE id = ?`, [failing]);
    await dbPool().query(`UPDATE ${table('subscriptions')} SET active = 0, disabled_reason = 'the endpoint answered 410 Gone' WHERE id = ?`, [gone]);
    await open();
    const names = wpEvalJson<{ id: number; name: string }[]>(`echo wp_json_encode( \\CrmBridge\\Subscriptions::all() );`);
    const nameOf = (id: number) => names.find((s) => s.id === id)!.name;

    const ok = row(nameOf(healthy));
    expect(await ok.getAttribute('data-health')).toBe('ok');
    expect(await ok.textContent()).toContain('100% delivered (2 of 2 attempts, last 24 hours)');
    expect(await ok.textContent()).toContain('Last answer: HTTP 204');

    const bad = row(nameOf(failing));
    expect(await bad.getAttribute('data-health')).toBe('failing');
    expect(await bad.textContent()).toContain('Failing since');
    expect(await bad.textContent()).toContain('33.3% delivered (1 of 3 attempts, last 24 hours)');
    expect(await bad.textContent()).toContain('Last delivery: retried');
    expect(await bad.textContent()).toContain('Last answer: HTTP 500');

    const off = row(nameOf(gone));
    expect(await off.getAttribute('data-health')).toBe('disabled');
    expect(await off.textContent()).toContain('Disabled: the endpoint answered 410 Gone');
    expect(await off.textContent()).toContain('No delivery attempts in the last 24 hours.');

    // Colour too: WordPress's warning and error notice backgrounds, not the healthy row's.
    const background = (r: typeof ok) => r.locator('td').first().evaluate((td) => getComputedStyle(td).backgroundColor);
    expect(await background(bad)).toBe('rgb(252, 249, 232)');
    expect(await background(off)).toBe('rgb(252, 240, 241)');
    expect([await background(bad), await background(off)]).not.toContain(await background(ok));

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.setViewportSize({ width: 1280, height: await page.evaluate(() => document.documentElement.scrollHeight) });
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'subscriptions.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('shows a test event’s outcome: failed with the answer’s code, then delivered', async () => {
    const receiver = await startReceiver();
    const name = unique('Fulfilment');
    const id = create(name, receiver.url);
    receiver.secret = ''; // Not checked here: the signature is covered by the delivery tests.
    receiver.script = [500];
    // The 500 is for the test event: an order update another test left queued may reach this
    // subscription first, and must not take it.
    receiver.scriptType = 'test';
    // The first outcome must stay the latest while the screen reads it: no retry within the test.
    const outgoing = wpEval(`echo wp_json_encode( \\CrmBridge\\Settings::document()['outgoing'] ?? null );`);
    wpEval(`\\CrmBridge\\Settings::update( array( 'outgoing' => array( 'base_delay_ms' => 600000, 'max_delay_ms' => 600000 ) ) );`);
    const sidecar = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_POLL_MS: '50', CRM_BRIDGE_SETTINGS_TTL_MS: '0' }));
    try {
      await open();
      const result = row(name).getByTestId('test-result');
      await row(name).getByRole('button', { name: 'Send test event' }).click();
      await page.locator('.crm-bridge-admin').getByText(`Test event queued for ${name}.`).waitFor();
      await expect.poll(() => result.getAttribute('data-result'), { timeout: 30_000 }).toBe('failed');
      expect(await result.textContent()).toBe('Test event failed: HTTP 500; it will be retried.');
      // Its retry is due now: a subscription's deliveries go out in order, so the next waits for it.
      await dbPool().query(`UPDATE ${table('outbox')} SET run_after = UTC_TIMESTAMP(3) WHERE subscription_id = ? AND status = 'pending'`, [id]);

      await row(name).getByRole('button', { name: 'Send test event' }).click();
      await expect.poll(() => result.getAttribute('data-result'), { timeout: 30_000 }).toBe('delivered');
      expect(await result.textContent()).toBe('Test event delivered (HTTP 200).');
      expect(receiver.received.filter((m) => m.body.type === 'test').length).toBeGreaterThanOrEqual(2);
    } finally {
      await sidecar.stop();
      await receiver.close();
      await dbPool().query(`DELETE FROM ${table('outbox')} WHERE subscription_id = ?`, [id]);
      if (outgoing !== 'null') wpEval(`\\CrmBridge\\Settings::update( array( 'outgoing' => json_decode( ${JSON.stringify(outgoing)}, true ) ) );`);
    }
  });

  it('asks before rotating a secret, and shows the new one once', async () => {
    const name = unique('Invoices');
    const id = create(name, 'http://127.0.0.1:9/invoices');
    const rotatedAt = async () => ((await dbPool().query(`SELECT secret_rotated_at AS at, secret FROM ${table('subscriptions')} WHERE id = ?`, [id]))[0] as { at: Date; secret: string }[])[0]!;
    const before = await rotatedAt();
    await new Promise((r) => setTimeout(r, 5));
    await open();

    await row(name).getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = page.getByRole('dialog', { name: `Rotate the secret of ${name}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await rotatedAt()).secret).toBe(before.secret);
    expect(await page.getByTestId('subscription-secret').count()).toBe(0);

    await row(name).getByRole('button', { name: 'Rotate secret' }).click();
    await dialog.getByRole('button', { name: 'Rotate secret' }).click();
    const secret = (await page.getByTestId('subscription-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    expect((await rotatedAt()).secret).not.toBe(before.secret);
    await open();
    expect(await page.content()).not.toContain(secret);
  });
});
