// Tracks whether a subscription's endpoint keeps failing, and disables it (410, or failing too long).
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function markSubscriptionFailing(db: Kysely<Database>, id: number, now: Date): Promise<void> {
  await db.updateTable('crm_bridge_subscriptions').set({ failing_since: sql`COALESCE(failing_since, ${now})` }).where('id', '=', id).execute();
}

export async function markSubscriptionHealthy(db: Kysely<Database>, id: number): Promise<void> {
  await db.updateTable('crm_bridge_subscriptions').set({ failing_since: null }).where('id', '=', id).where('failing_since', 'is not', null).execute();
}

export async function disableSubscription(db: Kysely<Database>, id: number, reason: string, now: Date): Promise<void> {
  await db.updateTable('crm_bridge_subscriptions').set({ active: 0, disabled_reason: reason.slice(0, 255), updated_at: now }).where('id', '=', id).execute();
}
