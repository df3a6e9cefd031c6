// The Deliveries screen's API: every outbox delivery with its attempts (what was sent and answered),
// resend under the same webhook id, dead deliveries discarded; and what became of replayed dead letters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, ensureUser, login, rest, wpEval, type Session } from '../support/stack.ts';
import { configureCrm, createOrders, unique } from '../support/incoming.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { startReceiver, type TestReceiver } from '../support/receiver.ts';
import { waitFor } from '../stack/system.ts';

const MANAGER = 'crm-bridge-deliveries-manager';
const SUBSCRIBER = 'crm-bridge-deliveries-subscriber';
const PASSWORD = 'deliveries-password-1';
const json = { 'content-type': 'application/json' };

let admin: Session;
let manager: Session;
let subscriber: Session;
let sidecar: RunningSidecar;
const receivers: TestReceiver[] = [];
const subscriptions: number[] = [];
/** A delivery delivered in the first test, kept for the checks that need one. */
let deliveredId = 0;

const call = (session: Session, method: string, path: string, body?: unknown) =>
  rest(`/crm-bridge/v1${path}`, { method, session, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

interface Delivery {
  id: number;
  webhook_id: string;
  subscription_id: number;
  subscription_name: string | null;
  order_id: number;
  topic: string;
  state: string;
  attempts: number;
  order_edit_url: string | null;
}
interface Attempt {
  id: number;
  decision: string;
  latency_ms: number | null;
  detail: {
    status_code: number | null;
    response: string | null;
    duration_ms: number | null;
    request: { method: string; url: string; headers: Record<string, string>; body_ref: string } | null;
    answer: { status: number; headers: Record<string, string>; truncated: boolean } | null;
    failure: { step: string; code: string } | null;
  };
}

/** A receiver on loopback and a subscription to it, for order.created only. */
async function subscribed(script: number[]): Promise<{ r: TestReceiver; id: number; name: string; secret: string }> {
  const r = await startReceiver();
  receivers.push(r);
  r.script = script;
  const name = unique('deliveries');
  const res = await call(admin, 'POST', '/admin/subscriptions', { name, url: r.url, topics: ['order.created'] });
  expect(res.status).toBe(201);
  const sub = (await res.json()) as { id: number; secret: string };
  r.secret = sub.secret;
  subscriptions.push(sub.id);
  return { r, id: sub.id, name, secret: sub.secret };
}

async function deliveriesOf(subscriptionId: number, state?: string): Promise<Delivery[]> {
  const res = await call(manager, 'GET', `/admin/deliveries?subscription_id=${subscriptionId}${state ? `&state=${state}` : ''}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Delivery[] }).items;
}

async function read(id: number): Promise<{ delivery: Delivery; attempts: Attempt[] }> {
  const res = await call(manager, 'GET', `/admin/deliveries/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { delivery: Delivery; attempts: Attempt[] };
}

beforeAll(async () => {
  ensureUser(MANAGER, 'shop_manager', PASSWORD);
  ensureUser(SUBSCRIBER, 'subscriber', PASSWORD);
  admin = await adminSession();
  manager = await login(MANAGER, PASSWORD);
  subscriber = await login(SUBSCRIBER, PASSWORD);
  configureCrm('http://127.0.0.1:9', { retry: { max_attempts: 1, base_delay_ms: 50, max_delay_ms: 100 } });
  wpEval(`\\CrmBridge\\Settings::update( array( 'outgoing' => array( 'max_attempts' => 2, 'base_delay_ms' => 100, 'max_delay_ms' => 200 ) ) );`);
  sidecar = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_POLL_MS: '50', CRM_BRIDGE_SETTINGS_TTL_MS: '0' }));
});

afterAll(async () => {
  await sidecar?.stop();
  for (const id of subscriptions) await call(admin, 'DELETE', `/admin/subscriptions/${id}`);
  await Promise.all(receivers.map((r) => r.close()));
  configureCrm('http://127.0.0.1:9');
  await closePools();
});

