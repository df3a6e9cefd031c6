// The sidecar as a process: configuration refusals, schema check, health, metrics, heartbeat, shutdown.
import { afterAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, rest, site, wpEval } from '../support/stack.ts';
import { sidecarEnv, startSidecar } from '../support/sidecar.ts';
import { freePort, waitFor } from '../stack/system.ts';

afterAll(closePools);

describe('sidecar process', () => {
  it('exits with code 2 and one line per wrong variable when the configuration is invalid', async () => {
    const sc = await startSidecar(
      { PATH: process.env.PATH ?? '', CRM_BRIDGE_DATABASE_URL: 'nope', CRM_BRIDGE_WORDPRESS_URL: site().url, CRM_BRIDGE_HTTP_PORT: 'eighty' },
      { waitHealthy: false },
    );
    expect(await sc.exited).toBe(2);
    const lines = sc.output().trim().split('\n');
    expect(lines[0]).toBe('crm-bridge: invalid configuration:');
    expect(lines.slice(1).map((l) => l.trim().split(' ')[0]).sort()).toEqual(
      ['CRM_BRIDGE_DATABASE_URL', 'CRM_BRIDGE_HTTP_PORT', 'CRM_BRIDGE_WP_APP_PASSWORD', 'CRM_BRIDGE_WP_USER'].sort(),
    );
  });

  it('refuses to start on a schema version it does not know, with exit code 3', async () => {
    wpEval(`update_option( 'crm_bridge_schema_version', 99 );`);
    try {
      const sc = await startSidecar(sidecarEnv(), { waitHealthy: false });
      expect(await sc.exited).toBe(3);
      expect(sc.output()).toContain('schema version 99');
    } finally {
      wpEval(`update_option( 'crm_bridge_schema_version', \\CrmBridge\\Schema::VERSION );`);
    }
  });

  it('serves healthz, readyz and Prometheus metrics, beats its heart and leaves cleanly on SIGTERM', async () => {
    const sc = await startSidecar(sidecarEnv(site(), { CRM_BRIDGE_HEARTBEAT_SECONDS: '0.2' }));
    try {
      expect(await (await fetch(`${sc.url}/healthz`)).json()).toEqual({ status: 'ok', version: '0.1.0' });
      // /readyz answers while the sidecar starts (so a probe sees why it waits), and says ready once its workers run.
      await waitFor('readiness', async () => (await fetch(`${sc.url}/readyz`)).status === 200);
      const metrics = await (await fetch(`${sc.url}/metrics`)).text();
      expect(metrics).toMatch(/^crm_bridge_ready 1$/m);
      expect(metrics).toMatch(/^crm_bridge_sidecar_process_resident_memory_bytes \d+/m);

      await waitFor('the heartbeat row', async () => {
        const [rows] = await dbPool().query('SELECT worker_id FROM wp_crm_bridge_sidecars WHERE worker_id = ?', [sc.workerId]);
        return (rows as unknown[]).length === 1;
      });
      const health = (await (await rest('/crm-bridge/v1/admin/health', { session: await adminSession() })).json()) as {
        sidecar_online: boolean;
        sidecars: { worker_id: string; online: boolean }[];
      };
      expect(health.sidecar_online).toBe(true);
      expect(health.sidecars.find((s) => s.worker_id === sc.workerId)?.online).toBe(true);
      expect(sc.output()).not.toContain(site().sidecarAppPassword);
    } finally {
      expect(await sc.stop()).toBe(0);
    }
    const [rows] = await dbPool().query('SELECT worker_id FROM wp_crm_bridge_sidecars WHERE worker_id = ?', [sc.workerId]);
    expect(rows).toEqual([]);
  });

  it('reports not ready while the schema is unknown, and ready again once it is back', async () => {
    const sc = await startSidecar(sidecarEnv());
    try {
      wpEval(`update_option( 'crm_bridge_schema_version', 42 );`);
      const res = await fetch(`${sc.url}/readyz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { reason: string }).reason).toBe('database schema not supported');
      await waitFor('the details in the log', async () => sc.output().includes('schema version 42'));
    } finally {
      wpEval(`update_option( 'crm_bridge_schema_version', \\CrmBridge\\Schema::VERSION );`);
    }
    try {
      await waitFor('readiness', async () => (await fetch(`${sc.url}/readyz`)).status === 200);
    } finally {
      await sc.stop();
    }
  });

  it('with its database unreachable, /readyz answers a generic reason and only the log has the details', async () => {
    const port = await freePort();
    const sc = await startSidecar(sidecarEnv(site(), { CRM_BRIDGE_DATABASE_URL: `mysql://crm_bridge:not-the-password@127.0.0.1:${port}/${site().database}` }));
    try {
      const res = await fetch(`${sc.url}/readyz`);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ status: 'not_ready', reason: 'database unavailable', warnings: [] });
      for (const detail of ['127.0.0.1', String(port), 'ECONNREFUSED', 'crm_bridge', 'not-the-password']) expect(text).not.toContain(detail);
      await waitFor('the details in the log', async () => sc.output().includes('ECONNREFUSED'));
      expect(sc.output()).not.toContain('not-the-password');
    } finally {
      expect(await sc.stop()).toBe(0);
    }
  });
});
