// An order's outgoing events survive a failed outbox insert (a deadlock or lock wait with a sidecar's
// claim): the insert is tried again, and the events are queued once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../stack/system.ts';
import { unique } from '../support/incoming.ts';
import { adminSession, closePools, dbPool, rest, site, wpEval, wpEvalAsync, type Session } from '../support/stack.ts';

const LOCK = 'crm_bridge_test_fail_outbox';
let session: Session;
let subscriptionId: number;
const prefix = () => site().tablePrefix;

beforeAll(async () => {
  session = await adminSession();
  const res = await rest('/crm-bridge/v1/admin/subscriptions', {
    method: 'POST',
    session,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: unique('sub'), url: 'https://example.com/hook', topics: ['all'] }),
  });
  expect(res.status).toBe(201);
  subscriptionId = ((await res.json()) as { id: number }).id;
  // While the test holds LOCK, every outbox insert fails the way a deadlock does; each failure leaves a
  // row in a MyISAM table, which the failed statement's rollback cannot take back.
  const db = dbPool();
  await db.query(`CREATE TABLE IF NOT EXISTS ${prefix()}crm_bridge_test_failures (at DATETIME(6) NOT NULL) ENGINE=MyISAM`);
  await db.query(`DROP TRIGGER IF EXISTS ${prefix()}crm_bridge_test_fail_outbox`);
  await db.query(
    `CREATE TRIGGER ${prefix()}crm_bridge_test_fail_outbox BEFORE INSERT ON ${prefix()}crm_bridge_outbox FOR EACH ROW
     BEGIN
       IF IS_USED_LOCK('${LOCK}') IS NOT NULL THEN
         INSERT INTO ${prefix()}crm_bridge_test_failures (at) VALUES (NOW(6));
         SIGNAL SQLSTATE '40001' SET MESSAGE_TEXT = 'Deadlock found when trying to get lock; try restarting transaction';
       END IF;
     END`,
  );
});

afterAll(async () => {
  const db = dbPool();
  await db.query(`DROP TRIGGER IF EXISTS ${prefix()}crm_bridge_test_fail_outbox`);
  await db.query(`DROP TABLE IF EXISTS ${prefix()}crm_bridge_test_failures`);
  wpEval(`\\CrmBridge\\Subscriptions::delete( ${subscriptionId} );`);
  await closePools();
});

describe('outbox insert', () => {
  it('queues an order’s event once even when the first insert fails', async () => {
    const db = dbPool();
    const conn = await db.getConnection();
    try {
      await conn.query(`DELETE FROM ${prefix()}crm_bridge_test_failures`);
      await conn.query('SELECT GET_LOCK(?, 5)', [LOCK]);
      const save = wpEvalAsync(`$o = new WC_Order(); $o->set_status( 'pending' ); $o->set_total( '10.00' ); echo 'order:' . $o->save();`);
      // Released only once an insert has failed, so the retry is what queues the event.
      const failures = async () => ((await conn.query(`SELECT COUNT(*) AS n FROM ${prefix()}crm_bridge_test_failures`))[0] as { n: number }[])[0]!.n;
      await waitFor('an outbox insert to fail', async () => (await failures()) > 0, 20_000);
      await conn.query('SELECT RELEASE_LOCK(?)', [LOCK]);
      // The database error a failed try prints with WP_DEBUG may come after the id.
      const orderId = Number(/order:(\d+)/.exec(await save)?.[1]);
      expect(orderId).toBeGreaterThan(0);
      const [rows] = await db.query(`SELECT topic FROM ${prefix()}crm_bridge_outbox WHERE subscription_id = ? AND order_id = ?`, [subscriptionId, orderId]);
      expect(rows).toEqual([{ topic: 'order.created' }]);
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [LOCK]).catch(() => undefined);
      conn.release();
    }
  });
});
