// Takes the newest unanswered connection test requested since `since`, so one replica (this worker)
// answers it: its id and the request the plugin stored (the settings to test). Null when there is
// none, or another replica took it first.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface TakenConnectionTest {
  id: string;
  request: string | null;
}

export async function takeConnectionTest(db: Kysely<Database>, workerId: string, since: Date, now: Date): Promise<TakenConnectionTest | null> {
  const request = await db
    .selectFrom('crm_bridge_connection_tests')
    .select(['id', 'request'])
    .where('taken_by', 'is', null)
    .where('requested_at', '>=', since)
    .orderBy('requested_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!request) return null;
  const taken = await db.updateTable('crm_bridge_connection_tests').set({ taken_by: workerId, taken_at: now }).where('id', '=', request.id).where('taken_by', 'is', null).executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1 ? request : null;
}
