// Outgoing: WooCommerce order events become signed, retried, ordered deliveries per subscription.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, rest, site, wpEval, wpEvalAsync, type Session } from '../support/stack.ts';
import { createOrders, unique } from '../support/incoming.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { startReceiver, type TestReceiver } from '../support/receiver.ts';
import { waitFor } from '../stack/system.ts';
import { setConfigFlag } from '../stack/wordpress.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let session: Session;
const receivers: TestReceiver[] = [];
let sidecar: RunningSidecar;

async function receiver(): Promise<TestReceiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function subscribe(r: TestReceiver, fields: Record<string, unknown> = {}): Promise<{ id: number; secret: string }> {
  const res = await rest('/crm-bridge/v1/admin/subscriptions', {
    method: 'POST',
    session,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: unique('sub'), url: r.url, topics: ['all'], ...fields }),
  });
  expect(res.status).toBe(201);
  const sub = (await res.json()) as { id: number; secret: string };
  r.secret = sub.secret;
  return sub;
}

async function decisions(subscriptionId: number, orderId?: number): Promise<{ decision: string; error_class: string | null; event_id: string }[]> {
  const [rows] = await dbPool().query(
    `SELECT decision, error_class, event_id FROM wp_crm_bridge_log WHERE direction = 'out' AND subscription_id = ? ${orderId ? 'AND order_id = ?' : ''} ORDER BY id`,
    orderId ? [subscriptionId, orderId] : [subscriptionId],
  );
  return rows as { decision: string; error_class: string | null; event_id: string }[];
}

const ofOrder = (r: TestReceiver, orderId: number) => r.received.filter((m) => m.body.data.order.id === orderId);

beforeAll(async () => {
  session = await adminSession();
  wpEval(`\\CrmBridge\\Settings::update( array( 'outgoing' => array( 'max_attempts' => 4, 'base_delay_ms' => 100, 'max_delay_ms' => 400 ) ) );`);
  sidecar = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_POLL_MS: '50', CRM_BRIDGE_SETTINGS_TTL_MS: '0' }));
});
afterEach(() => {
  // Each test's subscriptions stop receiving once it is over.
  wpEval(`global $wpdb; $wpdb->query( "UPDATE {$wpdb->prefix}crm_bridge_subscriptions SET active = 0" );`);
});
afterAll(async () => {
  await sidecar?.stop();
  wpEval(`foreach ( \\CrmBridge\\Subscriptions::all() as $s ) { \\CrmBridge\\Subscriptions::delete( $s['id'] ); }`);
  await Promise.all(receivers.map((r) => r.close()));
  await closePools();
});

