// Recovery after a sidecar is killed with SIGKILL, through real sidecar processes: a restart with
// the same worker id takes its claims back at start, another replica takes over once the killed
// one's heartbeat stops, and a write still in flight from the dead process is fenced out. Every
// lease here is 300 s, so nothing in these tests can pass by a lease running out.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PoolConnection } from 'mysql2/promise';
import { closePools, dbPool } from '../support/stack.ts';
import { CRM_TOKEN, configureCrm, createOrders as createUnannounced, logDecisions, orderStates, sendEvent, statusEvent, unique } from '../support/incoming.ts';
import { announceToCrm } from '../support/trust.ts';
import { claimedBy, heldBy, killSidecar, stillHeld, sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { startCrmSimulator, type CrmSimulator } from '../crm-simulator/simulator.ts';
import { sleep, waitFor } from '../stack/system.ts';

/** Far longer than any wait below: a row taken back before it ends was taken back by recovery. */
const LEASE_SECONDS = '300';
/** Well inside the lease. */
const RECOVERY_TIMEOUT_MS = 60_000;

let crm: CrmSimulator;
const sidecars: RunningSidecar[] = [];

async function sidecar(workerId: string, env: Record<string, string> = {}): Promise<RunningSidecar> {
  const sc = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_WORKER_ID: workerId, CRM_BRIDGE_LEASE_SECONDS: LEASE_SECONDS, CRM_BRIDGE_POLL_MS: '50', ...env }));
  sidecars.push(sc);
  return sc;
}

/** Orders announced to the CRM, each changed to paid in the CRM, with the webhook sent: the event ids. */
async function paidInCrm(count: number): Promise<{ orderIds: number[]; eventIds: string[] }> {
  const orderIds = createUnannounced(Array.from({ length: count }, () => 'pending'));
  announceToCrm(orderIds);
  const eventIds: string[] = [];
  for (const orderId of orderIds) {
    const crmOrderId = unique('rec');
    const rec = await crm.changeStatus(crmOrderId, 'paid', orderId);
    const id = `evt_${crmOrderId}_v${rec.version}`;
    expect((await sendEvent({ id, body: statusEvent(crmOrderId, 'paid', rec.version) })).status).toBe(202);
    eventIds.push(id);
  }
  return { orderIds, eventIds };
}

async function inbox(eventIds: string[]): Promise<{ id: number; event_id: string; status: string; attempts: number; locked_by: string | null }[]> {
  const [rows] = await dbPool().query(`SELECT id, event_id, status, attempts, locked_by FROM wp_crm_bridge_inbox WHERE event_id IN (?) ORDER BY id`, [eventIds]);
  return rows as never;
}

/** Waits, at most RECOVERY_TIMEOUT_MS, for every event to be done. */
async function allDone(eventIds: string[]): Promise<void> {
  await waitFor(`events ${eventIds[0]}… to be done`, async () => (await inbox(eventIds)).every((r) => r.status === 'done'), RECOVERY_TIMEOUT_MS);
}

/** Each event applied exactly once, by `worker`, and each order moved once, with one CRM note. */
async function expectAppliedOnce(orderIds: number[], eventIds: string[], worker: string): Promise<void> {
  const states = orderStates(orderIds);
  expect(orderIds.map((id) => [states[id]!.status, states[id]!.crmNotes])).toEqual(orderIds.map(() => ['processing', 1]));
  const [applied] = await dbPool().query(`SELECT event_id, worker FROM wp_crm_bridge_log WHERE event_id IN (?) AND decision = 'applied' ORDER BY event_id`, [eventIds]);
  expect(applied).toEqual([...eventIds].sort().map((event_id) => ({ event_id, worker })));
}

beforeAll(async () => {
  crm = await startCrmSimulator({ token: CRM_TOKEN });
  // The CRM's slowness below must hold a claim, not time the request out into a retry.
  configureCrm(crm.url, { crm: { base_url: crm.url, timeout_ms: 60_000, paths: { woo_order_id: 'woo_order_id' } } });
});
afterEach(async () => {
  await Promise.all(sidecars.splice(0).map((s) => s.stop()));
  crm.setKnobs({ latencyMs: 0 });
});
afterAll(async () => {
  configureCrm(crm.url);
  await crm.close();
  await closePools();
});

