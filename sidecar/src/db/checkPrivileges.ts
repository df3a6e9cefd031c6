// Reads what the sidecar's database user may do (SHOW GRANTS FOR CURRENT_USER()) and returns what
// goes beyond the sidecar's need, for the readiness warning and the log.
import { sql, type Kysely } from 'kysely';
import { OPTIONS_VIEW, SIDECAR_TABLES, type Database } from './schema.js';
import { isViewUnavailable } from './readOptions.js';
import { findExcessPrivileges, neededPrivileges, type ExcessPrivilege } from './excessPrivileges.js';

export const EXCESS_PRIVILEGES_WARNING = 'the database user has more privileges than the sidecar needs';
/** Reading wp_options works, but it holds every plugin's settings (payment keys among them). */
export const ALL_OPTIONS_WARNING = "the plugin's options view is missing, so the sidecar reads all of wp_options";

export interface PrivilegeCheck {
  excess: ExcessPrivilege[];
  /** True when the options view cannot be used and the sidecar falls back to wp_options. */
  readsAllOptions: boolean;
}

export async function checkPrivileges(db: Kysely<Database>, tablePrefix: string): Promise<PrivilegeCheck> {
  const grants = (await sql<Record<string, string>>`SHOW GRANTS FOR CURRENT_USER()`.execute(db)).rows.map((row) => String(Object.values(row)[0]));
  const database = (await sql<{ name: string | null }>`SELECT DATABASE() AS name`.execute(db)).rows[0]?.name ?? '';
  // Without a usable view the sidecar reads wp_options, so SELECT on it is needed then, and only then.
  let optionsSource: string = OPTIONS_VIEW;
  try {
    await db.selectFrom(OPTIONS_VIEW).select('option_name').limit(0).execute();
  } catch (err) {
    if (!isViewUnavailable(err)) throw err;
    optionsSource = 'options';
  }
  return { excess: findExcessPrivileges(grants, neededPrivileges(database, tablePrefix, SIDECAR_TABLES, optionsSource)), readsAllOptions: optionsSource !== OPTIONS_VIEW };
}
