// The Health tab in a real browser: the first-run checklist (steps, links, the receiver URL copied)
// and the traffic chart (axes in the site's time, values, a table view, the range switch). Its
// screenshot is the README's, written on every run so that it is never stale.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loggedInPage } from '../support/browser.ts';
import { closePools, dbPool, site, wpEval } from '../support/stack.ts';
import { configureCrm, sendEvent, statusEvent, unique } from '../support/incoming.ts';
import { ROOT } from '../stack/paths.ts';

const table = (name: string) => `${site().tablePrefix}crm_bridge_${name}`;
const receiverUrl = () => `${site().url}/wp-json/crm-bridge/v1/crm/events`;

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchBrowser();
  page = await loggedInPage(browser, site());
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(site().url).origin });
});
afterAll(async () => {
  await browser?.close();
  configureCrm('http://127.0.0.1:9');
  await closePools();
});

const openHealth = async () => {
  await page.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=health`);
  await page.getByTestId('health').waitFor();
};

/** A site where nothing is set up yet: no sidecar, no connection test, no secret, no subscription, no event. */
async function freshSite(): Promise<void> {
  await dbPool().query(`DELETE FROM ${table('sidecars')}`);
  await dbPool().query(`DELETE FROM ${table('connection_tests')}`);
  await dbPool().query(`DELETE FROM ${table('log')} WHERE decision = 'accepted'`);
  wpEval(`foreach ( \\CrmBridge\\Subscriptions::all() as $s ) { \\CrmBridge\\Subscriptions::delete( $s['id'] ); } \\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::INCOMING, null );`);
}

describe('first-run checklist', () => {
  it('lists the steps left, links each to its tab, copies the receiver URL, and folds away once all are done', async () => {
    await freshSite();
    await openHealth();
    const checklist = page.getByTestId('checklist');
    await checklist.getByText('Getting started: 0 of 5 steps done').waitFor();
    for (const step of ['sidecar', 'crm', 'signing', 'subscription', 'first-event']) {
      expect(await checklist.locator(`li[data-step="${step}"]`).getAttribute('data-done')).toBe('0');
    }

    // The receiver URL, copied as it is.
    expect(await checklist.getByTestId('receiver-url').textContent()).toBe(receiverUrl());
    await checklist.getByRole('button', { name: 'Copy' }).click();
    await checklist.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(receiverUrl());

    // Each open step's link opens the tab where it is done.
    await checklist.locator('li[data-step="crm"]').getByRole('link', { name: 'Open Settings' }).click();
    await page.getByLabel('CRM API base URL').waitFor();
    expect(new URL(page.url()).searchParams.get('tab')).toBe('settings');
    await openHealth();
    await page.getByTestId('checklist').locator('li[data-step="subscription"]').getByRole('link', { name: 'Open Subscriptions' }).click();
    await page.getByRole('button', { name: 'Add subscription' }).waitFor();
    expect(new URL(page.url()).searchParams.get('tab')).toBe('subscriptions');

    // Everything done: a sidecar beats, the connection test passed, the CRM signs with the secret, a subscription exists.
    await dbPool().query(`INSERT INTO ${table('sidecars')} (worker_id, version, hostname, started_at, heartbeat_at, info) VALUES (?, '0.1.0', 'test-host', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 HOUR, '{}')`, [unique('checklist-worker')]);
    await dbPool().query(`INSERT INTO ${table('connection_tests')} (id, requested_at, answered_at, ok, message) VALUES (UUID(), UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), 1, 'ok')`);
    configureCrm('http://127.0.0.1:9');
    expect((await sendEvent({ id: unique('evt-first'), body: statusEvent(unique('FIRST'), 'paid', 1) })).status).toBe(202);
    wpEval(`\\CrmBridge\\Subscriptions::create( array( 'name' => 'CRM', 'url' => 'http://127.0.0.1:9/hook', 'topics' => array( 'order.updated' ), 'status_filter' => array(), 'payload_mode' => 'full', 'is_crm' => true, 'active' => true, 'rate_limit_per_second' => null ) );`);
    try {
      await openHealth();
      await checklist.getByText('Getting started: all steps done').waitFor();
      expect(await checklist.locator('li[data-step]').count()).toBe(0);
      await checklist.getByRole('button', { name: 'Show checklist' }).click();
      expect(await checklist.locator('li[data-done="1"]').count()).toBe(5);
    } finally {
      await freshSite();
    }
  });
});

describe('traffic chart', () => {
  let timezone = '';
  let offset = '';
  const marker = unique('chart');
  const worker = unique('chart-worker');
  beforeAll(async () => {
    // A running sidecar, as on a site in use.
    await dbPool().query(`INSERT INTO ${table('sidecars')} (worker_id, version, hostname, started_at, heartbeat_at, info) VALUES (?, '0.1.0', 'shop-host', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 HOUR, '{}')`, [worker]);
    // A half-hour offset from UTC: labels in UTC or in the browser's zone cannot pass for site time.
    timezone = wpEval(`echo get_option( 'timezone_string' );`);
    offset = wpEval(`echo get_option( 'gmt_offset' );`);
    wpEval(`update_option( 'timezone_string', 'Asia/Kolkata' );`);
    // Traffic over the last hour: incoming every minute, outgoing every other, a failure now and then.
    const rows: [number, string, string][] = [];
    for (let minute = 2; minute < 58; minute++) {
      for (let n = 0; n < 1 + (minute % 5); n++) rows.push([minute, 'in', 'applied']);
      if (minute % 2 === 0) rows.push([minute, 'out', 'delivered']);
      if (minute % 13 === 0) rows.push([minute, 'out', 'retried']);
    }
    await dbPool().query(
      `INSERT INTO ${table('log')} (created_at, direction, decision, event_id, attempt) VALUES ${rows.map(() => '(UTC_TIMESTAMP(3) - INTERVAL ? MINUTE, ?, ?, ?, 1)').join(', ')}`,
      rows.flatMap(([minute, direction, decision]) => [minute, direction, decision, marker]),
    );
  });
  afterAll(async () => {
    wpEval(`update_option( 'timezone_string', ${JSON.stringify(timezone)} ); update_option( 'gmt_offset', ${JSON.stringify(offset)} );`);
    await dbPool().query(`DELETE FROM ${table('log')} WHERE event_id = ?`, [marker]);
    await dbPool().query(`DELETE FROM ${table('sidecars')} WHERE worker_id = ?`, [worker]);
  });

  it('labels both axes in site time, shows values on hover, keys and a table, and switches range', async () => {
    await openHealth();
    const chart = page.getByTestId('traffic');
    await chart.getByTestId('chart').waitFor();

    // x: every 10 minutes of Kolkata's clock within the last hour, as the site's locale writes a time.
    const kolkata = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit' });
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const times = Array.from({ length: 70 }, (_, i) => minute - (65 - i) * 60_000).filter((t) => new Date(t).getUTCMinutes() % 10 === 0);
    const expected = new Set(times.map((t) => kolkata.format(t)));
    const xLabels = () => chart.getByTestId('chart-x-axis').locator('text').allTextContents();
    expect((await xLabels()).length).toBeGreaterThanOrEqual(5);
    for (const label of await xLabels()) expect(expected).toContain(label);
    // y: round ticks from 0, with the unit.
    const yTexts = await chart.getByTestId('chart-y-axis').locator('text').allTextContents();
    expect(yTexts[0]).toBe('0');
    // Per minute, or per second once a bucket holds more than 120 (the shared test site's traffic varies).
    expect(yTexts.at(-1)).toMatch(/^events\/(min|s)$/);
    expect(yTexts.length).toBeGreaterThanOrEqual(3);
    expect(await chart.locator('.crm-bridge-chart-legend li').allTextContents()).toEqual(['Incoming (from the CRM)', 'Outgoing (to subscribers)', 'Failed attempts']);

    // Values: the pointer over the chart's middle reads a bucket with incoming traffic.
    const readout = chart.getByTestId('chart-readout');
    const box = (await chart.getByTestId('chart').boundingBox())!;
    const middle = { position: { x: box.width * 0.55, y: box.height / 2 } };
    await chart.getByTestId('chart').hover(middle);
    // This test's own rows put 1 to 5 a minute there; per second, the bucket may also hold other traffic.
    await expect.poll(() => readout.textContent()).toMatch(yTexts.at(-1) === 'events/min' ? /Incoming \(from the CRM\): [1-5] events\/min/ : /Incoming \(from the CRM\): [\d.,]+ events\/s/);
    // The same numbers as a table: one row per minute, incoming as stored.
    await chart.getByRole('button', { name: 'Show as table' }).click();
    const rows = chart.getByTestId('chart-table').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(59);
    const incoming = (await rows.locator('td:nth-child(2)').allTextContents()).map(Number);
    expect(incoming.filter((n) => n > 0).length).toBeGreaterThanOrEqual(50);
    await chart.getByRole('button', { name: 'Show as chart' }).click();
    // The README's screenshot: the whole page in one viewport (a scrolled full-page capture repeats
    // WordPress's fixed admin bar), with the pointer on the chart.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.setViewportSize({ width: 1280, height: await page.evaluate(() => document.documentElement.scrollHeight) });
    await chart.getByTestId('chart').hover({ position: { x: box.width * 0.62, y: box.height / 2 } });
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'health.png') });

    // Range: the week asks the server for hourly buckets and labels days.
    const [week] = await Promise.all([page.waitForResponse((r) => r.url().includes('range=week')), chart.getByRole('button', { name: 'Week' }).click()]);
    expect(((await week.json()) as { traffic: { bucket_seconds: number } }).traffic.bucket_seconds).toBe(3600);
    await expect.poll(async () => (await xLabels()).join('|')).toMatch(/^([^:|]*\p{L}[^:|]*\|){3,}/u);
    expect(await chart.getByRole('button', { name: 'Week' }).getAttribute('aria-pressed')).toBe('true');
    const [day] = await Promise.all([page.waitForResponse((r) => r.url().includes('range=day')), chart.getByRole('button', { name: 'Day' }).click()]);
    expect(((await day.json()) as { traffic: { bucket_seconds: number } }).traffic.bucket_seconds).toBe(900);
    await expect.poll(async () => (await xLabels()).every((t) => /^\d{2}:00( [AP]M)?$/.test(t))).toBe(true);

    // A site set to a plain offset (WordPress's "UTC+5:30") reads the same clock.
    wpEval(`update_option( 'timezone_string', '' ); update_option( 'gmt_offset', 5.5 );`);
    await openHealth();
    await chart.getByText('site time (+05:30)').waitFor();
    expect((await xLabels()).length).toBeGreaterThanOrEqual(5);
    for (const label of await xLabels()) expect(expected).toContain(label);
  });
});