describe('recovery after SIGKILL', () => {
  it('a sidecar restarted with the same worker id hands back, at start, every row its killed predecessor held, while their lease is still live', async () => {
    const { orderIds, eventIds } = await paidInCrm(4);
    crm.setKnobs({ latencyMs: 45_000 });
    const first = await sidecar('recovery-restart');
    await waitFor('the first process to hold every event', async () => (await claimedBy('recovery-restart', eventIds)) === eventIds.length, 30_000);
    await killSidecar(first);
    // What the dead process held, in both queues: the events, and whatever else it had claimed.
    const held = await heldBy('recovery-restart');
    const events = await inbox(eventIds);
    // The stack's database is shared by the whole run: the dead process may also have held rows other
    // tests left waiting. Every one of this test's events is among them, and every held row is checked below.
    expect(held.filter((r) => r.queue === 'inbox').map((r) => r.id)).toEqual(expect.arrayContaining(events.map((r) => Number(r.id))));
    crm.setKnobs({ latencyMs: 0 });

    // The restart beats under the same worker id, so no takeover applies: only the hand-back at
    // start, or the 300 s lease, can free these rows.
    await sidecar('recovery-restart');
    await waitFor('every row the killed process held to be handed back', async () => (await stillHeld(held, 'recovery-restart')).length === 0, RECOVERY_TIMEOUT_MS);
    await allDone(eventIds);
    // Each held event was claimed exactly once more, and applied once.
    const attemptsAtKill = new Map(held.map((r) => [`${r.queue}:${r.id}`, r.attempts]));
    expect((await inbox(eventIds)).map((r) => r.attempts)).toEqual(events.map((r) => attemptsAtKill.get(`inbox:${Number(r.id)}`)! + 1));
    await expectAppliedOnce(orderIds, eventIds, 'recovery-restart');
    const decisions = await logDecisions({ eventId: eventIds[0]! });
    expect(decisions.map((d) => d.decision)).toEqual(['accepted', 'verified', 'applied']);
  });

  it('another replica takes over the claims of a replica whose heartbeat stopped, while their lease is still live, and never while it beats', async () => {
    const { orderIds, eventIds } = await paidInCrm(4);
    // A beat may be half an interval late before it counts as a death: a second on a busy machine.
    const beatEveryTwoSeconds = { CRM_BRIDGE_HEARTBEAT_SECONDS: '2' };
    crm.setKnobs({ latencyMs: 45_000 });
    const owner = await sidecar('recovery-owner', beatEveryTwoSeconds);
    await waitFor('the owner to hold every event', async () => (await claimedBy('recovery-owner', eventIds)) === eventIds.length, 30_000);
    await sidecar('recovery-taker', beatEveryTwoSeconds);
    // Two takeover windows (3 s each) while the owner beats: its claims stay its own.
    await sleep(6_000);
    expect(await claimedBy('recovery-owner', eventIds)).toBe(eventIds.length);

    await killSidecar(owner);
    crm.setKnobs({ latencyMs: 0 });
    await allDone(eventIds);
    expect((await inbox(eventIds)).map((r) => r.attempts)).toEqual(eventIds.map(() => 2));
    await expectAppliedOnce(orderIds, eventIds, 'recovery-taker');
    // The owner never stopped cleanly: its heartbeat row is still there, silent.
    const [beats] = await dbPool().query(`SELECT worker_id FROM wp_crm_bridge_sidecars WHERE worker_id = 'recovery-owner'`);
    expect(beats).toHaveLength(1);
  });

  describe('a write in flight when the sidecar is killed', () => {
    let locks: PoolConnection | undefined;
    afterEach(async () => {
      await locks?.query('SELECT RELEASE_ALL_LOCKS()');
      locks?.release();
      locks = undefined;
    });

    /** PHP requests of the write endpoint waiting for one of these orders' locks. */
    async function writesWaiting(orderIds: number[]): Promise<number> {
      const [rows] = await dbPool().query(`SELECT INFO FROM information_schema.PROCESSLIST WHERE STATE = 'User lock' AND INFO LIKE 'SELECT GET_LOCK(%'`);
      const names = new Set(orderIds.map((id) => `crm_bridge_order_${id}`));
      return (rows as { INFO: string }[]).filter((r) => [...names].some((n) => r.INFO.includes(`'${n}'`))).length;
    }

    it('is fenced out after a restart with the same worker id: every event applies exactly once and none is lost', async () => {
      const { orderIds, eventIds } = await paidInCrm(3);
      // Holding the orders' write locks keeps the endpoint's PHP request waiting (up to its 10 s)
      // between the sidecar's request and the claim check.
      locks = await dbPool().getConnection();
      for (const id of orderIds) await locks.query('SELECT GET_LOCK(?, 0)', [`crm_bridge_order_${id}`]);

      const first = await sidecar('recovery-write');
      await waitFor('the first write to reach the endpoint', async () => (await writesWaiting(orderIds)) >= 1, 30_000);
      await killSidecar(first);

      // The restart claims the events again and sends its own write, while the dead one still waits.
      await sidecar('recovery-write');
      await waitFor(
        'the restarted process to claim every event again and send its write',
        async () => (await inbox(eventIds)).every((r) => r.status === 'running' && r.attempts === 2) && (await writesWaiting(orderIds)) >= 2,
        9_000,
      );
      await locks.query('SELECT RELEASE_ALL_LOCKS()');

      await allDone(eventIds);
      await expectAppliedOnce(orderIds, eventIds, 'recovery-write');
      expect((await inbox(eventIds)).map((r) => r.attempts)).toEqual(eventIds.map(() => 2));
    });
  });
});
