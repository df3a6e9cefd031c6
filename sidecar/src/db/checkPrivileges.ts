// Reads what the sidecar's database user may do (SHOW GRANTS FOR CURRENT_USER()) and returns what
// goes beyond the sidecar's need, for the readiness warning and the log.
import { sql, type Kysely } from 'kysely';
import { OPTIONS_VIEW, SIDECAR_TABLES, type Database } from './schema.js';
import { isViewUnavailable } from './readOptions.js';
import { findExcessPrivileges, neededPrivileges, type ExcessPrivilege } from './excessPrivileges.js';

export const EXCESS_PRIVILEGES_WARNING = 'the database user has more privileges than the sidecar needs';

export async function checkPrivileges(db: Kysely<Database>, tablePrefix: string): Promise<ExcessPrivilege[]> {
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
  return findExcessPrivileges(grants, neededPrivileges(database, tablePrefix, SIDECAR_TABLES, optionsSource));
}
