// Claims queue rows to work on: at most one per order key (the oldest unfinished row, and only when
// no other worker holds a live lease on that key), many keys at once.
//
// Two steps. A plain read picks candidate head events from committed state; then a short
// transaction locks those rows with FOR UPDATE SKIP LOCKED, re-checks that each is still
// claimable and leases it. Rows another worker is claiming are skipped, never waited for. On a
// server without SKIP LOCKED the second step is one atomic UPDATE guarded by the same condition.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
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
  workerId: string;
  limit: number;
  leaseMs: number;
  now: Date;
  skipLocked: boolean;
  /** A number in [0, 1), injected: it makes the claim token of the atomic-update mode unique. */
  random: () => number;
}

/** Head events (no earlier unfinished event of the same order, no live lease on the order) in one status. */
function headsOf(db: Kysely<Database>, queue: QueueName, now: Date, limit: number, status: 'pending' | 'running') {
  const table = tableOf(queue);
  const sameKey = <Q extends { whereRef: (a: never, op: '=', b: never) => Q }>(q: Q, alias: string): Q =>
    QUEUES[queue].orderKey.reduce((acc, col) => acc.whereRef(`${alias}.${col}` as never, '=', `i.${col}` as never), q);
  return db
    .selectFrom(`${table} as i`)
    .select('i.id')
    .where('i.status', '=', status)
    .$if(status === 'pending', (q) => q.where('i.run_after', '<=', now))
    .$if(status === 'running', (q) => q.where('i.locked_until', '<=', now))
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
            .whereRef('r.id', '<>', 'i.id'),
        ),
      ),
    )
    // The claim index's own order, so the read stops after `limit` heads instead of sorting.
    .orderBy('i.run_after')
    .orderBy('i.id')
    .limit(limit);
}

const claimable = (now: Date) => sql<boolean>`(status = 'pending' AND run_after <= ${now}) OR (status = 'running' AND locked_until <= ${now})`;

/** Claims rows of either queue; returns their ids, oldest first. */
export async function claimQueue(db: Kysely<Database>, queue: QueueName, opts: ClaimOptions): Promise<number[]> {
  if (opts.limit <= 0) return [];
  const { now } = opts;
  const table = tableOf(queue);
  // Two index range reads on claim (status, run_after, id): due pending events in due order, then
  // running events whose lease expired. Each keeps only the head event of its order.
  const due = await headsOf(db, queue, now, opts.limit, 'pending').execute();
  const expired = due.length < opts.limit ? await headsOf(db, queue, now, opts.limit - due.length, 'running').execute() : [];
  const candidates = [...due, ...expired];
  if (candidates.length === 0) return [];
  const ids = candidates.map((c) => c.id);
  const lockedUntil = new Date(now.getTime() + opts.leaseMs);

  let claimedIds: number[];
  if (opts.skipLocked) {
    claimedIds = await db.transaction().execute(async (trx) => {
      const locked = await trx
        .selectFrom(table)
        .select('id')
        .where('id', 'in', ids)
        .where(claimable(now))
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
    });
  } else {
    // One statement: only rows still claimable are taken, and the claim token says which.
    const token = `${opts.workerId}#${now.getTime()}#${opts.random().toString(36).slice(2, 8)}`.slice(0, 64);
    await db
      .updateTable(table)
      .set({ status: 'running', locked_by: token, locked_until: lockedUntil, attempts: sql`attempts + 1` })
      .where('id', 'in', ids)
      .where(claimable(now))
      .execute();
    const mine = await db.selectFrom(table).select('id').where('id', 'in', ids).where('locked_by', '=', token).execute();
    claimedIds = mine.map((r) => r.id);
    if (claimedIds.length > 0) {
      await db.updateTable(table).set({ locked_by: opts.workerId }).where('id', 'in', claimedIds).where('locked_by', '=', token).execute();
    }
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
