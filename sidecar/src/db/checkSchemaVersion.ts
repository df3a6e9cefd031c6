// Refuses to work against a plugin schema this sidecar was not written for.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { readOptions } from './readOptions.js';

/** Schema versions of plugin/src/Schema.php this sidecar understands. */
/** Version 2 added crm_bridge_sidecars.info (open circuits in the heartbeat); 3 added crm_bridge_audit; 4 crm_bridge_connection_tests; 5 its request and detail columns. */
export const KNOWN_SCHEMA_VERSIONS = [5] as const;
export const SCHEMA_VERSION_OPTION = 'crm_bridge_schema_version';

export class SchemaVersionError extends Error {
  constructor(readonly found: number | null) {
    super(
      found === null
        ? `the CRM Bridge plugin's tables are not installed (no ${SCHEMA_VERSION_OPTION} option): activate the plugin in WordPress first`
        : `the database has CRM Bridge schema version ${found}; this sidecar knows ${KNOWN_SCHEMA_VERSIONS.join(', ')}: run the sidecar release that matches the plugin`,
    );
    this.name = 'SchemaVersionError';
  }
}

/** Reads the installed version; throws SchemaVersionError when it is missing or unknown. */
export async function checkSchemaVersion(db: Kysely<Database>): Promise<number> {
  const value = (await readOptions(db, [SCHEMA_VERSION_OPTION])).get(SCHEMA_VERSION_OPTION);
  const found = value === undefined ? null : Number(value);
  if (found === null || !(KNOWN_SCHEMA_VERSIONS as readonly number[]).includes(found)) throw new SchemaVersionError(found);
  return found;
}
