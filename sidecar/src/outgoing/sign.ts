// Standard Webhooks signing: "v1," + base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" with the
// secret's bytes (the base64 after "whsec_"). During a secret rotation the header carries one
// signature per valid secret, so receivers holding either secret verify.
import { createHmac } from 'node:crypto';

export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

export function sign(id: string, timestampSeconds: number, body: string, secret: string): string {
  return `v1,${createHmac('sha256', signingKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The three Standard Webhooks headers for one delivery attempt, signed with each secret (the current one first). */
export function webhookHeaders(id: string, timestampSeconds: number, body: string, secrets: readonly [string, ...string[]]): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': secrets.map((s) => sign(id, timestampSeconds, body, s)).join(' ') };
}

/** Whether a rotated-out secret still signs: only until its grace period ends. */
export function previousSecretValid(previous: { secret: string | null; expiresAt: Date | null }, now: Date): previous is { secret: string; expiresAt: Date } {
  return previous.secret !== null && previous.secret !== '' && previous.expiresAt !== null && previous.expiresAt.getTime() > now.getTime();
}
