// The sync log API: filters, keyset paging, and an entry's detail with personal data and secrets masked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, rest, wpEval, type Session } from '../support/stack.ts';
import { createOrders, unique } from '../support/incoming.ts';

let session: Session;
beforeAll(async () => {
  session = await adminSession();
});
afterAll(closePools);

describe('sync log API', () => {
  it('pages newest first with a keyset cursor and filters exactly', async () => {
    const crmId = unique('PAGE');
    for (let i = 0; i < 5; i++) {
      await dbPool().query(`INSERT INTO wp_crm_bridge_log (created_at, direction, decision, crm_order_id, attempt, message) VALUES (NOW(3), 'in', ?, ?, ?, ?)`, [i % 2 ? 'stale' : 'applied', crmId, i, `row ${i}`]);
    }
    const page1 = (await (await rest(`/crm-bridge/v1/admin/log?crm_order_id=${crmId}&per_page=2`, { session })).json()) as { items: { message: string }[]; next_before_id: number };
    expect(page1.items.map((r) => r.message)).toEqual(['row 4', 'row 3']);
    const page2 = (await (await rest(`/crm-bridge/v1/admin/log?crm_order_id=${crmId}&per_page=2&before_id=${page1.next_before_id}`, { session })).json()) as { items: { message: string }[] };
    expect(page2.items.map((r) => r.message)).toEqual(['row 2', 'row 1']);
    const stale = (await (await rest(`/crm-bridge/v1/admin/log?crm_order_id=${crmId}&decision=stale`, { session })).json()) as { items: unknown[]; next_before_id: null };
    expect(stale.items).toHaveLength(2);
    expect(stale.next_before_id).toBeNull();
    expect((await rest(`/crm-bridge/v1/admin/log?decision=DROP%20TABLE`, { session })).status).toBe(400);
    const future = (await (await rest(`/crm-bridge/v1/admin/log?crm_order_id=${crmId}&from=2999-01-01T00:00:00Z`, { session })).json()) as { items: unknown[] };
    expect(future.items).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    const inRange = (await (await rest(`/crm-bridge/v1/admin/log?crm_order_id=${crmId}&from=${today}T00:00:00Z&to=${today}T23:59:59Z`, { session })).json()) as { items: unknown[] };
    expect(inRange.items).toHaveLength(5);
  });

  it('links each row to its order’s edit screen as WooCommerce gives it, and a deleted order to none', async () => {
    const crmId = unique('LINK');
    const [kept, deleted] = createOrders(['pending', 'pending']) as [number, number];
    for (const orderId of [kept, kept, deleted]) {
      await dbPool().query(`INSERT INTO wp_crm_bridge_log (created_at, direction, decision, order_id, crm_order_id, attempt) VALUES (NOW(3), 'in', 'applied', ?, ?, 1)`, [orderId, crmId]);
    }
    wpEval(`wc_get_order( ${deleted} )->delete( true );`);
    const { items } = (await (await rest(`/crm-bridge/v1/admin/log?crm_order_id=${crmId}`, { session })).json()) as { items: { order_id: number; order_edit_url: string | null }[] };
    // The HPOS screen (admin.php?page=wc-orders&action=edit&id=N), or post.php?post=N&action=edit under posts storage.
    const own = wpEval(`echo wc_get_order( ${kept} )->get_edit_order_url();`);
    expect(own).toMatch(new RegExp(`[?&](id|post)=${kept}(&|$)`));
    expect(items.map((r) => [r.order_id, r.order_edit_url])).toEqual([
      [deleted, null],
      [kept, own],
      [kept, own],
    ]);
  });

  it('shows an entry with all rows of its event and the payload masked', async () => {
    const webhookId = `msg_${unique('mask').replaceAll('-', '')}`;
    const body = JSON.stringify({ type: 'order.created', data: { order: { id: 7, billing_email: 'ann@shop.test', total: '9', meta: { api_token: 'abc' } } } });
    await dbPool().query(
      `INSERT INTO wp_crm_bridge_outbox (webhook_id, subscription_id, order_id, topic, order_version, payload, status, attempts, run_after, created_at) VALUES (?, 1, 7, 'order.created', 'v', ?, 'done', 2, NOW(3), NOW(3))`,
      [webhookId, body],
    );
    await dbPool().query(`INSERT INTO wp_crm_bridge_log (created_at, direction, decision, event_id, attempt, error_class) VALUES (NOW(3), 'out', 'retried', ?, 1, 'transient')`, [webhookId]);
    const [res] = await dbPool().query(`INSERT INTO wp_crm_bridge_log (created_at, direction, decision, event_id, attempt) VALUES (NOW(3), 'out', 'delivered', ?, 2)`, [webhookId]);
    const id = (res as { insertId: number }).insertId;
    const detail = (await (await rest(`/crm-bridge/v1/admin/log/${id}`, { session })).json()) as { attempts: { decision: string }[]; payload: { data: { order: Record<string, unknown> } } };
    expect(detail.attempts.map((a) => a.decision)).toEqual(['retried', 'delivered']);
    expect(detail.payload.data.order).toEqual({ id: 7, billing_email: '••••', total: '9', meta: { api_token: '••••' } });
    expect((await rest(`/crm-bridge/v1/admin/log/${id}`)).status).toBe(401);
  });

  it('shows an incoming entry with the CRM event body from the inbox, masked, and no payload once the event is gone', async () => {
    const eventId = unique('log-in');
    const body = JSON.stringify({ type: 'order.status_changed', data: { crm_order_id: 'LOG-IN-1', status: 'paid', version: 3, customer: { email: 'bob@shop.test' }, signature: 'sig' } });
    await dbPool().query(
      `INSERT INTO wp_crm_bridge_inbox (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at, finished_at) VALUES (?, 'order.status_changed', 'LOG-IN-1', ?, 'done', 1, NOW(3), NOW(3), NOW(3))`,
      [eventId, body],
    );
    const [res] = await dbPool().query(`INSERT INTO wp_crm_bridge_log (created_at, direction, decision, event_id, crm_order_id, attempt) VALUES (NOW(3), 'in', 'applied', ?, 'LOG-IN-1', 1)`, [eventId]);
    const id = (res as { insertId: number }).insertId;
    const detail = (await (await rest(`/crm-bridge/v1/admin/log/${id}`, { session })).json()) as { entry: { id: string; event_id: string }; attempts: { decision: string }[]; payload: { data: Record<string, unknown> } | null };
    expect(detail.entry.event_id).toBe(eventId);
    expect(detail.attempts.map((a) => a.decision)).toEqual(['applied']);
    expect(detail.payload?.data).toEqual({ crm_order_id: 'LOG-IN-1', status: 'paid', version: 3, customer: { email: '••••' }, signature: '••••' });
    await dbPool().query(`DELETE FROM wp_crm_bridge_inbox WHERE event_id = ?`, [eventId]);
    const pruned = (await (await rest(`/crm-bridge/v1/admin/log/${id}`, { session })).json()) as { payload: unknown };
    expect(pruned.payload).toBeNull();
    expect((await rest('/crm-bridge/v1/admin/log/999999999', { session })).status).toBe(404);
  });
});
