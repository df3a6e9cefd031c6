// Answers "Test connection" from the settings page: the plugin leaves a request in an option, this
// loop sees it, calls the CRM's order API once with the current settings, and reports the outcome
// through the plugin's endpoint.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { SettingsSource, Settings, CrmCredentials } from '../settings.js';
import { readOptions } from '../db/readOptions.js';
import { BridgeError } from '../errors.js';
import { AddressRefusedError } from '../net/errors.js';
import type { CrmOrder } from './crm.js';

export const TEST_REQUEST_OPTION = 'crm_bridge_connection_test';

export interface ConnectionTestResult {
  id: string;
  ok: boolean;
  message: string;
  latency_ms: number;
}

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
  settings: SettingsSource;
  probe: (settings: Settings, credentials: CrmCredentials, signal: AbortSignal) => Promise<CrmOrder>;
  report: (result: ConnectionTestResult, signal: AbortSignal) => Promise<void>;
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  intervalMs?: number;
}): Promise<void> {
  let handled = '';
  while (!opts.signal.aborted) {
    try {
      const raw = (await readOptions(opts.db, [TEST_REQUEST_OPTION])).get(TEST_REQUEST_OPTION);
      const request = raw ? (JSON.parse(raw) as { id?: string; requested_at?: number }) : null;
      const fresh = request?.id && request.requested_at && opts.clock.now().getTime() / 1000 - request.requested_at < 60;
      if (request?.id && fresh && request.id !== handled) {
        handled = request.id;
        const { settings, credentials } = await opts.settings.get();
        const started = opts.clock.now().getTime();
        const outcome = await opts.probe(settings, credentials, opts.signal).then(
          (order) => ({ order }),
          (error: unknown) => ({ error }),
        );
        const latency = opts.clock.now().getTime() - started;
        await opts.report({ id: request.id, latency_ms: latency, ...describeProbe(outcome, latency) }, opts.signal);
      }
    } catch (err) {
      opts.log.warn({ err: (err as Error).message }, 'connection test failed to run');
    }
    await opts.clock.sleep(opts.intervalMs ?? 1000, opts.signal);
  }
}
