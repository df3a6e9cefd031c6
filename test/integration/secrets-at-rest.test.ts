// Secrets at rest: refused without an encryption key outside a local environment, encrypted with a
// key derived by HKDF and bound to their names, plain values encrypted once a key exists, and the
// sidecar reads exactly what the plugin wrote.
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, rest, site, wpEval, type Session } from '../support/stack.ts';
import { setConfigFlag } from '../stack/wordpress.ts';
import { configureCrm, inboxRows, sendEvent, statusEvent, TEST_SECRET, unique } from '../support/incoming.ts';
import { launchBrowser, loggedInPage } from '../support/browser.ts';
import { decryptSecret, optionSecretName, subscriptionSecretName } from '../../sidecar/src/crypto.ts';

let session: Session;
const json = { 'content-type': 'application/json' };
const secretCall = (body: unknown) => rest('/crm-bridge/v1/admin/settings/secrets', { method: 'POST', session, headers: json, body: JSON.stringify(body) });
const stored = (name: string): string => wpEval(`echo json_decode( get_option( 'crm_bridge_secrets' ), true )[${JSON.stringify(name)}]['value'] ?? '';`);
const subscriptionSecret = (id: number): string => wpEval(`global $wpdb; echo $wpdb->get_var( $wpdb->prepare( "SELECT secret FROM {$wpdb->prefix}crm_bridge_subscriptions WHERE id = %d", ${id} ) );`);
const withoutKey = () => setConfigFlag(site(), 'encryptionKey', true, '');

beforeAll(async () => {
  session = await adminSession();
});
afterEach(() => {
  setConfigFlag(site(), 'production', false);
  setConfigFlag(site(), 'encryptionKey', false);
});
afterAll(() => {
  wpEval(`global $wpdb; $wpdb->query( "DELETE FROM {$wpdb->prefix}crm_bridge_subscriptions WHERE name = 'secrets-at-rest'" );`);
  configureCrm('http://127.0.0.1:9');
});

