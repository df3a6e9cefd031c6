// Client of the plugin's notify endpoint (POST crm-bridge/v1/sidecar/notify): asks the plugin to
// e-mail the site admin that a subscription was disabled or a delivery given up.
import { z } from 'zod';
import { wordpressRequest, type WordPressSite } from './request.js';

export type NotifyFn = (kind: 'disabled' | 'exhausted', subscriptionId: number, signal: AbortSignal) => Promise<void>;

export function wordpressNotify(site: WordPressSite): NotifyFn {
  const request = wordpressRequest(site);
  return async (kind, subscriptionId, signal) => {
    await request({ name: 'the notify endpoint', method: 'POST', path: '/sidecar/notify', body: { kind, subscription_id: subscriptionId }, schema: z.unknown(), timeoutMs: 30_000 }, signal);
  };
}
