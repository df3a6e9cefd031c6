// The inbox queue's mechanics on the real database: claims, leases, takeover from silent replicas,
// release at restart, outcomes, retention, and a claim query that stays on its indexes with a
// million rows. Runs on copies of the plugin's tables
// under their own prefix, so nothing else in the suite sees these rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePools, databaseUrl, dbPool } from '../support/stack.ts';
import { connect, type DatabaseHandle } from '../../sidecar/src/db/connection.ts';
import { claimInbox } from '../../sidecar/src/queue/claim.ts';
import { releaseOwnClaims } from '../../sidecar/src/queue/releaseOwnClaims.ts';
import { recordHeartbeat } from '../../sidecar/src/db/recordHeartbeat.ts';
import { takeoverWindowMs } from '../../sidecar/src/heartbeat.ts';
import { loadConfig } from '../../sidecar/src/config.ts';
import { completeJob } from '../../sidecar/src/queue/completeJob.ts';
import { failJob } from '../../sidecar/src/queue/failJob.ts';
import { LeaseLostError } from '../../sidecar/src/queue/leaseLost.ts';
import { pruneOnce } from '../../sidecar/src/pruner.ts';
import { supportsSkipLocked } from '../../sidecar/src/db/supportsSkipLocked.ts';
import { retryDeadlock } from '../../sidecar/src/db/retryDeadlock.ts';

const PREFIX = 'qt_';
/** How soon a killed replica's claims must be taken back. */
const RECOVERY_TARGET_MS = 10_000;
/** Only what the sidecar cannot start without: everything else keeps its default. */
const REQUIRED_ENV = {
  CRM_BRIDGE_DATABASE_URL: 'mysql://wp:pw@127.0.0.1:3306/shop',
  CRM_BRIDGE_WORDPRESS_URL: 'https://shop.example',
  CRM_BRIDGE_WP_USER: 'crm-bridge-sidecar',
  CRM_BRIDGE_WP_APP_PASSWORD: 'abcd efgh ijkl mnop qrst uvwx',
};
let h: DatabaseHandle;

async function reset(): Promise<void> {
  await dbPool().query(`DELETE FROM ${PREFIX}crm_bridge_inbox`);
  await dbPool().query(`DELETE FROM ${PREFIX}crm_bridge_sidecars`);
}

/** A replica's heartbeat row, written at `at`. */
async function beat(workerId: string, at: Date): Promise<void> {
  await recordHeartbeat(h.db, { workerId, version: 'test', hostname: 'test', startedAt: at }, at, { open_circuits: [], warnings: [] });
}

