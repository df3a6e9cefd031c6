// The plugin's queue store on the real database, through WordPress: inserts, the one requeue path
// shared by inbox dead letters and dead deliveries, discard, list, payload and stats. Then the REST
// routes: each is one class on the base of its audience, and each audience reaches only its routes.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, ensureUser, login, rest, site, wpEvalJson, type Session } from '../support/stack.ts';
import { unique } from '../support/incoming.ts';

const MANAGER = 'crm-bridge-queue-manager';
const MANAGER_PASSWORD = 'queue-manager-password-1';
const json = { 'content-type': 'application/json' };
const inbox = () => `${site().tablePrefix}crm_bridge_inbox`;
const outbox = () => `${site().tablePrefix}crm_bridge_outbox`;
const OLD = '2000-01-01 00:00:00.000';

let admin: Session;
let manager: Session;

beforeAll(async () => {
  ensureUser(MANAGER, 'shop_manager', MANAGER_PASSWORD);
  admin = await adminSession();
  manager = await login(MANAGER, MANAGER_PASSWORD);
});
afterAll(async () => {
  // The rows this file made: its events, and deliveries of its made-up subscriptions.
  await dbPool().query(`DELETE FROM ${inbox()} WHERE event_id LIKE 'qs-event-%'`);
  await dbPool().query(`DELETE FROM ${outbox()} WHERE subscription_id BETWEEN 999000 AND 999999`);
  await closePools();
});

/** Runs PHP with the store's namespace imported and returns what it echoes as JSON. */
const php = <T>(code: string): T => wpEvalJson<T>(`use CrmBridge\\Queue\\Store; use CrmBridge\\Queue\\Selection; use CrmBridge\\Queue\\Status; ${code}`);