describe('deliveries', () => {
  it('shows each attempt of a delivery: the request sent, the answer, the duration', async () => {
    const { r, id, name, secret } = await subscribed([500]);
    const [orderId] = createOrders(['pending']);
    await waitFor('the retried delivery', async () => (await deliveriesOf(id, 'delivered')).length === 1);
    const [listed] = await deliveriesOf(id);
    expect(listed).toMatchObject({ subscription_name: name, order_id: orderId, topic: 'order.created', state: 'delivered', attempts: 2 });
    // WooCommerce's own address for the order: the HPOS screen, or post.php under posts storage.
    expect(listed!.order_edit_url).toBe(wpEval(`echo wc_get_order( ${orderId} )->get_edit_order_url();`));
    deliveredId = listed!.id;
    const res = await call(manager, 'GET', `/admin/deliveries/${listed!.id}`);
    const text = await res.text();
    expect(text).not.toContain(secret.replace(/^whsec_/, ''));
    const { attempts } = JSON.parse(text) as { attempts: Attempt[] };
    expect(attempts.map((a) => a.decision)).toEqual(['retried', 'delivered']);
    for (const a of attempts) {
      expect(a.detail.request).toMatchObject({ method: 'POST', url: `${new URL(r.url).origin}/…`, body_ref: 'payload' });
      expect(a.detail.request!.headers['webhook-id']).toBe(listed!.webhook_id);
      expect(a.detail.request!.headers['webhook-signature']).toMatch(/^v1,/);
      expect(a.detail.duration_ms).toEqual(expect.any(Number));
      expect(a.detail.answer!.headers['content-type']).toContain('application/json');
    }
    expect(attempts[0]!.detail).toMatchObject({ status_code: 500, answer: { status: 500, truncated: false }, failure: { step: 'http_status', code: 'endpoint_error' } });
    expect(JSON.parse(attempts[0]!.detail.response!)).toEqual({ error: 'scripted' });
    expect(attempts[1]!.detail).toMatchObject({ status_code: 200, answer: { status: 200 }, failure: null });
    // The body the receiver got is the one the log entry route shows (masked) for the attempt.
    const entry = (await (await call(manager, 'GET', `/admin/log/${attempts[1]!.id}`)).json()) as { payload: { data: { order: { id: number } } } };
    expect(entry.payload.data.order.id).toBe(orderId);
    expect(r.received.filter((m) => m.id === listed!.webhook_id)).toHaveLength(2);
  });

  it('resends a delivered delivery through the outbox under the same webhook id, audited', async () => {
    const { r, id } = await subscribed([]);
    createOrders(['pending']);
    await waitFor('the delivery', async () => (await deliveriesOf(id, 'delivered')).length === 1);
    const [delivery] = await deliveriesOf(id);
    const replay = await call(manager, 'POST', '/admin/deliveries/replay', { ids: [delivery!.id], status: 'done' });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ replayed: 1 });
    await waitFor('the resent delivery', async () => r.received.filter((m) => m.id === delivery!.webhook_id).length === 2);
    await waitFor('its second attempt recorded', async () => (await read(delivery!.id)).attempts.length === 2);
    const { attempts } = await read(delivery!.id);
    expect(attempts.map((a) => [a.decision, a.detail.request!.headers['webhook-id']])).toEqual([
      ['delivered', delivery!.webhook_id],
      ['delivered', delivery!.webhook_id],
    ]);
    expect(r.received.filter((m) => m.id === delivery!.webhook_id).every((m) => m.verified)).toBe(true);
    const [audit] = (await dbPool().query(`SELECT action, details FROM wp_crm_bridge_audit WHERE action = 'deliveries.replayed' ORDER BY id DESC LIMIT 1`))[0] as { action: string; details: string }[];
    expect(JSON.parse(audit!.details)).toMatchObject({ ids: [delivery!.id], replayed: 1 });
  });

  it('lists dead deliveries, replays them in a batch, and discards one for good', async () => {
    const { id } = await subscribed(Array(20).fill(503));
    createOrders(['pending', 'pending']);
    await waitFor('two dead deliveries', async () => (await deliveriesOf(id, 'dead')).length === 2);
    const dead = await deliveriesOf(id, 'dead');
    expect(dead.every((d) => d.state === 'dead' && d.attempts === 2)).toBe(true);
    const { attempts } = await read(dead[0]!.id);
    expect(attempts.map((a) => a.decision)).toEqual(['retried', 'dead']);
    // A replay of the batch: both go back to the outbox, and die again (the receiver still answers 503).
    const replay = await call(manager, 'POST', '/admin/deliveries/replay', { ids: dead.map((d) => d.id) });
    expect(await replay.json()).toEqual({ replayed: 2 });
    for (const d of dead) await waitFor('tried again and dead again', async () => (await read(d.id)).attempts.length === 4 && (await read(d.id)).delivery.state === 'dead');
    const discard = await call(manager, 'POST', '/admin/deliveries/discard', { ids: [dead[0]!.id] });
    expect(discard.status).toBe(200);
    expect(await discard.json()).toEqual({ discarded: 1 });
    expect((await call(manager, 'GET', `/admin/deliveries/${dead[0]!.id}`)).status).toBe(404);
    expect((await deliveriesOf(id, 'dead')).map((d) => d.id)).toEqual([dead[1]!.id]);
    // Only dead deliveries are discarded: a delivered one stays.
    expect(await (await call(manager, 'POST', '/admin/deliveries/discard', { ids: [deliveredId] })).json()).toEqual({ discarded: 0 });
    expect((await call(manager, 'GET', `/admin/deliveries/${deliveredId}`)).status).toBe(200);
    const [audit] = (await dbPool().query(`SELECT details FROM wp_crm_bridge_audit WHERE action = 'deliveries.discarded' ORDER BY id DESC LIMIT 2`))[0] as { details: string }[];
    expect(JSON.parse(audit!.details)).toMatchObject({ ids: [deliveredId], discarded: 0 });
  });

  it('lets shop managers and administrators in, and refuses subscribers', async () => {
    const { id } = await subscribed([]);
    for (const [method, path, body] of [
      ['GET', '/admin/deliveries'],
      ['GET', `/admin/deliveries?subscription_id=${id}&state=dead`],
      ['GET', '/admin/deliveries/1'],
      ['POST', '/admin/deliveries/discard', { ids: [1] }],
      ['POST', '/admin/deliveries/replay', { ids: [1] }],
    ] as [string, string, unknown?][]) {
      expect({ path, status: (await call(subscriber, method, path, body)).status }).toEqual({ path, status: 403 });
    }
    expect((await call(admin, 'GET', '/admin/deliveries?per_page=1')).status).toBe(200);
    expect((await call(manager, 'GET', '/admin/deliveries?per_page=1')).status).toBe(200);
  });

  it('refuses malformed filters, paging and ids', async () => {
    for (const [method, path, body] of [
      ['GET', '/admin/deliveries?state=lost'],
      ['GET', '/admin/deliveries?per_page=0'],
      ['GET', '/admin/deliveries?per_page=201'],
      ['GET', '/admin/deliveries?page=0'],
      ['GET', '/admin/deliveries?subscription_id=abc'],
      ['POST', '/admin/deliveries/discard', { ids: [] }],
      ['POST', '/admin/deliveries/discard', { ids: ['x'] }],
      ['POST', '/admin/deliveries/discard', {}],
    ] as [string, string, unknown?][]) {
      const res = await call(manager, method, path, body);
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      expect(((await res.json()) as { code: string }).code).toMatch(/^rest_(invalid|missing_callback)_param$/);
    }
    expect((await call(manager, 'GET', '/admin/deliveries/999999999')).status).toBe(404);
  });

  it('pages the list and says how many there are', async () => {
    const { id } = await subscribed([]);
    createOrders(['pending', 'pending', 'pending']);
    await waitFor('three deliveries', async () => (await deliveriesOf(id, 'delivered')).length === 3);
    const page = async (n: number) => (await (await call(manager, 'GET', `/admin/deliveries?subscription_id=${id}&per_page=2&page=${n}`)).json()) as { items: Delivery[]; total: number };
    const [one, two] = [await page(1), await page(2)];
    expect([one.total, one.items.length, two.items.length]).toEqual([3, 2, 1]);
    expect(new Set([...one.items, ...two.items].map((d) => d.id)).size).toBe(3);
  });
});

