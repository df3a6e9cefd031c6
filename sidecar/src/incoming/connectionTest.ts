// Answers "Test connection" from the settings page: the plugin inserts a request row, this loop
// takes it, calls the CRM's order API once with the current settings, and writes the outcome into
// the same row, where the settings page reads it.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { SettingsSource, Settings, CrmCredentials } from '../settings.js';
import { takeConnectionTest } from '../db/takeConnectionTest.js';
import { answerConnectionTest } from '../db/answerConnectionTest.js';
import { BridgeError } from '../errors.js';
import { AddressRefusedError } from '../net/errors.js';
import { cleanText } from '../syncLog.js';
import type { CrmOrder } from './crm.js';

/** A request older than this is left unanswered: nobody is waiting for it any more. */
export const TEST_REQUEST_FRESH_MS = 60_000;

/** At most this much of the outcome is stored (the column the settings page shows). */
const MESSAGE_MAX_BYTES = 500;

/** The outcome of one probe, as people read it. Pure. */
export function describeProbe(outcome: { order?: CrmOrder; error?: unknown }, latencyMs: number): { ok: boolean; message: string } {
  if (outcome.order) return { ok: true, message: `The CRM answered in ${latencyMs} ms.` };
  const err = outcome.error;
  const status = err instanceof BridgeError ? (err.context.status as number | undefined) : undefined;
  if (status === 404) return { ok: true, message: `The CRM answered in ${latencyMs} ms (no order with the test id, as expected).` };
  if (status === 401 || status === 403) return { ok: false, message: `The CRM refused the credentials (HTTP ${status}): check the token and the authentication mode.` };
  if (err instanceof AddressRefusedError && err.context.privateNetwork === true) {
    return { ok: false, message: `${err.message}. A CRM on a private network needs CRM_BRIDGE_ALLOW_PRIVATE_URLS=1 in the sidecar's environment.` };
  }
  return { ok: false, message: err instanceof Error ? err.message : String(err) };
}

export async function runConnectionTests(opts: {
  db: Kysely<Database>;
  workerId: string;
  settings: SettingsSource;
  probe: (settings: Settings, credentials: CrmCredentials, signal: AbortSignal) => Promise<CrmOrder>;
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  intervalMs?: number;
}): Promise<void> {
  while (!opts.signal.aborted) {
    try {
      const now = opts.clock.now();
      const id = await takeConnectionTest(opts.db, opts.workerId, new Date(now.getTime() - TEST_REQUEST_FRESH_MS), now);
      if (id !== null) {
        const started = opts.clock.now().getTime();
        // Settings that cannot be read are an answer too: the page shows why, rather than waiting.
        const outcome = await opts.settings
          .get()
          .then(({ settings, credentials }) => opts.probe(settings, credentials, opts.signal))
          .then(
          (order) => ({ order }),
          (error: unknown) => ({ error }),
        );
        const latencyMs = opts.clock.now().getTime() - started;
        const { ok, message } = describeProbe(outcome, latencyMs);
        await answerConnectionTest(opts.db, id, opts.workerId, { ok, message: cleanText(message, MESSAGE_MAX_BYTES), latencyMs }, opts.clock.now());
      }
    } catch (err) {
      opts.log.warn({ err: (err as Error).message }, 'connection test failed to run');
    }
    await opts.clock.sleep(opts.intervalMs ?? 1000, opts.signal);
  }
}
