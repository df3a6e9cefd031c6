// The settings API: validation per field, the mapping replaced as a whole, secrets write-only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, rest, type Session } from '../support/stack.ts';
import { configureCrm, CRM_TOKEN } from '../support/incoming.ts';

let session: Session;
const put = (settings: unknown) => rest('/crm-bridge/v1/admin/settings', { method: 'PUT', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings }) });

beforeAll(async () => {
  session = await adminSession();
  configureCrm('http://127.0.0.1:9');
});
afterAll(() => configureCrm('http://127.0.0.1:9'));

describe('settings API', () => {
  it('names every wrong field', async () => {
    const res = await put({
      crm: { base_url: 'not a url', order_url_template: '/orders', timeout_ms: 5 },
      mapping: { paid: 'teleported' },
      lifecycle: { final_statuses: ['done'], allowed_transitions: [['completed']] },
      retention_days: 0,
      colour: 'blue',
    });
    expect(res.status).toBe(400);
    const errors = ((await res.json()) as { data: { errors: Record<string, string> } }).data.errors;
    expect(Object.keys(errors).sort()).toEqual(
      ['colour', 'crm.base_url', 'crm.order_url_template', 'crm.timeout_ms', 'lifecycle.allowed_transitions', 'lifecycle.final_statuses', 'mapping.paid', 'retention_days'].sort(),
    );
  });

  it('saves valid settings, replaces the mapping as a whole, and never returns a secret', async () => {
    const res = await put({ crm: { base_url: 'https://crm.example.test' }, mapping: { won: 'completed' }, lifecycle: { final_statuses: ['completed'], allowed_transitions: [['completed', 'refunded']] } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const doc = JSON.parse(text) as { settings: { crm: { base_url: string }; mapping: Record<string, string> }; secrets: { crm_api_token: { set: boolean } } };
    expect(doc.settings.crm.base_url).toBe('https://crm.example.test');
    expect(doc.settings.mapping).toEqual({ won: 'completed' });
    expect(doc.secrets.crm_api_token.set).toBe(true);
    expect(text).not.toContain(CRM_TOKEN);
  });

  it('generates a signing secret once and refuses to generate a CRM token', async () => {
    const gen = await rest('/crm-bridge/v1/admin/settings/secrets', { method: 'POST', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'incoming_signing', action: 'rotate' }) });
    const body = (await gen.json()) as { secret: string; secrets: { incoming_signing: { previous_valid_until: string | null } } };
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secrets.incoming_signing.previous_valid_until).not.toBeNull();
    const again = await (await rest('/crm-bridge/v1/admin/settings', { session })).text();
    expect(again).not.toContain(body.secret.slice(6));
    const token = await rest('/crm-bridge/v1/admin/settings/secrets', { method: 'POST', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'crm_api_token', action: 'generate' }) });
    expect(token.status).toBe(400);
  });
});
