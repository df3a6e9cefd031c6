// Writes sync log rows, many in one statement.
import type { Insertable, Kysely } from 'kysely';
import type { Database } from './schema.js';

export type LogRow = Insertable<Database['crm_bridge_log']>;

export async function insertLogRows(db: Kysely<Database>, rows: LogRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('crm_bridge_log').values(rows).execute();
}
