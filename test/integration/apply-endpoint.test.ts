// The sidecar's write endpoint: only the sidecar's role may call it; every transition is re-checked
// at write time under a per-order lock, written through WC_Order with the origin tag set, and its
// outcome is logged by the endpoint itself: a fenced one with its inbox row finished in the same
// transaction, reconcile's (no inbox row) once, under its source.
import { describe, expect, it } from 'vitest';
import { dbPool, ensureUser, login, rest, site, wpEval, wpEvalJson } from '../support/stack.ts';
import { createOrders as createUnannounced, orderDetails, orderStates, unique } from '../support/incoming.ts';
import { announceToCrm } from '../support/trust.ts';

/** Orders the shop announced to the CRM (order.created), as every order the CRM may claim is. */
function createOrders(statuses: string[]): number[] {
  const ids = createUnannounced(statuses);
  announceToCrm(ids);
  return ids;
}

const sidecarAuth = () => ({ authorization: `Basic ${Buffer.from(`${site().sidecarUser}:${site().sidecarAppPassword}`).toString('base64')}` });

async function apply(transitions: Record<string, unknown>[], headers: Record<string, string> = sidecarAuth()): Promise<Response> {
  return rest('/crm-bridge/v1/sidecar/apply', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ transitions }) });
}

const outcomesOf = async (transitions: Record<string, unknown>[]) => ((await (await apply(transitions)).json()) as { results: { outcome: string; code?: string; reason?: string; message?: string }[] }).results;

async function linkVersion(crmOrderId: string): Promise<string | null | undefined> {
  const [rows] = await dbPool().query(`SELECT applied_version FROM wp_crm_bridge_links WHERE crm_order_id = ?`, [crmOrderId]);
  return (rows as { applied_version: string | null }[])[0]?.applied_version;
}

const transition = (orderId: number, crmOrderId: string, to_status: string, version: number) => ({ event_id: unique('evt'), crm_order_id: crmOrderId, order_id: orderId, to_status, version });