const call = (session: Session, method: string, path: string, body?: unknown) =>
  rest(`/crm-bridge/v1${path}`, { method, session, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

interface Row {
  status?: string;
  attempts?: number;
  runAfter?: string;
  finishedAt?: string | null;
  lockedBy?: string | null;
}

/** An inbox row as the sidecar leaves it (a failed or finished event). */
async function inboxRow(crmOrderId: string, row: Row = {}): Promise<number> {
  const [res] = await dbPool().query(
    `INSERT INTO ${inbox()} (event_id, event_type, crm_order_id, payload, status, attempts, run_after, locked_by, locked_until, last_error_class, last_error, received_at, finished_at)
     VALUES (?, 'order.status_changed', ?, '{"n":1}', ?, ?, ?, ?, ?, 'permanent', 'unmapped_status: lost', ?, ?)`,
    [unique('qs-event'), crmOrderId, row.status ?? 'dead', row.attempts ?? 5, row.runAfter ?? OLD, row.lockedBy ?? 'w-1', row.lockedBy === null ? null : OLD, OLD, row.finishedAt === undefined ? OLD : row.finishedAt],
  );
  return (res as { insertId: number }).insertId;
}

/** An outbox row as the sidecar leaves it (a dead or delivered delivery). */
async function outboxRow(subscriptionId: number, row: Row = {}): Promise<number> {
  const [res] = await dbPool().query(
    `INSERT INTO ${outbox()} (webhook_id, subscription_id, order_id, topic, order_version, payload, status, attempts, run_after, locked_by, locked_until, last_status_code, last_error_class, last_error, created_at, finished_at)
     VALUES (?, ?, 7, 'order.updated', 'v', '{"n":2}', ?, ?, ?, ?, ?, 500, 'transient', 'http_500', ?, ?)`,
    [`msg_${unique('qs').replaceAll('-', '')}`, subscriptionId, row.status ?? 'dead', row.attempts ?? 8, row.runAfter ?? OLD, row.lockedBy ?? 'w-1', row.lockedBy === null ? null : OLD, OLD, row.finishedAt === undefined ? OLD : row.finishedAt],
  );
  return (res as { insertId: number }).insertId;
}

interface QueueState {
  status: string;
  attempts: number;
  run_after: Date;
  locked_by: string | null;
  locked_until: Date | null;
  finished_at: Date | null;
}

async function state(table: string, id: number): Promise<QueueState | undefined> {
  const [rows] = await dbPool().query(`SELECT status, attempts, run_after, locked_by, locked_until, finished_at FROM ${table} WHERE id = ?`, [id]);
  return (rows as QueueState[])[0];
}

/** What a requeued row looks like, whichever queue it is in. */
const REQUEUED = { status: 'pending', attempts: 0, locked_by: null, locked_until: null, finished_at: null };

describe('queue store', () => {
  it('inserts a CRM event once per event id, pending and due now', async () => {
    const eventId = unique('qs-event');
    const results = php<(boolean | null)[]>(
      `echo wp_json_encode( array(
         Store::insert_event( '${eventId}', 'order.status_changed', 'QS-INSERT', '{"a":1}' ),
         Store::insert_event( '${eventId}', 'order.status_changed', 'QS-INSERT', '{"a":2}' ),
       ) );`,
    );
    expect(results).toEqual([true, false]);
    const [rows] = await dbPool().query(`SELECT status, attempts, payload, run_after <= UTC_TIMESTAMP(3) AS due FROM ${inbox()} WHERE event_id = ?`, [eventId]);
    expect(rows).toEqual([{ status: 'pending', attempts: 0, payload: '{"a":1}', due: 1 }]);
  });

  it('inserts deliveries in one statement, each with its own webhook id, and reads a payload back by that id', async () => {
    const ids = php<string[]>(
      `echo wp_json_encode( Store::insert_deliveries( array(
         array( 'subscription_id' => 999001, 'order_id' => 11, 'topic' => 'order.created', 'version' => 'v1', 'body' => '{"first":true}' ),
         array( 'subscription_id' => 999001, 'order_id' => 12, 'topic' => 'order.updated', 'version' => 'v2', 'body' => '{"second":true}' ),
       ) ) );`,
    );
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(2);
    const [rows] = await dbPool().query(`SELECT webhook_id, order_id, topic, status, attempts FROM ${outbox()} WHERE subscription_id = 999001 ORDER BY id`);
    expect(rows).toEqual([
      { webhook_id: ids[0], order_id: 11, topic: 'order.created', status: 'pending', attempts: 0 },
      { webhook_id: ids[1], order_id: 12, topic: 'order.updated', status: 'pending', attempts: 0 },
    ]);
    expect(php<(string | null)[]>(`echo wp_json_encode( array( Store::payload( Store::OUTBOX, '${ids[1]}' ), Store::payload( Store::INBOX, '${ids[1]}' ) ) );`)).toEqual(['{"second":true}', null]);
  });

  it('lists the dead letters of one CRM order newest first, without their payloads, in the store and on the route', async () => {
    const crm = unique('QS-LIST');
    const first = await inboxRow(crm);
    await inboxRow(crm, { status: 'done' });
    const second = await inboxRow(crm);
    await inboxRow(unique('QS-OTHER'));
    const listed = php<{ id: string; crm_order_id: string; payload?: string }[]>(`echo wp_json_encode( Store::list( Store::INBOX, new Selection( Status::DEAD, array(), '${crm}' ), 10 ) );`);
    expect(listed.map((r) => Number(r.id))).toEqual([second, first]);
    expect(listed.every((r) => r.crm_order_id === crm && !('payload' in r))).toBe(true);
    const route = (await (await call(manager, 'GET', `/admin/dead-letters?crm_order_id=${crm}`)).json()) as { items: unknown[] };
    expect(route.items).toEqual(listed);
    const deliveries = php<{ id: string }[]>(`echo wp_json_encode( Store::list( Store::OUTBOX, new Selection( Status::DEAD, array(), null, 999002 ), 10 ) );`);
    expect(deliveries).toEqual([]);
    const dead = await outboxRow(999002);
    expect(php<{ id: string; webhook_id: string }[]>(`echo wp_json_encode( Store::list( Store::OUTBOX, new Selection( Status::DEAD, array(), null, 999002 ), 10 ) );`).map((r) => Number(r.id))).toEqual([dead]);
  });

  it('counts each queue by status and ages its oldest pending row, as the health view shows', async () => {
    const queues = async () => ((await (await call(manager, 'GET', '/admin/health')).json()) as { queues: Record<'inbox' | 'outbox', { pending: number; running: number; dead: number; oldest_pending_age_seconds: number | null }> }).queues;
    const before = await queues();
    const tenMinutesAgo = new Date(Date.now() - 600_000).toISOString().replace('T', ' ').replace('Z', '');
    const crm = unique('QS-STATS');
    const rows = [
      await inboxRow(crm, { status: 'pending', runAfter: tenMinutesAgo, finishedAt: null, lockedBy: null }),
      await inboxRow(crm, { status: 'running', finishedAt: null }),
      await inboxRow(crm),
    ];
    const delivery = await outboxRow(999003);
    try {
      const after = await queues();
      expect(after.inbox.pending - before.inbox.pending).toBe(1);
      expect(after.inbox.running - before.inbox.running).toBe(1);
      expect(after.inbox.dead - before.inbox.dead).toBe(1);
      expect(after.inbox.oldest_pending_age_seconds).toBeGreaterThanOrEqual(600);
      expect(after.outbox.dead - before.outbox.dead).toBe(1);
    } finally {
      await dbPool().query(`DELETE FROM ${inbox()} WHERE id IN (?)`, [rows]);
      await dbPool().query(`DELETE FROM ${outbox()} WHERE id = ?`, [delivery]);
    }
  });

  it('replays an inbox dead letter and a dead delivery through the one requeue path: pending, due, attempts reset, lease cleared', async () => {
    const crm = unique('QS-REPLAY');
    const dead = await inboxRow(crm);
    const done = await inboxRow(crm, { status: 'done' });
    const delivery = await outboxRow(999004);
    const delivered = await outboxRow(999004, { status: 'done' });

    const letters = await call(manager, 'POST', '/admin/dead-letters/replay', { ids: [dead, done] });
    expect(await letters.json()).toEqual({ replayed: 1 });
    const deliveries = await call(manager, 'POST', '/admin/deliveries/replay', { ids: [delivery, delivered] });
    expect(await deliveries.json()).toEqual({ replayed: 1 });

    for (const [table, id] of [
      [inbox(), dead],
      [outbox(), delivery],
    ] as const) {
      const row = (await state(table, id))!;
      expect(row).toMatchObject(REQUEUED);
      expect(row.run_after.getTime()).toBeGreaterThan(new Date('2020-01-01Z').getTime());
    }
    expect((await state(inbox(), done))!.status).toBe('done');
    expect((await state(outbox(), delivered))!.status).toBe('done');

    // Delivered rows of one subscription, asked for by status, take the same path.
    const again = await call(manager, 'POST', '/admin/deliveries/replay', { subscription_id: 999004, status: 'done' });
    expect(await again.json()).toEqual({ replayed: 1 });
    expect(await state(outbox(), delivered)).toMatchObject(REQUEUED);

    const [audit] = await dbPool().query(`SELECT action, target, details FROM ${site().tablePrefix}crm_bridge_audit WHERE action IN ('dead_letters.replayed', 'deliveries.replayed') ORDER BY id DESC LIMIT 3`);
    expect((audit as { action: string; target: string | null; details: string }[]).map((r) => [r.action, r.target, JSON.parse(r.details)])).toEqual([
      ['deliveries.replayed', '999004', { ids: null, status: 'done', replayed: 1 }],
      ['deliveries.replayed', null, { ids: [delivery, delivered], status: 'dead', replayed: 1 }],
      ['dead_letters.replayed', null, { ids: [dead, done], all: false, replayed: 1 }],
    ]);
    const [log] = await dbPool().query(`SELECT direction, subscription_id FROM ${site().tablePrefix}crm_bridge_log WHERE decision = 'replayed' ORDER BY id DESC LIMIT 3`);
    expect(log).toEqual([
      { direction: 'out', subscription_id: 999004 },
      { direction: 'out', subscription_id: null },
      { direction: 'in', subscription_id: null },
    ]);
  });

  it('replays the dead letters of one CRM order only, and only when the request says which', async () => {
    const crm = unique('QS-ORDER');
    const mine = await inboxRow(crm);
    const other = await inboxRow(unique('QS-ORDER-OTHER'));
    expect(await (await call(manager, 'POST', '/admin/dead-letters/replay', { crm_order_id: crm })).json()).toEqual({ replayed: 1 });
    expect((await state(inbox(), mine))!.status).toBe('pending');
    expect((await state(inbox(), other))!.status).toBe('dead');
    for (const path of ['/admin/dead-letters/replay', '/admin/deliveries/replay']) {
      const res = await call(manager, 'POST', path, {});
      expect({ path, status: res.status, code: ((await res.json()) as { code: string }).code }).toEqual({ path, status: 400, code: 'crm_bridge_replay_scope' });
    }
    expect((await state(inbox(), other))!.status).toBe('dead');
  });

  it('discards only dead letters, and never requeues a row a sidecar holds or narrows a queue by the other queue’s column', async () => {
    const crm = unique('QS-DISCARD');
    const dead = await inboxRow(crm);
    const pending = await inboxRow(crm, { status: 'pending', finishedAt: null, lockedBy: null });
    const running = await inboxRow(crm, { status: 'running', finishedAt: null });
    expect(await (await call(manager, 'POST', '/admin/dead-letters/discard', { ids: [dead, pending] })).json()).toEqual({ discarded: 1 });
    expect(await state(inbox(), dead)).toBeUndefined();
    expect((await state(inbox(), pending))!.status).toBe('pending');

    const refusals = php<string[]>(
      `$refused = array();
       foreach ( array(
         static fn() => Store::requeue( Store::INBOX, new Selection( Status::RUNNING, array( ${running} ) ) ),
         static fn() => Store::requeue( Store::INBOX, new Selection( Status::PENDING, array( ${pending} ) ) ),
         static fn() => Store::discard( Store::INBOX, new Selection( Status::RUNNING, array( ${running} ) ) ),
         static fn() => Store::requeue( Store::INBOX, new Selection( Status::DEAD, array(), null, 1 ) ),
         static fn() => Store::requeue( Store::OUTBOX, new Selection( Status::DEAD, array(), 'X' ) ),
         static fn() => Store::requeue( 'refusals', new Selection( Status::DEAD, array( 1 ) ) ),
       ) as $attempt ) {
         try { $attempt(); $refused[] = 'ran'; } catch ( \\InvalidArgumentException $e ) { $refused[] = 'refused'; }
       }
       echo wp_json_encode( $refused );`,
    );
    expect(refusals).toEqual(['refused', 'refused', 'refused', 'refused', 'refused', 'refused']);
    expect(await state(inbox(), running)).toMatchObject({ status: 'running', attempts: 5, locked_by: 'w-1' });
  });
});

describe('one owner per table: the queue store for the queues', () => {
  const PLUGIN_SRC = join(import.meta.dirname, '..', '..', 'plugin', 'src');
  /** Schema creates every table; each table has its owners, and no other class names it. */
  const OWNERS: Record<string, (file: string) => boolean> = {
    inbox: (f) => f.startsWith('Queue/'),
    outbox: (f) => f.startsWith('Queue/'),
    // The store asks whether an order was announced to a CRM subscription (a join).
    subscriptions: (f) => f === 'Subscriptions.php' || f === 'Queue/Store.php',
    log: (f) => f === 'SyncLog.php' || f === 'SyncLogReader.php',
    links: (f) => f === 'Links.php',
    sidecars: (f) => f === 'Heartbeats.php',
    refusals: (f) => f === 'Refusals.php',
    audit: (f) => f === 'Audit.php',
    connection_tests: (f) => f === 'ConnectionTests.php',
  };
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.php') ? [join(dir, e.name)] : []));

  it('names each of its tables only in the class that owns it (the inbox and outbox in Queue/)', () => {
    const declared = wpEvalJson<string[]>(`echo wp_json_encode( array_keys( \\CrmBridge\\Schema::TABLES ) );`);
    expect([...declared].sort()).toEqual(Object.keys(OWNERS).sort());
    const offenders = files(PLUGIN_SRC)
      .map((file) => relative(PLUGIN_SRC, file))
      .filter((file) => file !== 'Schema.php')
      .flatMap((file) => {
        const source = readFileSync(join(PLUGIN_SRC, file), 'utf8');
        return Object.keys(OWNERS)
          .filter((table) => new RegExp(`table\\(\\s*'${table}'\\s*\\)|crm_bridge_${table}\\b`).test(source) && !OWNERS[table]!(file))
          .map((table) => `${file} names ${table}`);
      });
    expect(offenders).toEqual([]);
  });

  it('tells shop managers on every admin page how many events are dead and that events wait, from the store’s counts', async () => {
    const crm = unique('QS-NOTICE');
    const waiting = await inboxRow(crm, { status: 'pending', runAfter: new Date(Date.now() - 600_000).toISOString().replace('T', ' ').replace('Z', ''), finishedAt: null, lockedBy: null });
    const dead = await outboxRow(999005);
    const sidecars = `${site().tablePrefix}crm_bridge_sidecars`;
    const worker = unique('qs-notice-sidecar');
    const adminPage = async () => (await fetch(`${site().url}/wp-admin/index.php`, { headers: { cookie: manager.cookie } })).text();
    const deadCount = async () => {
      const [rows] = await dbPool().query(`SELECT (SELECT COUNT(*) FROM ${inbox()} WHERE status = 'dead') + (SELECT COUNT(*) FROM ${outbox()} WHERE status = 'dead') AS n`);
      return Number((rows as { n: number }[])[0]!.n);
    };
    try {
      // No replica has beaten lately: the sidecar is offline while events wait.
      await dbPool().query(`DELETE FROM ${sidecars} WHERE heartbeat_at > UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE`);
      const offline = await adminPage();
      expect(offline).toContain('The CRM Bridge sidecar is offline: events are waiting and nothing processes them.');
      const n = await deadCount();
      expect(offline).toContain(n === 1 ? 'CRM Bridge has 1 event that could not be processed.' : `CRM Bridge has ${n} events that could not be processed.`);
      // One replica online: the notice turns to how long the oldest event has waited.
      await dbPool().query(`INSERT INTO ${sidecars} (worker_id, version, hostname, started_at, heartbeat_at, info) VALUES (?, '0.1.0', 'test-host', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), '{}')`, [worker]);
      const online = await adminPage();
      expect(online).not.toContain('sidecar is offline');
      expect(online).toMatch(/CRM Bridge: the oldest waiting event has waited \d+ minutes\./);
    } finally {
      await dbPool().query(`DELETE FROM ${sidecars} WHERE worker_id = ?`, [worker]);
      await dbPool().query(`DELETE FROM ${inbox()} WHERE id = ?`, [waiting]);
      await dbPool().query(`DELETE FROM ${outbox()} WHERE id = ?`, [dead]);
    }
  });
});

type Audience = 'view' | 'configure' | 'sidecar';

/** Who may call a route, by its path: DESIGN.md's two admin levels, and the sidecar's own routes. */
function audience(path: string): Audience {
  if (path.startsWith('/sidecar/')) return 'sidecar';
  if (/^\/admin\/(health|log|log\\\.csv|dead-letters|deliveries|settings\/choices)(\/|$)/.test(path)) return 'view';
  if (path.startsWith('/admin/')) return 'configure';
  throw new Error(`no audience is known for ${path}: say who may call it`);
}

describe('REST routes', () => {
  interface Endpoint {
    path: string;
    methods: string[];
    base: string | null;
    route_class: string | null;
  }
  const endpoints = () =>
    wpEvalJson<Endpoint[]>(
      `$out = array();
       foreach ( rest_get_server()->get_routes( 'crm-bridge/v1' ) as $path => $handlers ) {
         foreach ( $handlers as $handler ) {
           $callback = $handler['permission_callback'] ?? null;
           $route    = is_array( $callback ) && $callback[0] instanceof \\CrmBridge\\Rest\\Route ? $callback[0] : null;
           $base     = null;
           foreach ( array( \\CrmBridge\\Rest\\Admin\\ViewRoute::class => 'view', \\CrmBridge\\Rest\\Admin\\ConfigureRoute::class => 'configure', \\CrmBridge\\Rest\\Sidecar\\SidecarRoute::class => 'sidecar' ) as $class => $name ) {
             $base = $route instanceof $class && 'permitted' === $callback[1] ? $name : $base;
           }
           $out[] = array( 'path' => substr( $path, strlen( '/crm-bridge/v1' ) ), 'methods' => array_keys( $handler['methods'] ), 'base' => $base, 'route_class' => $route ? get_class( $route ) : null );
         }
       }
       echo wp_json_encode( $out );`,
    );

  it('serves every admin and sidecar route from one route class on the base of its audience, registered from the one list', () => {
    const served = endpoints().filter((e) => e.path.startsWith('/admin/') || e.path.startsWith('/sidecar/'));
    expect(served.length).toBeGreaterThan(20);
    for (const e of served) {
      expect({ path: e.path, methods: e.methods, base: e.base }).toEqual({ path: e.path, methods: e.methods, base: audience(e.path) });
    }
    // One class per path and method, each registered once, and each class of the list served.
    const classes = served.map((e) => e.route_class);
    expect(new Set(classes).size).toBe(classes.length);
    const listed = wpEvalJson<string[]>(`echo wp_json_encode( \\CrmBridge\\Rest\\Routes::all() );`);
    expect(classes.filter((c) => !listed.includes(c!))).toEqual([]);
    expect(listed.filter((c) => !classes.includes(c))).toEqual([]);
  });

  it('lets shop managers view and repair, administrators configure, and the sidecar user reach only its own routes', async () => {
    const logId = ((await dbPool().query(`INSERT INTO ${site().tablePrefix}crm_bridge_log (created_at, direction, decision, message) VALUES (NOW(3), 'in', 'accepted', 'route check')`))[0] as { insertId: number }).insertId;
    const created = await call(admin, 'POST', '/admin/subscriptions', { name: 'route check', url: 'http://127.0.0.1:9/hook', topics: ['all'] });
    expect(created.status).toBe(201);
    const subscriptionId = ((await created.json()) as { id: number }).id;
    const deliveryId = await outboxRow(subscriptionId);
    const sidecarAuth = { authorization: `Basic ${Buffer.from(`${site().sidecarUser}:${site().sidecarAppPassword}`).toString('base64')}` };

    // A concrete URL and a valid body for each route, so that the permission decides, not validation.
    const concrete = (path: string): string =>
      path
        .replace(/\\\./g, '.')
        .replace('(?P<id>[a-f0-9-]{36})', '00000000-0000-4000-8000-000000000000')
        .replace(/^\/admin\/log\/\(\?P<id>[^)]+\)/, `/admin/log/${logId}`)
        .replace(/^\/admin\/subscriptions\/\(\?P<id>[^)]+\)/, `/admin/subscriptions/${subscriptionId}`)
        .replace(/^\/admin\/deliveries\/\(\?P<id>[^)]+\)/, `/admin/deliveries/${deliveryId}`);
    const BODIES: Record<string, unknown> = {
      '/admin/settings': { settings: { retention_days: 30 } },
      '/admin/settings/secrets': { name: 'crm_api_token', action: 'set', value: 'not-for-this-user-123456' },
      '/admin/subscriptions': { name: 'x', url: 'https://example.com/hook', topics: ['all'] },
      [`/admin/subscriptions/${subscriptionId}`]: { name: 'renamed' },
      '/admin/dead-letters/replay': { ids: [999999999] },
      '/admin/dead-letters/discard': { ids: [999999999] },
      '/admin/deliveries/replay': { ids: [999999999] },
      '/admin/deliveries/discard': { ids: [999999999] },
      '/sidecar/link': { order_id: 999999999, crm_order_id: 'QS-NO-SUCH-ORDER' },
      '/sidecar/notify': { subscription_id: 999999999 },
      '/sidecar/apply': { transitions: [] },
    };
    const QUERIES: Record<string, string> = { '/sidecar/orders': '?after=0&before=1' };
    const send = (method: string, url: string, headers: Record<string, string>, session?: Session) =>
      rest(`/crm-bridge/v1${url}${method === 'GET' ? (QUERIES[url] ?? '') : ''}`, {
        method,
        session,
        headers: { ...json, ...headers },
        ...(method === 'GET' || method === 'DELETE' || BODIES[url] === undefined ? {} : { body: JSON.stringify(BODIES[url]) }),
      });

    const index = (await (await rest('/crm-bridge/v1')).json()) as { routes: Record<string, { endpoints: { methods: string[] }[] }> };
    const seen: string[] = [];
    const results: { method: string; path: string; who: string; status: number }[] = [];
    const expected: typeof results = [];
    for (const [full, route] of Object.entries(index.routes)) {
      const path = full.slice('/crm-bridge/v1'.length);
      if (path === '' || path === '/crm/events') continue;
      const who = audience(path);
      const url = concrete(path);
      for (const method of route.endpoints.flatMap((e) => e.methods)) {
        seen.push(`${method} ${path}`);
        const asManager = (await send(method, url, {}, manager)).status;
        results.push({ method, path, who: 'shop manager', status: asManager });
        expected.push({ method, path, who: 'shop manager', status: who === 'view' ? 200 : 403 });
        const asSidecar = (await send(method, url, sidecarAuth)).status;
        results.push({ method, path, who: 'sidecar', status: who === 'sidecar' ? Number(![401, 403].includes(asSidecar)) : asSidecar });
        expected.push({ method, path, who: 'sidecar', status: who === 'sidecar' ? 1 : 403 });
        if (method === 'GET' && who !== 'sidecar') {
          results.push({ method, path, who: 'administrator', status: (await send(method, url, {}, admin)).status });
          expected.push({ method, path, who: 'administrator', status: 200 });
        }
      }
    }
    await call(admin, 'DELETE', `/admin/subscriptions/${subscriptionId}`);
    await dbPool().query(`DELETE FROM ${outbox()} WHERE id = ?`, [deliveryId]);
    expect(results).toEqual(expected);
    for (const route of ['GET /admin/health', 'GET /admin/log', 'POST /admin/dead-letters/replay', 'POST /admin/deliveries/replay', 'DELETE /admin/subscriptions/(?P<id>\\d+)', 'POST /sidecar/link', 'GET /sidecar/orders', 'POST /sidecar/notify']) {
      expect(seen).toContain(route);
    }
  });
});