describe('dead letters', () => {
  it('a replayed dead letter that fails again is seen dead again, with its new reason', async () => {
    const eventId = unique('evt-dead');
    wpEval(`\\CrmBridge\\Queue\\Store::insert_event( '${eventId}', 'order.status_changed', 'crm-dead-1', '{"type":"order.status_changed","data":{"crm_order_id":"crm-dead-1","status":"paid","version":1}}' );
      global $wpdb; $wpdb->query( "UPDATE {$wpdb->prefix}crm_bridge_inbox SET status = 'dead', attempts = 5, last_error = 'old reason', finished_at = NOW() WHERE event_id = '${eventId}'" );`);
    const list = (await (await call(manager, 'GET', '/admin/dead-letters')).json()) as { items: { id: number; event_id: string }[] };
    const row = list.items.find((d) => d.event_id === eventId)!;
    expect(await (await call(manager, 'POST', '/admin/dead-letters/replay', { ids: [row.id] })).json()).toEqual({ replayed: 1 });
    type Watched = { id: number; status: string; last_error: string | null };
    const watch = async () => ((await (await call(manager, 'GET', `/admin/dead-letters?watch[]=${row.id}`)).json()) as { watched: Watched[] }).watched;
    await waitFor('the replay handled', async () => (await watch())[0]?.status === 'dead');
    const [fate] = await watch();
    expect(fate!.last_error).not.toBe('old reason');
    // The CRM is unreachable: its error, or the open circuit its earlier failures left.
    expect(fate!.last_error).toMatch(/crm|address|connect|circuit_open/i);
    expect((await call(subscriber, 'GET', `/admin/dead-letters?watch[]=${row.id}`)).status).toBe(403);
    expect((await call(manager, 'GET', '/admin/dead-letters?watch[]=x')).status).toBe(400);
  });
});
