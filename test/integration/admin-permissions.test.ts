// Two levels of the admin API: shop managers watch and repair (health, log, dead letters, replay);
// only administrators reach settings, secrets, subscriptions and the connection test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, ensureUser, login, rest, wpEval, type Session } from '../support/stack.ts';
import { configureCrm, CRM_TOKEN } from '../support/incoming.ts';

const MANAGER = 'crm-bridge-shop-manager';
const PASSWORD = 'shop-manager-password-1';
const json = { 'content-type': 'application/json' };

let admin: Session;
let manager: Session;
let subscriptionId: number;

const call = (session: Session, method: string, path: string, body?: unknown) =>
  rest(`/crm-bridge/v1${path}`, { method, session, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

beforeAll(async () => {
  configureCrm('http://127.0.0.1:9');
  ensureUser(MANAGER, 'shop_manager', PASSWORD);
  admin = await adminSession();
  manager = await login(MANAGER, PASSWORD);
  const created = await call(admin, 'POST', '/admin/subscriptions', { name: 'permissions', url: 'http://127.0.0.1:9/hook', topics: ['all'] });
  expect(created.status).toBe(201);
  subscriptionId = ((await created.json()) as { id: number }).id;
});

afterAll(async () => {
  await call(admin, 'DELETE', `/admin/subscriptions/${subscriptionId}`);
  configureCrm('http://127.0.0.1:9');
});

const configuration = (): [string, string, unknown?][] => [
  ['GET', '/admin/settings'],
  ['PUT', '/admin/settings', { settings: { retention_days: 30 } }],
  ['POST', '/admin/settings/secrets', { name: 'crm_api_token', action: 'set', value: 'stolen-by-a-manager-123456' }],
  ['POST', '/admin/settings/test-connection'],
  ['GET', '/admin/settings/test-connection/00000000-0000-4000-8000-000000000000'],
  ['GET', '/admin/subscriptions'],
  ['POST', '/admin/subscriptions', { name: 'x', url: 'https://example.com/hook', topics: ['all'] }],
  ['GET', `/admin/subscriptions/${subscriptionId}`],
  ['PATCH', `/admin/subscriptions/${subscriptionId}`, { name: 'renamed' }],
  ['DELETE', `/admin/subscriptions/${subscriptionId}`],
  ['POST', `/admin/subscriptions/${subscriptionId}/rotate-secret`],
  ['POST', `/admin/subscriptions/${subscriptionId}/test`],
];

describe('admin API capabilities', () => {
  it('refuses a shop manager every configuration route, and never shows the CRM token', async () => {
    for (const [method, path, body] of configuration()) {
      const res = await call(manager, method, path, body);
      const text = await res.text();
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      expect(text).not.toContain(CRM_TOKEN);
    }
    // Nothing changed behind the refusals.
    expect(wpEval(`echo \\CrmBridge\\Secrets::get( \\CrmBridge\\Secrets::CRM_TOKEN );`)).toBe(CRM_TOKEN);
    expect(wpEval(`echo \\CrmBridge\\Subscriptions::find( ${subscriptionId} )['name'];`)).toBe('permissions');
  });

  it('lets a shop manager watch and repair: health, log, dead letters, replay', async () => {
    for (const [method, path, body] of [
      ['GET', '/admin/health'],
      ['GET', '/admin/log'],
      ['GET', '/admin/dead-letters'],
      ['POST', '/admin/dead-letters/replay', { ids: [999999999] }],
      ['POST', '/admin/deliveries/replay', { ids: [999999999] }],
    ] as [string, string, unknown?][]) {
      const res = await call(manager, method, path, body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 200 });
    }
  });

  it('lets an administrator read every configuration route', async () => {
    for (const [method, path] of configuration().filter(([m]) => m === 'GET')) {
      const res = await call(admin, method, path);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 200 });
    }
  });

  it('gives administrators the plugin capability, and the capability alone is enough', async () => {
    expect(wpEval(`echo get_role( 'administrator' )->has_cap( 'crm_bridge_manage_settings' ) ? 'yes' : 'no';`)).toBe('yes');
    wpEval(`get_role( 'shop_manager' )->add_cap( 'crm_bridge_manage_settings' );`);
    try {
      expect((await call(manager, 'GET', '/admin/settings')).status).toBe(200);
    } finally {
      wpEval(`get_role( 'shop_manager' )->remove_cap( 'crm_bridge_manage_settings' );`);
    }
  });
});

describe('CRM host change', () => {
  it('clears the stored CRM token when scheme, host or port changes, and keeps it for a path change', async () => {
    const put = (base_url: string) => call(admin, 'PUT', '/admin/settings', { settings: { crm: { base_url } } });
    const path = (await (await put('http://127.0.0.1:9/api/v2')).json()) as { crm_token_cleared: boolean; secrets: { crm_api_token: { set: boolean } } };
    expect(path.crm_token_cleared).toBe(false);
    expect(path.secrets.crm_api_token.set).toBe(true);
    const moved = (await (await put('http://127.0.0.1:10/api/v2')).json()) as { crm_token_cleared: boolean; secrets: { crm_api_token: { set: boolean } } };
    expect(moved.crm_token_cleared).toBe(true);
    expect(moved.secrets.crm_api_token.set).toBe(false);
    expect(wpEval(`var_export( \\CrmBridge\\Secrets::get( \\CrmBridge\\Secrets::CRM_TOKEN ) );`)).toBe('NULL');
  });

  it('keeps a token saved before any CRM address was set', async () => {
    expect((await call(admin, 'PUT', '/admin/settings', { settings: { crm: { base_url: '' } } })).status).toBe(200);
    wpEval(`\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::CRM_TOKEN, 'token-before-address' );`);
    const first = (await (await call(admin, 'PUT', '/admin/settings', { settings: { crm: { base_url: 'http://127.0.0.1:9' } } })).json()) as { crm_token_cleared: boolean };
    expect(first.crm_token_cleared).toBe(false);
    expect(wpEval(`echo \\CrmBridge\\Secrets::get( \\CrmBridge\\Secrets::CRM_TOKEN );`)).toBe('token-before-address');
  });
});
