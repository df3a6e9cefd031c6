// "Test connection" on the settings page: the plugin records the request (the connection settings on
// the screen, saved or not, and a CRM order to fetch) in its connection tests table, a sidecar takes
// it, fetches that order from the CRM simulator and writes what it read, or the step that failed,
// into the same row, where the page reads it. No request from the sidecar to WordPress is involved.
import type { TestDetail } from '../../sidecar/src/incoming/connectionTest.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, rest, site, type Session } from '../support/stack.ts';
import { CRM_TOKEN, DEFAULT_MAPPING, configureCrm, createOrders } from '../support/incoming.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { startCrmSimulator, type CrmSimulator } from '../crm-simulator/simulator.ts';
import { waitFor } from '../stack/system.ts';

let crm: CrmSimulator;
let sidecar: RunningSidecar;
let session: Session;

/** An order the simulated CRM holds: "paid" at version 7. */
const ORDER = 'CRM-CONNTEST-1';
const CLOSED = 'http://127.0.0.1:9';

beforeAll(async () => {
  crm = await startCrmSimulator({ token: CRM_TOKEN });
  crm.orders.set(ORDER, { crm_order_id: ORDER, status: 'paid', version: 7, updated_at: '2026-01-02T03:04:05.000Z', woo_order_id: null });
  configureCrm(crm.url);
  sidecar = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_SETTINGS_TTL_MS: '0' }));
  session = await adminSession();
});
afterAll(async () => {
  await sidecar?.stop();
  await crm?.close();
  configureCrm(CLOSED);
  await closePools();
});

const TESTS = `${site().tablePrefix}crm_bridge_connection_tests`;
const LINKS = `${site().tablePrefix}crm_bridge_links`;

interface Answer {
  done: true;
  id: string;
  ok: boolean;
  message: string;
  latency_ms: number | null;
  at: string;
  detail: TestDetail | null;
}

interface TestBody {
  settings?: { crm?: Record<string, unknown>; mapping?: Record<string, string> };
  crm_token?: string;
  crm_order_id?: string;
}

/** The connection settings the settings page would send: the simulator's, with changes. */
const onScreen = (crmChanges: Record<string, unknown> = {}, mapping: Record<string, string> = DEFAULT_MAPPING): TestBody['settings'] => ({
  crm: { base_url: crm.url, auth_mode: 'bearer', order_url_template: '/orders/{crm_order_id}', version_source: 'version', timeout_ms: 2000, ...crmChanges },
  mapping,
});