describe('outgoing webhooks', () => {
  it('a new order gives exactly one signed order.created per matching subscription', async () => {
    const [a, b, c] = [await receiver(), await receiver(), await receiver()];
    await subscribe(a);
    await subscribe(b, { topics: ['order.created'], payload_mode: 'minimal' });
    await subscribe(c, { topics: ['order.status_changed'] });
    const [orderId] = createOrders(['pending']);
    await waitFor('both deliveries', async () => ofOrder(a, orderId!).length === 1 && ofOrder(b, orderId!).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    for (const r of [a, b]) {
      expect(ofOrder(r, orderId!)).toHaveLength(1);
      expect(ofOrder(r, orderId!)[0]).toMatchObject({ verified: true, body: { type: 'order.created' } });
    }
    expect(ofOrder(a, orderId!)[0]!.body.data.order).toMatchObject({ id: orderId, status: 'pending', billing_email: 'buyer@shop.test', total: '10.00' });
    expect(Object.keys(ofOrder(b, orderId!)[0]!.body.data.order).sort()).toEqual(['crm_order_id', 'date_modified', 'id', 'number', 'status']);
    expect(ofOrder(c, orderId!)).toEqual([]);
  });

  it('coalesces the many hooks of one request into one event with the final state', async () => {
    const r = await receiver();
    await subscribe(r);
    const [orderId] = createOrders(['pending']);
    await waitFor('the created event', async () => ofOrder(r, orderId!).length === 1);
    wpEval(`$o = wc_get_order( ${orderId} ); $o->update_status( 'on-hold' ); $o->set_billing_email( 'new@shop.test' ); $o->save(); $o->update_status( 'processing' );`);
    await waitFor('the change', async () => ofOrder(r, orderId!).length === 2);
    await new Promise((d) => setTimeout(d, 300));
    expect(ofOrder(r, orderId!).map((m) => [m.body.type, m.body.data.order.status, m.body.data.order.billing_email])).toEqual([
      ['order.created', 'pending', 'buyer@shop.test'],
      ['order.status_changed', 'processing', 'new@shop.test'],
    ]);
  });

  it('a change the sidecar applied for the CRM is not sent back to the CRM, but reaches other subscriptions', async () => {
    const [crm, fulfilment] = [await receiver(), await receiver()];
    const crmSub = await subscribe(crm, { is_crm: true });
    await subscribe(fulfilment);
    const [orderId] = createOrders(['pending']);
    await waitFor('created events', async () => ofOrder(crm, orderId!).length === 1 && ofOrder(fulfilment, orderId!).length === 1);
    const apply = await fetch(`${site().url}/wp-json/crm-bridge/v1/sidecar/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${site().sidecarUser}:${site().sidecarAppPassword}`).toString('base64')}` },
      body: JSON.stringify({ transitions: [{ event_id: unique('evt'), crm_order_id: unique('CRM'), order_id: orderId, to_status: 'processing', version: 1 }] }),
    });
    expect(apply.status).toBe(200);
    await waitFor('the fulfilment delivery', async () => ofOrder(fulfilment, orderId!).length === 2);
    await new Promise((d) => setTimeout(d, 300));
    expect(ofOrder(fulfilment, orderId!)[1]!.body).toMatchObject({ type: 'order.status_changed', data: { order: { status: 'processing' } } });
    expect(ofOrder(crm, orderId!)).toHaveLength(1);
    expect((await decisions(crmSub.id, orderId)).map((d) => d.decision)).toEqual(['delivered', 'looped']);
  });

  it('links the CRM’s order id from its order.created answer, without an echo', async () => {
    const crm = await receiver();
    const crmOrderId = unique('CRM-LINK');
    // A CRM that echoes the whole order answers far more than the 4 KiB a log row keeps.
    crm.answer = { id: crmOrderId, order: { note: 'x'.repeat(20_000) } };
    const crmSub = await subscribe(crm, { is_crm: true });
    const [orderId] = createOrders(['pending']);
    // Read without blocking the event loop: the receiver answering the sidecar runs in this process.
    await waitFor('the link', async () => (await wpEvalAsync(`echo wc_get_order( ${orderId} )->get_meta( '_crm_bridge_crm_order_id' );`)) === crmOrderId);
    await new Promise((d) => setTimeout(d, 300));
    expect(ofOrder(crm, orderId!)).toHaveLength(1);
    // The link's own write is looped (not sent back), logged while the delivery is being recorded.
    expect((await decisions(crmSub.id, orderId)).map((d) => d.decision).sort()).toEqual(['delivered', 'linked', 'looped']);
    const [links] = await dbPool().query('SELECT order_id FROM wp_crm_bridge_links WHERE crm_order_id = ?', [crmOrderId]);
    expect(links).toEqual([{ order_id: orderId }]);
  });

  it('delivers but never links a CRM order id that holds markup', async () => {
    const crm = await receiver();
    crm.answer = { id: '<img src=x onerror=alert(1)>' };
    const crmSub = await subscribe(crm, { is_crm: true });
    const [orderId] = createOrders(['pending']);
    await waitFor('the delivery', async () => (await decisions(crmSub.id, orderId)).some((d) => d.decision === 'delivered'));
    expect(wpEval(`echo wc_get_order( ${orderId} )->get_meta( '_crm_bridge_crm_order_id' );`)).toBe('');
    expect((await decisions(crmSub.id, orderId)).map((d) => d.decision)).not.toContain('linked');
  });

  it('an endpoint answering 500 twice then 200 receives the event three times with one webhook-id, delivered once', async () => {
    const r = await receiver();
    r.script = [500, 500];
    const sub = await subscribe(r, { topics: ['order.created'] });
    const [orderId] = createOrders(['pending']);
    await waitFor('three attempts', async () => ofOrder(r, orderId!).length === 3);
    await new Promise((d) => setTimeout(d, 500));
    const attempts = ofOrder(r, orderId!);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((m) => m.id)).size).toBe(1);
    expect(attempts.every((m) => m.verified)).toBe(true);
    expect((await decisions(sub.id, orderId)).map((d) => [d.decision, d.error_class])).toEqual([
      ['retried', 'transient'],
      ['retried', 'transient'],
      ['delivered', null],
    ]);
  });

  it('an endpoint that is down does not delay another subscription', async () => {
    const [down, up] = [await receiver(), await receiver()];
    down.script = Array.from({ length: 50 }, () => 503);
    down.delayMs = 500;
    await subscribe(down);
    await subscribe(up);
    const orders = createOrders(['pending', 'pending', 'pending']);
    const started = Date.now();
    await waitFor('the healthy deliveries', async () => orders.every((o) => ofOrder(up, o).length === 1), 10_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    // The dead endpoint's circuit opens, and the admin health view shows it.
    const host = new URL(down.url).host;
    await waitFor(
      'the open circuit in the health view',
      async () => {
        const health = (await (await rest('/crm-bridge/v1/admin/health', { session })).json()) as { sidecars: { open_circuits: string[] }[] };
        return health.sidecars.some((s) => s.open_circuits.includes(host));
      },
      20_000,
    );
  });

  it('five updates of one order arrive in order at a slow endpoint', async () => {
    const r = await receiver();
    r.delayMs = 150;
    await subscribe(r, { topics: ['order.status_changed'] });
    const [orderId] = createOrders(['pending']);
    const flow = ['on-hold', 'processing', 'completed', 'refunded', 'failed'];
    // Without blocking the event loop, so the receiver keeps answering while real WooCommerce writes (slowly).
    for (const status of flow) await wpEvalAsync(`wc_get_order( ${orderId} )->update_status( '${status}' );`);
    await waitFor('five deliveries', async () => ofOrder(r, orderId!).length === 5, 60_000);
    expect(ofOrder(r, orderId!).map((m) => m.body.data.order.status)).toEqual(flow);
  });

  it('a 410 disables the subscription and the dead letter replays to delivered once it is back', async () => {
    const r = await receiver();
    r.script = [410];
    const sub = await subscribe(r, { topics: ['order.created'] });
    const [orderId] = createOrders(['pending']);
    await waitFor('the disabled subscription', async () => {
      const s = (await (await rest(`/crm-bridge/v1/admin/subscriptions/${sub.id}`, { session })).json()) as { active: boolean; disabled_reason: string | null };
      return !s.active && s.disabled_reason?.includes('410');
    });
    await waitFor('the dead letter', async () => (await decisions(sub.id, orderId)).length > 0);
    expect((await decisions(sub.id, orderId)).map((d) => d.decision)).toEqual(['dead']);
    // The site admin hears of it: an e-mail and a notice in wp-admin.
    const name = ((await (await rest(`/crm-bridge/v1/admin/subscriptions/${sub.id}`, { session })).json()) as { name: string }).name;
    await waitFor('the e-mail to the site admin', async () =>
      existsSync(site().mailDir) &&
      readdirSync(site().mailDir).some((f) => (JSON.parse(readFileSync(join(site().mailDir, f), 'utf8')) as { subject: string }).subject.includes(name)),
    );
    const dashboard = await (await fetch(`${site().url}/wp-admin/`, { headers: { cookie: session.cookie } })).text();
    expect(dashboard).toContain(`disabled the webhook subscription &quot;${name}&quot;: the endpoint answered 410 Gone`);

    const reactivate = await rest(`/crm-bridge/v1/admin/subscriptions/${sub.id}`, { method: 'PATCH', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ active: true }) });
    expect(reactivate.status).toBe(200);
    const replay = await rest('/crm-bridge/v1/admin/deliveries/replay', { method: 'POST', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subscription_id: sub.id }) });
    expect(await replay.json()).toEqual({ replayed: 1 });
    await waitFor('the replayed delivery', async () => ofOrder(r, orderId!).length === 2);
    await waitFor('delivered', async () => (await decisions(sub.id, orderId)).some((d) => d.decision === 'delivered'));
    expect(ofOrder(r, orderId!)[0]!.id).toBe(ofOrder(r, orderId!)[1]!.id);
  });

  it('gives a delivery up after its attempts, keeps it as a dead letter and e-mails the site admin', async () => {
    const r = await receiver();
    r.script = Array.from({ length: 10 }, () => 500);
    const sub = await subscribe(r, { topics: ['order.created'] });
    const [orderId] = createOrders(['pending']);
    await waitFor('the dead letter', async () => (await decisions(sub.id, orderId)).some((d) => d.decision === 'dead'), 15_000);
    expect((await decisions(sub.id, orderId)).map((d) => d.decision)).toEqual(['retried', 'retried', 'retried', 'dead']);
    expect(ofOrder(r, orderId!)).toHaveLength(4);
    const name = ((await (await rest(`/crm-bridge/v1/admin/subscriptions/${sub.id}`, { session })).json()) as { name: string }).name;
    await waitFor('the e-mail to the site admin', async () =>
      readdirSync(site().mailDir).some((f) => (JSON.parse(readFileSync(join(site().mailDir, f), 'utf8')) as { subject: string }).subject === `[CRM Bridge] Deliveries to "${name}" were given up`),
    );
  });

  it('sends a test event on request and logs it', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { topics: ['order.created'] });
    const res = await rest(`/crm-bridge/v1/admin/subscriptions/${sub.id}/test`, { method: 'POST', session });
    expect(res.status).toBe(202);
    await waitFor('the test event', async () => r.received.some((m) => m.body.type === 'test'));
    expect(r.received.find((m) => m.body.type === 'test')!.verified).toBe(true);
    expect((await decisions(sub.id)).map((d) => d.decision)).toEqual(['test', 'delivered']);
  });
});

describe('subscriptions admin API', () => {
  it('never returns a secret after creation, and rotation shows the new one once', async () => {
    const r = await receiver();
    const sub = await subscribe(r);
    expect(sub.secret).toMatch(/^whsec_/);
    const list = await (await rest('/crm-bridge/v1/admin/subscriptions', { session })).text();
    const one = await (await rest(`/crm-bridge/v1/admin/subscriptions/${sub.id}`, { session })).text();
    for (const body of [list, one]) {
      expect(body).not.toContain(sub.secret.slice(6, 30));
      expect(body).toContain('"secret_set":true');
    }
    const rotated = (await (await rest(`/crm-bridge/v1/admin/subscriptions/${sub.id}/rotate-secret`, { method: 'POST', session })).json()) as { secret: string; previous_secret_valid_until: string | null };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(sub.secret);
    expect(rotated.previous_secret_valid_until).not.toBeNull();
  });

  it('names the wrong fields, and refuses private addresses unless wp-config.php allows them', async () => {
    setConfigFlag(site(), 'noPrivateUrls', true);
    try {
      const res = await rest('/crm-bridge/v1/admin/subscriptions', {
        method: 'POST',
        session,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'internal', url: 'http://127.0.0.1:8080/hook', topics: ['order.shipped'], payload_mode: 'everything' }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { data: { errors: Record<string, string> } };
      expect(Object.keys(body.data.errors).sort()).toEqual(['payload_mode', 'topics', 'url']);
      expect(body.data.errors.url).toMatch(/private, loopback/);
      expect(body.data.errors.url).toContain('CRM_BRIDGE_ALLOW_PRIVATE_URLS');
      const ftp = await rest('/crm-bridge/v1/admin/subscriptions', { method: 'POST', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', url: 'ftp://example.org/', topics: ['all'] }) });
      expect(((await ftp.json()) as { data: { errors: Record<string, string> } }).data.errors.url).toMatch(/http/);
    } finally {
      setConfigFlag(site(), 'noPrivateUrls', false);
    }
  });

  it('is for administrators only', async () => {
    expect((await rest('/crm-bridge/v1/admin/subscriptions')).status).toBe(401);
    expect((await rest('/crm-bridge/v1/admin/subscriptions', { session, nonce: false })).status).toBe(401);
  });
});

