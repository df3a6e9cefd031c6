// Claims queue rows to work on: at most one per order key (the oldest unfinished row, and only when
// no other worker holds a live lease on that key), many keys at once.
//
// Two steps. A plain read picks candidate head events from committed state; then a short
// transaction locks those rows with FOR UPDATE SKIP LOCKED, re-checks that each is still
// claimable and leases it. Rows another worker is claiming are skipped, never waited for. On a
// server without SKIP LOCKED the second step is one atomic UPDATE guarded by the same condition.
// A lease is live only while its holder's heartbeat is: a silent replica's claims are taken over
// (never by the holder itself, which is alive since it claims).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { retryDeadlock } from '../db/retryDeadlock.js';
import { QUEUES, tableOf, type QueueName } from './queues.js';

export interface ClaimedEvent {
  id: number;
  event_id: string;
  event_type: string;
  crm_order_id: string;
  payload: string;
  attempts: number;
  received_at: Date;
}

export interface ClaimOptions {
  /** Written to locked_by as it is. One live process per worker id, claiming one queue one call at a
   * time (its claim loop): the atomic-update mode tells its rows apart by this id and the lease end. */
  workerId: string;
  limit: number;
  leaseMs: number;
  /** How long a replica's heartbeat may be silent before the rows it holds are claimable again. */
  takeoverMs: number;
  now: Date;
  skipLocked: boolean;
}

/** Who claims, and when a holder counts as gone. */
interface Takeover {
  workerId: string;
  cutoff: Date;
}

/**
 * The holder named in the row's locked_by (a column reference) is alive: it is the claiming worker
 * itself (which is running, whatever its last written beat says: a slow heartbeat write must not make
 * it redo its own work), or it has beaten since the cutoff.
 */
const holderAlive = (lockedBy: string, t: Takeover) =>
  sql<boolean>`(${sql.ref(lockedBy)} = ${t.workerId} OR EXISTS (SELECT 1 FROM ${sql.table('crm_bridge_sidecars')} AS s WHERE s.worker_id = ${sql.ref(lockedBy)} AND s.heartbeat_at >= ${t.cutoff}))`;

/** A running row (under `alias`) whose lease has run out, or whose holder is gone. */
const abandoned = (alias: string, now: Date, t: Takeover) =>
  sql<boolean>`(${sql.ref(`${alias}.locked_until`)} <= ${now} OR NOT ${holderAlive(`${alias}.locked_by`, t)})`;

/** Head events (no earlier unfinished event of the same order, no live lease on the order) in one status. */
function headsOf(db: Kysely<Database>, queue: QueueName, now: Date, t: Takeover, limit: number, status: 'pending' | 'running') {
  const table = tableOf(queue);
  const sameKey = <Q extends { whereRef: (a: never, op: '=', b: never) => Q }>(q: Q, alias: string): Q =>
    QUEUES[queue].orderKey.reduce((acc, col) => acc.whereRef(`${alias}.${col}` as never, '=', `i.${col}` as never), q);
  return db
    .selectFrom(`${table} as i`)
    .select('i.id')
    .where('i.status', '=', status)
    .$if(status === 'pending', (q) => q.where('i.run_after', '<=', now))
    .$if(status === 'running', (q) => q.where(abandoned('i', now, t)))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          sameKey(selectFrom(`${table} as e`).select(sql`1`.as('one')), 'e')
            .where('e.status', 'in', ['pending', 'running'])
            .whereRef('e.id', '<', 'i.id'),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          sameKey(selectFrom(`${table} as r`).select(sql`1`.as('one')), 'r')
            .where('r.status', '=', 'running')
            .where('r.locked_until', '>', now)
            .where(holderAlive('r.locked_by', t))
            .whereRef('r.id', '<>', 'i.id'),
        ),
      ),
    )
    // The claim index's own order, so the read stops after `limit` heads instead of sorting.
    .orderBy('i.run_after')
    .orderBy('i.id')
    .limit(limit);
}

/** The guard of the claiming statement, on the queue's own table. */
const claimable = (queue: QueueName, now: Date, t: Takeover) =>
  sql<boolean>`(status = 'pending' AND run_after <= ${now}) OR (status = 'running' AND ${abandoned(QUEUES[queue].table, now, t)})`;