describe('secrets at rest', () => {
  it('refuses to store a secret without a key outside a local environment, saying what to add to wp-config.php', async () => {
    setConfigFlag(site(), 'production', true);
    withoutKey();
    const before = stored('crm_api_token');
    const res = await secretCall({ name: 'crm_api_token', action: 'set', value: 'a-token-that-must-not-be-plain' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('crm_bridge_encryption_key_missing');
    expect(body.message).toContain("define( 'CRM_BRIDGE_ENCRYPTION_KEY'");
    expect(stored('crm_api_token')).toBe(before);

    const sub = await rest('/crm-bridge/v1/admin/subscriptions', { method: 'POST', session, headers: json, body: JSON.stringify({ name: 'secrets-at-rest', url: 'https://93.184.215.14/hook', topics: ['all'] }) });
    expect(sub.status).toBe(400);
    expect(((await sub.json()) as { data: { errors: Record<string, string> } }).data.errors.secret).toContain('CRM_BRIDGE_ENCRYPTION_KEY');

    const doc = (await (await rest('/crm-bridge/v1/admin/settings', { session })).json()) as { encryption: { status: string; problem: string | null } };
    expect(doc.encryption.status).toBe('none');
    expect(doc.encryption.problem).toContain("define( 'CRM_BRIDGE_ENCRYPTION_KEY'");
  });

  it('reports a key shorter than the minimum and treats it as no key', async () => {
    setConfigFlag(site(), 'encryptionKey', true, 'too-short-key');
    let doc = (await (await rest('/crm-bridge/v1/admin/settings', { session })).json()) as { encryption: { status: string; min_length: number; problem: string | null }; encryption_key_set: boolean };
    expect(doc.encryption).toMatchObject({ status: 'short', min_length: 32 });
    expect(doc.encryption_key_set).toBe(false);
    setConfigFlag(site(), 'production', true);
    doc = (await (await rest('/crm-bridge/v1/admin/settings', { session })).json()) as typeof doc;
    expect(doc.encryption.problem).toMatch(/shorter than 32/);
    expect((await secretCall({ name: 'crm_api_token', action: 'set', value: 'a-token-that-must-not-be-plain' })).status).toBe(400);
  });

  it('encrypts plain values once a key exists, never reads them as they are, and does it once', async () => {
    withoutKey();
    wpEval(`\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::CRM_TOKEN, 'token-kept-plain-in-local' );`);
    const id = Number(wpEval(`echo \\CrmBridge\\Subscriptions::create( array( 'name' => 'secrets-at-rest', 'url' => 'http://127.0.0.1:9/hook', 'topics' => \\CrmBridge\\Subscriptions::TOPICS, 'status_filter' => array(), 'payload_mode' => 'full', 'is_crm' => false, 'active' => true, 'rate_limit_per_second' => null ) )['id'];`));
    expect(stored('crm_api_token')).toMatch(/^plain:/);
    expect(subscriptionSecret(id)).toMatch(/^plain:/);

    setConfigFlag(site(), 'encryptionKey', false);
    // With a key, a plain value is not a secret anyone may use.
    expect(wpEval(`var_export( \\CrmBridge\\Secrets::get( \\CrmBridge\\Secrets::CRM_TOKEN ) );`)).toBe('NULL');
    expect(() => decryptSecret(stored('crm_api_token'), site().encryptionKey, optionSecretName('crm_api_token'))).toThrow(/without encryption/);

    const admin = await fetch(`${site().url}/wp-admin/`, { headers: { cookie: session.cookie } });
    expect(admin.status).toBe(200);
    const token = stored('crm_api_token');
    expect(token).toMatch(/^v2:/);
    expect(subscriptionSecret(id)).toMatch(/^v2:/);
    expect(wpEval(`echo \\CrmBridge\\Secrets::get( \\CrmBridge\\Secrets::CRM_TOKEN );`)).toBe('token-kept-plain-in-local');
    expect(decryptSecret(token, site().encryptionKey, optionSecretName('crm_api_token'))).toBe('token-kept-plain-in-local');
    expect(decryptSecret(subscriptionSecret(id), site().encryptionKey, subscriptionSecretName(id))).toMatch(/^whsec_/);

    // A second admin visit finds nothing left to encrypt (a real request: WooCommerce's own admin_init
    // hooks need wp-admin, not a CLI call).
    expect((await fetch(`${site().url}/wp-admin/`, { headers: { cookie: session.cookie } })).status).toBe(200);
    expect(stored('crm_api_token')).toBe(token);
  });

  it('binds each ciphertext to its name: a swapped value does not decrypt', () => {
    wpEval(`\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::CRM_TOKEN, 'the-crm-token-value' );`);
    wpEval(`$all = json_decode( get_option( 'crm_bridge_secrets' ), true ); $all['incoming_signing']['value'] = $all['crm_api_token']['value']; update_option( 'crm_bridge_secrets', wp_json_encode( $all ) );`);
    expect(wpEval(`var_export( \\CrmBridge\\Secrets::get( \\CrmBridge\\Secrets::INCOMING ) );`)).toBe('NULL');
    expect(wpEval(`echo \\CrmBridge\\Secrets::get( \\CrmBridge\\Secrets::CRM_TOKEN );`)).toBe('the-crm-token-value');
    expect(() => decryptSecret(stored('incoming_signing'), site().encryptionKey, optionSecretName('incoming_signing'))).toThrow(/another secret/);
  });

  it('writes v2 values that the sidecar decrypts', () => {
    wpEval(`\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::CRM_TOKEN, 'token-Ünïcode-42' );`);
    const value = stored('crm_api_token');
    expect(value).toMatch(/^v2:/);
    expect(decryptSecret(value, site().encryptionKey, optionSecretName('crm_api_token'))).toBe('token-Ünïcode-42');
    expect(() => decryptSecret(value, 'another key of at least thirty-two characters', optionSecretName('crm_api_token'))).toThrow(/differs/);
  });
});

describe('signing secrets', () => {
  it.each([
    ['whsec_ alone', 'whsec_'],
    ['16 bytes after whsec_', `whsec_${Buffer.alloc(16, 7).toString('base64')}`],
    ['a raw secret of 23 bytes', 'x'.repeat(23)],
  ])('refuses %s', async (_name, value) => {
    const res = await secretCall({ name: 'incoming_signing', action: 'set', value });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { data: { errors: Record<string, string> } }).data.errors.value).toMatch(/24 bytes/);
  });

  it.each([
    ['whsec_ alone (an empty key)', 'whsec_'],
    ['16 bytes after whsec_', `whsec_${Buffer.alloc(16, 7).toString('base64')}`],
  ])('a stored secret of %s, written before the length rule, verifies nothing and shows as a problem', async (_name, value) => {
    wpEval(`\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::INCOMING, ${JSON.stringify(value)} );`);
    try {
      const id = unique('evt_short_secret');
      // Signed with exactly the stored key: anyone could compute this signature for the empty key.
      const res = await sendSignedWithKey(id, statusEvent(unique('C'), 'paid', 1), value);
      expect(res.status).toBe(401);
      expect(await inboxRows(id)).toEqual([]);
      const doc = (await (await rest('/crm-bridge/v1/admin/settings', { session })).json()) as { secrets: { incoming_signing: { set: boolean; problem: string | null }; crm_api_token: { problem: string | null } } };
      expect(doc.secrets.incoming_signing).toMatchObject({ set: true, problem: 'too_short' });
      expect(doc.secrets.crm_api_token.problem).toBeNull();

      const browser = await launchBrowser();
      try {
        const page = await loggedInPage(browser, site());
        await page.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=settings`);
        await page.getByTestId('signing-secret-problem').getByText(/shorter than 24 bytes/).waitFor();
      } finally {
        await browser.close();
      }
    } finally {
      wpEval(`\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::INCOMING, ${JSON.stringify(TEST_SECRET)} );`);
    }
  });

  it('a stored secret of 24 bytes or more still verifies and shows no problem', async () => {
    wpEval(`\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::INCOMING, ${JSON.stringify(TEST_SECRET)} );`);
    const id = unique('evt_long_secret');
    expect((await sendEvent({ id, body: statusEvent(unique('C'), 'paid', 1) })).status).toBe(202);
    const doc = (await (await rest('/crm-bridge/v1/admin/settings', { session })).json()) as { secrets: { incoming_signing: { problem: string | null } } };
    expect(doc.secrets.incoming_signing.problem).toBeNull();
  });

  it('accepts 24 bytes', async () => {
    expect((await secretCall({ name: 'incoming_signing', action: 'set', value: `whsec_${Buffer.alloc(24, 7).toString('base64')}` })).status).toBe(200);
  });
});

/** A Standard Webhooks request signed with the key a secret holds, even an empty one (which the library refuses). */
function sendSignedWithKey(id: string, body: string, secret: string): Promise<Response> {
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = 'v1,' + createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return fetch(`${site().url}/wp-json/crm-bridge/v1/crm/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature },
    body,
  });
}
