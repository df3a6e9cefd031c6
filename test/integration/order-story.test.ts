// One order's story in the sync log: the order filter shows its incoming and outgoing rows together
// (the receiver's rows through the order's CRM link), accepts "#3", matches CRM order ids by prefix,
// names each row's subscription and topic; the CSV export has the same rows and capability and is
// safe to open in a spreadsheet; and the sidecar writes the order id on the incoming rows it logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, ensureUser, login, rest, site, wpEval, type Session } from '../support/stack.ts';
import { CRM_TOKEN, configureCrm, createOrders, logDecisions, sendEvent, statusEvent, unique } from '../support/incoming.ts';
import { sidecarEnv, startSidecar } from '../support/sidecar.ts';
import { startCrmSimulator, type CrmSimulator } from '../crm-simulator/simulator.ts';
import { waitFor } from '../stack/system.ts';

const table = (name: string) => `${site().tablePrefix}crm_bridge_${name}`;

interface Row {
  id: number;
  direction: string;
  decision: string;
  order_id: number | null;
  crm_order_id: string | null;
  subscription_name: string | null;
  topic: string | null;
  message: string | null;
}

let session: Session;
beforeAll(async () => {
  session = await adminSession();
});
afterAll(closePools);

async function logRows(query: string): Promise<Row[]> {
  const res = await rest(`/crm-bridge/v1/admin/log?${query}`, { session });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Row[] }).items;
}

/** A subscription row (no secret needed: nothing is delivered here). */
async function subscription(name: string): Promise<number> {
  const [res] = await dbPool().query(
    `INSERT INTO ${table('subscriptions')} (name, url, topics, status_filter, payload_mode, secret, secret_rotated_at, is_crm, active, created_at, updated_at) VALUES (?, 'http://127.0.0.1:9/hook', 'order.created', '', 'full', 'x', NOW(3), 0, 1, NOW(3), NOW(3))`,
    [name],
  );
  return (res as { insertId: number }).insertId;
}

/** An order linked to a CRM order, with an accepted event (logged before the order is known), a sidecar row and a delivery. */
async function story(): Promise<{ orderId: number; crmId: string; subName: string; messages: string[] }> {
  const [orderId] = createOrders(['pending']);
  const crmId = unique('STORY');
  wpEval(`\\CrmBridge\\Links::save( ${JSON.stringify(crmId)}, ${orderId}, null );`);
  const subName = unique('Fulfilment');
  const subId = await subscription(subName);
  const eventId = unique('evt-story');
  const webhookId = `msg_${unique('story').replaceAll('-', '')}`;
  await dbPool().query(
    `INSERT INTO ${table('inbox')} (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at, finished_at) VALUES (?, 'order.status_changed', ?, '{}', 'done', 1, NOW(3), NOW(3), NOW(3))`,
    [eventId, crmId],
  );
  await dbPool().query(
    `INSERT INTO ${table('outbox')} (webhook_id, subscription_id, order_id, topic, order_version, payload, status, attempts, run_after, created_at) VALUES (?, ?, ?, 'order.created', 'v', '{}', 'done', 1, NOW(3), NOW(3))`,
    [webhookId, subId, orderId],
  );
  const messages = ['story accepted', 'story applied', 'story delivered'];
  await dbPool().query(
    `INSERT INTO ${table('log')} (created_at, direction, decision, order_id, crm_order_id, event_id, subscription_id, attempt, message, detail) VALUES
      (NOW(3), 'in', 'accepted', NULL, ?, ?, NULL, 0, ?, NULL),
      (NOW(3), 'in', 'applied', ?, ?, ?, NULL, 1, ?, NULL),
      (NOW(3), 'out', 'delivered', ?, NULL, ?, ?, 1, ?, '{"status_code":200,"topic":"order.created"}'),
      (NOW(3), 'in', 'applied', ?, 'OTHER-ORDER', NULL, NULL, 1, 'another order', NULL)`,
    [crmId, eventId, messages[0], orderId, crmId, eventId, messages[1], orderId, webhookId, subId, messages[2], orderId! + 100000],
  );
  return { orderId: orderId!, crmId, subName, messages };
}

