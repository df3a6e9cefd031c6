// "Test connection" on the settings page: the sidecar calls the CRM and reports what it found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, rest, wpEval, type Session } from '../support/stack.ts';
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

async function testConnection(): Promise<{ ok: boolean; message: string }> {
  const started = await rest('/crm-bridge/v1/admin/settings/test-connection', { method: 'POST', session });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  return waitFor('the sidecar’s answer', async () => {
    const res = (await (await rest(`/crm-bridge/v1/admin/settings/test-connection/${id}`, { session })).json()) as { done: boolean; ok: boolean; message: string };
    return res.done ? res : undefined;
  });
}

describe('test connection', () => {
  it('reports that the CRM answered with the configured credentials', async () => {
    const result = await testConnection();
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^The CRM answered in \d+ ms/);
  });

  it('reports refused credentials', async () => {
    wpEval(`\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::CRM_TOKEN, 'a-wrong-token' );`);
    const result = await testConnection();
    expect(result).toMatchObject({ ok: false });
    expect(result.message).toContain('HTTP 401');
  });

  it('is for shop managers only', async () => {
    expect((await rest('/crm-bridge/v1/admin/settings/test-connection', { method: 'POST' })).status).toBe(401);
  });
});
