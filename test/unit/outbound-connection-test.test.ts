// What "Test connection" tells an admin: the step that failed, and what it read of the order.
import { describe, expect, it } from 'vitest';
import { describeProbe, testedSettings } from '../../sidecar/src/incoming/connectionTest.ts';
import { AddressRefusedError } from '../../sidecar/src/net/errors.ts';
import { settingsSchema, type Settings } from '../../sidecar/src/settingsSchema.ts';

const settings = {
  crm: settingsSchema.shape.crm.parse({
    base_url: 'https://crm.example.com/api',
    auth_mode: 'bearer',
    auth_header: 'X-Api-Key',
    order_url_template: '/orders/{crm_order_id}',
    version_source: 'updated_at',
    timeout_ms: 5000,
    paths: { status: 'status', version: 'version', updated_at: 'updated_at', woo_order_id: 'woo_order_id' },
  }),
  mapping: { paid: 'processing', shipped: 'completed' },
};
const test = { settings, crmOrderId: 'A-1' };

describe('connection test and refused addresses', () => {
  it('names the refused address and the switch that allows a CRM on a private network', () => {
    const refused = new AddressRefusedError('crm.internal', '10.0.0.5', 'private address (private addresses are not allowed)', true);
    expect(describeProbe({ error: refused }, 3, test)).toMatchObject({
      ok: false,
      message: "address refused: crm.internal is 10.0.0.5, private address (private addresses are not allowed). A CRM on a private network needs CRM_BRIDGE_ALLOW_PRIVATE_URLS=1 in the sidecar's environment.",
      detail: { step: 'address', url: 'https://crm.example.com/api/orders/A-1' },
    });
  });

  it('does not suggest the switch for addresses it never opens', () => {
    const refused = new AddressRefusedError('metadata.internal', '169.254.169.254', 'linkLocal address', false);
    expect(describeProbe({ error: refused }, 3, test)).toMatchObject({ ok: false, message: 'address refused: metadata.internal is 169.254.169.254, linkLocal address', detail: { step: 'address' } });
  });
});

describe('connection test result', () => {
  it('shows updated_at as a date when it orders the versions', () => {
    const at = Date.parse('2026-01-02T03:04:05Z');
    expect(describeProbe({ order: { status: 'shipped', version: at, wooOrderId: null } }, 12, test)).toEqual({
      ok: true,
      message: 'The CRM answered in 12 ms: order A-1 is "shipped" (updated 2026-01-02T03:04:05.000Z), which maps to WooCommerce "completed".',
      detail: expect.objectContaining({ step: null, status: 'shipped', version: at, updated_at: '2026-01-02T03:04:05.000Z', woo_status: 'completed' }),
    });
  });

  it('fails on a status with no mapping rather than passing', () => {
    expect(describeProbe({ order: { status: 'toString', version: 1, wooOrderId: null } }, 1, test)).toMatchObject({ ok: false, detail: { step: 'mapping', status: 'toString', woo_status: null } });
  });
});

describe('the saved token in a connection test', () => {
  // Only the connection part matters here: the rest of the saved settings passes through untouched.
  const savedSettings = { crm: settings.crm, mapping: settings.mapping } as unknown as Settings;
  const request = (baseUrl: string) => ({ crm: { ...settings.crm, base_url: baseUrl }, mapping: settings.mapping, crm_order_id: 'A-1', token_source: 'saved' as const, token: null });
  const saved = (baseUrl: string) => ({ settings: { ...savedSettings, crm: { ...savedSettings.crm, base_url: baseUrl } }, credentials: { token: 'the-saved-token' } });

  it('goes only to the saved origin, as the settings are when the sidecar takes the test', () => {
    expect(testedSettings(request('https://crm.example.com/v2'), saved('https://crm.example.com/api'), 't1', undefined).credentials.token).toBe('the-saved-token');
    // The admin saved another CRM after asking for the test: its token does not go to the first one.
    expect(testedSettings(request('https://crm.example.com/api'), saved('https://other-crm.example/api'), 't1', undefined).credentials.token).toBeNull();
    expect(testedSettings(request('http://crm.example.com/api'), saved('https://crm.example.com/api'), 't1', undefined).credentials.token).toBeNull();
    // No saved address: a saved token has no origin it was entered for.
    expect(testedSettings(request('https://crm.example.com/api'), saved(''), 't1', undefined).credentials.token).toBeNull();
  });
});
