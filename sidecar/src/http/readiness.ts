// What /readyz says: one of a few fixed reasons, safe for anyone who can reach the port; the details
// (error text, host names) go to the process log, once each time they change.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { checkSchemaVersion, SchemaVersionError } from '../db/checkSchemaVersion.js';
import type { Logger } from '../logger.js';
import type { Readiness, ReadinessReport } from './server.js';

export const NOT_READY = {
  starting: 'starting',
  database: 'database unavailable',
  schema: 'database schema not supported',
  shutdown: 'shutting down',
} as const;

export function databaseReadiness(opts: {
  db: Kysely<Database>;
  signal: AbortSignal;
  /** False until the start-up checks (whose warnings /readyz reports) are done and the workers run. */
  started: () => boolean;
  warnings: () => readonly string[];
  log: Logger;
}): Readiness {
  let lastDetail: string | null = null;
  return {
    check: async (): Promise<ReadinessReport> => {
      let reason: string | null;
      try {
        await checkSchemaVersion(opts.db);
        lastDetail = null;
        reason = opts.signal.aborted ? NOT_READY.shutdown : opts.started() ? null : NOT_READY.starting;
      } catch (err) {
        reason = err instanceof SchemaVersionError ? NOT_READY.schema : NOT_READY.database;
        const detail = err instanceof Error ? err.message : String(err);
        if (detail !== lastDetail) opts.log.warn({ err: detail }, `not ready: ${reason}`);
        lastDetail = detail;
      }
      // Read after the check: the start-up checks may have finished while it ran.
      return { reason, warnings: [...opts.warnings()] };
    },
  };
}
