// What /readyz says: one of a few fixed reasons, safe for anyone who can reach the port; the details
// (error text, host names) go to the process log, once each time they change.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { checkSchemaVersion, SchemaVersionError } from '../db/checkSchemaVersion.js';
import type { Logger } from '../logger.js';
import type { Readiness, ReadinessReport } from './server.js';

export const NOT_READY = {
  database: 'database unavailable',
  schema: 'database schema not supported',
  shutdown: 'shutting down',
} as const;

export function databaseReadiness(opts: { db: Kysely<Database>; signal: AbortSignal; warnings: () => readonly string[]; log: Logger }): Readiness {
  let lastDetail: string | null = null;
  return {
    check: async (): Promise<ReadinessReport> => {
      const warnings = [...opts.warnings()];
      try {
        await checkSchemaVersion(opts.db);
        lastDetail = null;
      } catch (err) {
        const reason = err instanceof SchemaVersionError ? NOT_READY.schema : NOT_READY.database;
        const detail = err instanceof Error ? err.message : String(err);
        if (detail !== lastDetail) opts.log.warn({ err: detail }, `not ready: ${reason}`);
        lastDetail = detail;
        return { reason, warnings };
      }
      return { reason: opts.signal.aborted ? NOT_READY.shutdown : null, warnings };
    },
  };
}
