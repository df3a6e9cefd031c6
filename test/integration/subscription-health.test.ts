// How each subscription's deliveries fare, as the subscriptions API shows it: the share delivered of
// its attempts over the last 24 hours, its latest attempt with the answer's status code, and since
// when it fails; never its secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, rest, site, wpEval, type Session } from '../support/stack.ts';
import { unique } from '../support/incoming.ts';

const table = (name: string) => `${site().tablePrefix}crm_bridge_${name}`;

interface Listed {
  id: number;
  failing_since: string | null;
  health: { window_hours: number; attempts: number; delivered: number; success_rate: number | null; last_attempt: { at: string; decision: string; status_code: number | null } | null };
}

let session: Session;
beforeAll(async () => {
  session = await adminSession();
});
afterAll(closePools);

function create(name: string): number {
  return Number(
    wpEval(
      `echo \\CrmBridge\\Subscriptions::create( array( 'name' => ${JSON.stringify(name)}, 'url' => 'http://127.0.0.1:9/hook', 'topics' => array( 'order.updated' ), 'status_filter' => array(), 'payload_mode' => 'full', 'is_crm' => false, 'active' => true, 'rate_limit_per_second' => null ) )['id'];`,
    ),
  );
}

async function attempt(subId: number, decision: string, code: number | null, hoursAgo = 0): Promise<void> {
  await dbPool().query(
    `INSERT INTO ${table('log')} (created_at, direction, decision, subscription_id, event_id, attempt, detail) VALUES (UTC_TIMESTAMP(3) - INTERVAL ? HOUR, 'out', ?, ?, ?, 1, ?)`,
    [hoursAgo, decision, subId, unique('msg'), JSON.stringify({ status_code: code })],
  );
}

describe('subscription health', () => {
  it('gives the success rate over the last 24 hours, the latest attempt and its answer, and no secret', async () => {
    const failing = create(unique('Health'));
    const idle = create(unique('Idle'));
    await attempt(failing, 'delivered', 200, 30); // Outside the window.
    await attempt(failing, 'delivered', 201, 2);
    await attempt(failing, 'retried', 503, 1);
    await attempt(failing, 'dead', null, 0);
    await dbPool().query(`UPDATE ${table('subscriptions')} SET failing_since = UTC_TIMESTAMP(3) - INTERVAL 1 HOUR WHERE id = ?`, [failing]);
    const res = await rest('/crm-bridge/v1/admin/subscriptions', { session });
    const text = await res.text();
    expect(text).not.toMatch(/whsec_/);
    const body = JSON.parse(text) as { items: Listed[]; site_timezone: string };
    const sub = body.items.find((s) => s.id === failing)!;
    expect(sub.failing_since).not.toBeNull();
    expect(sub.health).toMatchObject({ window_hours: 24, attempts: 3, delivered: 1, success_rate: 0.3333 });
    expect(sub.health.last_attempt).toMatchObject({ decision: 'dead', status_code: null });
    await attempt(failing, 'retried', 500, 0);
    const again = ((await (await rest('/crm-bridge/v1/admin/subscriptions', { session })).json()) as { items: Listed[] }).items.find((s) => s.id === failing)!;
    expect(again.health.last_attempt).toMatchObject({ decision: 'retried', status_code: 500 });
    expect(body.items.find((s) => s.id === idle)!.health).toEqual({ window_hours: 24, attempts: 0, delivered: 0, success_rate: null, last_attempt: null });
    expect(typeof body.site_timezone).toBe('string');
    wpEval(`\\CrmBridge\\Subscriptions::delete( ${failing} ); \\CrmBridge\\Subscriptions::delete( ${idle} );`);
  });
});
