// Decrypts the secrets the plugin stores (plugin/src/Secrets.php): "v1:" + base64(iv | tag | ciphertext)
// with AES-256-GCM under SHA-256 of CRM_BRIDGE_ENCRYPTION_KEY, or "plain:" + base64 without a key.
import { createDecipheriv, createHash } from 'node:crypto';

export class SecretUnreadableError extends Error {}

export function decryptSecret(stored: string, key: string | undefined): string {
  if (stored.startsWith('plain:')) return Buffer.from(stored.slice(6), 'base64').toString('utf8');
  if (!stored.startsWith('v1:')) throw new SecretUnreadableError('unknown secret format');
  if (!key) throw new SecretUnreadableError('the secret is encrypted but CRM_BRIDGE_ENCRYPTION_KEY is not set');
  const raw = Buffer.from(stored.slice(3), 'base64');
  if (raw.length < 28) throw new SecretUnreadableError('the stored secret is truncated');
  const decipher = createDecipheriv('aes-256-gcm', createHash('sha256').update(key).digest(), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretUnreadableError('the secret cannot be decrypted: CRM_BRIDGE_ENCRYPTION_KEY differs from the one in wp-config.php');
  }
}
