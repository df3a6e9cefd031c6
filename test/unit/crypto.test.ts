// The sidecar reads what plugin/src/Secrets.php wrote: fixed vectors produced by that PHP code
// (Secrets::encrypt with the key below), names bound as associated data, and the key rules.
import { describe, expect, it } from 'vitest';
import { decryptSecret, optionSecretName, SecretUnreadableError, subscriptionSecretName } from '../../sidecar/src/crypto.ts';

const KEY = 'unit-test-key-0123456789abcdefghijklmnop';
const TOKEN = 'v2:w7BR3/pZhHd38j4gnHtV5hn+R4XX2ndBBSq3VrwyzFv2XrjwMuR6B45YPOKy2fcCJ5o=';
const SUBSCRIPTION_7 = 'v2:8HHFw86AzXR9hkegtpxSsRTN4824LaOTRGYCkmAVvZsUqzbuVU9b//PYAMCl0nmUKdHhaQGve46uVXA9nR1Sav1rRFDOJeS+k1cu218F';
const LEGACY = 'v1:vMfcU6GAcID/hqOQ0z8ZgkNOnz0+MqD0SHKTemRUqgU/zcwZQXZ6SQ==';

describe('decryptSecret', () => {
  it('decrypts v2 values written by the plugin under their names', () => {
    expect(decryptSecret(TOKEN, KEY, optionSecretName('crm_api_token'))).toBe('crm-token-Ünïcode-42');
    expect(decryptSecret(SUBSCRIPTION_7, KEY, subscriptionSecretName(7))).toBe('whsec_c3Vic2NyaXB0aW9uLXNlY3JldC0zMi1ieXRlcy1sb25n');
  });

  it('refuses a value moved to another name', () => {
    expect(() => decryptSecret(TOKEN, KEY, optionSecretName('incoming_signing'))).toThrow(SecretUnreadableError);
    expect(() => decryptSecret(SUBSCRIPTION_7, KEY, subscriptionSecretName(8))).toThrow(/another secret/);
  });

  it('refuses a wrong key', () => {
    expect(() => decryptSecret(TOKEN, `${KEY}-other`, optionSecretName('crm_api_token'))).toThrow(/differs/);
  });

  it('still reads legacy v1 values', () => {
    expect(decryptSecret(LEGACY, KEY, 'any')).toBe('legacy-value');
  });

  it('never accepts plain values while a key is set', () => {
    const plain = `plain:${Buffer.from('visible').toString('base64')}`;
    expect(() => decryptSecret(plain, KEY, 'x')).toThrow(/without encryption/);
    expect(decryptSecret(plain, undefined, 'x')).toBe('visible');
  });

  it('treats a key shorter than 32 characters as no key', () => {
    expect(() => decryptSecret(TOKEN, KEY.slice(0, 31), optionSecretName('crm_api_token'))).toThrow(/not set/);
    expect(decryptSecret(`plain:${Buffer.from('v').toString('base64')}`, 'short', 'x')).toBe('v');
  });
});
