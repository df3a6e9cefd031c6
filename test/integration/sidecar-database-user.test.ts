// The sidecar on a database user of its own: the documented grants (docker/mariadb/), applied by the
// same script docker-compose runs, are enough to sync both ways and give no WordPress table; /readyz
// tells such a user apart from the WordPress login.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { ROOT } from '../stack/paths.ts';
import { waitFor } from '../stack/system.ts';
import { adminSession, closePools, dbPool, rest, site, stack, wpEval, wpEvalJson } from '../support/stack.ts';
import { CRM_TOKEN, configureCrm, createOrders, orderStates, sendEvent, statusEvent, unique } from '../support/incoming.ts';
import { announceToCrm } from '../support/trust.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { startReceiver, type TestReceiver } from '../support/receiver.ts';
import { startCrmSimulator, type CrmSimulator } from '../crm-simulator/simulator.ts';

const WARNING = 'the database user has more privileges than the sidecar needs';
const PASSWORD = `Sc-${randomBytes(12).toString('hex')}`;
const VIEW = `${site().tablePrefix}crm_bridge_options`;

let crm: CrmSimulator;
let receiver: TestReceiver;
const sidecars: RunningSidecar[] = [];

/** The database URL of the sidecar's own user. */
function dedicatedUrl(): string {
  return `mysql://crm_bridge_sidecar:${encodeURIComponent(PASSWORD)}@127.0.0.1:${stack().mariadb.port}/${site().database}`;
}

async function asRoot<T>(work: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await createConnection({ socketPath: stack().mariadb.socket, user: 'root', database: site().database });
  try {
    return await work(conn);
  } finally {
    await conn.end();
  }
}

async function sidecar(env: Record<string, string>): Promise<RunningSidecar> {
  const sc = await startSidecar(sidecarEnv(site(), { CRM_BRIDGE_POLL_MS: '50', CRM_BRIDGE_SETTINGS_TTL_MS: '0', CRM_BRIDGE_HEARTBEAT_SECONDS: '0.2', ...env }));
  sidecars.push(sc);
  return sc;
}

type ReadyzBody = { status: string; reason?: string; warnings: string[] };

/** /readyz once the sidecar's start-up checks are done. */
async function readyz(sc: RunningSidecar): Promise<{ status: number; body: ReadyzBody }> {
  let answer: { status: number; body: ReadyzBody } | undefined;
  await waitFor('the start-up checks', async () => {
    const res = await fetch(`${sc.url}/readyz`);
    answer = { status: res.status, body: (await res.json()) as ReadyzBody };
    return answer.body.reason !== 'starting';
  });
  return answer!;
}

