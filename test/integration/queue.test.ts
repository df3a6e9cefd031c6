// The inbox queue's mechanics on the real database: claims, leases, outcomes, retention, and a
// claim query that stays on its indexes with a million rows. Runs on copies of the plugin's tables
// under their own prefix, so nothing else in the suite sees these rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePools, databaseUrl, dbPool } from '../support/stack.ts';
import { connect, type DatabaseHandle } from '../../sidecar/src/db/connection.ts';
import { claimInbox } from '../../sidecar/src/queue/claim.ts';
import { completeJob } from '../../sidecar/src/queue/completeJob.ts';
import { failJob } from '../../sidecar/src/queue/failJob.ts';
import { LeaseLostError } from '../../sidecar/src/queue/leaseLost.ts';
import { pruneOnce } from '../../sidecar/src/pruner.ts';
import { supportsSkipLocked } from '../../sidecar/src/db/supportsSkipLocked.ts';

const PREFIX = 'qt_';
let h: DatabaseHandle;

async function reset(): Promise<void> {
  await dbPool().query(`DELETE FROM ${PREFIX}crm_bridge_inbox`);
}

async function enqueue(rows: { crm: string; status?: string; runAfter?: Date }[]): Promise<number[]> {
  const ids: number[] = [];
  for (const r of rows) {
    const res = await h.db
      .insertInto('crm_bridge_inbox')
      .values({
        event_id: `e-${Math.random().toString(36).slice(2)}`,
        event_type: 'order.status_changed',
        crm_order_id: r.crm,
        payload: '{}',
        status: r.status ?? 'pending',
        attempts: 0,
        run_after: r.runAfter ?? new Date(Date.now() - 1000),
        received_at: new Date(),
      })
      .executeTakeFirstOrThrow();
    ids.push(Number(res.insertId));
  }
  return ids;
}

beforeAll(async () => {
  for (const t of ['crm_bridge_inbox', 'crm_bridge_outbox', 'crm_bridge_log', 'crm_bridge_links', 'crm_bridge_sidecars', 'options']) {
    await dbPool().query(`DROP TABLE IF EXISTS ${PREFIX}${t}`);
    await dbPool().query(`CREATE TABLE ${PREFIX}${t} LIKE wp_${t}`);
  }
  h = connect(databaseUrl(), PREFIX);
});
afterAll(async () => {
  await h?.destroy();
  for (const t of ['crm_bridge_inbox', 'crm_bridge_outbox', 'crm_bridge_log', 'crm_bridge_links', 'crm_bridge_sidecars', 'options']) await dbPool().query(`DROP TABLE IF EXISTS ${PREFIX}${t}`);
  await closePools();
});

describe.each([
  ['FOR UPDATE SKIP LOCKED', true],
  ['an atomic claim update', false],
])('claiming with %s', (_name, skipLocked) => {
  const claim = (workerId: string, limit = 10, now = new Date()) => claimInbox(h.db, { workerId, limit, leaseMs: 30_000, now, skipLocked, random: Math.random });

  it('takes one event per order, the oldest first, many orders at once', async () => {
    await reset();
    const [a1, a2, b1] = await enqueue([{ crm: 'A' }, { crm: 'A' }, { crm: 'B' }]);
    const first = await claim('w1');
    expect(first.map((e) => e.id)).toEqual([a1, b1]);
    expect(await claim('w2')).toEqual([]);
    await completeJob(h.db, 'inbox', a1!, 'w1', new Date());
    expect((await claim('w2')).map((e) => e.id)).toEqual([a2]);
  });

  it('keeps a later event of an order waiting while an earlier one waits for its retry', async () => {
    await reset();
    const [a1, a2] = await enqueue([{ crm: 'A' }, { crm: 'A' }]);
    await claim('w1');
    await failJob(h.db, 'inbox', a1!, 'w1', new Date(), { errorClass: 'transient', message: 'crm_timeout: slow', retryAt: new Date(Date.now() + 60_000) });
    expect(await claim('w1')).toEqual([]);
    const later = await claim('w1', 10, new Date(Date.now() + 61_000));
    expect(later.map((e) => e.id)).toEqual([a1]);
    expect(later[0]!.attempts).toBe(2);
    expect(a2).toBeGreaterThan(a1!);
  });

  it('recovers an event whose worker died once its lease expires, and the dead worker cannot record an outcome', async () => {
    await reset();
    const [a1] = await enqueue([{ crm: 'A' }]);
    await claim('dead-worker');
    expect(await claim('w2')).toEqual([]);
    const recovered = await claim('w2', 10, new Date(Date.now() + 31_000));
    expect(recovered.map((e) => e.id)).toEqual([a1]);
    await expect(completeJob(h.db, 'inbox', a1!, 'dead-worker', new Date())).rejects.toBeInstanceOf(LeaseLostError);
    await completeJob(h.db, 'inbox', a1!, 'w2', new Date());
  });

  it('never hands the same event to two workers claiming at the same moment', async () => {
    await reset();
    await enqueue(Array.from({ length: 200 }, (_, i) => ({ crm: `O${i % 50}` })));
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claim(`w${i}`, 20)));
    const ids = claims.flat().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const orders = claims.flat().map((e) => e.crm_order_id);
    expect(new Set(orders).size).toBe(orders.length);
  });
});