describe('the sync log filtered to one order', () => {
  it('shows the order’s incoming and outgoing rows together, the receiver’s through the CRM link, with subscription and topic', async () => {
    const { orderId, crmId, subName, messages } = await story();
    const rows = await logRows(`order_id=${orderId}`);
    expect(rows.map((r) => r.message)).toEqual([...messages].reverse());
    expect(rows.map((r) => r.direction)).toEqual(['out', 'in', 'in']);
    const delivered = rows.find((r) => r.decision === 'delivered')!;
    expect(delivered).toMatchObject({ subscription_name: subName, topic: 'order.created' });
    const accepted = rows.find((r) => r.decision === 'accepted')!;
    expect(accepted).toMatchObject({ crm_order_id: crmId, topic: 'order.status_changed', subscription_name: null });

    // "#3" is the order number as WooCommerce prints it.
    expect((await logRows(`order_id=${encodeURIComponent(`#${orderId}`)}`)).map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect((await rest(`/crm-bridge/v1/admin/log?order_id=${encodeURIComponent('#x')}`, { session })).status).toBe(400);
    // Combined with the direction filter, only that side of the story.
    expect((await logRows(`order_id=${orderId}&direction=out`)).map((r) => r.message)).toEqual([messages[2]]);
  });

  it('a delivery’s topic is read from its detail once its queue row is pruned', async () => {
    const { orderId } = await story();
    await dbPool().query(`DELETE FROM ${table('outbox')} WHERE order_id = ?`, [orderId]);
    const delivered = (await logRows(`order_id=${orderId}&decision=delivered`))[0]!;
    expect(delivered.topic).toBe('order.created');
  });

  it('matches CRM order ids by prefix, with LIKE wildcards taken literally', async () => {
    const stem = unique('PFX');
    for (const id of [`${stem}-1`, `${stem}-2`, `${stem}_3`, `X${stem}`]) {
      await dbPool().query(`INSERT INTO ${table('log')} (created_at, direction, decision, crm_order_id, attempt) VALUES (NOW(3), 'in', 'accepted', ?, 0)`, [id]);
    }
    expect((await logRows(`crm_order_id=${stem}`)).map((r) => r.crm_order_id).sort()).toEqual([`${stem}-1`, `${stem}-2`, `${stem}_3`]);
    expect((await logRows(`crm_order_id=${stem}-`)).map((r) => r.crm_order_id).sort()).toEqual([`${stem}-1`, `${stem}-2`]);
    // "_" is a LIKE wildcard: escaped, it matches only itself.
    expect((await logRows(`crm_order_id=${stem}_`)).map((r) => r.crm_order_id)).toEqual([`${stem}_3`]);
    expect(await logRows(`crm_order_id=${encodeURIComponent(`${stem.slice(0, 3)}%`)}`)).toEqual([]);
  });
});

describe('the sync log as CSV', () => {
  it('has the filtered rows, newest first, with formula cells defused, for whoever may view the log', async () => {
    const { orderId, subName, messages } = await story();
    const hostile = ['=HYPERLINK("https://evil.test","x")', '+1+1', '-2+3', '@SUM(A1)'];
    for (const message of hostile) {
      await dbPool().query(`INSERT INTO ${table('log')} (created_at, direction, decision, order_id, attempt, message) VALUES (NOW(3), 'in', 'refused', ?, 1, ?)`, [orderId, message]);
    }
    const res = await rest(`/crm-bridge/v1/admin/log.csv?order_id=${encodeURIComponent(`#${orderId}`)}`, { session });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="crm-bridge-sync-log-.*\.csv"$/);
    expect(Number(res.headers.get('x-crm-bridge-row-limit'))).toBeGreaterThan(0);
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('id,time_utc,direction,decision,order_id,crm_order_id,event_id,subscription,topic,attempt,from_status,to_status,latency_ms,error_class,message,status_code');
    expect(lines).toHaveLength(1 + hostile.length + messages.length);
    const body = lines.slice(1);
    // Newest first: the hostile rows, then the story.
    expect(body[0]).toContain(`,'@SUM(A1),`);
    expect(body[1]).toContain(`,'-2+3,`);
    expect(body[2]).toContain(`,'+1+1,`);
    expect(body[3]).toContain(`,"'=HYPERLINK(""https://evil.test"",""x"")",`);
    for (const line of body) expect(line).not.toMatch(/(^|,)"?[=+\-@]/);
    const delivered = body.find((l) => l.includes(messages[2]!))!;
    expect(delivered).toContain(`,${subName},order.created,`);
    expect(delivered.endsWith(',200')).toBe(true);

    // The same filters as the screen: only the outgoing row.
    const out = (await (await rest(`/crm-bridge/v1/admin/log.csv?order_id=${orderId}&direction=out`, { session })).text()).trimEnd().split('\n');
    expect(out).toHaveLength(2);

    // The log's capability: a shop manager may export, a customer is refused, as is a request without a session.
    ensureUser('story-manager', 'shop_manager', 'story-manager-pass-1');
    const manager = await login('story-manager', 'story-manager-pass-1');
    expect((await rest(`/crm-bridge/v1/admin/log.csv?order_id=${orderId}`, { session: manager })).status).toBe(200);
    ensureUser('story-customer', 'customer', 'story-customer-pass-1');
    const customer = await login('story-customer', 'story-customer-pass-1');
    expect((await rest(`/crm-bridge/v1/admin/log.csv?order_id=${orderId}`, { session: customer })).status).toBe(403);
    expect((await rest(`/crm-bridge/v1/admin/log.csv?order_id=${orderId}`)).status).toBe(401);
  });
});

describe('incoming rows the sidecar logs', () => {
  let crm: CrmSimulator;
  beforeAll(async () => {
    crm = await startCrmSimulator({ token: CRM_TOKEN });
    configureCrm(crm.url, { crm: { base_url: crm.url, paths: { woo_order_id: 'woo_order_id' } } });
  });
  afterAll(async () => {
    await crm.close();
    configureCrm('http://127.0.0.1:9');
  });

  it('carry the order id of the linked CRM order, a stale event’s and a failed verification’s too', async () => {
    const [orderId] = createOrders(['processing']);
    const crmId = unique('FILL');
    const rec = await crm.changeStatus(crmId, 'paid', orderId);
    // The shop already applied a later version: the event is stale.
    wpEval(`\\CrmBridge\\Links::save( ${JSON.stringify(crmId)}, ${orderId}, ${rec.version + 5} );`);
    const stale = unique('evt-fill-stale');
    expect((await sendEvent({ id: stale, body: statusEvent(crmId, 'paid', rec.version) })).status).toBe(202);
    const failing = unique('evt-fill-fail');
    const sidecar = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_POLL_MS: '50' }));
    try {
      await waitFor('the stale event', async () => (await logDecisions({ eventId: stale })).some((r) => r.decision === 'stale'), 30_000);
      // The CRM fails from now on: the event is retried, then dead, never verified.
      crm.setKnobs({ failOrderIds: [crmId] });
      expect((await sendEvent({ id: failing, body: statusEvent(crmId, 'paid', rec.version + 6) })).status).toBe(202);
      await waitFor('the failed verification', async () => (await logDecisions({ eventId: failing })).some((r) => r.decision === 'retried' || r.decision === 'dead'), 30_000);
    } finally {
      await sidecar.stop();
      crm.setKnobs({ failOrderIds: [] });
    }
    const staleRows = await logDecisions({ eventId: stale });
    expect(staleRows.filter((r) => r.decision !== 'accepted').map((r) => [r.decision, r.order_id])).toEqual([
      ['verified', orderId],
      ['stale', orderId],
    ]);
    // Retried, and dead once the attempts the settings allow are spent: each row names the order.
    const failed = (await logDecisions({ eventId: failing })).filter((r) => r.decision !== 'accepted');
    expect(failed.map((r) => r.order_id)).toEqual(failed.map(() => orderId));
    // And the order's story holds them all.
    const story = await logRows(`order_id=${orderId}`);
    // (The failing event may have gone on from retried to dead in between.)
    const decisions = [...new Set(story.map((r) => r.decision))];
    expect(decisions).toEqual(expect.arrayContaining(['accepted', 'verified', 'stale', ...failed.map((r) => r.decision)]));
    expect(decisions.filter((d) => !['accepted', 'verified', 'stale', 'retried', 'dead'].includes(d))).toEqual([]);
  });
});
