// Decrypts the secrets the plugin stores (plugin/src/Secrets.php): "v2:" + base64(iv | tag | ciphertext),
// AES-256-GCM under HKDF-SHA256 of CRM_BRIDGE_ENCRYPTION_KEY, bound to the secret's name as associated
// data; older "v1:" values (SHA-256 key, no name) are still read; "plain:" only while no key is set.
import { createDecipheriv, createHash, hkdfSync } from 'node:crypto';

export class SecretUnreadableError extends Error {}

/** Shortest key the plugin accepts (Secrets::KEY_MIN_LENGTH); a shorter one counts as no key. */
export const KEY_MIN_LENGTH = 32;
const HKDF_INFO = 'crm-bridge secrets v2';

/** The name an option secret is bound to (Secrets::option_name()). */
export const optionSecretName = (name: string): string => `crm_bridge_secrets:${name}`;

/** The name a subscription's secrets are bound to (Subscriptions::secret_name()). */
export const subscriptionSecretName = (id: number): string => `subscription:${id}`;

/** The key as the plugin sees it: undefined when unset or shorter than KEY_MIN_LENGTH bytes. */
function usableKey(key: string | undefined): string | undefined {
  return key !== undefined && Buffer.byteLength(key) >= KEY_MIN_LENGTH ? key : undefined;
}

function deriveKey(version: 'v1:' | 'v2:', key: string): Buffer {
  if (version === 'v1:') return createHash('sha256').update(key).digest();
  return Buffer.from(hkdfSync('sha256', Buffer.from(key), Buffer.alloc(0), HKDF_INFO, 32));
}

export function decryptSecret(stored: string, key: string | undefined, name: string): string {
  const usable = usableKey(key);
  if (stored.startsWith('plain:')) {
    if (usable) throw new SecretUnreadableError('the secret is stored without encryption although CRM_BRIDGE_ENCRYPTION_KEY is set: open wp-admin once so the plugin encrypts it');
    return Buffer.from(stored.slice(6), 'base64').toString('utf8');
  }
  const version = stored.slice(0, 3);
  if (version !== 'v1:' && version !== 'v2:') throw new SecretUnreadableError('unknown secret format');
  if (!usable) throw new SecretUnreadableError(`the secret is encrypted but CRM_BRIDGE_ENCRYPTION_KEY is not set (or shorter than ${KEY_MIN_LENGTH} characters)`);
  const raw = Buffer.from(stored.slice(3), 'base64');
  if (raw.length < 28) throw new SecretUnreadableError('the stored secret is truncated');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(version, usable), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  if (version === 'v2:') decipher.setAAD(Buffer.from(name));
  try {
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretUnreadableError(`the secret "${name}" cannot be decrypted: CRM_BRIDGE_ENCRYPTION_KEY differs from the one in wp-config.php, or the value belongs to another secret`);
  }
}
