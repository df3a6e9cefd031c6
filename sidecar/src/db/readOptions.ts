// Reads the plugin's options by name (its settings are JSON strings) through the plugin's options
// view, which is all a dedicated database user may read; falls back to wp_options where the view is
// missing or not granted, for a sidecar that uses the WordPress database login.
import type { Kysely } from 'kysely';
import { errnoOf } from './errno.js';
import { OPTIONS_VIEW, type Database } from './schema.js';

/** The only options the view holds. */
export const PLUGIN_OPTION_PREFIX = 'crm_bridge_';

const ER_TABLEACCESS_DENIED_ERROR = 1142;
const ER_NO_SUCH_TABLE = 1146;

/** True for the errors that mean "this database user cannot use the view": missing, or not granted. */
export function isViewUnavailable(err: unknown): boolean {
  const errno = errnoOf(err);
  return errno === ER_NO_SUCH_TABLE || errno === ER_TABLEACCESS_DENIED_ERROR;
}

export async function readOptions(db: Kysely<Database>, names: string[]): Promise<Map<string, string>> {
  const foreign = names.filter((n) => !n.startsWith(PLUGIN_OPTION_PREFIX));
  if (foreign.length > 0) throw new Error(`readOptions reads only the plugin's own options, not ${foreign.join(', ')}`);
  if (names.length === 0) return new Map();
  let rows: { option_name: string; option_value: string }[];
  try {
    rows = await db.selectFrom(OPTIONS_VIEW).select(['option_name', 'option_value']).where('option_name', 'in', names).execute();
  } catch (err) {
    if (!isViewUnavailable(err)) throw err;
    rows = await db.selectFrom('options').select(['option_name', 'option_value']).where('option_name', 'in', names).execute();
  }
  return new Map(rows.map((r) => [r.option_name, r.option_value]));
}
