// "Test connection" on the settings page: the plugin records the request in its connection tests
// table, a sidecar takes it, calls the CRM and writes what it found into the same row, and the page
// reads it from there. No request from the sidecar to WordPress is involved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, rest, site, wpEval, type Session } from '../support/stack.ts';
import { CRM_TOKEN, configureCrm } from '../support/incoming.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { startCrmSimulator, type CrmSimulator } from '../crm-simulator/simulator.ts';
import { waitFor } from '../stack/system.ts';

let crm: CrmSimulator;
let sidecar: RunningSidecar;
let session: Session;

beforeAll(async () => {
  crm = await startCrmSimulator({ token: CRM_TOKEN });
  configureCrm(crm.url);
  sidecar = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_SETTINGS_TTL_MS: '0' }));
  session = await adminSession();
});
afterAll(async () => {
  await sidecar?.stop();
  await crm?.close();
  configureCrm('http://127.0.0.1:9');
  await closePools();
});

const TESTS = `${site().tablePrefix}crm_bridge_connection_tests`;

interface Answer {
  done: true;
  id: string;
  ok: boolean;
  message: string;
  latency_ms: number | null;
  at: string;
}

async function startTest(): Promise<string> {
  const started = await rest('/crm-bridge/v1/admin/settings/test-connection', { method: 'POST', session });
  expect(started.status).toBe(202);
  return ((await started.json()) as { id: string }).id;
}

async function answerTo(id: string): Promise<Answer> {
  return waitFor('the sidecar’s answer', async () => {
    const res = (await (await rest(`/crm-bridge/v1/admin/settings/test-connection/${id}`, { session })).json()) as Answer | { done: false };
    return res.done ? res : undefined;
  });
}

const testConnection = async (): Promise<Answer> => answerTo(await startTest());

async function rowOf(id: string): Promise<Record<string, unknown> | undefined> {
  const [rows] = await dbPool().query(`SELECT * FROM ${TESTS} WHERE id = ?`, [id]);
  return (rows as Record<string, unknown>[])[0];
}

describe('test connection', () => {
  it('reports that the CRM answered with the configured credentials', async () => {
    const result = await testConnection();
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^The CRM answered in \d+ ms/);
    expect(result.latency_ms).toEqual(expect.any(Number));
    expect(new Date(result.at).getTime()).not.toBeNaN();
  });

  it('is a row the sidecar takes and answers in the database, with no REST call back to WordPress', async () => {
    const id = await startTest();
    const answer = await answerTo(id);
    expect(await rowOf(id)).toMatchObject({ id, taken_by: sidecar.workerId, ok: 1, message: answer.message, latency_ms: answer.latency_ms });
    // The route the sidecar used to report through is gone: nothing on the WordPress side takes a result.
    const index = (await (await rest('/')).json()) as { routes: Record<string, unknown> };
    expect(Object.keys(index.routes).filter((r) => r.includes('connection-test'))).toEqual([]);
    expect(Object.keys(index.routes)).toEqual(expect.arrayContaining(['/crm-bridge/v1/admin/settings/test-connection', '/crm-bridge/v1/admin/settings/test-connection/(?P<id>[a-f0-9-]{36})']));
  });

  it('answers only the request it was asked, and leaves a stale request alone', async () => {
    const stale = '00000000-0000-4000-8000-000000000001';
    // A kept stack may hold the row from an earlier run.
    await dbPool().query(`DELETE FROM ${TESTS} WHERE id = ?`, [stale]);
    await dbPool().query(`INSERT INTO ${TESTS} (id, requested_at) VALUES (?, UTC_TIMESTAMP(3) - INTERVAL 5 MINUTE)`, [stale]);
    const fresh = await testConnection();
    expect(fresh.ok).toBe(true);
    expect(await rowOf(stale)).toMatchObject({ taken_by: null, answered_at: null });
    expect(await (await rest(`/crm-bridge/v1/admin/settings/test-connection/${stale}`, { session })).json()).toEqual({ done: false });
  });

  it('reports refused credentials', async () => {
    wpEval(`\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::CRM_TOKEN, 'a-wrong-token' );`);
    const result = await testConnection();
    expect(result).toMatchObject({ ok: false });
    expect(result.message).toContain('HTTP 401');
  });

  it('is for administrators only', async () => {
    expect((await rest('/crm-bridge/v1/admin/settings/test-connection', { method: 'POST' })).status).toBe(401);
    expect((await rest('/crm-bridge/v1/admin/settings/test-connection/00000000-0000-4000-8000-000000000001')).status).toBe(401);
  });
});
