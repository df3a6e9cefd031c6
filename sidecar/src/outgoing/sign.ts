// Standard Webhooks signing: "v1," + base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" with the
// secret's bytes (the base64 after "whsec_").
import { createHmac } from 'node:crypto';

export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

export function sign(id: string, timestampSeconds: number, body: string, secret: string): string {
  return `v1,${createHmac('sha256', signingKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The three Standard Webhooks headers for one delivery attempt. */
export function webhookHeaders(id: string, timestampSeconds: number, body: string, secret: string): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': sign(id, timestampSeconds, body, secret) };
}