beforeAll(async () => {
  // A WordPress request runs the plugin's upgrade step, which creates the view on a site activated before it existed.
  wpEval(`\\CrmBridge\\SidecarAccess::maybe_install();`);
  // The script docker-compose runs, against the test database: it creates the user, then applies sidecar-grants.sql.
  execFileSync('sh', [join(ROOT, 'docker', 'mariadb', 'sidecar-db-user.sh')], {
    env: {
      PATH: process.env.PATH ?? '',
      DB_HOST: 'localhost',
      DB_SOCKET: stack().mariadb.socket,
      DB_NAME: site().database,
      TABLE_PREFIX: site().tablePrefix,
      CRM_BRIDGE_SIDECAR_DB_PASSWORD: PASSWORD,
    },
    timeout: 60_000,
    stdio: 'pipe',
  });
  crm = await startCrmSimulator({ token: CRM_TOKEN });
  configureCrm(crm.url, { crm: { base_url: crm.url, paths: { woo_order_id: 'woo_order_id' } }, outgoing: { base_delay_ms: 50, max_delay_ms: 200 } });
  receiver = await startReceiver();
});
afterEach(async () => {
  await Promise.all(sidecars.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  wpEval(`global $wpdb; $wpdb->query( "DELETE FROM {$wpdb->prefix}crm_bridge_subscriptions WHERE name LIKE 'dbuser-%'" );`);
  await asRoot((conn) => conn.query(`DROP USER IF EXISTS 'crm_bridge_sidecar'@'%'`));
  await crm?.close();
  await receiver?.close();
  await closePools();
});

describe('the plugin’s options view', () => {
  it('holds the plugin’s own options and no other', async () => {
    wpEval(`update_option( 'crm_bridge_probe', 'mine' ); update_option( 'crmXbridge_probe', 'not mine' );`);
    try {
      const [rows] = await dbPool().query(`SELECT option_name FROM ${VIEW}`);
      const names = (rows as { option_name: string }[]).map((r) => r.option_name);
      expect(names).toEqual(expect.arrayContaining(['crm_bridge_schema_version', 'crm_bridge_settings', 'crm_bridge_probe']));
      expect(names.every((n) => n.startsWith('crm_bridge_'))).toBe(true);
      const [columns] = await dbPool().query(`SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, [site().database, VIEW]);
      expect((columns as { c: string }[]).map((r) => r.c)).toEqual(['option_name', 'option_value']);
    } finally {
      wpEval(`delete_option( 'crm_bridge_probe' ); delete_option( 'crmXbridge_probe' );`);
    }
  });

  it('activating again keeps it, and a WordPress database user that cannot create it gets an admin notice', async () => {
    expect(wpEvalJson<boolean>(`\\CrmBridge\\Plugin::activate(); echo wp_json_encode( \\CrmBridge\\SidecarAccess::install() );`)).toBe(true);
    // A table in the view's place makes CREATE VIEW fail the way a missing privilege does.
    await dbPool().query(`DROP VIEW ${VIEW}`);
    await dbPool().query(`CREATE TABLE ${VIEW} (option_name varchar(191))`);
    try {
      expect(wpEvalJson<boolean>(`echo wp_json_encode( \\CrmBridge\\SidecarAccess::install() );`)).toBe(false);
      const session = await adminSession();
      const page = await (await fetch(`${site().url}/wp-admin/index.php`, { headers: { cookie: session.cookie } })).text();
      expect(page).toContain(`could not create the database view ${VIEW}`);
      expect(page).toContain('CREATE VIEW');
    } finally {
      await dbPool().query(`DROP TABLE ${VIEW}`);
      wpEval(`\\CrmBridge\\SidecarAccess::install();`);
    }
    const session = await adminSession();
    const page = await (await fetch(`${site().url}/wp-admin/index.php`, { headers: { cookie: session.cookie } })).text();
    expect(page).not.toContain('could not create the database view');
  });
});

describe('the sidecar’s own database user', () => {
  it('can read no WordPress table: not users, not posts, not options', async () => {
    const conn = await createConnection({ host: '127.0.0.1', port: stack().mariadb.port, user: 'crm_bridge_sidecar', password: PASSWORD, database: site().database });
    try {
      for (const table of ['users', 'usermeta', 'posts', 'options']) {
        await expect(conn.query(`SELECT * FROM ${site().tablePrefix}${table} LIMIT 1`)).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
      }
      const [rows] = await conn.query(`SELECT option_value FROM ${VIEW} WHERE option_name = 'crm_bridge_schema_version'`);
      expect(rows).toHaveLength(1);
    } finally {
      await conn.end();
    }
  });

  it('is all a real sidecar needs: a CRM event is applied and a webhook delivered, and /readyz has no warning', async () => {
    const sc = await sidecar({ CRM_BRIDGE_DATABASE_URL: dedicatedUrl() });
    expect(await readyz(sc)).toEqual({ status: 200, body: { status: 'ready', warnings: [] } });

    // Incoming: the CRM changes an order, its webhook is verified against the CRM API and applied.
    const [incomingOrder] = createOrders(['pending']);
    announceToCrm([incomingOrder!]);
    const crmId = unique('C');
    const rec = await crm.changeStatus(crmId, 'paid', incomingOrder!);
    const eventId = `evt_${crmId}_v${rec.version}`;
    expect((await sendEvent({ id: eventId, body: statusEvent(crmId, 'paid', rec.version) })).status).toBe(202);
    // Bounds, not timings: on real WooCommerce a loaded machine can take tens of seconds for one order write.
    await waitFor('the CRM event to be applied', async () => orderStates([incomingOrder!])[incomingOrder!]!.status === 'processing', 90_000);
    expect(orderStates([incomingOrder!])[incomingOrder!]).toEqual({ status: 'processing', crmNotes: 1, version: '1' });

    // Outgoing: a new order reaches a subscriber, signed with the subscription's secret.
    receiver.secret = wpEvalJson<{ secret: string }>(
      `echo wp_json_encode( \\CrmBridge\\Subscriptions::create( array( 'name' => ${JSON.stringify(unique('dbuser'))}, 'url' => ${JSON.stringify(receiver.url)}, 'topics' => array( 'order.created' ), 'status_filter' => array(), 'payload_mode' => 'minimal', 'is_crm' => false, 'active' => true, 'rate_limit_per_second' => null ) ) );`,
    ).secret;
    const [outgoingOrder] = createOrders(['pending']);
    await waitFor('the delivery', async () => receiver.received.some((m) => m.body.data.order.id === outgoingOrder), 90_000);
    expect(receiver.received.find((m) => m.body.data.order.id === outgoingOrder)).toMatchObject({ verified: true, body: { type: 'order.created' } });

    const [beats] = await dbPool().query(`SELECT info FROM ${site().tablePrefix}crm_bridge_sidecars WHERE worker_id = ?`, [sc.workerId]);
    expect(JSON.parse((beats as { info: string }[])[0]!.info)).toMatchObject({ warnings: [] });
    expect(sc.output()).not.toMatch(/denied|more privileges/i);
  });

  it('answers a connection test, holding no more than reading and updating the connection tests', async () => {
    const tests = `${site().tablePrefix}crm_bridge_connection_tests`;
    const conn = await createConnection({ host: '127.0.0.1', port: stack().mariadb.port, user: 'crm_bridge_sidecar', password: PASSWORD, database: site().database });
    try {
      // Requests are the plugin's to make and to clear.
      await expect(conn.query(`INSERT INTO ${tests} (id, requested_at) VALUES ('x', UTC_TIMESTAMP())`)).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
      await expect(conn.query(`DELETE FROM ${tests}`)).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    } finally {
      await conn.end();
    }
    const sc = await sidecar({ CRM_BRIDGE_DATABASE_URL: dedicatedUrl() });
    expect(await readyz(sc)).toEqual({ status: 200, body: { status: 'ready', warnings: [] } });
    const session = await adminSession();
    const probed = await crm.changeStatus(unique('T'), 'paid', null, { send: false });
    const started = await rest('/crm-bridge/v1/admin/settings/test-connection', { method: 'POST', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ crm_order_id: probed.crm_order_id }) });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const answer = await waitFor('the sidecar’s answer', async () => {
      const res = (await (await rest(`/crm-bridge/v1/admin/settings/test-connection/${id}`, { session })).json()) as { done: boolean; ok?: boolean; message?: string };
      return res.done ? res : undefined;
    });
    expect(answer).toMatchObject({ done: true, ok: true, message: expect.stringMatching(/^The CRM answered in \d+ ms/) });
    expect(sc.output()).not.toMatch(/denied|more privileges|connection test failed/i);
  });

  it('on the WordPress database login, /readyz stays ready but warns, and the log names the excess once', async () => {
    const sc = await sidecar({});
    expect(await readyz(sc)).toEqual({ status: 200, body: { status: 'ready', warnings: [WARNING] } });
    await waitFor('a heartbeat', async () => {
      const [beats] = await dbPool().query(`SELECT info FROM ${site().tablePrefix}crm_bridge_sidecars WHERE worker_id = ?`, [sc.workerId]);
      return (beats as unknown[]).length === 1;
    });
    const [beats] = await dbPool().query(`SELECT info FROM ${site().tablePrefix}crm_bridge_sidecars WHERE worker_id = ?`, [sc.workerId]);
    expect(JSON.parse((beats as { info: string }[])[0]!.info)).toMatchObject({ warnings: [WARNING] });
    await readyz(sc);
    await waitFor('the warning in the log', async () => sc.output().includes(WARNING));
    const warnings = sc
      .output()
      .split('\n')
      .filter((l) => l.includes(WARNING));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ excess: [{ scope: 'global', object: '*.*', privileges: ['ALL PRIVILEGES'] }] });
    expect(sc.output()).not.toContain(stack().mariadb.password);
  });

  it('without the view, a sidecar on the WordPress login reads wp_options instead', async () => {
    await dbPool().query(`DROP VIEW ${VIEW}`);
    try {
      const sc = await sidecar({});
      await waitFor('readiness', async () => (await readyz(sc)).status === 200);
      const [orderId] = createOrders(['pending']);
      announceToCrm([orderId!]);
      const crmId = unique('C');
      const rec = await crm.changeStatus(crmId, 'paid', orderId!);
      expect((await sendEvent({ id: `evt_${crmId}_v${rec.version}`, body: statusEvent(crmId, 'paid', rec.version) })).status).toBe(202);
      await waitFor('the CRM event to be applied', async () => orderStates([orderId!])[orderId!]!.status === 'processing', 90_000);
    } finally {
      wpEval(`\\CrmBridge\\SidecarAccess::install();`);
    }
  });
});
