// The audit trail: settings, secrets, subscriptions and replays each leave a row with who, when and
// what changed, never a secret value; administrators read it newest first, paged.
import { beforeAll, describe, expect, it } from 'vitest';
import { adminSession, dbPool, ensureUser, login, rest, wpEval, type Session } from '../support/stack.ts';
import { configureCrm } from '../support/incoming.ts';

interface AuditRow {
  id: number;
  created_at: string;
  user_id: number;
  user_login: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}

let admin: Session;
const json = { 'content-type': 'application/json' };
const call = (method: string, path: string, body?: unknown, session = admin) =>
  rest(`/crm-bridge/v1${path}`, { method, session, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** The rows written after `since` (an audit id), newest first. */
async function rowsSince(since: number): Promise<AuditRow[]> {
  const res = await call('GET', '/admin/audit?per_page=200');
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: AuditRow[] }).items.filter((r) => r.id > since);
}

async function lastId(): Promise<number> {
  const [rows] = await dbPool().query('SELECT COALESCE(MAX(id), 0) AS id FROM wp_crm_bridge_audit');
  return Number((rows as { id: number }[])[0]!.id);
}

beforeAll(async () => {
  configureCrm('http://127.0.0.1:9');
  admin = await adminSession();
});

describe('audit trail', () => {
  it('records which settings changed, from what to what, and by whom', async () => {
    const since = await lastId();
    expect((await call('PUT', '/admin/settings', { settings: { retention_days: 45, crm: { timeout_ms: 2500 } } })).status).toBe(200);
    const [row] = await rowsSince(since);
    expect(row).toMatchObject({ action: 'settings.updated', user_login: 'admin' });
    expect(row!.user_id).toBeGreaterThan(0);
    expect(row!.details).toEqual({ changes: { retention_days: { old: 30, new: 45 }, 'crm.timeout_ms': { old: 2000, new: 2500 } } });
    await call('PUT', '/admin/settings', { settings: { retention_days: 30 } });
  });

  it('records a secret rotation without its value', async () => {
    const since = await lastId();
    const res = await call('POST', '/admin/settings/secrets', { name: 'incoming_signing', action: 'rotate' });
    const { secret } = (await res.json()) as { secret: string };
    const rows = await rowsSince(since);
    expect(rows.map((r) => [r.action, r.target])).toEqual([['secret.rotated', 'incoming_signing']]);
    const [stored] = await dbPool().query('SELECT details FROM wp_crm_bridge_audit WHERE id > ?', [since]);
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
    configureCrm('http://127.0.0.1:9');
  });

  it('records subscription changes: create, update, rotate, delete', async () => {
    const since = await lastId();
    const created = (await (await call('POST', '/admin/subscriptions', { name: 'audited', url: 'http://127.0.0.1:9/hook', topics: ['all'] })).json()) as { id: number; secret: string };
    await call('PATCH', `/admin/subscriptions/${created.id}`, { url: 'http://127.0.0.1:9/other' });
    const rotated = (await (await call('POST', `/admin/subscriptions/${created.id}/rotate-secret`)).json()) as { secret: string };
    await call('DELETE', `/admin/subscriptions/${created.id}`);
    const rows = await rowsSince(since);
    expect(rows.map((r) => [r.action, r.target])).toEqual([
      ['subscription.deleted', String(created.id)],
      ['subscription.secret_rotated', String(created.id)],
      ['subscription.updated', String(created.id)],
      ['subscription.created', String(created.id)],
    ]);
    expect(rows[2]!.details).toEqual({ changes: { url: { old: 'http://127.0.0.1:9/hook', new: 'http://127.0.0.1:9/other' } } });
    const text = JSON.stringify(rows);
    expect(text).not.toContain(created.secret.slice(6));
    expect(text).not.toContain(rotated.secret.slice(6));
  });

  it('records a replay and a discard of dead letters by a shop manager', async () => {
    ensureUser('crm-bridge-audit-manager', 'shop_manager', 'audit-manager-password-1');
    const manager = await login('crm-bridge-audit-manager', 'audit-manager-password-1');
    const ids = wpEval(`global $wpdb; $t = $wpdb->prefix . 'crm_bridge_inbox'; $ids = array();
      foreach ( array( 1, 2 ) as $n ) {
        $wpdb->insert( $t, array( 'event_id' => 'audit-' . $n . '-' . wp_generate_uuid4(), 'event_type' => 'order.status_changed', 'crm_order_id' => 'AUDIT-' . $n, 'payload' => '{}', 'status' => 'dead', 'run_after' => gmdate( 'Y-m-d H:i:s' ), 'received_at' => gmdate( 'Y-m-d H:i:s' ) ) );
        $ids[] = $wpdb->insert_id;
      }
      echo implode( ',', $ids );`).split(',').map(Number);
    const since = await lastId();
    expect((await call('POST', '/admin/dead-letters/replay', { ids: [ids[0]] }, manager)).status).toBe(200);
    expect((await call('POST', '/admin/dead-letters/discard', { ids: [ids[1]] }, manager)).status).toBe(200);
    const rows = await rowsSince(since);
    expect(rows.map((r) => [r.action, r.user_login, r.details])).toEqual([
      ['dead_letters.discarded', 'crm-bridge-audit-manager', { ids: [ids[1]], discarded: 1 }],
      ['dead_letters.replayed', 'crm-bridge-audit-manager', { ids: [ids[0]], all: false, replayed: 1 }],
    ]);
    wpEval(`global $wpdb; $wpdb->query( "DELETE FROM {$wpdb->prefix}crm_bridge_inbox WHERE crm_order_id LIKE 'AUDIT-%'" );`);
    expect((await call('GET', '/admin/audit', undefined, manager)).status).toBe(403);
  });

  it('pages newest first and prunes rows older than the retention setting on write', async () => {
    wpEval(`global $wpdb; $wpdb->insert( $wpdb->prefix . 'crm_bridge_audit', array( 'created_at' => gmdate( 'Y-m-d H:i:s', time() - 400 * DAY_IN_SECONDS ), 'user_id' => 1, 'user_login' => 'admin', 'action' => 'settings.updated', 'target' => 'ancient' ) );`);
    const page1 = (await (await call('GET', '/admin/audit?per_page=2&page=1')).json()) as { items: AuditRow[]; total: number; page: number };
    const page2 = (await (await call('GET', '/admin/audit?per_page=2&page=2')).json()) as { items: AuditRow[] };
    expect(page1.items).toHaveLength(2);
    expect(page1.items[0]!.id).toBeGreaterThan(page1.items[1]!.id);
    expect(page1.items[1]!.id).toBeGreaterThan(page2.items[0]!.id);
    expect(page1.total).toBeGreaterThan(2);
    await call('PUT', '/admin/settings', { settings: { retention_days: 31 } });
    await call('PUT', '/admin/settings', { settings: { retention_days: 30 } });
    const [rows] = await dbPool().query("SELECT COUNT(*) AS n FROM wp_crm_bridge_audit WHERE target = 'ancient'");
    expect(Number((rows as { n: number }[])[0]!.n)).toBe(0);
  });
});