describe('queue housekeeping', () => {
  it('moves an event to dead letters with its error class', async () => {
    await reset();
    const [a1] = await enqueue([{ crm: 'A' }]);
    await claimInbox(h.db, { workerId: 'w', limit: 1, leaseMs: 1000, now: new Date(), skipLocked: true, random: Math.random });
    await failJob(h.db, 'inbox', a1!, 'w', new Date(), { errorClass: 'permanent', message: 'unmapped_status: lost', retryAt: null });
    const [rows] = await dbPool().query(`SELECT status, last_error_class, last_error FROM ${PREFIX}crm_bridge_inbox WHERE id = ?`, [a1]);
    expect(rows).toEqual([{ status: 'dead', last_error_class: 'permanent', last_error: 'unmapped_status: lost' }]);
  });

  it('prunes finished events, log rows and silent replicas past retention in batches, and keeps the rest', async () => {
    await reset();
    const old = new Date(Date.now() - 40 * 86_400_000);
    await dbPool().query(
      `INSERT INTO ${PREFIX}crm_bridge_inbox (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at, finished_at)
       SELECT CONCAT('old-', seq), 't', 'X', '{}', IF(seq % 10 = 0, 'dead', 'done'), 1, ?, ?, ? FROM seq_1_to_1200`,
      [old, old, old],
    );
    await enqueue([{ crm: 'fresh' }]);
    await dbPool().query(`INSERT INTO ${PREFIX}crm_bridge_log (created_at, direction, decision, attempt) SELECT ?, 'in', 'applied', 1 FROM seq_1_to_1500`, [old]);
    await dbPool().query(`INSERT INTO ${PREFIX}crm_bridge_log (created_at, direction, decision, attempt) VALUES (NOW(3), 'in', 'applied', 1)`);
    await dbPool().query(`INSERT INTO ${PREFIX}crm_bridge_sidecars (worker_id, version, hostname, started_at, heartbeat_at) VALUES ('crashed', '0.1.0', 'h', ?, ?), ('alive', '0.1.0', 'h', NOW(3), NOW(3))`, [old, old]);
    const deleted = await pruneOnce(h.db, 30, new Date());
    expect(deleted).toBe(1080 + 1500 + 1);
    const [beats] = await dbPool().query(`SELECT worker_id FROM ${PREFIX}crm_bridge_sidecars`);
    expect(beats).toEqual([{ worker_id: 'alive' }]);
    const [left] = await dbPool().query(`SELECT status, COUNT(*) AS n FROM ${PREFIX}crm_bridge_inbox GROUP BY status ORDER BY status`);
    expect(left).toEqual([
      { status: 'dead', n: 120 },
      { status: 'pending', n: 1 },
    ]);
    const [logLeft] = await dbPool().query(`SELECT COUNT(*) AS n FROM ${PREFIX}crm_bridge_log`);
    expect(logLeft).toEqual([{ n: 1 }]);
  });

  it('keeps the claim query on its indexes with a million rows in the table', async () => {
    await reset();
    await dbPool().query(
      `INSERT INTO ${PREFIX}crm_bridge_inbox (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at, finished_at)
       SELECT CONCAT('m-', seq), 'order.status_changed', CONCAT('ORD-', seq % 20000), '{}', IF(seq > 995000, 'pending', 'done'), 1, NOW(3), NOW(3), IF(seq > 995000, NULL, NOW(3))
         FROM seq_1_to_1000000`,
    );
    await dbPool().query(`ANALYZE TABLE ${PREFIX}crm_bridge_inbox`);
    // The candidate queries exactly as claimInbox sends them (pending heads, then expired leases).
    const candidates: { sql: string; parameters: readonly unknown[] }[] = [];
    await dbPool().query(`UPDATE ${PREFIX}crm_bridge_inbox SET status = 'running', locked_until = NOW(3) - INTERVAL 1 MINUTE WHERE id > 999990`);
    const claimed = await claimInbox(
      h.db.withPlugin({
        transformQuery: (args) => {
          if (args.node.kind === 'SelectQueryNode') {
            const compiled = h.db.getExecutor().compileQuery(args.node, args.queryId);
            if (compiled.sql.includes('not exists')) candidates.push({ sql: compiled.sql, parameters: compiled.parameters });
          }
          return args.node;
        },
        transformResult: async (args) => args.result,
      }),
      { workerId: 'explain', limit: 5000, leaseMs: 1000, now: new Date(), skipLocked: true, random: Math.random },
    );
    expect(claimed.length).toBe(5000);
    expect(candidates).toHaveLength(2);
    for (const candidate of candidates) {
      const [plan] = await dbPool().query(`EXPLAIN ${candidate.sql}`, candidate.parameters as unknown[]);
      const steps = plan as { table: string; type: string; key: string | null; rows: number }[];
      for (const step of steps) {
        expect(step.type, `${step.table} must not be scanned in full`).not.toBe('ALL');
        expect(step.key, `${step.table} must use an index`).not.toBeNull();
      }
      const outer = steps.find((s) => s.table === 'i')!;
      // An index that starts with status (claim or finished), never a walk along the primary key.
      expect(['claim', 'finished']).toContain(outer.key);
      expect(Number(outer.rows)).toBeLessThan(50_000);
    }
    await reset();
  }, 180_000);
});

describe('claim mode', () => {
  it('detects whether the server supports SKIP LOCKED', async () => {
    expect(await supportsSkipLocked(h.db)).toBe(true);
  });
});

