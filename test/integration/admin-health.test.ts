// The health endpoint: for shop managers only (a cookie alone, without the REST nonce, is not enough),
// with figures that tell the truth (waiting retries, dedup hits, refusals, traffic) and the first-run checklist.
import { beforeAll, describe, expect, it } from 'vitest';
import { adminSession, dbPool, ensureUser, login, rest, site, wpEval, type Session } from '../support/stack.ts';
import { configureCrm, sendEvent, statusEvent, TEST_SECRET, unique } from '../support/incoming.ts';
import { KNOWN_SCHEMA_VERSIONS } from '../../sidecar/src/db/checkSchemaVersion.ts';

describe('admin health endpoint', () => {
  let admin: Session;
  beforeAll(async () => {
    admin = await adminSession();
  });

  it('refuses a logged-out request with 401', async () => {
    const res = await rest('/crm-bridge/v1/admin/health');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'rest_forbidden' });
  });

  it('treats a cookie without the REST nonce as logged out', async () => {
    const res = await rest('/crm-bridge/v1/admin/health', { session: admin, nonce: false });
    expect(res.status).toBe(401);
  });

  it('refuses a subscriber with 403', async () => {
    ensureUser('sub-health', 'subscriber', 'sub-health-pass-1');
    const res = await rest('/crm-bridge/v1/admin/health', { session: await login('sub-health', 'sub-health-pass-1') });
    expect(res.status).toBe(403);
  });

  it('lets in whoever may see the log: a user with the plugin’s settings capability but not manage_woocommerce', async () => {
    wpEval(`remove_role( 'crm_bridge_test_configurator' ); add_role( 'crm_bridge_test_configurator', 'Configurator', array( 'read' => true, 'crm_bridge_manage_settings' => true ) );`);
    ensureUser('configurator-health', 'crm_bridge_test_configurator', 'configurator-health-pass-1');
    const session = await login('configurator-health', 'configurator-health-pass-1');
    expect((await rest('/crm-bridge/v1/admin/log', { session })).status).toBe(200);
    expect((await rest('/crm-bridge/v1/admin/health', { session })).status).toBe(200);
  });

  it('answers a shop manager with versions and sidecar status', async () => {
    ensureUser('manager-health', 'shop_manager', 'manager-health-pass-1');
    const res = await rest('/crm-bridge/v1/admin/health', { session: await login('manager-health', 'manager-health-pass-1') });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ plugin_version: '0.1.0', schema_version: KNOWN_SCHEMA_VERSIONS.at(-1), woocommerce_active: true });
    expect(Array.isArray(body.sidecars)).toBe(true);
  });
});

describe('sidecar warnings on the health view', () => {
  const table = () => `${site().tablePrefix}crm_bridge_sidecars`;
  const beat = (workerId: string, info: unknown) =>
    dbPool().query(`INSERT INTO ${table()} (worker_id, version, hostname, started_at, heartbeat_at, info) VALUES (?, '0.1.0', 'test-host', UTC_TIMESTAMP(), UTC_TIMESTAMP(), ?)`, [workerId, JSON.stringify(info)]);

  it('passes each replica’s warnings through, as plain text, and none for a replica without them', async () => {
    const warned = unique('sidecar-warned');
    const quiet = unique('sidecar-quiet');
    await beat(warned, {
      open_circuits: [],
      warnings: ['the database user has more privileges than the sidecar needs: DROP, ALTER', '<b>markup</b> is shown as text', 42, { not: 'a string' }],
    });
    await beat(quiet, { open_circuits: ['crm.example.test'] });
    try {
      ensureUser('manager-health', 'shop_manager', 'manager-health-pass-1');
      const res = await rest('/crm-bridge/v1/admin/health', { session: await login('manager-health', 'manager-health-pass-1') });
      const body = (await res.json()) as { sidecars: { worker_id: string; warnings: string[]; open_circuits: string[] }[] };
      expect(body.sidecars.find((s) => s.worker_id === warned)?.warnings).toEqual(['the database user has more privileges than the sidecar needs: DROP, ALTER', 'markup is shown as text']);
      expect(body.sidecars.find((s) => s.worker_id === quiet)).toMatchObject({ warnings: [], open_circuits: ['crm.example.test'] });
    } finally {
      await dbPool().query(`DELETE FROM ${table()} WHERE worker_id IN (?, ?)`, [warned, quiet]);
    }
  });
});

