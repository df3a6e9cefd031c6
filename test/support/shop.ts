// Orders and products made through WooCommerce's public REST API (/wc/v3), so the same test code runs
// on the stand-in and on a real release.
import { adminSession, rest, site, type Session } from './stack.ts';
import type { SiteState } from '../stack/wordpress.ts';

export interface RestOrder {
  id: number;
  status: string;
  total: string;
  line_items: { id: number; name: string; quantity: number; total: string; product_id: number }[];
}

async function post<T>(path: string, body: Record<string, unknown>, s: SiteState, session?: Session): Promise<T> {
  const res = await rest(path, { method: 'POST', session: session ?? (await adminSession(s)), headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, s);
  if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** A published simple product, for line items to refer to (WooCommerce refuses an item without one). */
export function createProduct(name: string, price: string, s: SiteState = site(), session?: Session): Promise<{ id: number; name: string; price: string }> {
  return post('/wc/v3/products', { name, type: 'simple', regular_price: price }, s, session);
}

/** An order created as a shop's back office would, through POST /wc/v3/orders. */
export function createOrder(body: Record<string, unknown>, s: SiteState = site(), session?: Session): Promise<RestOrder> {
  return post('/wc/v3/orders', body, s, session);
}
