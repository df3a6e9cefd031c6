// The admin REST API is for shop managers only, and a cookie alone (no REST nonce) is not enough.
import { beforeAll, describe, expect, it } from 'vitest';
import { adminSession, dbPool, ensureUser, login, rest, site, wpEval, type Session } from '../support/stack.ts';
import { unique } from '../support/incoming.ts';
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