describe('health figures that tell the truth', () => {
  const table = (name: string) => `${site().tablePrefix}crm_bridge_${name}`;
  const health = async (range?: string) => {
    const res = await rest(`/crm-bridge/v1/admin/health${range ? `?range=${range}` : ''}`, { session: await adminSession() });
    expect(res.status).toBe(200);
    return (await res.json()) as HealthDoc;
  };
  beforeAll(() => configureCrm('http://127.0.0.1:9'));

  it('counts a delivery waiting for its retry as waiting, aged from when it was queued', async () => {
    const webhookId = unique('msg_retry');
    // Queued ten days ago, tried twice, next try a minute from now.
    await dbPool().query(
      `INSERT INTO ${table('outbox')} (webhook_id, subscription_id, order_id, topic, order_version, payload, status, attempts, run_after, created_at)
       VALUES (?, 999999, 1, 'order.updated', '1', '{}', 'pending', 2, UTC_TIMESTAMP(3) + INTERVAL 60 SECOND, UTC_TIMESTAMP(3) - INTERVAL 10 DAY)`,
      [webhookId],
    );
    try {
      const { queues } = await health();
      expect(queues.outbox.oldest_pending_age_seconds).toBeGreaterThanOrEqual(10 * 86400);
      expect(queues.outbox.retrying).toBeGreaterThanOrEqual(1);
      expect(queues.outbox.pending).toBeGreaterThanOrEqual(queues.outbox.retrying);
    } finally {
      await dbPool().query(`DELETE FROM ${table('outbox')} WHERE webhook_id = ?`, [webhookId]);
    }
  });

  it('ages a dead letter replayed now from its replay, not from its first arrival', async () => {
    const eventId = unique('evt-replayed');
    // Arrived ten days ago, died, replayed a moment ago: pending, attempts reset, due now.
    await dbPool().query(
      `INSERT INTO ${table('inbox')} (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at)
       VALUES (?, 'order.status_changed', 'REPLAYED-1', '{}', 'pending', 0, UTC_TIMESTAMP(3) - INTERVAL 5 SECOND, UTC_TIMESTAMP(3) - INTERVAL 10 DAY)`,
      [eventId],
    );
    try {
      const { queues } = await health();
      expect(queues.inbox.oldest_pending_age_seconds).toBeGreaterThanOrEqual(5);
      expect(queues.inbox.oldest_pending_age_seconds).toBeLessThan(86400);
    } finally {
      await dbPool().query(`DELETE FROM ${table('inbox')} WHERE event_id = ?`, [eventId]);
    }
  });

  it('counts a second delivery of one event id as a dedup hit, and a first one not', async () => {
    const before = (await health()).last_hour.duplicates;
    const id = unique('evt-dup');
    const body = statusEvent(unique('DUP'), 'paid', 1);
    expect((await sendEvent({ id, body })).status).toBe(202);
    expect((await health()).last_hour.duplicates).toBe(before);
    expect((await sendEvent({ id, body })).status).toBe(200);
    const after = await health();
    expect(after.last_hour.duplicates).toBe(before + 1);
    expect(after.last_day.duplicates).toBeGreaterThanOrEqual(after.last_hour.duplicates);
  });

  it('counts a request with a wrong signature in the signature class', async () => {
    const count = (doc: HealthDoc) => doc.refusals.classes.find((c) => c.class === 'signature')?.count ?? 0;
    const before = count(await health());
    const res = await sendEvent({ id: unique('evt-forged'), body: statusEvent(unique('FORGED'), 'paid', 1), secret: 'whsec_' + Buffer.from('not-the-secret-not-the-secret-32').toString('base64') });
    expect(res.status).toBe(401);
    expect(count(await health())).toBe(before + 1);
  });

  it('buckets the traffic by the size the range asks for: incoming, outgoing and failed apart', async () => {
    const cases = { hour: [60, 60], day: [900, 96], week: [3600, 168] } as const;
    for (const [range, [bucketSeconds, buckets]] of Object.entries(cases)) {
      const { traffic } = await health(range);
      expect(traffic).toMatchObject({ range, bucket_seconds: bucketSeconds });
      expect(traffic.buckets.length).toBeGreaterThanOrEqual(buckets - 1);
      expect(traffic.buckets.length).toBeLessThanOrEqual(buckets);
      const gaps = traffic.buckets.slice(1).map((b, i) => Date.parse(b.at) - Date.parse(traffic.buckets[i]!.at));
      expect(new Set(gaps)).toEqual(new Set([bucketSeconds * 1000]));
    }
    expect((await rest('/crm-bridge/v1/admin/health?range=year', { session: await adminSession() })).status).toBe(400);

    // Rows half an hour ago, in one bucket of the hour range that no clock tick can move.
    const [[{ at }]] = (await dbPool().query(`SELECT DATE_FORMAT(UTC_TIMESTAMP() - INTERVAL 30 MINUTE, '%Y-%m-%dT%H:%i:00+00:00') AS at`)) as unknown as [[{ at: string }]];
    const bucketAt = (doc: HealthDoc) => doc.traffic.buckets.find((b) => Date.parse(b.at) === Date.parse(at))!;
    const before = bucketAt(await health('hour'));
    const marker = unique('traffic');
    const rows: [string, string][] = [['in', 'applied'], ['in', 'stale'], ['out', 'delivered'], ['out', 'delivered'], ['out', 'retried'], ['in', 'dead'], ['in', 'accepted']];
    for (const [direction, decision] of rows) {
      await dbPool().query(`INSERT INTO ${table('log')} (created_at, direction, decision, event_id, attempt) VALUES (STR_TO_DATE(?, '%Y-%m-%dT%H:%i:%s+00:00') + INTERVAL 20 SECOND, ?, ?, ?, 1)`, [at, direction, decision, marker]);
    }
    try {
      const after = bucketAt(await health('hour'));
      expect({ incoming: after.incoming - before.incoming, outgoing: after.outgoing - before.outgoing, failed: after.failed - before.failed }).toEqual({ incoming: 2, outgoing: 2, failed: 2 });
    } finally {
      await dbPool().query(`DELETE FROM ${table('log')} WHERE event_id = ?`, [marker]);
    }
  });
});

