// `crm-bridge reconcile`: the real CLI process against the test stack and the CRM simulator. Drift is
// made by changing orders in the CRM without sending webhooks, and in the shop by hand. Reconcile's
// writes go through the write endpoint, which logs them under the source reconcile or reconcile_enforce.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrmSimulator, type CrmSimulator } from '../crm-simulator/simulator.ts';
import { sleep, waitFor } from '../stack/system.ts';
import { configureCrm, createOrders, CRM_TOKEN, orderDetails, orderStates, unique } from '../support/incoming.ts';
import { announceToCrm } from '../support/trust.ts';
import { SIDECAR_MAIN, sidecarEnv, startSidecar } from '../support/sidecar.ts';
import { RECONCILE_RETRY } from '../../sidecar/src/reconcile/retry.ts';
import { adminSession, closePools, dbPool, rest, site, wpEval } from '../support/stack.ts';

let crm: CrmSimulator;
beforeAll(async () => {
  crm = await startCrmSimulator({ token: CRM_TOKEN });
  configureCrm(crm.url);
});
afterAll(async () => {
  await crm.close();
  configureCrm('http://127.0.0.1:9');
  await closePools();
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SIDECAR_MAIN, 'reconcile', ...args], { env: sidecarEnv(undefined, { CRM_BRIDGE_LOG_LEVEL: 'warn' }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Applies a CRM state through the write endpoint, as the sidecar would have. */
async function applied(orderId: number, crmOrderId: string, toStatus: string, version: number): Promise<void> {
  const res = await rest('/crm-bridge/v1/sidecar/apply', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${site().sidecarUser}:${site().sidecarAppPassword}`).toString('base64')}` },
    body: JSON.stringify({ transitions: [{ event_id: unique('evt'), crm_order_id: crmOrderId, order_id: orderId, to_status: toStatus, version }] }),
  });
  expect(((await res.json()) as { results: { outcome: string }[] }).results[0]!.outcome).toBe('applied');
}

interface Summary {
  checked: number;
  counts: Record<string, number>;
  findings: { orderId: number; verdict: string; detail: string }[];
}

describe('crm-bridge reconcile', () => {
  it('repairs missed CRM changes, logs each repair, and reports what it leaves alone', async () => {
    await sleep(1100);
    const from = new Date().toISOString();
    const [drifted, inSync, changedHere, backwards, unlinked, unknown, fresh] = createOrders(['pending', 'pending', 'pending', 'pending', 'pending', 'pending', 'pending']) as [number, number, number, number, number, number, number];
    announceToCrm([drifted, inSync, changedHere, backwards, unlinked, unknown, fresh]);
    const ids = { drifted: unique('RC'), inSync: unique('RC'), changedHere: unique('RC'), backwards: unique('RC'), unknown: unique('RC'), fresh: unique('RC') };
    // Linked when it was created (order.created answered with its CRM id); no CRM change since.
    crm.orders.set(ids.fresh, { crm_order_id: ids.fresh, status: 'pending', version: 0, updated_at: new Date().toISOString(), woo_order_id: fresh });
    // The CRM's history, of which the shop heard only the first change (no webhooks are sent).
    for (const [key, orderId, status] of [['drifted', drifted, 'on_hold'], ['inSync', inSync, 'on_hold'], ['changedHere', changedHere, 'on_hold'], ['backwards', backwards, 'shipped']] as const) {
      await crm.changeStatus(ids[key], status, orderId);
    }
    await applied(drifted, ids.drifted, 'on-hold', 1);
    await applied(inSync, ids.inSync, 'on-hold', 1);
    await applied(changedHere, ids.changedHere, 'on-hold', 1);
    await applied(backwards, ids.backwards, 'completed', 1);
    await crm.changeStatus(ids.drifted, 'paid');
    await crm.changeStatus(ids.backwards, 'paid');
    wpEval(`$o = wc_get_order( ${changedHere} ); $o->update_status( 'cancelled' );
            $u = wc_get_order( ${unknown} ); $u->update_meta_data( '_crm_bridge_crm_order_id', ${JSON.stringify(ids.unknown)} ); $u->save();
            $f = wc_get_order( ${fresh} ); $f->update_meta_data( '_crm_bridge_crm_order_id', ${JSON.stringify(ids.fresh)} ); $f->save();`);

    // A dry run reports and changes nothing.
    const dry = await cli(['--from', from, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const drySummary = JSON.parse(dry.stdout) as Summary;
    expect(drySummary.counts).toMatchObject({ would_repair: 2, repaired: 0 });
    expect(orderStates([drifted])[drifted]).toMatchObject({ status: 'on-hold', version: '1' });

    const run = await cli(['--from', from, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.checked).toBe(7);
    expect(summary.counts).toMatchObject({ in_sync: 2, repaired: 1, refused: 1, local_change: 1, unlinked: 1, crm_missing: 1, error: 0 });
    const verdictOf = (id: number) => summary.findings.find((f) => f.orderId === id)?.verdict;
    expect([verdictOf(drifted), verdictOf(backwards), verdictOf(changedHere), verdictOf(unlinked), verdictOf(unknown)]).toEqual(['repaired', 'refused', 'local_change', 'unlinked', 'crm_missing']);
    // Progress goes to stderr as plain lines when it is not a terminal.
    expect(run.stderr).toContain('reconcile: 7/7 orders checked');

    const states = orderStates([drifted, inSync, changedHere, backwards]);
    expect(states).toMatchObject({
      [drifted]: { status: 'processing', version: '2', crmNotes: 1 },
      [inSync]: { status: 'on-hold', version: '1' },
      [changedHere]: { status: 'cancelled', version: '1' },
      [backwards]: { status: 'completed', version: '1' },
    });
    // Each outcome is logged once, by the write endpoint, under the source `reconcile`.
    const [log] = await dbPool().query(`SELECT decision, order_id, from_status, to_status, message, JSON_UNQUOTE(JSON_EXTRACT(detail, '$.source')) AS source FROM wp_crm_bridge_log WHERE event_id LIKE 'reconcile:%' AND crm_order_id IN (?) ORDER BY order_id`, [[ids.drifted, ids.backwards]]);
    expect(log).toEqual([
      { decision: 'applied', order_id: drifted, from_status: 'on-hold', to_status: 'processing', message: 'reconcile: CRM version 2 applied.', source: 'reconcile' },
      expect.objectContaining({ decision: 'refused', order_id: backwards, to_status: 'processing', message: expect.stringMatching(/^reconcile: Moving from completed to processing goes backwards/), source: 'reconcile' }),
    ]);

    // Run again: the repaired order is in sync now, nothing else changes.
    const again = JSON.parse((await cli(['--from', from, '--json'])).stdout) as Summary;
    expect(again.counts).toMatchObject({ in_sync: 3, repaired: 0, refused: 1 });
  });

  it('never reverts a change made in the shop to an order the CRM only recorded, still repairs a later CRM change, and reverts shop changes only in enforce mode', async () => {
    await sleep(1100);
    const from = new Date().toISOString();
    // One order linked before links kept a version (its CRM id only): no point of agreement is known.
    const [older] = createOrders(['pending']) as [number];
    const olderCrmId = unique('RC');
    crm.orders.set(olderCrmId, { crm_order_id: olderCrmId, status: 'pending', version: 0, updated_at: new Date().toISOString(), woo_order_id: older });
    // The CRM's subscription: each new order reaches it as order.created, and its answer (the record it
    // created, with its version) is linked back by a running sidecar.
    const res = await rest('/crm-bridge/v1/admin/subscriptions', {
      method: 'POST',
      session: await adminSession(),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: unique('crm'), url: `${crm.url}/webhooks`, topics: ['order.created'], is_crm: true }),
    });
    expect(res.status).toBe(201);
    const sub = (await res.json()) as { id: number; secret: string };
    crm.inboundSecret = sub.secret;
    const sidecar = await startSidecar(sidecarEnv());
    try {
      const ids = createOrders(['pending', 'pending', 'pending']) as [number, number, number];
      const crmIds = await waitFor('the CRM records to be linked', async () => {
        const details = orderDetails(ids);
        return ids.every((id) => details[id]!.crmOrderId) ? ids.map((id) => details[id]!.crmOrderId) : false;
      });
      // The shop moves them on; the CRM never changes its records.
      wpEval(`wc_get_order( ${ids[0]} )->update_status( 'processing' ); wc_get_order( ${ids[1]} )->update_status( 'on-hold' ); wc_get_order( ${ids[2]} )->update_status( 'processing' );
              $o = wc_get_order( ${older} ); $o->update_meta_data( '_crm_bridge_crm_order_id', ${JSON.stringify(olderCrmId)} ); $o->set_status( 'processing' ); $o->save();`);

      const first = JSON.parse((await cli(['--from', from, '--json'])).stdout) as Summary;
      expect(first.counts).toMatchObject({ repaired: 0, would_repair: 0, local_change: 4, error: 0 });
      const afterFirst = orderStates([...ids, older]);
      expect([...ids, older].map((id) => afterFirst[id]!.status)).toEqual(['processing', 'on-hold', 'processing', 'processing']);

      // A real CRM decision whose webhook was lost is still repaired.
      await crm.changeStatus(crmIds[1]!, 'paid');
      const second = JSON.parse((await cli(['--from', from, '--json'])).stdout) as Summary;
      expect(second.counts).toMatchObject({ repaired: 1, local_change: 3, error: 0 });
      const afterSecond = orderStates([...ids, older]);
      expect([...ids, older].map((id) => afterSecond[id]!.status)).toEqual(['processing', 'processing', 'processing', 'processing']);

      // Enforce mode, for a shop where only the CRM may change statuses: a dry run reports the reverts
      // and writes nothing, clearly labelled.
      const dryEnforce = await cli(['--from', from, '--enforce', '--dry-run']);
      expect(dryEnforce.code, dryEnforce.stderr).toBe(0);
      expect(dryEnforce.stdout).toContain("ENFORCE: local changes are reverted to the CRM's state");
      expect(dryEnforce.stdout).toMatch(/would revert\s+3/);
      const dryJson = JSON.parse((await cli(['--from', from, '--enforce', '--dry-run', '--json'])).stdout) as Summary & { enforce: boolean };
      expect(dryJson).toMatchObject({ enforce: true, counts: { would_revert: 3, reverted: 0, local_change: 0, repaired: 0, error: 0 } });
      const afterDry = orderStates([...ids, older]);
      expect([...ids, older].map((id) => afterDry[id]!.status)).toEqual(['processing', 'processing', 'processing', 'processing']);

      // Enforced: the shop's changes go back to the CRM's state; the CRM's own change stays.
      const enforced = await cli(['--from', from, '--enforce', '--json']);
      expect(enforced.code, enforced.stderr).toBe(0);
      expect(enforced.stderr).toContain('ENFORCE');
      const third = JSON.parse(enforced.stdout) as Summary;
      expect(third.counts).toMatchObject({ reverted: 3, local_change: 0, in_sync: 1, error: 0 });
      expect(third.findings.filter((f) => f.verdict === 'reverted').map((f) => f.orderId)).toEqual([older, ids[0], ids[2]]);
      const afterEnforce = orderStates([...ids, older]);
      expect([...ids, older].map((id) => afterEnforce[id]!.status)).toEqual(['pending', 'processing', 'pending', 'pending']);
      const [reverts] = await dbPool().query(`SELECT order_id, decision, from_status, to_status FROM wp_crm_bridge_log WHERE JSON_EXTRACT(detail, '$.source') = 'reconcile_enforce' AND order_id IN (?) ORDER BY order_id`, [[...ids, older]]);
      expect(reverts).toEqual([older, ids[0], ids[2]].map((order_id) => ({ order_id, decision: 'applied', from_status: 'processing', to_status: 'pending' })));
      // Nothing is left to revert, and a plain run finds every order in sync.
      const fourth = JSON.parse((await cli(['--from', from, '--json'])).stdout) as Summary;
      expect(fourth.counts).toMatchObject({ in_sync: 4, local_change: 0, repaired: 0 });
    } finally {
      await sidecar.stop();
      wpEval(`global $wpdb; $wpdb->update( $wpdb->prefix . 'crm_bridge_subscriptions', array( 'active' => 0 ), array( 'id' => ${sub.id} ) );`);
    }
  });

  it('an install that kept the CRM version only in the order’s meta: a later CRM change is repaired, a shop change is left alone', async () => {
    await sleep(1100);
    const from = new Date().toISOString();
    const [missed, changedHere] = createOrders(['pending', 'pending']) as [number, number];
    announceToCrm([missed, changedHere]);
    const [crmMissed, crmChanged] = [unique('RL'), unique('RL')];
    // Linked, with version 3 applied, before the links table kept the version.
    for (const [orderId, crmId, status] of [[missed, crmMissed, 'on-hold'], [changedHere, crmChanged, 'processing']] as const) {
      wpEval(`\\CrmBridge\\Links::save( ${JSON.stringify(crmId)}, ${orderId}, null );
              $o = wc_get_order( ${orderId} ); $o->update_meta_data( '_crm_bridge_crm_order_id', ${JSON.stringify(crmId)} ); $o->update_meta_data( '_crm_bridge_version', '3' ); $o->set_status( ${JSON.stringify(status)} ); $o->save();`);
    }
    // The CRM moved one on to version 4; the other it left at version 3, which the shop changed since.
    crm.orders.set(crmMissed, { crm_order_id: crmMissed, status: 'paid', version: 4, updated_at: new Date().toISOString(), woo_order_id: missed });
    crm.orders.set(crmChanged, { crm_order_id: crmChanged, status: 'on_hold', version: 3, updated_at: new Date().toISOString(), woo_order_id: changedHere });
    const run = await cli(['--from', from, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.findings.map((f) => [f.orderId, f.verdict])).toEqual([
      [missed, 'repaired'],
      [changedHere, 'local_change'],
    ]);
    expect(summary.findings[1]!.detail).toContain('the version it last agreed with');
    expect(orderStates([missed, changedHere])).toMatchObject({ [missed]: { status: 'processing', version: '4' }, [changedHere]: { status: 'processing', version: '3' } });
    const [links] = await dbPool().query(`SELECT crm_order_id, applied_version FROM wp_crm_bridge_links WHERE crm_order_id IN (?) ORDER BY order_id`, [[crmMissed, crmChanged]]);
    // The repair's write took the CRM's version into the links table; the order left alone was only read.
    expect(links).toEqual([
      { crm_order_id: crmMissed, applied_version: '4' },
      { crm_order_id: crmChanged, applied_version: null },
    ]);
  });

  it('records the agreement of an order linked without a CRM version at its first verify, so a later CRM change is repaired', async () => {
    await sleep(1100);
    const from = new Date().toISOString();
    const [orderId] = createOrders(['pending']) as [number];
    announceToCrm([orderId]);
    const crmId = unique('RV');
    // Linked from a CRM answer that carried no version: nothing is agreed yet.
    wpEval(`\\CrmBridge\\Links::save( ${JSON.stringify(crmId)}, ${orderId}, null );
            $o = wc_get_order( ${orderId} ); $o->update_meta_data( '_crm_bridge_crm_order_id', ${JSON.stringify(crmId)} ); $o->save();`);
    crm.orders.set(crmId, { crm_order_id: crmId, status: 'pending', version: 5, updated_at: new Date().toISOString(), woo_order_id: orderId });
    const agreed = async () => ((await dbPool().query(`SELECT applied_version FROM wp_crm_bridge_links WHERE crm_order_id = ?`, [crmId]))[0] as { applied_version: string | null }[])[0]!.applied_version;

    // A dry run writes nothing, not even the agreement.
    const dry = await cli(['--from', from, '--json', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(await agreed()).toBeNull();
    // Shop and CRM agree (pending): the run records version 5 as the agreement.
    const first = await cli(['--from', from, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect((JSON.parse(first.stdout) as Summary).counts.in_sync).toBe(1);
    expect(await agreed()).toBe('5');

    // The CRM changes the record later and its webhook is lost: the change is repaired.
    crm.orders.set(crmId, { crm_order_id: crmId, status: 'paid', version: 6, updated_at: new Date().toISOString(), woo_order_id: orderId });
    const second = await cli(['--from', from, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as Summary).findings.map((f) => [f.orderId, f.verdict])).toEqual([[orderId, 'repaired']]);
    expect(orderStates([orderId])).toMatchObject({ [orderId]: { status: 'processing', version: '6' } });
  });

  it('writes its whole JSON report through a pipe, thousands of findings long', async () => {
    await sleep(1100);
    const from = new Date().toISOString();
    // Orders without a CRM order id: each is a finding, and none needs a CRM call.
    wpEval(`for ( $i = 0; $i < 2000; $i++ ) { $o = new WC_Order(); $o->set_status( 'pending' ); $o->save(); }`);
    const res = await cli(['--from', from, '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.length).toBeGreaterThan(65_536);
    const summary = JSON.parse(res.stdout) as Summary;
    expect(summary.counts.unlinked).toBe(2000);
    expect(summary.findings).toHaveLength(2000);
  }, 180_000);

  it('stops with exit code 1 when the CRM stops answering, instead of erring on every order', async () => {
    await sleep(1100);
    const from = new Date().toISOString();
    const ids = createOrders(Array.from({ length: 30 }, () => 'pending'));
    announceToCrm(ids);
    wpEval(`foreach ( json_decode( ${JSON.stringify(JSON.stringify(ids))} ) as $i => $id ) { $o = wc_get_order( $id ); $o->update_meta_data( '_crm_bridge_crm_order_id', 'RC-DOWN-' . $i ); $o->save(); }`);
    configureCrm('http://127.0.0.1:9');
    try {
      const res = await cli(['--from', from, '--json', '--concurrency', '1']);
      expect(res.code).toBe(1);
      const summary = JSON.parse(res.stdout) as Summary & { stopped: string | null };
      expect(summary.stopped).toMatch(/^stopped after \d+ orders: the circuit for 127\.0\.0\.1:9 is open/);
      expect(summary.checked).toBeLessThan(30);
      expect(summary.counts.error).toBe(summary.checked);
    } finally {
      configureCrm(crm.url);
    }
  });

  it('retries a CRM that fails every other answer, and repairs every order; a 404 is reported at once', async () => {
    await sleep(1100);
    const from = new Date().toISOString();
    // Half its answers are 500s, every other one (its randomness is injected: one draw fails a call, an
    // answered call takes two), so without retries every order would be an error.
    const cycle = [0.25, 0.75, 0.75];
    let draw = 0;
    const flaky = await startCrmSimulator({ token: CRM_TOKEN, knobs: { errorRate: 0.5 }, random: () => cycle[draw++ % cycle.length]! });
    try {
      const [a, b, unknown] = createOrders(['pending', 'pending', 'pending']) as [number, number, number];
      announceToCrm([a, b, unknown]);
      const ids = { a: unique('RF'), b: unique('RF'), unknown: unique('RF') };
      for (const [crmId, orderId] of [[ids.a, a], [ids.b, b]] as const) {
        flaky.orders.set(crmId, { crm_order_id: crmId, status: 'on_hold', version: 1, updated_at: new Date().toISOString(), woo_order_id: orderId });
        await applied(orderId, crmId, 'on-hold', 1);
        // Paid in the CRM; the webhook was lost.
        flaky.orders.set(crmId, { crm_order_id: crmId, status: 'paid', version: 2, updated_at: new Date().toISOString(), woo_order_id: orderId });
      }
      wpEval(`$u = wc_get_order( ${unknown} ); $u->update_meta_data( '_crm_bridge_crm_order_id', ${JSON.stringify(ids.unknown)} ); $u->save();`);
      configureCrm(flaky.url);
      const run = await cli(['--from', from, '--json', '--concurrency', '1']);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as Summary;
      expect(summary.counts).toMatchObject({ repaired: 2, crm_missing: 1, error: 0 });
      expect(orderStates([a, b])).toMatchObject({ [a]: { status: 'processing', version: '2' }, [b]: { status: 'processing', version: '2' } });
      // Each order's first read failed and was tried again; the 404 was not.
      expect(flaky.calls).toMatchObject({ failed: 3, ok: 2, notFound: 1 });
    } finally {
      configureCrm(crm.url);
      await flaky.close();
    }
  });

  it('reports a CRM that always answers 503 after its retries, with exit code 1', async () => {
    await sleep(1100);
    const from = new Date().toISOString();
    let requests = 0;
    const down = createServer((_req, res) => {
      requests++;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"maintenance"}');
    });
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    try {
      const [orderId] = createOrders(['pending']) as [number];
      announceToCrm([orderId]);
      const crmId = unique('RD');
      wpEval(`$o = wc_get_order( ${orderId} ); $o->update_meta_data( '_crm_bridge_crm_order_id', ${JSON.stringify(crmId)} ); $o->save();`);
      configureCrm(`http://127.0.0.1:${(down.address() as AddressInfo).port}`);
      const run = await cli(['--from', from, '--json']);
      expect(run.code).toBe(1);
      const summary = JSON.parse(run.stdout) as Summary & { stopped: string | null };
      expect(summary.stopped).toBeNull();
      expect(summary.findings).toEqual([{ orderId, crmOrderId: crmId, verdict: 'error', detail: `crm_unavailable: CRM answered 503 (after ${RECONCILE_RETRY.maxAttempts} attempts)` }]);
      expect(requests).toBe(RECONCILE_RETRY.maxAttempts);
    } finally {
      configureCrm(crm.url);
      await new Promise((resolve) => down.close(resolve));
    }
  });

  it('reads its range in UTC days, refuses bad arguments with exit code 2, and enforces only when asked', async () => {
    const past = await cli(['--from', '2001-01-01', '--to', '2001-01-31', '--json']);
    expect(past.code).toBe(0);
    expect(JSON.parse(past.stdout)).toMatchObject({ from: '2001-01-01T00:00:00.000Z', to: '2001-01-31T23:59:59.999Z', checked: 0 });
    const text = await cli(['--from', '2001-01-01', '--to', '2001-01-02']);
    expect(text.stdout).toContain('Reconciled 0 orders');
    expect(text.stdout).not.toContain('ENFORCE');
    // Enforce mode is off unless asked for, and its help says what it does.
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--enforce          ENFORCE: local changes are reverted to the CRM's state");
    expect(help.stdout).toContain(`is tried again with backoff, up to ${RECONCILE_RETRY.maxAttempts} attempts, before the order is reported as an error`);
    for (const bad of [[], ['--from', 'yesterday'], ['--from', '2026-11-02', '--to', '2026-11-01'], ['--from', '2026-11-01', '--concurrency', '0'], ['--from', '2026-11-01', '--what']]) {
      const res = await cli(bad);
      expect(res.code, bad.join(' ')).toBe(2);
      expect(res.stderr).toContain('Usage: crm-bridge reconcile');
    }
  });
});
