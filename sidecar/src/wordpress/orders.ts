// Client of the plugin's orders listing (GET crm-bridge/v1/sidecar/orders), used by reconciliation.
import { z } from 'zod';
import { wordpressRequest, type WordPressSite } from './request.js';

export const orderPageSchema = z.object({
  orders: z.array(
    z.object({
      id: z.number().int(),
      status: z.string(),
      date_created: z.string().nullable(),
      crm_order_id: z.string(),
      applied_version: z.number().int().nullable(),
    }),
  ),
  total: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative(),
});
export type OrderPage = z.infer<typeof orderPageSchema>;
export type ShopOrder = OrderPage['orders'][number];

export type ListOrdersFn = (range: { after: Date; before: Date }, page: number, perPage: number, signal: AbortSignal) => Promise<OrderPage>;

export function wordpressOrders(site: WordPressSite): ListOrdersFn {
  const request = wordpressRequest(site);
  return (range, page, perPage, signal) => {
    const query = new URLSearchParams({
      after: String(Math.floor(range.after.getTime() / 1000)),
      before: String(Math.floor(range.before.getTime() / 1000)),
      page: String(page),
      per_page: String(perPage),
    });
    return request({ name: 'the orders endpoint', method: 'GET', path: '/sidecar/orders', query, schema: orderPageSchema, timeoutMs: 60_000 }, signal);
  };
}