/** Claims rows of either queue; returns their ids, oldest first. */
export async function claimQueue(db: Kysely<Database>, queue: QueueName, opts: ClaimOptions): Promise<number[]> {
  if (opts.limit <= 0) return [];
  const { now } = opts;
  const table = tableOf(queue);
  const t: Takeover = { workerId: opts.workerId, cutoff: new Date(now.getTime() - opts.takeoverMs) };
  // Two index range reads on claim (status, run_after, id): due pending events in due order, then
  // running events whose lease expired or whose holder went silent. Each keeps only the head event
  // of its order. The holders' heartbeats are read by key (worker id, or heartbeat time).
  const due = await headsOf(db, queue, now, t, opts.limit, 'pending').execute();
  const expired = due.length < opts.limit ? await headsOf(db, queue, now, t, opts.limit - due.length, 'running').execute() : [];
  const candidates = [...due, ...expired];
  if (candidates.length === 0) return [];
  const ids = candidates.map((c) => c.id);
  const lockedUntil = new Date(now.getTime() + opts.leaseMs);

  // Two workers leasing overlapping candidates at once can deadlock on the rows' index entries; the
  // server rolls the victim back whole, so its claim runs again.
  let claimedIds: number[];
  if (opts.skipLocked) {
    claimedIds = await retryDeadlock(() =>
      db.transaction().execute(async (trx) => {
        const locked = await trx
          .selectFrom(table)
          .select('id')
          .where('id', 'in', ids)
          .where(claimable(queue, now, t))
          .forUpdate()
          .skipLocked()
          .execute();
        const lockedIds = locked.map((r) => r.id);
        if (lockedIds.length > 0) {
          await trx
            .updateTable(table)
            .set({ status: 'running', locked_by: opts.workerId, locked_until: lockedUntil, attempts: sql`attempts + 1` })
            .where('id', 'in', lockedIds)
            .execute();
        }
        return lockedIds;
      }),
    );
  } else {
    // One statement: only rows still claimable are taken. The rows are written with the worker id
    // itself, never a passing token: a process killed between two statements would leave rows under
    // a name no heartbeat and no restart could ever match. The claim's rows are those of this
    // worker with this lease end (the worker claims one call at a time).
    await retryDeadlock(() =>
      db
        .updateTable(table)
        .set({ status: 'running', locked_by: opts.workerId, locked_until: lockedUntil, attempts: sql`attempts + 1` })
        .where('id', 'in', ids)
        .where(claimable(queue, now, t))
        .execute(),
    );
    const mine = await db
      .selectFrom(table)
      .select('id')
      .where('id', 'in', ids)
      .where('status', '=', 'running')
      .where('locked_by', '=', opts.workerId)
      .where('locked_until', '=', lockedUntil)
      .execute();
    claimedIds = mine.map((r) => r.id);
  }
  return claimedIds.sort((a, b) => a - b);
}

export interface ClaimedDelivery {
  id: number;
  webhook_id: string;
  subscription_id: number;
  order_id: number;
  topic: string;
  payload: string;
  attempts: number;
}

/** Claims outbox rows (one per subscription and order at a time). */
export async function claimOutbox(db: Kysely<Database>, opts: ClaimOptions): Promise<ClaimedDelivery[]> {
  const claimedIds = await claimQueue(db, 'outbox', opts);
  if (claimedIds.length === 0) return [];
  return db
    .selectFrom('crm_bridge_outbox')
    .select(['id', 'webhook_id', 'subscription_id', 'order_id', 'topic', 'payload', 'attempts'])
    .where('id', 'in', claimedIds)
    .orderBy('id')
    .execute();
}

/** Claims inbox events (one per CRM order at a time). */
export async function claimInbox(db: Kysely<Database>, opts: ClaimOptions): Promise<ClaimedEvent[]> {
  const claimedIds = await claimQueue(db, 'inbox', opts);
  if (claimedIds.length === 0) return [];
  return db
    .selectFrom('crm_bridge_inbox')
    .select(['id', 'event_id', 'event_type', 'crm_order_id', 'payload', 'attempts', 'received_at'])
    .where('id', 'in', claimedIds)
    .orderBy('id')
    .execute();
}