describe('apply endpoint', () => {
  it('refuses anonymous callers (401) and users without the sidecar capability (403)', async () => {
    expect((await apply([], {})).status).toBe(401);
    ensureUser('shop-manager-apply', 'shop_manager', 'shop-manager-apply-1');
    const session = await login('shop-manager-apply', 'shop-manager-apply-1');
    const res = await rest('/crm-bridge/v1/sidecar/apply', { method: 'POST', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transitions: [] }) });
    expect(res.status).toBe(403);
  });

  it('validates the batch against its schema', async () => {
    const res = await apply([{ event_id: 'e', crm_order_id: 'c', to_status: 'completed', version: -1, extra: 1 }]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'rest_invalid_param' });
  });

  it('applies, skips stale versions and refuses backward moves, one outcome per transition', async () => {
    const [a, b] = createOrders(['pending', 'completed']);
    const crmA = unique('A');
    const res = await apply([
      transition(a!, crmA, 'processing', 2),
      transition(a!, crmA, 'on-hold', 1),
      transition(b!, unique('B'), 'processing', 1),
      transition(a!, crmA, 'no-such-status', 3),
      { event_id: unique('evt'), crm_order_id: unique('unlinked'), to_status: 'completed', version: 1 },
    ]);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { outcome: string; from_status?: string }[] };
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'stale', 'refused', 'invalid', 'not_found']);
    expect(results[0]!.from_status).toBe('pending');
    expect(orderStates([a!, b!])).toMatchObject({ [a!]: { status: 'processing', version: '2' }, [b!]: { status: 'completed' } });
  });

  it('a CRM order never takes over an order linked to another CRM order, nor one never announced to the CRM', async () => {
    const [linked, announced] = createOrders(['pending', 'pending']);
    const [unannounced] = createUnannounced(['pending']);
    const [crmA, crmB, crmC, crmD] = [unique('own'), unique('thief'), unique('stranger'), unique('fresh')];
    const outcomes = async (transitions: Record<string, unknown>[]) =>
      ((await (await apply(transitions)).json()) as { results: { outcome: string; code?: string; message?: string }[] }).results;

    expect((await outcomes([transition(linked!, crmA, 'processing', 1)]))[0]).toMatchObject({ outcome: 'applied' });
    const refused = await outcomes([
      transition(linked!, crmB, 'completed', 7),
      transition(unannounced!, crmC, 'processing', 1),
      transition(announced!, crmA, 'completed', 2),
    ]);
    expect(refused.map((r) => [r.outcome, r.code])).toEqual([
      ['refused', 'foreign_order'],
      ['refused', 'foreign_order'],
      ['refused', 'foreign_order'],
    ]);
    expect(refused[1]!.message).toMatch(/never announced/);
    // An announced order with no link is still claimed by the CRM's order id.
    expect((await outcomes([transition(announced!, crmD, 'processing', 1)]))[0]).toMatchObject({ outcome: 'applied' });

    expect(orderDetails([linked!, announced!, unannounced!])).toMatchObject({
      [linked!]: { status: 'processing', version: '1', crmOrderId: crmA },
      [announced!]: { status: 'processing', version: '1', crmOrderId: crmD },
      [unannounced!]: { status: 'pending', version: '', crmOrderId: '' },
    });
    const links = async () => {
      const [rows] = await dbPool().query(`SELECT crm_order_id, order_id FROM wp_crm_bridge_links WHERE crm_order_id IN (?) ORDER BY order_id`, [[crmA, crmB, crmC, crmD]]);
      return rows;
    };
    const expected = [{ crm_order_id: crmA, order_id: linked }, { crm_order_id: crmD, order_id: announced }];
    expect(await links()).toEqual(expected);

    // Links::save neither moves a CRM order to another order nor re-links an order.
    expect(wpEval(`var_export( array( \\CrmBridge\\Links::save( ${JSON.stringify(crmA)}, ${announced}, null ), \\CrmBridge\\Links::save( ${JSON.stringify(crmB)}, ${linked}, 3 ) ) );`).replace(/\s+/g, '')).toBe('array(0=>false,1=>false,)');
    // Nor does the link endpoint the sidecar calls with the CRM's answer to order.created.
    const relink = await rest('/crm-bridge/v1/sidecar/link', { method: 'POST', headers: { 'content-type': 'application/json', ...sidecarAuth() }, body: JSON.stringify({ order_id: linked, crm_order_id: crmD }) });
    expect(relink.status).toBe(409);
    expect(await links()).toEqual(expected);
    expect(orderDetails([linked!])[linked!]!.crmOrderId).toBe(crmA);
  });

  it('a fenced transition applies only while its claim holds the inbox row, then logs and finishes the row itself', async () => {
    const [orderId] = createOrders(['pending']);
    const crmId = unique('F');
    const eventId = unique('evt_fence');
    const [inserted] = await dbPool().query(
      `INSERT INTO wp_crm_bridge_inbox (event_id, event_type, crm_order_id, payload, status, attempts, run_after, locked_by, locked_until, received_at)
       VALUES (?, 'order.status_changed', ?, '{}', 'running', 2, NOW(3), 'replica-x', NOW(3) + INTERVAL 1 MINUTE, NOW(3))`,
      [eventId, crmId],
    );
    const inboxId = (inserted as { insertId: number }).insertId;
    const fenced = (worker: string, attempt: number) => ({
      event_id: eventId, crm_order_id: crmId, order_id: orderId, to_status: 'processing', version: 1, inbox_id: inboxId, worker, attempt,
      verified: { crm_status: 'paid', crm_version: 1, latency_ms: 12 },
    });
    // An older claim of the same row (attempt 1) and another worker's claim write nothing.
    for (const stale of [fenced('replica-x', 1), fenced('replica-y', 2)]) {
      const { results } = (await (await apply([stale])).json()) as { results: { outcome: string }[] };
      expect(results[0]!.outcome).toBe('lease_lost');
    }
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ status: 'pending' });
    const { results } = (await (await apply([fenced('replica-x', 2)])).json()) as { results: { outcome: string; recorded?: boolean }[] };
    expect(results[0]).toMatchObject({ outcome: 'applied', recorded: true });
    // The same claim again, or any later one, finds the row done.
    const again = (await (await apply([{ ...fenced('replica-x', 2), version: 2 }])).json()) as { results: { outcome: string }[] };
    expect(again.results[0]!.outcome).toBe('lease_lost');
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ status: 'processing', version: '1' });
    const [rows] = await dbPool().query(`SELECT status, locked_by, finished_at IS NOT NULL AS finished FROM wp_crm_bridge_inbox WHERE id = ?`, [inboxId]);
    expect(rows).toEqual([{ status: 'done', locked_by: null, finished: 1 }]);
    const [log] = await dbPool().query(`SELECT decision, attempt, worker, to_status FROM wp_crm_bridge_log WHERE event_id = ? ORDER BY id`, [eventId]);
    expect(log).toEqual([
      { decision: 'verified', attempt: 2, worker: 'replica-x', to_status: 'paid' },
      { decision: 'applied', attempt: 2, worker: 'replica-x', to_status: 'processing' },
    ]);
  });

  it('two racing writers never leave an older state: the newest version wins whatever the order', async () => {
    const orderIds = createOrders(Array.from({ length: 5 }, () => 'pending'));
    await Promise.all(
      orderIds.flatMap((id) => {
        const crmId = unique('race');
        return [apply([transition(id, crmId, 'completed', 5)]), apply([transition(id, crmId, 'on-hold', 4)]), apply([transition(id, crmId, 'processing', 3)])];
      }),
    );
    for (const state of Object.values(orderStates(orderIds))) expect(state).toMatchObject({ status: 'completed', version: '5' });
  });

  it('sets the CRM origin tag exactly while the order hooks fire, and only then', () => {
    const [orderId] = createOrders(['pending']);
    const seen = wpEvalJson<{ during: (string | null)[]; after: string | null; plain: (string | null)[] }>(`
      $during = array();
      add_action( 'woocommerce_order_status_changed', function () use ( &$during ) { $during[] = \\CrmBridge\\Origin::current(); }, 10, 4 );
      wp_set_current_user( get_user_by( 'login', 'crm-bridge-sidecar' )->ID );
      $req = new WP_REST_Request( 'POST', '/crm-bridge/v1/sidecar/apply' );
      $req->set_header( 'content-type', 'application/json' );
      $req->set_body( wp_json_encode( array( 'transitions' => array( array( 'event_id' => 'origin-test', 'crm_order_id' => 'ORIGIN-${orderId}', 'order_id' => ${orderId}, 'to_status' => 'processing', 'version' => 1 ) ) ) ) );
      rest_do_request( $req );
      $after = \\CrmBridge\\Origin::current();
      $plain = $during; $during = array();
      wc_get_order( ${orderId} )->update_status( 'completed' );
      echo wp_json_encode( array( 'during' => $plain, 'after' => $after, 'plain' => $during ) );`);
    expect(seen).toEqual({ during: ['crm'], after: null, plain: [null] });
  });

  it('logs a reconcile transition without an inbox row once, itself, under its source', async () => {
    const [orderId] = createOrders(['pending']);
    const crmId = unique('RS');
    const sent = { ...transition(orderId!, crmId, 'processing', 2), source: 'reconcile', worker: 'reconcile@test' };
    const stale = { ...transition(orderId!, crmId, 'on-hold', 1), source: 'reconcile', worker: 'reconcile@test' };
    const results = await outcomesOf([sent, stale]);
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'stale']);
    const [rows] = await dbPool().query(`SELECT event_id, decision, worker, attempt, from_status, to_status, message, detail FROM wp_crm_bridge_log WHERE crm_order_id = ? ORDER BY id`, [crmId]);
    const log = (rows as { detail: string }[]).map((r) => ({ ...r, detail: JSON.parse(r.detail) as unknown }));
    expect(log).toEqual([
      { event_id: sent.event_id, decision: 'applied', worker: 'reconcile@test', attempt: 1, from_status: 'pending', to_status: 'processing', message: 'reconcile: CRM version 2 applied.', detail: { source: 'reconcile', reason: 'newer_version', version: 2 } },
      { event_id: stale.event_id, decision: 'stale', worker: 'reconcile@test', attempt: 1, from_status: 'processing', to_status: 'on-hold', message: expect.stringMatching(/^reconcile: Version 1 is not newer/), detail: { source: 'reconcile', reason: 'not_newer', version: 1 } },
    ]);
    // A source is only for transitions without an inbox row, and only the known ones.
    expect((await apply([{ ...transition(orderId!, crmId, 'completed', 3), source: 'admin' }])).status).toBe(400);
    expect((await outcomesOf([{ ...transition(orderId!, crmId, 'completed', 3), source: 'reconcile', inbox_id: 1, worker: 'w', attempt: 1 }]))[0]!.outcome).toBe('invalid');
  });

  it('reverts a shop’s own change only for reconcile_enforce: the agreed version and a move out of a final status are allowed then, a foreign order never', async () => {
    const [orderId, other] = createOrders(['pending', 'pending']);
    const crmId = unique('EN');
    expect((await outcomesOf([transition(orderId!, crmId, 'on-hold', 3)]))[0]!.outcome).toBe('applied');
    // The shop completes the order; the CRM still says on-hold at version 3.
    wpEval(`wc_get_order( ${orderId} )->update_status( 'completed' );`);
    const revert = (source: string, version: number, id = orderId!, crm = crmId) => ({ ...transition(id, crm, 'on-hold', version), source, worker: 'reconcile@test' });
    const plain = await outcomesOf([revert('reconcile', 3), revert('reconcile', 4)]);
    expect(plain.map((r) => [r.outcome, r.reason])).toEqual([
      ['stale', 'not_newer'],
      ['refused', 'backward'],
    ]);
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ status: 'completed', version: '3' });

    const older = await outcomesOf([revert('reconcile_enforce', 2)]);
    expect(older[0]).toMatchObject({ outcome: 'stale', reason: 'older_version' });
    const enforced = await outcomesOf([revert('reconcile_enforce', 3)]);
    expect(enforced[0]).toMatchObject({ outcome: 'applied', reason: 'enforced' });
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ status: 'on-hold', version: '3' });
    // Another CRM order cannot use enforce to take an order over.
    const foreign = await outcomesOf([revert('reconcile_enforce', 9, other!, crmId), revert('reconcile_enforce', 9, orderId!, unique('EN'))]);
    expect(foreign.map((r) => [r.outcome, r.code])).toEqual([
      ['refused', 'foreign_order'],
      ['refused', 'foreign_order'],
    ]);
    expect(orderStates([orderId!, other!])).toMatchObject({ [orderId!]: { status: 'on-hold' }, [other!]: { status: 'pending' } });
    const [rows] = await dbPool().query(`SELECT decision, from_status, to_status, message FROM wp_crm_bridge_log WHERE crm_order_id = ? AND JSON_EXTRACT(detail, '$.reason') = 'enforced'`, [crmId]);
    expect(rows).toEqual([{ decision: 'applied', from_status: 'completed', to_status: 'on-hold', message: expect.stringMatching(/^reconcile_enforce: enforced: the shop's change to completed is reverted/) }]);
  });

  it('reads the applied version from the links table only: the order’s meta is a display copy', async () => {
    const [orderId] = createOrders(['pending']);
    const crmId = unique('LV');
    expect((await outcomesOf([transition(orderId!, crmId, 'processing', 3)]))[0]!.outcome).toBe('applied');
    expect(await linkVersion(crmId)).toBe('3');
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ version: '3' });
    // A display copy that says otherwise decides nothing.
    wpEval(`$o = wc_get_order( ${orderId} ); $o->update_meta_data( '_crm_bridge_version', '9' ); $o->save();`);
    expect((await outcomesOf([transition(orderId!, crmId, 'on-hold', 5)]))[0]!.outcome).toBe('applied');
    expect(await linkVersion(crmId)).toBe('5');
    expect(orderStates([orderId!])[orderId!]).toMatchObject({ status: 'on-hold', version: '5' });
  });

  it('takes the version of an install that kept it only in the order’s meta into the links table, once', async () => {
    const [orderId] = createOrders(['pending']);
    const crmId = unique('LG');
    wpEval(`\\CrmBridge\\Links::save( ${JSON.stringify(crmId)}, ${orderId}, null );
            $o = wc_get_order( ${orderId} ); $o->update_meta_data( '_crm_bridge_crm_order_id', ${JSON.stringify(crmId)} ); $o->update_meta_data( '_crm_bridge_version', '4' ); $o->save();`);
    expect(await linkVersion(crmId)).toBeNull();
    expect((await outcomesOf([transition(orderId!, crmId, 'processing', 4)]))[0]).toMatchObject({ outcome: 'stale', reason: 'not_newer' });
    expect(await linkVersion(crmId)).toBe('4');
    // From now on the links table decides, whatever the meta says.
    wpEval(`$o = wc_get_order( ${orderId} ); $o->update_meta_data( '_crm_bridge_version', '1' ); $o->save();`);
    expect((await outcomesOf([transition(orderId!, crmId, 'processing', 3)]))[0]!.outcome).toBe('stale');
    expect((await outcomesOf([transition(orderId!, crmId, 'processing', 5)]))[0]!.outcome).toBe('applied');
    expect(await linkVersion(crmId)).toBe('5');
  });
});
