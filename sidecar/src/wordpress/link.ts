// Client of the plugin's link endpoint (POST crm-bridge/v1/sidecar/link): stores the CRM's order id
// on an order, with the version of the CRM record created from it.
import { z } from 'zod';
import { wordpressRequest, type WordPressSite } from './request.js';

/** Links an order to the CRM order created from it; `version` is that record's CRM version, when its answer had one. */
export type LinkFn = (orderId: number, crmOrderId: string, version: number | null, signal: AbortSignal) => Promise<void>;

// 409: the order or the CRM order is linked to another one; 400: the CRM's id is not acceptable. Retrying changes neither.
const REFUSALS = { 409: 'link_conflict', 400: 'invalid_crm_order_id' } as const;

export function wordpressLink(site: WordPressSite): LinkFn {
  const request = wordpressRequest(site);
  return async (orderId, crmOrderId, version, signal) => {
    await request(
      {
        name: 'the link endpoint',
        method: 'POST',
        path: '/sidecar/link',
        body: { order_id: orderId, crm_order_id: crmOrderId, ...(version === null ? {} : { version }) },
        schema: z.unknown(),
        timeoutMs: 30_000,
        permanent: REFUSALS,
      },
      signal,
    );
  };
}
