// Signing during a secret rotation, checked by the independent Standard Webhooks implementation.
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { previousSecretValid, webhookHeaders } from '../../sidecar/src/outgoing/sign.ts';

const oldSecret = 'whsec_' + Buffer.from('the-old-subscription-secret-32b!').toString('base64');
const newSecret = 'whsec_' + Buffer.from('the-new-subscription-secret-32b!').toString('base64');
const receiver = (secret: string) => new Webhook(secret.replace(/^whsec_/, ''));
const body = JSON.stringify({ type: 'order.created', data: { order: { id: 7 } } });
const now = new Date();
const ts = Math.floor(now.getTime() / 1000);

function verifies(secret: string, headers: Record<string, string>): boolean {
  try {
    receiver(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

describe('signing during a secret rotation', () => {
  it('during the grace period both the old and the new receiver verify, new signature first', () => {
    const previous = { secret: oldSecret, expiresAt: new Date(now.getTime() + 3_600_000) };
    expect(previousSecretValid(previous, now)).toBe(true);
    const headers = webhookHeaders('msg_1', ts, body, [newSecret, oldSecret]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(headers['webhook-signature']!.split(' ')[0]).toBe(webhookHeaders('msg_1', ts, body, [newSecret])['webhook-signature']);
    expect(verifies(oldSecret, headers)).toBe(true);
    expect(verifies(newSecret, headers)).toBe(true);
  });

  it('after the grace period only the new secret signs', () => {
    expect(previousSecretValid({ secret: oldSecret, expiresAt: new Date(now.getTime() - 1) }, now)).toBe(false);
    expect(previousSecretValid({ secret: oldSecret, expiresAt: null }, now)).toBe(false);
    expect(previousSecretValid({ secret: null, expiresAt: new Date(now.getTime() + 1000) }, now)).toBe(false);
    const headers = webhookHeaders('msg_2', ts, body, [newSecret]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(verifies(newSecret, headers)).toBe(true);
    expect(verifies(oldSecret, headers)).toBe(false);
  });
});