describe('first-run checklist', () => {
  const table = (name: string) => `${site().tablePrefix}crm_bridge_${name}`;
  const checklist = async () => {
    const res = await rest('/crm-bridge/v1/admin/health', { session: await adminSession() });
    return ((await res.json()) as HealthDoc).checklist;
  };

  it('flips each step as the site gets there, and shows the receiver URL but no secret', async () => {
    await dbPool().query(`DELETE FROM ${table('sidecars')}`);
    await dbPool().query(`DELETE FROM ${table('log')} WHERE decision = 'accepted'`);
    await dbPool().query(`DELETE FROM ${table('connection_tests')}`);
    wpEval(`foreach ( \\CrmBridge\\Subscriptions::all() as $s ) { \\CrmBridge\\Subscriptions::delete( $s['id'] ); } \\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::INCOMING, null );`);
    const empty = await checklist();
    expect(empty).toMatchObject({ sidecar_online: false, crm_connected: false, last_connection_test: null, signing_secret_set: false, signing_secret_used: false, subscription: false, first_event_received: false });
    expect(empty.receiver_url).toBe(`${site().url}/wp-json/crm-bridge/v1/crm/events`);

    // A sidecar beats.
    await dbPool().query(`INSERT INTO ${table('sidecars')} (worker_id, version, hostname, started_at, heartbeat_at, info) VALUES (?, '0.1.0', 'test-host', UTC_TIMESTAMP(), UTC_TIMESTAMP(), '{}')`, [unique('checklist-worker')]);
    expect((await checklist()).sidecar_online).toBe(true);

    // The connection test passes, then a later one fails.
    const answer = (ok: number, secondsAgo: number) =>
      dbPool().query(`INSERT INTO ${table('connection_tests')} (id, requested_at, answered_at, ok, message) VALUES (UUID(), UTC_TIMESTAMP(3), UTC_TIMESTAMP(3) - INTERVAL ? SECOND, ?, 'test')`, [secondsAgo, ok]);
    await answer(1, 2);
    expect(await checklist()).toMatchObject({ crm_connected: true, last_connection_test: { ok: true } });
    await answer(0, 1);
    expect(await checklist()).toMatchObject({ crm_connected: false, last_connection_test: { ok: false } });

    // The signing secret is set; the CRM has it once an event signed with it arrives after it was set.
    configureCrm('http://127.0.0.1:9');
    expect(await checklist()).toMatchObject({ signing_secret_set: true, signing_secret_used: false, first_event_received: false });
    expect((await sendEvent({ id: unique('evt-first'), body: statusEvent(unique('FIRST'), 'paid', 1) })).status).toBe(202);
    const received = await checklist();
    expect(received).toMatchObject({ signing_secret_used: true, first_event_received: true });
    expect(JSON.stringify(received)).not.toContain(TEST_SECRET.slice(6));

    // An outgoing subscription.
    wpEval(`\\CrmBridge\\Subscriptions::create( array( 'name' => 'Checklist', 'url' => 'http://127.0.0.1:9/hook', 'topics' => array( 'order.updated' ), 'status_filter' => array(), 'payload_mode' => 'full', 'is_crm' => false, 'active' => true, 'rate_limit_per_second' => null ) );`);
    try {
      expect((await checklist()).subscription).toBe(true);
    } finally {
      wpEval(`foreach ( \\CrmBridge\\Subscriptions::all() as $s ) { \\CrmBridge\\Subscriptions::delete( $s['id'] ); }`);
      await dbPool().query(`DELETE FROM ${table('sidecars')}`);
    }
  });
});

interface Queue {
  pending: number;
  retrying: number;
  running: number;
  dead: number;
  oldest_pending_age_seconds: number | null;
}
interface HealthDoc {
  queues: { inbox: Queue; outbox: Queue };
  last_hour: { duplicates: number };
  last_day: { duplicates: number };
  traffic: { range: string; bucket_seconds: number; site_timezone: string; buckets: { at: string; incoming: number; outgoing: number; failed: number }[] };
  refusals: { classes: { class: string; count: number }[] };
  checklist: {
    receiver_url: string;
    sidecar_online: boolean;
    crm_connected: boolean;
    last_connection_test: { ok: boolean; answered_at: string } | null;
    signing_secret_set: boolean;
    signing_secret_used: boolean;
    subscription: boolean;
    first_event_received: boolean;
  };
}
