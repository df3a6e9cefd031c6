// Reliability: hostile input at the receiver and the admin API. Every bad request gets a clear 4xx
// with a JSON error and stores nothing; SQL and script payloads in every string field are stored
// inertly and rendered escaped in the admin screen; no admin or sidecar route answers without a
// nonce, to a subscriber, or to a stranger. Only the exact receiver address answers; an HMAC request
// replayed under new ids is one event; a stranger outside the allow-list gets 403; a CRM order id
// cannot carry markup; a CRM cannot write to an order it was never linked to or announced.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { launchBrowser, loggedInPage, screenshot } from '../support/browser.ts';
import { configureCrm, createOrders, orderDetails, sendEvent, statusEvent, TEST_SECRET, unique } from '../support/incoming.ts';
import { announceToCrm, updateSettings } from '../support/trust.ts';
import { adminSession, closePools, dbPool, ensureUser, login, rest, site } from '../support/stack.ts';

const receiverUrl = () => `${site().url}/wp-json/crm-bridge/v1/crm/events`;

async function storedRows(): Promise<number> {
  const [rows] = await dbPool().query(`SELECT COUNT(*) AS n FROM wp_crm_bridge_inbox`);
  return Number((rows as { n: number }[])[0]!.n);
}

beforeAll(() => configureCrm('http://127.0.0.1:9'));
afterAll(closePools);