const post = (body: TestBody) =>
  rest('/crm-bridge/v1/admin/settings/test-connection', { method: 'POST', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function startTest(body: TestBody): Promise<string> {
  const started = await post(body);
  expect(started.status).toBe(202);
  return ((await started.json()) as { id: string }).id;
}

async function answerTo(id: string): Promise<Answer> {
  return waitFor('the sidecar’s answer', async () => {
    const res = (await (await rest(`/crm-bridge/v1/admin/settings/test-connection/${id}`, { session })).json()) as Answer | { done: false };
    return res.done ? res : undefined;
  });
}

const testConnection = async (body: TestBody = { crm_order_id: ORDER }): Promise<Answer> => answerTo(await startTest(body));

async function rowOf(id: string): Promise<Record<string, unknown> | undefined> {
  const [rows] = await dbPool().query(`SELECT * FROM ${TESTS} WHERE id = ?`, [id]);
  return (rows as Record<string, unknown>[])[0];
}

describe('test connection', () => {
  it('fetches the real order and shows its status, version and the WooCommerce status it maps to', async () => {
    const result = await testConnection();
    expect(result).toMatchObject({ ok: true, detail: { step: null, crm_order_id: ORDER, url: `${crm.url}/orders/${ORDER}`, status: 'paid', version: 7, woo_status: 'processing' } });
    expect(result.message).toMatch(new RegExp(`^The CRM answered in \\d+ ms: order ${ORDER} is "paid" \\(version 7\\), which maps to WooCommerce "processing"\\.$`));
    expect(result.latency_ms).toEqual(expect.any(Number));
    expect(new Date(result.at).getTime()).not.toBeNaN();
  });

  it('tests the unsaved values on the screen, not the saved ones', async () => {
    // Saved: a closed port and a wrong template. On the screen: the simulator, with the token typed.
    configureCrm(CLOSED, { crm: { base_url: CLOSED, order_url_template: '/nothing/{crm_order_id}' } });
    try {
      const green = await testConnection({ settings: onScreen(), crm_token: CRM_TOKEN, crm_order_id: ORDER });
      expect(green).toMatchObject({ ok: true, detail: { status: 'paid', version: 7, woo_status: 'processing' } });
      // The saved token is not sent to an address it was not saved for.
      const withoutToken = await testConnection({ settings: onScreen(), crm_order_id: ORDER });
      expect(withoutToken).toMatchObject({ ok: false, detail: { step: 'http', http_status: 401 } });
      expect(withoutToken.message).toContain('no token was sent');
    } finally {
      configureCrm(crm.url);
    }
    // The reverse: saved right, a wrong template on the screen is what is tested.
    const red = await testConnection({ settings: onScreen({ order_url_template: '/order/{crm_order_id}' }), crm_order_id: ORDER });
    expect(red).toMatchObject({ ok: false, detail: { step: 'http', http_status: 404 } });
  });

  it('names a wrong order URL template: HTTP 404 for an order the CRM has', async () => {
    const result = await testConnection({ settings: onScreen({ order_url_template: '/v2/orders/{crm_order_id}' }), crm_order_id: ORDER });
    expect(result).toMatchObject({ ok: false, detail: { step: 'http', http_status: 404, url: `${crm.url}/v2/orders/${ORDER}` } });
    expect(result.message).toBe(`HTTP 404: the CRM has no order ${ORDER} at ${crm.url}/v2/orders/${ORDER}. Check the order URL template and the order id.`);
  });

  it('names DNS for a host that does not resolve', async () => {
    const result = await testConnection({ settings: onScreen({ base_url: 'http://crm-bridge-no-such-host.invalid' }), crm_order_id: ORDER });
    expect(result).toMatchObject({ ok: false, detail: { step: 'dns' } });
    expect(result.message).toContain('DNS lookup of crm-bridge-no-such-host.invalid failed');
  });

  it('names the connection for a closed port', async () => {
    const result = await testConnection({ settings: onScreen({ base_url: CLOSED }), crm_order_id: ORDER });
    expect(result).toMatchObject({ ok: false, detail: { step: 'connection' } });
    expect(result.message).toContain('connection to 127.0.0.1 (127.0.0.1) failed');
  });

  it('names the JSON path that found nothing, and what it found', async () => {
    const result = await testConnection({ settings: onScreen({ paths: { status: 'data.status', version: 'version', updated_at: 'updated_at', woo_order_id: 'woo_order_id' } }), crm_order_id: ORDER });
    expect(result).toMatchObject({ ok: false, detail: { step: 'json_path', path: 'data.status', found: 'nothing' } });
    const wrongType = await testConnection({ settings: onScreen({ paths: { status: 'version', version: 'version', updated_at: 'updated_at', woo_order_id: 'woo_order_id' } }), crm_order_id: ORDER });
    expect(wrongType).toMatchObject({ ok: false, detail: { step: 'json_path', path: 'version', found: 'number' } });
  });

  it('names the mapping when the status the CRM answered has none (the mapping on the screen)', async () => {
    const { paid: _paid, ...withoutPaid } = DEFAULT_MAPPING;
    const result = await testConnection({ settings: onScreen({}, withoutPaid), crm_order_id: ORDER });
    expect(result).toMatchObject({ ok: false, detail: { step: 'mapping', status: 'paid', version: 7, woo_status: null } });
    expect(result.message).toContain('"paid", which the status mapping does not map');
  });

  it('refuses settings a save would refuse, beside their fields, and tests nothing', async () => {
    const res = await post({ settings: onScreen({ order_url_template: 'orders/{id}' }), crm_order_id: ORDER });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { data: { errors: Record<string, string> } };
    expect(Object.keys(body.data.errors)).toEqual(['crm.order_url_template']);
  });

  it('fetches the newest linked order when no id is typed, and says so when there is none', async () => {
    // The newest orders, none linked: nothing to fetch.
    createOrders(Array(20).fill('pending'));
    const none = await post({ settings: onScreen() });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { data: { errors: Record<string, string> } }).data.errors).toEqual({ crm_order_id: expect.stringContaining('No order is linked to the CRM yet') });
    const [order] = createOrders(['pending']);
    const linked = `CRM-CONNTEST-LINKED-${order}`;
    crm.orders.set(linked, { crm_order_id: linked, status: 'shipped', version: 2, updated_at: '2026-01-02T03:04:05.000Z', woo_order_id: order! });
    await dbPool().query(`INSERT INTO ${LINKS} (crm_order_id, order_id) VALUES (?, ?)`, [linked, order]);
    expect(await testConnection({ settings: onScreen() })).toMatchObject({ ok: true, detail: { crm_order_id: linked, status: 'shipped', woo_status: 'completed' } });
  });

  it('keeps a typed token only encrypted and only until the answer, and never answers it back', async () => {
    const typed = 'typed-token-never-echoed-1234';
    const started = await post({ settings: onScreen(), crm_token: typed, crm_order_id: ORDER });
    const text = await started.text();
    expect(text).not.toContain(typed);
    const { id } = JSON.parse(text) as { id: string };
    const answer = await answerTo(id);
    expect(JSON.stringify(answer)).not.toContain(typed);
    // The simulator refused it: the typed token, not the saved one, was sent.
    expect(answer).toMatchObject({ ok: false, detail: { http_status: 401 } });
    expect(await rowOf(id)).toMatchObject({ request: null });
  });

  it('is a row the sidecar takes and answers in the database, with no REST call back to WordPress', async () => {
    const id = await startTest({ crm_order_id: ORDER });
    const answer = await answerTo(id);
    expect(await rowOf(id)).toMatchObject({ id, taken_by: sidecar.workerId, ok: 1, message: answer.message, latency_ms: answer.latency_ms });
    const index = (await (await rest('/')).json()) as { routes: Record<string, unknown> };
    expect(Object.keys(index.routes).filter((r) => r.includes('connection-test'))).toEqual([]);
    expect(Object.keys(index.routes)).toEqual(expect.arrayContaining(['/crm-bridge/v1/admin/settings/test-connection', '/crm-bridge/v1/admin/settings/test-connection/(?P<id>[a-f0-9-]{36})']));
  });

  it('answers only the request it was asked, and leaves a stale request alone', async () => {
    const stale = '00000000-0000-4000-8000-000000000001';
    // A kept stack may hold the row from an earlier run.
    await dbPool().query(`DELETE FROM ${TESTS} WHERE id = ?`, [stale]);
    await dbPool().query(`INSERT INTO ${TESTS} (id, requested_at) VALUES (?, UTC_TIMESTAMP(3) - INTERVAL 5 MINUTE)`, [stale]);
    const fresh = await testConnection();
    expect(fresh.ok).toBe(true);
    expect(await rowOf(stale)).toMatchObject({ taken_by: null, answered_at: null });
    expect(await (await rest(`/crm-bridge/v1/admin/settings/test-connection/${stale}`, { session })).json()).toEqual({ done: false });
  });

  it('is for administrators only', async () => {
    expect((await rest('/crm-bridge/v1/admin/settings/test-connection', { method: 'POST' })).status).toBe(401);
    expect((await rest('/crm-bridge/v1/admin/settings/test-connection/00000000-0000-4000-8000-000000000001')).status).toBe(401);
  });
});
