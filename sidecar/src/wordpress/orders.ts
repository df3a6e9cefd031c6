// Client of the plugin's orders listing (GET crm-bridge/v1/sidecar/orders), used by reconciliation.
import { z } from 'zod';
import { TransientError } from '../errors.js';

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

export function wordpressOrders(opts: { url: string; user: string; appPassword: string }): ListOrdersFn {
  const auth = `Basic ${Buffer.from(`${opts.user}:${opts.appPassword}`).toString('base64')}`;
  return async (range, page, perPage, signal) => {
    const query = new URLSearchParams({
      after: String(Math.floor(range.after.getTime() / 1000)),
      before: String(Math.floor(range.before.getTime() / 1000)),
      page: String(page),
      per_page: String(perPage),
    });
    const res = await fetch(`${opts.url}/wp-json/crm-bridge/v1/sidecar/orders?${query}`, {
      headers: { authorization: auth },
      signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]),
    }).catch((err: unknown) => {
      throw new TransientError('wordpress_unreachable', `the orders endpoint could not be reached: ${err instanceof Error ? err.message : String(err)}`);
    });
    const text = await res.text();
    if (!res.ok) throw new TransientError(res.status === 401 || res.status === 403 ? 'wordpress_auth' : 'wordpress_error', `the orders endpoint answered ${res.status}: ${text.slice(0, 300)}`);
    const parsed = orderPageSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new TransientError('wordpress_bad_response', 'the orders endpoint answered with an unexpected body');
    return parsed.data;
  };
}