describe('reliability: hostile input', () => {
  const nested = (depth: number) => `{"type":"order.status_changed","data":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
  const cases: [string, () => Promise<Response>, number][] = [
    ['a wrong signature', () => sendEvent({ id: unique('h'), body: statusEvent('H-1', 'paid', 1), secret: 'whsec_' + Buffer.from('not the shop secret, 32 bytes!!!').toString('base64') }), 401],
    ['a signature over another body', async () => {
      const id = unique('h');
      const signed = await signedHeaders(id, statusEvent('H-2', 'paid', 1));
      return fetch(receiverUrl(), { method: 'POST', headers: signed, body: statusEvent('H-2', 'completed', 9) });
    }, 401],
    ['no webhook-signature header', () => sendEvent({ id: unique('h'), body: statusEvent('H-3', 'paid', 1), headers: { 'webhook-signature': '' } }), 401],
    ['no webhook-timestamp header', () => sendEvent({ id: unique('h'), body: statusEvent('H-4', 'paid', 1), headers: { 'webhook-timestamp': '' } }), 401],
    ['no webhook-id header', () => sendEvent({ id: unique('h'), body: statusEvent('H-5', 'paid', 1), headers: { 'webhook-id': '' } }), 401],
    ['a timestamp 10 minutes old', () => sendEvent({ id: unique('h'), body: statusEvent('H-6', 'paid', 1), timestamp: new Date(Date.now() - 600_000) }), 401],
    ['a timestamp 10 minutes ahead', () => sendEvent({ id: unique('h'), body: statusEvent('H-7', 'paid', 1), timestamp: new Date(Date.now() + 600_000) }), 401],
    ['a timestamp that is not a number', () => sendEvent({ id: unique('h'), body: statusEvent('H-8', 'paid', 1), headers: { 'webhook-timestamp': '1e99' } }), 401],
    ['a body of 0 bytes', () => sendEvent({ id: unique('h'), body: '' }), 400],
    ['a body one byte over 256 KiB', () => sendEvent({ id: unique('h'), body: JSON.stringify({ type: 'x', data: { pad: 'y'.repeat(256 * 1024) } }) }), 413],
    ['invalid UTF-8', () => sendRaw(Buffer.concat([Buffer.from('{"type":"order.status_changed","data":{"crm_order_id":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('","status":"paid","version":1}}')])), 400],
    ['JSON nested 10,000 levels deep', () => sendEvent({ id: unique('h'), body: nested(10_000) }), 400],
    ['a version of 10^400', () => sendEvent({ id: unique('h'), body: `{"type":"order.status_changed","data":{"crm_order_id":"H-9","status":"paid","version":1${'0'.repeat(400)}}}` }), 400],
    ['a version of 2^64', () => sendEvent({ id: unique('h'), body: `{"type":"order.status_changed","data":{"crm_order_id":"H-10","status":"paid","version":18446744073709551616}}` }), 400],
    ['a negative version', () => sendEvent({ id: unique('h'), body: statusEvent('H-11', 'paid', -5) }), 400],
    ['a CRM order id of 10,000 characters', () => sendEvent({ id: unique('h'), body: statusEvent('H'.repeat(10_000), 'paid', 1) }), 400],
    ['an event id of 1,000 characters', () => sendEvent({ id: 'e'.repeat(1000), body: statusEvent('H-12', 'paid', 1) }), 400],
    ['a JSON array instead of an object', () => sendEvent({ id: unique('h'), body: '[1,2,3]' }), 400],
    ['JSON null', () => sendEvent({ id: unique('h'), body: 'null' }), 400],
    ['a form post', () => sendEvent({ id: unique('h'), body: 'a=1', contentType: 'application/x-www-form-urlencoded' }), 415],
    ['a CRM order id carrying a link and an image', () => sendEvent({ id: unique('h'), body: statusEvent('<a href="https://evil.test/pay"><img src="https://evil.test/x.png">', 'paid', 1) }), 400],
    ['a CRM order id with a control character', () => sendEvent({ id: unique('h'), body: statusEvent('H-13\u0007', 'paid', 1) }), 400],
    ['the receiver’s address in another case', () => sendEvent({ id: unique('h'), body: statusEvent('H-14', 'paid', 1), path: '/wp-json/crm-bridge/v1/CRM/Events' }), 404],
    ['the receiver’s address with a trailing slash', () => sendEvent({ id: unique('h'), body: statusEvent('H-15', 'paid', 1), path: '/wp-json/crm-bridge/v1/crm/events/' }), 404],
    ['a method override', () => sendEvent({ id: unique('h'), body: statusEvent('H-16', 'paid', 1), headers: { 'x-http-method-override': 'PUT' } }), 405],
    ['10 MB through ?rest_route= in another case', () => fetch(`${site().url}/?rest_route=/CRM-bridge/v1/crm/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '['.repeat(10 * 1024 * 1024) }), 404],
  ];

  it.each(cases)('refuses %s with a JSON error and stores nothing', async (_name, send, status) => {
    const before = await storedRows();
    const res = await send();
    expect(res.status).toBe(status);
    const body = (await res.json()) as { code: string; message: string };
    expect(typeof body.code).toBe('string');
    expect(body.message.length).toBeGreaterThan(0);
    expect(await storedRows()).toBe(before);
  });

  it('an HMAC-signed request replayed under new webhook-id headers is one event', async () => {
    const id = unique('h-hmac');
    const body = JSON.stringify({ id, type: 'order.status_changed', data: { crm_order_id: unique('H'), status: 'paid', version: 1 } });
    const signature = createHmac('sha256', Buffer.from(TEST_SECRET.replace(/^whsec_/, ''), 'base64')).update(body).digest('hex');
    const post = (webhookId: string) => fetch(receiverUrl(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-crm-signature': signature, 'webhook-id': webhookId }, body });
    try {
      // The unsigned header never names the event: without an event id path nothing is stored.
      updateSettings({ incoming: { signature_mode: 'hmac', hmac_header: 'X-Crm-Signature', hmac_encoding: 'hex', event_id_path: '' } });
      const before = await storedRows();
      for (let i = 0; i < 3; i++) expect((await post(unique('forged'))).status).toBe(400);
      expect(await storedRows()).toBe(before);
      updateSettings({ incoming: { event_id_path: 'id' } });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(unique('forged'))).status);
      expect(statuses).toEqual([202, 200, 200]);
    } finally {
      updateSettings({ incoming: { signature_mode: 'standard_webhooks', event_id_path: '' } });
    }
  });

  it('a stranger outside the allow-list gets 403, whatever it forwards, and stores nothing', async () => {
    const before = await storedRows();
    try {
      updateSettings({ incoming: { allowed_ips: ['198.51.100.0/24'], trusted_proxies: [], client_ip_header: 'X-Forwarded-For' } });
      const res = await sendEvent({ id: unique('h'), body: statusEvent('H-17', 'paid', 1), headers: { 'x-forwarded-for': '198.51.100.1' } });
      expect(res.status).toBe(403);
    } finally {
      updateSettings({ incoming: { allowed_ips: [], trusted_proxies: [], client_ip_header: '' } });
    }
    expect(await storedRows()).toBe(before);
  });

  it('a hostile CRM answer naming another CRM order’s order, or one never announced, writes nothing', async () => {
    const [linked, announced] = createOrders(['pending', 'pending']);
    const [stranger] = createOrders(['pending']);
    announceToCrm([linked!, announced!]);
    const auth = { authorization: `Basic ${Buffer.from(`${site().sidecarUser}:${site().sidecarAppPassword}`).toString('base64')}` };
    const apply = async (crmOrderId: string, orderId: number, version: number) =>
      ((await (await rest('/crm-bridge/v1/sidecar/apply', { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ transitions: [{ event_id: unique('h'), crm_order_id: crmOrderId, order_id: orderId, to_status: 'completed', version }] }) })).json()) as { results: { outcome: string; code?: string }[] }).results[0]!;
    const owner = unique('H-own');
    expect(await apply(owner, linked!, 1)).toMatchObject({ outcome: 'applied' });
    expect(await apply(unique('H-thief'), linked!, 99)).toMatchObject({ outcome: 'refused', code: 'foreign_order' });
    expect(await apply(unique('H-stranger'), stranger!, 1)).toMatchObject({ outcome: 'refused', code: 'foreign_order' });
    expect(await apply(owner, announced!, 2)).toMatchObject({ outcome: 'refused', code: 'foreign_order' });
    expect(orderDetails([linked!, announced!, stranger!])).toMatchObject({
      [linked!]: { status: 'completed', version: '1', crmOrderId: owner },
      [announced!]: { status: 'pending', crmOrderId: '' },
      [stranger!]: { status: 'pending', crmOrderId: '' },
    });
  });

  it('a replayed request (same id, same signature) is a duplicate that changes nothing', async () => {
    const id = unique('h-replay');
    const body = statusEvent(unique('H'), 'paid', 1);
    const headers = await signedHeaders(id, body);
    const first = await fetch(receiverUrl(), { method: 'POST', headers, body });
    expect(first.status).toBe(202);
    const replays = await Promise.all(Array.from({ length: 10 }, () => fetch(receiverUrl(), { method: 'POST', headers, body })));
    expect(replays.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
    const [rows] = await dbPool().query(`SELECT COUNT(*) AS n FROM wp_crm_bridge_inbox WHERE event_id = ?`, [id]);
    expect(Number((rows as { n: number }[])[0]!.n)).toBe(1);
  });

  it('SQL and script payloads in every string field are stored as sent and shown escaped in the admin', async () => {
    const xss = `<img src=x onerror="window.__crmBridgeXss=1"><script>window.__crmBridgeXss=1</script>`;
    const sqli = `'; DROP TABLE wp_crm_bridge_inbox; -- " OR 1=1 #`;
    const marker = unique('HX');
    // A CRM order id may hold neither markup nor quotes (it goes into order notes): SQL only.
    const crmOrderId = `${marker}; DROP TABLE wp_crm_bridge_inbox; -- OR 1=1 #`.slice(0, 190);
    const status = `${xss}`.slice(0, 64);
    const id = `evt_${marker}_${sqli}`.slice(0, 150);
    const type = `order.status_changed${xss}`.slice(0, 64);
    const body = JSON.stringify({ type, data: { crm_order_id: crmOrderId, status, version: 1, updated_at: new Date().toISOString(), note: `${xss}${sqli}` } });
    const res = await sendEvent({ id, body });
    expect(res.status).toBe(202);
    const [rows] = await dbPool().query(`SELECT event_id, event_type, crm_order_id, payload FROM wp_crm_bridge_inbox WHERE event_id = ?`, [id]);
    expect(rows).toEqual([{ event_id: id, event_type: type, crm_order_id: crmOrderId, payload: expect.any(String) }]);
    expect(JSON.parse((rows as { payload: string }[])[0]!.payload)).toMatchObject({ data: { crm_order_id: crmOrderId, note: `${xss}${sqli}` } });
    // The admin API returns it as data.
    const session = await adminSession();
    const list = (await (await rest(`/crm-bridge/v1/admin/log?crm_order_id=${encodeURIComponent(crmOrderId)}`, { session })).json()) as { items: { crm_order_id: string; event_id: string }[] };
    expect(list.items.map((i) => i.event_id)).toContain(id);

    // The admin screen shows it as text: no script ran, no element was injected.
    const browser: Browser = await launchBrowser();
    try {
      const page = await loggedInPage(browser, site());
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=log`);
      await page.getByLabel('CRM order').fill(crmOrderId);
      await page.getByRole('button', { name: 'Filter' }).click();
      const row = page.getByTestId('log').getByRole('row').filter({ hasText: marker });
      await row.first().waitFor();
      await row.first().getByRole('button', { name: 'Details' }).click();
      await page.getByText('Raw JSON').click();
      await page.getByTestId('log-payload').waitFor();
      expect(await page.getByTestId('log-payload').textContent()).toContain('onerror=');
      expect(await page.evaluate(() => (window as unknown as { __crmBridgeXss?: number }).__crmBridgeXss)).toBeUndefined();
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(dialogs).toEqual([]);
      await screenshot(page, 'hostile-log');
    } finally {
      await browser.close();
    }
  });

  it('every admin and sidecar route refuses strangers, a cookie without a nonce, and a subscriber', async () => {
    interface ArgSchema { type?: string | string[]; required?: boolean; enum?: unknown[]; pattern?: string; minItems?: number; items?: ArgSchema }
    const index = (await (await fetch(`${site().url}/wp-json/crm-bridge/v1`)).json()) as {
      routes: Record<string, { endpoints: { methods: string[]; args: Record<string, ArgSchema> }[] }>;
    };
    const routes = Object.entries(index.routes).filter(([path]) => /\/crm-bridge\/v1\/(admin|sidecar)\//.test(path));
    expect(routes.length).toBeGreaterThanOrEqual(16);
    ensureUser('hostile-subscriber', 'subscriber', 'hostile-subscriber-1');
    const subscriber = await login('hostile-subscriber', 'hostile-subscriber-1');
    const admin = await adminSession();
    // WordPress validates a route's arguments before its permission callback, so every request
    // carries well-formed required arguments: what answers is the permission check.
    const sample = (a: ArgSchema): unknown => {
      if (a.enum) return a.enum[0];
      const type = Array.isArray(a.type) ? a.type[0] : a.type;
      if (type === 'string' && a.pattern) return '00000000-0000-4000-8000-000000000000';
      if (type === 'array' && a.minItems) return Array.from({ length: a.minItems }, () => sample(a.items ?? {}));
      return { integer: 1, number: 1, boolean: false, array: [], object: {} }[type ?? ''] ?? 'x';
    };
    const refused: string[] = [];
    for (const [pattern, { endpoints }] of routes) {
      const path = pattern.replace(/\\\./g, '.').replace(/\(\?P<id>\\d\+\)/g, '1').replace(/\(\?P<id>\[a-f0-9-\]\{36\}\)/g, '00000000-0000-4000-8000-000000000000');
      for (const endpoint of endpoints) {
        const args = Object.fromEntries(Object.entries(endpoint.args).filter(([, a]) => a.required).map(([name, a]) => [name, sample(a)]));
        for (const method of endpoint.methods) {
          const init =
            method === 'GET' || method === 'DELETE'
              ? { url: `${path}?${new URLSearchParams(Object.entries(args).map(([k, v]) => [k, String(v)]))}`, init: {} }
              : { url: path, init: { headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) } };
          const stranger = await rest(init.url, { method, ...init.init });
          const noNonce = await rest(init.url, { method, ...init.init, session: admin, nonce: false });
          const asSubscriber = await rest(init.url, { method, ...init.init, session: subscriber });
          const got = [stranger.status, noNonce.status, asSubscriber.status];
          if (got[0] !== 401 || got[1] !== 401 || got[2] !== 403) refused.push(`${method} ${path}: ${got.join(', ')}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });
});

async function signedHeaders(id: string, body: string): Promise<Record<string, string>> {
  const ts = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)),
    'webhook-signature': new Webhook(TEST_SECRET.replace(/^whsec_/, '')).sign(id, ts, body),
  };
}

/** A correctly signed request whose body is arbitrary bytes (the HMAC covers the bytes as sent). */
async function sendRaw(body: Buffer): Promise<Response> {
  const id = unique('h-raw');
  const ts = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(TEST_SECRET.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(Buffer.concat([Buffer.from(`${id}.${ts}.`), body])).digest('base64');
  return fetch(receiverUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${mac}` },
    body: new Uint8Array(body),
  });
}
