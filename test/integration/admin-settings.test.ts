// The settings API: validation per field, the mapping replaced as a whole, secrets write-only.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, rest, site, wpEval, type Session } from '../support/stack.ts';
import { setConfigFlag } from '../stack/wordpress.ts';
import { configureCrm, CRM_TOKEN } from '../support/incoming.ts';
import { settingsSchema } from '../../sidecar/src/settingsSchema.ts';

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
    const doc = JSON.parse(text) as { settings: { crm: { base_url: string }; mapping: Record<string, string> }; secrets: { crm_api_token: { set: boolean } }; crm_token_cleared: boolean };
    expect(doc.settings.crm.base_url).toBe('https://crm.example.test');
    expect(doc.settings.mapping).toEqual({ won: 'completed' });
    // A new CRM host: the token entered for the old one is gone and must be entered again.
    expect(doc.crm_token_cleared).toBe(true);
    expect(doc.secrets.crm_api_token.set).toBe(false);
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

describe('settings documents that are refused', () => {
  const errorsOf = async (res: Response) => {
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; data: { errors: Record<string, string> } };
    expect(body.code).toBe('crm_bridge_invalid_settings');
    return body.data.errors;
  };
  const raw = (body: unknown) => rest('/crm-bridge/v1/admin/settings', { method: 'PUT', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it.each([
    ['a body without settings', { crm: { base_url: 'https://crm.example.test' } }, 'settings'],
    ['settings that are not an object', { settings: 'x' }, 'settings'],
    ['settings that are a list', { settings: [1, 2] }, 'settings'],
  ])('%s', async (_name, body, path) => {
    expect(Object.keys(await errorsOf(await raw(body)))).toEqual([path]);
  });

  it.each([
    ['a section that is not an object', { incoming: 'x' }, 'incoming'],
    ['an empty incoming JSON path', { incoming: { paths: { version: '' } } }, 'incoming.paths.version'],
    ['an empty CRM JSON path', { crm: { paths: { status: '' } } }, 'crm.paths.status'],
    ['an empty JSON path for the CRM order id in its answer', { outgoing: { crm_order_id_path: '' } }, 'outgoing.crm_order_id_path'],
    ['a bracketed JSON path the readers do not follow', { crm: { paths: { status: '$.data[0].status' } } }, 'crm.paths.status'],
    ['a JSON path with an empty step', { incoming: { paths: { type: 'data..type' } } }, 'incoming.paths.type'],
    ['a required JSON path removed with null', { incoming: { paths: { version: null } } }, 'incoming.paths.version'],
    ['a section removed with null', { retry: null }, 'retry'],
    ['an auth mode outside the enum', { crm: { auth_mode: 'digest' } }, 'crm.auth_mode'],
    ['an unknown top-level key', { colour: 'blue' }, 'colour'],
    ['an unknown nested key', { crm: { paths: { colour: 'blue' } } }, 'crm.paths.colour'],
    ['an order URL template that leaves the CRM host', { crm: { order_url_template: '@evil.example/{crm_order_id}' } }, 'crm.order_url_template'],
    ['an order URL template on another port', { crm: { order_url_template: ':8443/orders/{crm_order_id}' } }, 'crm.order_url_template'],
    ['an unknown outgoing key', { outgoing: { follow_redirects: true } }, 'outgoing.follow_redirects'],
    ['the removed private-address switch', { outgoing: { allow_private_urls: true } }, 'outgoing.allow_private_urls'],
    ['max_attempts out of range', { outgoing: { max_attempts: 100000 } }, 'outgoing.max_attempts'],
    ['a delay that is not an integer', { outgoing: { base_delay_ms: '100' } }, 'outgoing.base_delay_ms'],
    ['a tolerance out of range', { incoming: { tolerance_seconds: 0 } }, 'incoming.tolerance_seconds'],
    ['a retry delay out of range', { retry: { max_delay_ms: -1 } }, 'retry.max_delay_ms'],
    ['a wrong allow-list entry', { incoming: { allowed_ips: ['10.0.0.0/33'] } }, 'incoming.allowed_ips'],
    ['a wrong trusted proxy', { incoming: { trusted_proxies: 'everyone' } }, 'incoming.trusted_proxies'],
    ['a wrong client IP header', { incoming: { client_ip_header: 'X Forwarded For' } }, 'incoming.client_ip_header'],
    ['a delete switch that is not a boolean', { delete_data_on_uninstall: 'yes' }, 'delete_data_on_uninstall'],
    ['HMAC mode without a signed event id', { incoming: { signature_mode: 'hmac', event_id_path: '' } }, 'incoming.event_id_path'],
    ['a CRM address with user-info', { crm: { base_url: 'https://user:pass@crm.example.test' } }, 'crm.base_url'],
    ['a CRM address that is not http(s)', { crm: { base_url: 'gopher://crm.example.test' } }, 'crm.base_url'],
  ])('%s is a 400 naming the dotted path', async (_name, settings, path) => {
    const before = await (await rest('/crm-bridge/v1/admin/settings', { session })).text();
    expect(Object.keys(await errorsOf(await put(settings)))).toEqual([path]);
    expect(await (await rest('/crm-bridge/v1/admin/settings', { session })).text()).toBe(before);
  });

  it('accepts and stores the receiver network settings and the uninstall switch', async () => {
    const res = await put({
      incoming: { allowed_ips: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'], trusted_proxies: ['10.0.0.0/8'], client_ip_header: 'X-Forwarded-For', signature_mode: 'hmac', event_id_path: 'id' },
      delete_data_on_uninstall: true,
    });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { settings: { incoming: Record<string, unknown>; delete_data_on_uninstall: boolean } };
    expect(doc.settings.incoming).toMatchObject({ allowed_ips: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'], trusted_proxies: ['10.0.0.0/8'], client_ip_header: 'X-Forwarded-For' });
    expect(doc.settings.delete_data_on_uninstall).toBe(true);
    expect((await put({ incoming: { allowed_ips: [], trusted_proxies: [], client_ip_header: '', signature_mode: 'standard_webhooks', event_id_path: '' }, delete_data_on_uninstall: false })).status).toBe(200);
  });

  it('leaves an optional setting out when it is cleared, never storing an empty string', async () => {
    expect((await put({ incoming: { client_ip_header: 'X-Forwarded-For', event_id_path: 'id' }, crm: { basic_user: 'shop' } })).status).toBe(200);
    const res = await put({ incoming: { client_ip_header: '', event_id_path: null }, crm: { basic_user: '' } });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { settings: { incoming: Record<string, unknown>; crm: Record<string, unknown> } };
    expect(doc.settings.incoming).not.toHaveProperty('client_ip_header');
    expect(doc.settings.incoming).not.toHaveProperty('event_id_path');
    expect(doc.settings.crm).not.toHaveProperty('basic_user');
    const stored = JSON.parse(wpEval(`echo get_option( 'crm_bridge_settings' );`)) as { incoming: Record<string, unknown>; crm: Record<string, unknown> };
    expect(stored.incoming).not.toHaveProperty('client_ip_header');
    expect(stored.crm).not.toHaveProperty('basic_user');
  });

  it('stores and answers an empty mapping as an object, which the sidecar and the admin screen parse', async () => {
    const res = await put({ mapping: {} });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { settings: { mapping: unknown } }).settings.mapping).toEqual({});
    const raw = wpEval(`echo get_option( 'crm_bridge_settings' );`);
    expect(raw).toContain('"mapping":{}');
    expect(settingsSchema.safeParse(JSON.parse(raw)).error?.issues ?? []).toEqual([]);
    expect((await put({ mapping: { paid: 'processing', won: 'completed' } })).status).toBe(200);
  });

  it('rewrites a document stored under the older rules in the schema’s form, which the sidecar parses', () => {
    wpEval(
      `$s = json_decode( get_option( 'crm_bridge_settings' ), true ); $s['incoming']['client_ip_header'] = ''; $s['crm']['basic_user'] = ''; $s['outgoing']['crm_order_id_path'] = ''; $s['crm']['paths']['status'] = '$.data[0].status'; $s['retry'] = 'x'; update_option( 'crm_bridge_settings', wp_json_encode( $s ) );`,
    );
    wpEval(`\\CrmBridge\\Settings::all();`);
    const stored = JSON.parse(wpEval(`echo get_option( 'crm_bridge_settings' );`)) as { incoming: Record<string, unknown>; crm: { paths: Record<string, unknown> }; outgoing: Record<string, unknown>; retry: unknown };
    expect(stored.incoming).not.toHaveProperty('client_ip_header');
    expect(stored.crm).not.toHaveProperty('basic_user');
    // A value the schema refuses goes back to its default.
    expect(stored.outgoing.crm_order_id_path).toBe('id');
    expect(stored.crm.paths.status).toBe('status');
    expect(stored.retry).toEqual({ max_attempts: 10, base_delay_ms: 1000, max_delay_ms: 3600000 });
    expect(settingsSchema.safeParse(stored).error?.issues ?? []).toEqual([]);
  });

  it('ignores a stored outgoing.allow_private_urls', () => {
    wpEval(`$s = json_decode( get_option( 'crm_bridge_settings' ), true ); $s['outgoing']['allow_private_urls'] = true; update_option( 'crm_bridge_settings', wp_json_encode( $s ) );`);
    expect(wpEval(`echo wp_json_encode( array_key_exists( 'allow_private_urls', \\CrmBridge\\Settings::all()['outgoing'] ) );`)).toBe('false');
  });
});

describe('the choice lists the admin screen offers', () => {
  // A shop's own status, added the way plugins add one: the wc_order_statuses filter.
  const muPlugin = () => join(site().dir, 'wp-content', 'mu-plugins', 'crm-bridge-test-custom-status.php');
  beforeAll(() => writeFileSync(muPlugin(), `<?php\nadd_filter( 'wc_order_statuses', static fn( $s ) => $s + array( 'wc-awaiting-pickup' => 'Awaiting pickup' ) );\n`));
  afterAll(() => rmSync(muPlugin(), { force: true }));

  it('lists WooCommerce’s order statuses, a custom one included, and the subscription topics', async () => {
    const res = await rest('/crm-bridge/v1/admin/settings/choices', { session });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { statuses: { value: string; label: string }[]; topics: string[] };
    expect(body.statuses.map((s) => s.value)).toEqual(expect.arrayContaining(['pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'awaiting-pickup']));
    expect(body.statuses).toContainEqual({ value: 'awaiting-pickup', label: 'Awaiting pickup' });
    expect(body.topics).toEqual(['order.created', 'order.updated', 'order.status_changed', 'order.deleted']);
  });

  it('accepts the custom status in the mapping, since the rules read the same list', async () => {
    const res = await put({ mapping: { ready: 'awaiting-pickup', paid: 'processing' } });
    expect(res.status).toBe(200);
    expect((await put({ mapping: { ready: 'awaiting-collection' } })).status).toBe(400);
  });
});

describe('addresses outside the public internet', () => {
  beforeAll(() => setConfigFlag(site(), 'noPrivateUrls', true));
  afterAll(() => {
    setConfigFlag(site(), 'noPrivateUrls', false);
    setConfigFlag(site(), 'production', false);
  });

  const FORMS = [
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://100.100.100.200/',
    'http://198.18.0.1/',
    'http://224.0.0.1/',
    'http://240.0.0.1/',
    'http://0.0.0.0/',
    'http://[fec0::1]/',
    'http://[fc00::1]/',
    'http://[fe80::1]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[2002:7f00:1::]/',
    'http://127.0.0.1:8080/',
    'http://localhost/',
    'http://[::1]/',
  ];

  it.each(FORMS)('refuses %s as the CRM address', async (url) => {
    const res = await put({ crm: { base_url: url } });
    expect(res.status).toBe(400);
    const errors = ((await res.json()) as { data: { errors: Record<string, string> } }).data.errors;
    expect(Object.keys(errors)).toEqual(['crm.base_url']);
    expect(errors['crm.base_url']).toMatch(/private|public/);
  });

  it.each(FORMS)('refuses %s as a subscription URL', async (url) => {
    const res = await rest('/crm-bridge/v1/admin/subscriptions', { method: 'POST', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ssrf', url, topics: ['all'] }) });
    expect(res.status).toBe(400);
    expect(Object.keys(((await res.json()) as { data: { errors: Record<string, string> } }).data.errors)).toEqual(['url']);
  });

  it('accepts a public address', async () => {
    expect((await put({ crm: { base_url: 'https://93.184.215.14/api' } })).status).toBe(200);
  });

  it('requires https for the CRM outside a local environment', async () => {
    setConfigFlag(site(), 'noPrivateUrls', false);
    setConfigFlag(site(), 'production', true);
    const res = await put({ crm: { base_url: 'http://93.184.215.14/api' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { data: { errors: Record<string, string> } }).data.errors['crm.base_url']).toMatch(/https/);
    expect((await put({ crm: { base_url: 'https://93.184.215.14/api' } })).status).toBe(200);
  });
});
