// The WooCommerce order linked to a CRM order and the version last applied to it.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A WooCommerce order linked to a CRM order, and the CRM version last applied to it (or agreed when linking). */
export interface Link {
  orderId: number;
  appliedVersion: number | null;
}

export async function readLink(db: Kysely<Database>, crmOrderId: string): Promise<Link | null> {
  const row = await db.selectFrom('crm_bridge_links').select(['order_id', 'applied_version']).where('crm_order_id', '=', crmOrderId).executeTakeFirst();
  if (!row) return null;
  const applied = row.applied_version === null || row.applied_version === '' ? null : Number(row.applied_version);
  return { orderId: row.order_id, appliedVersion: Number.isFinite(applied) ? applied : null };
}
