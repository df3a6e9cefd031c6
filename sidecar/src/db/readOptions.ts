// Reads WordPress options by name (the plugin stores its settings as JSON strings).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function readOptions(db: Kysely<Database>, names: string[]): Promise<Map<string, string>> {
  const rows = await db.selectFrom('options').select(['option_name', 'option_value']).where('option_name', 'in', names).execute();
  return new Map(rows.map((r) => [r.option_name, r.option_value]));
}