/** What a claimed row holds now. */
async function rowState(id: number): Promise<{ status: string; attempts: number; locked_by: string | null; run_after: Date; locked_until: Date | null }> {
  const [rows] = await dbPool().query(`SELECT status, attempts, locked_by, run_after, locked_until FROM ${PREFIX}crm_bridge_inbox WHERE id = ?`, [id]);
  return (rows as never[])[0]!;
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
  // A live replica beats as it claims. The takeover window is longer than the lease here, so these
  // tests see leases run out; the takeover tests below shorten it.
  const claim = async (workerId: string, limit = 10, now = new Date(), opts: { leaseMs?: number; takeoverMs?: number } = {}) => {
    await beat(workerId, now);
    return claimInbox(h.db, { workerId, limit, leaseMs: opts.leaseMs ?? 30_000, takeoverMs: opts.takeoverMs ?? 60_000, now, skipLocked });
  };

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

  it('takes over the rows of a replica whose heartbeat stopped while their lease is still live, and the silent replica cannot record an outcome', async () => {
    await reset();
    const [a1, a2, b1] = await enqueue([{ crm: 'A' }, { crm: 'A' }, { crm: 'B' }]);
    const t0 = new Date();
    const long = { leaseMs: 300_000, takeoverMs: 10_000 };
    expect((await claim('silent', 10, t0, long)).map((e) => e.id)).toEqual([a1, b1]);
    // Its heartbeat is 9 s old: still alive, its claims and its orders stay its own.
    expect(await claim('w2', 10, new Date(t0.getTime() + 9_000), long)).toEqual([]);
    // 11 s without a beat, with 289 s of lease left: the rows are taken, each at its next attempt.
    const taken = await claim('w2', 10, new Date(t0.getTime() + 11_000), long);
    expect(taken.map((e) => [e.id, e.attempts])).toEqual([
      [a1, 2],
      [b1, 2],
    ]);
    expect(await rowState(a1!)).toMatchObject({ status: 'running', locked_by: 'w2', attempts: 2 });
    await expect(completeJob(h.db, 'inbox', a1!, 'silent', new Date())).rejects.toBeInstanceOf(LeaseLostError);
    // The order's next event still waits for the taken one.
    expect(await claim('w3', 10, new Date(t0.getTime() + 12_000), long)).toEqual([]);
    await completeJob(h.db, 'inbox', a1!, 'w2', new Date());
    expect((await claim('w3', 10, new Date(t0.getTime() + 12_000), long)).map((e) => e.id)).toEqual([a2]);
  });

  it('with the default settings, takes over the rows of a replica killed right after its beat within 10 s of the kill, and not while its beats come on time', async () => {
    await reset();
    const defaults = loadConfig(REQUIRED_ENV);
    const opts = { leaseMs: 300_000, takeoverMs: takeoverWindowMs(defaults.heartbeatMs) };
    const [a1] = await enqueue([{ crm: 'A' }]);
    // The replica beats as it claims, and is killed at once: the longest wait for a takeover.
    const kill = new Date();
    const later = (ms: number) => new Date(kill.getTime() + ms);
    expect((await claim('killed', 10, kill, opts)).map((e) => e.id)).toEqual([a1]);
    // Its next beat, due an interval later, may come a fifth of an interval late (a failed write
    // tried again): until then the row stays its own.
    expect(await claim('w2', 10, later(defaults.heartbeatMs + defaults.heartbeatMs / 5), opts)).toEqual([]);
    // The last poll of another replica that starts before the target takes it.
    const taken = await claim('w2', 10, later(RECOVERY_TARGET_MS - defaults.queue.pollMs), opts);
    expect(taken.map((e) => [e.id, e.attempts])).toEqual([[a1, 2]]);
  });

  it('never takes over its own rows, even when its own heartbeat is late', async () => {
    await reset();
    const [a1, a2, b1] = await enqueue([{ crm: 'A' }, { crm: 'A' }, { crm: 'B' }]);
    const t0 = new Date();
    const long = { leaseMs: 300_000, takeoverMs: 10_000 };
    expect((await claim('slow', 1, t0, long)).map((e) => e.id)).toEqual([a1]);
    // 11 s on, its heartbeat still says t0 (a slow write); it claims again without beating: its row
    // and its order stay its own, only the other order's row is new work.
    const again = await claimInbox(h.db, { workerId: 'slow', limit: 10, now: new Date(t0.getTime() + 11_000), skipLocked, ...long });
    expect(again.map((e) => e.id)).toEqual([b1]);
    expect(await rowState(a1!)).toMatchObject({ status: 'running', locked_by: 'slow', attempts: 1 });
    expect(await rowState(a2!)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('takes over the rows of a holder that has no heartbeat row at all, and leaves a beating holder’s alone', async () => {
    await reset();
    const [a1, b1] = await enqueue([{ crm: 'A' }, { crm: 'B' }]);
    const long = { leaseMs: 300_000, takeoverMs: 10_000 };
    await claim('alive', 1, new Date(), long);
    await dbPool().query(`UPDATE ${PREFIX}crm_bridge_inbox SET status = 'running', locked_by = 'ghost', locked_until = ?, attempts = 1 WHERE id = ?`, [new Date(Date.now() + 300_000), b1]);
    const taken = await claim('w2', 10, new Date(), long);
    expect(taken.map((e) => [e.id, e.attempts])).toEqual([[b1, 2]]);
    expect(await rowState(a1!)).toMatchObject({ status: 'running', locked_by: 'alive', attempts: 1 });
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

describe('a deadlock between claims', () => {
  it('runs the victim again once the server has rolled it back, and gives up on anything else or after its tries', async () => {
    await reset();
    const ids = await enqueue(Array.from({ length: 40 }, (_, i) => ({ crm: `D${i}` })));
    const [a, b] = ids;
    // The other side locks a and many more rows (so the server picks the lighter transaction, ours,
    // as the victim), then reaches for b, which ours holds while it waits for a.
    const other = await dbPool().getConnection();
    const runs: number[] = [];
    try {
      await other.query('SET SESSION innodb_lock_wait_timeout = 10');
      await other.query('BEGIN');
      // Row by row on the primary key: a range statement could lock b on its way.
      for (const id of ids.filter((id) => id !== b)) await other.query(`UPDATE ${PREFIX}crm_bridge_inbox SET attempts = 7 WHERE id = ?`, [id]);
      let inB!: () => void;
      const holdsB = new Promise<void>((r) => (inB = r));
      const ours = retryDeadlock(() =>
        h.db.transaction().execute(async (trx) => {
          runs.push(Date.now());
          await trx.updateTable('crm_bridge_inbox').set({ attempts: 1 }).where('id', '=', b!).execute();
          inB();
          await trx.updateTable('crm_bridge_inbox').set({ attempts: 1 }).where('id', '=', a!).execute();
        }),
      );
      await holdsB;
      // Ours is now waiting for a; this closes the cycle.
      await new Promise((r) => setTimeout(r, 200));
      await other.query(`UPDATE ${PREFIX}crm_bridge_inbox SET attempts = 7 WHERE id = ?`, [b]);
      await other.query('COMMIT');
      await ours;
    } finally {
      other.release();
    }
    expect(runs).toHaveLength(2);
    expect(await rowState(a!)).toMatchObject({ attempts: 1 });
    expect(await rowState(b!)).toMatchObject({ attempts: 1 });

    const notDeadlock = Object.assign(new Error('Duplicate entry'), { errno: 1062 });
    let tries = 0;
    await expect(retryDeadlock(() => Promise.reject(notDeadlock).finally(() => tries++), { pauseMs: 1 })).rejects.toBe(notDeadlock);
    expect(tries).toBe(1);
    const deadlock = Object.assign(new Error('Deadlock found'), { errno: 1213 });
    tries = 0;
    await expect(retryDeadlock(() => Promise.reject(deadlock).finally(() => tries++), { tries: 3, pauseMs: 1 })).rejects.toBe(deadlock);
    expect(tries).toBe(3);
  });
});

describe('release at restart', () => {
  it('hands back exactly the rows this worker id holds, as due now, keeping their attempts; ids that only look alike keep theirs', async () => {
    await reset();
    const [mine1, mine2, longer, tokenLike, other, pending] = await enqueue([{ crm: 'A' }, { crm: 'B' }, { crm: 'C' }, { crm: 'D' }, { crm: 'E' }, { crm: 'F' }]);
    const until = new Date(Date.now() + 300_000);
    const holders: [number, string, number][] = [
      [mine1!, 'w-1', 1],
      [mine2!, 'w-1', 3],
      [longer!, 'w-10', 1],
      [tokenLike!, 'w-1#1700000000000#abc123', 1],
      [other!, 'x-w-1', 1],
    ];
    for (const [id, by, attempts] of holders) {
      await dbPool().query(`UPDATE ${PREFIX}crm_bridge_inbox SET status = 'running', locked_by = ?, locked_until = ?, attempts = ? WHERE id = ?`, [by, until, attempts, id]);
    }
    const now = new Date(Date.now() + 1000);
    expect(await releaseOwnClaims(h.db, 'inbox', 'w-1', now)).toBe(2);
    for (const [id, attempts] of [
      [mine1!, 1],
      [mine2!, 3],
    ] as const) {
      const row = await rowState(id);
      expect(row).toMatchObject({ status: 'pending', attempts, locked_by: null, locked_until: null });
      expect(row.run_after.getTime()).toBe(now.getTime());
    }
    for (const [id, by] of holders.slice(2)) expect(await rowState(id)).toMatchObject({ status: 'running', locked_by: by });
    expect(await rowState(pending!)).toMatchObject({ status: 'pending', attempts: 0 });
    // The next claim of a released row is a new attempt, which the dead claim's fence cannot match.
    await beat('w-1', now);
    const again = await claimInbox(h.db, { workerId: 'w-1', limit: 10, leaseMs: 30_000, takeoverMs: 10_000, now, skipLocked: true });
    expect(again.filter((e) => e.id === mine2).map((e) => e.attempts)).toEqual([4]);
  });

  it('hands back the outbox rows of this worker id too', async () => {
    await dbPool().query(`DELETE FROM ${PREFIX}crm_bridge_outbox`);
    const until = new Date(Date.now() + 300_000);
    await dbPool().query(
      `INSERT INTO ${PREFIX}crm_bridge_outbox (webhook_id, subscription_id, order_id, topic, order_version, payload, status, attempts, run_after, locked_by, locked_until, created_at)
       VALUES ('wh-mine', 1, 1, 'order.updated', '1', '{}', 'running', 2, NOW(3), 'w-1', ?, NOW(3)), ('wh-other', 1, 2, 'order.updated', '1', '{}', 'running', 1, NOW(3), 'w-2', ?, NOW(3))`,
      [until, until],
    );
    expect(await releaseOwnClaims(h.db, 'outbox', 'w-1', new Date())).toBe(1);
    const [rows] = await dbPool().query(`SELECT webhook_id, status, attempts, locked_by FROM ${PREFIX}crm_bridge_outbox ORDER BY webhook_id`);
    expect(rows).toEqual([
      { webhook_id: 'wh-mine', status: 'pending', attempts: 2, locked_by: null },
      { webhook_id: 'wh-other', status: 'running', attempts: 1, locked_by: 'w-2' },
    ]);
    await dbPool().query(`DELETE FROM ${PREFIX}crm_bridge_outbox`);
  });
});

describe('queue housekeeping', () => {
  it('moves an event to dead letters with its error class', async () => {
    await reset();
    const [a1] = await enqueue([{ crm: 'A' }]);
    await claimInbox(h.db, { workerId: 'w', limit: 1, leaseMs: 1000, takeoverMs: 10_000, now: new Date(), skipLocked: true });
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
    // The candidate queries exactly as claimInbox sends them (pending heads, then rows whose lease
    // expired or whose holder went silent), with fifty replicas beating.
    const candidates: { sql: string; parameters: readonly unknown[] }[] = [];
    await dbPool().query(
      `INSERT INTO ${PREFIX}crm_bridge_sidecars (worker_id, version, hostname, started_at, heartbeat_at)
       SELECT CONCAT('replica-', seq), 'test', 'h', NOW(3), IF(seq = 1, NOW(3) - INTERVAL 1 MINUTE, NOW(3)) FROM seq_1_to_50`,
    );
    await dbPool().query(`UPDATE ${PREFIX}crm_bridge_inbox SET status = 'running', locked_by = 'gone', locked_until = NOW(3) - INTERVAL 1 MINUTE WHERE id > 999995`);
    await dbPool().query(`UPDATE ${PREFIX}crm_bridge_inbox SET status = 'running', locked_by = 'replica-1', locked_until = NOW(3) + INTERVAL 1 MINUTE WHERE id BETWEEN 999991 AND 999995`);
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
      { workerId: 'explain', limit: 5000, leaseMs: 1000, takeoverMs: 10_000, now: new Date(), skipLocked: true },
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
      // The holders' heartbeats: by worker id, or the fresh ones read once by their time.
      expect(steps.filter((s) => s.table === 's').length).toBeGreaterThan(0);
      for (const step of steps.filter((s) => s.table === 's')) expect(['PRIMARY', 'heartbeat_at']).toContain(step.key);
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

