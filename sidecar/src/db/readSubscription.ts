// The delivery details of one subscription (its secrets still encrypted), including the previous
// secret and when its rotation grace period ends.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function readSubscription(db: Kysely<Database>, id: number) {
  return db
    .selectFrom('crm_bridge_subscriptions')
    .select(['id', 'url', 'secret', 'previous_secret', 'previous_secret_expires_at', 'active', 'is_crm', 'failing_since', 'rate_limit_per_second'])
    .where('id', '=', id)
    .executeTakeFirst();
}
