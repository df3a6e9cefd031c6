// Answers "Test connection" from the settings page: the plugin inserts a request row holding the
// connection settings on the screen (saved or not) and a CRM order id; this loop takes it, fetches
// that order once with those settings, and writes what it read, or the step that failed, into the row.
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { settingsSchema, type SettingsSource, type Settings, type CrmCredentials } from '../settings.js';
import { takeConnectionTest } from '../db/takeConnectionTest.js';
import { answerConnectionTest } from '../db/answerConnectionTest.js';
import { BridgeError } from '../errors.js';
import { AddressRefusedError, RedirectError } from '../net/errors.js';
import { cleanText } from '../syncLog.js';
import { decryptSecret } from '../crypto.js';
import { orderUrl, type CrmOrder } from './crm.js';

/** A request older than this is left unanswered: nobody is waiting for it any more. */
export const TEST_REQUEST_FRESH_MS = 60_000;

/** At most this much of the outcome is stored (the column the settings page shows). */
const MESSAGE_MAX_BYTES = 500;

/** The request the plugin stored (StartConnectionTest.php): settings it validated as a save would. */
export const testRequestSchema = z.object({
  crm: settingsSchema.shape.crm,
  mapping: settingsSchema.shape.mapping,
  crm_order_id: z.string().min(1).max(191),
  /** typed: the token in `token` (encrypted for this request); saved: the stored one; none: no token. */
  token_source: z.enum(['typed', 'saved', 'none']),
  token: z.string().nullable(),
});
export type TestRequest = z.infer<typeof testRequestSchema>;

/** The name a typed token is encrypted under (ConnectionTests::token_name()). */
export const testTokenName = (id: string): string => `crm_bridge_connection_tests:${id}`;

/** The step that failed, as the settings page names it. */
export type FailedStep = 'request' | 'url' | 'address' | 'dns' | 'connection' | 'tls' | 'timeout' | 'redirect' | 'http' | 'response' | 'json_path' | 'mapping';

/** What the test read, stored as the row's detail. */
export interface TestDetail {
  step: FailedStep | null;
  crm_order_id: string;
  url: string | null;
  http_status: number | null;
  path: string | null;
  found: string | null;
  status: string | null;
  version_source: Settings['crm']['version_source'];
  version: number | null;
  updated_at: string | null;
  woo_status: string | null;
}

/** The step an error of the outbound client or the connector stands for (their context says). */
const STEPS: Record<string, FailedStep> = {
  'check address': 'address',
  resolve: 'dns',
  connect: 'connection',
  tls: 'tls',
  'wait for answer': 'timeout',
  'read answer': 'redirect',
  'read body': 'response',
  'json path': 'json_path',
};

/**
 * The outcome of one probe, as people read it, with the step that failed. Pure.
 * Every failure is a failure: a 404 for the order asked means the URL template or the id is wrong.
 */
export function describeProbe(
  outcome: { order?: CrmOrder; error?: unknown },
  latencyMs: number,
  test: { settings: Pick<Settings, 'crm' | 'mapping'>; crmOrderId: string; tokenSource?: TestRequest['token_source'] },
): { ok: boolean; message: string; detail: TestDetail } {
  const crm = test.settings.crm;
  let url: string | null = null;
  try {
    url = orderUrl(crm, test.crmOrderId);
  } catch {
    // The error of the probe itself names it.
  }
  const base: TestDetail = { step: null, crm_order_id: test.crmOrderId, url, http_status: null, path: null, found: null, status: null, version_source: crm.version_source, version: null, updated_at: null, woo_status: null };
  const failed = (step: FailedStep, message: string, more: Partial<TestDetail> = {}) => ({ ok: false, message, detail: { ...base, ...more, step } });
  if (outcome.order) {
    const { status, version } = outcome.order;
    const read = { status, version, updated_at: crm.version_source === 'updated_at' ? new Date(version).toISOString() : null };
    const woo = Object.hasOwn(test.settings.mapping, status) ? test.settings.mapping[status]! : null;
    if (woo === null) return failed('mapping', `The CRM order ${test.crmOrderId} has the status "${status}", which the status mapping does not map to a WooCommerce status.`, read);
    const seen = crm.version_source === 'version' ? `version ${version}` : `updated ${read.updated_at}`;
    return { ok: true, message: `The CRM answered in ${latencyMs} ms: order ${test.crmOrderId} is "${status}" (${seen}), which maps to WooCommerce "${woo}".`, detail: { ...base, ...read, woo_status: woo } };
  }
  const err = outcome.error;
  const context = err instanceof BridgeError ? err.context : {};
  // A refused redirect carries its 3xx status, but the step to name is the redirect.
  if (err instanceof RedirectError) return failed('redirect', err.message, { http_status: typeof context.status === 'number' ? context.status : null });
  const status = typeof context.status === 'number' ? context.status : undefined;
  if (status !== undefined) {
    const more = { http_status: status };
    if (status === 404 || status === 410) return failed('http', `HTTP ${status}: the CRM has no order ${test.crmOrderId} at ${url}. Check the order URL template and the order id.`, more);
    if (status === 401 || status === 403) {
      const why = test.tokenSource === 'none' ? 'no token was sent (none is saved for this address: type it to test)' : 'check the token and the authentication mode';
      return failed('http', `HTTP ${status}: the CRM refused the credentials: ${why}.`, more);
    }
    return failed('http', `HTTP ${status}: ${(err as Error).message}`, more);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof AddressRefusedError && context.privateNetwork === true) {
    return failed('address', `${message}. A CRM on a private network needs CRM_BRIDGE_ALLOW_PRIVATE_URLS=1 in the sidecar's environment.`);
  }
  if (err instanceof BridgeError && err.code === 'crm_bad_url') return failed('url', message);
  const step = STEPS[String(context.step)];
  if (step === 'json_path') return failed(step, message, { path: String(context.path), found: String(context.found) });
  return failed(step ?? 'request', message);
}

/** Whether two URLs share a scheme, host and port (neither empty nor malformed). */
function sameOrigin(a: string, b: string): boolean {
  try {
    return a !== '' && new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** The settings and credentials a request tests: the saved ones with the screen's connection settings over them. */
export function testedSettings(request: TestRequest, saved: { settings: Settings; credentials: CrmCredentials }, id: string, encryptionKey: string | undefined): { settings: Settings; credentials: CrmCredentials } {
  const settings = { ...saved.settings, crm: request.crm, mapping: request.mapping };
  // The saved token only to the saved origin, read now: the settings may have changed since the request.
  const savedHere = request.token_source === 'saved' && sameOrigin(saved.settings.crm.base_url, request.crm.base_url);
  const token = request.token_source === 'typed' && request.token !== null ? decryptSecret(request.token, encryptionKey, testTokenName(id)) : savedHere ? saved.credentials.token : null;
  return { settings, credentials: { token } };
}

export async function runConnectionTests(opts: {
  db: Kysely<Database>;
  workerId: string;
  settings: SettingsSource;
  encryptionKey: string | undefined;
  probe: (settings: Settings, credentials: CrmCredentials, crmOrderId: string, signal: AbortSignal) => Promise<CrmOrder>;
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  intervalMs?: number;
}): Promise<void> {
  while (!opts.signal.aborted) {
    try {
      const now = opts.clock.now();
      const taken = await takeConnectionTest(opts.db, opts.workerId, new Date(now.getTime() - TEST_REQUEST_FRESH_MS), now);
      if (taken !== null) {
        const answer = await runOne(taken.id, taken.request, opts);
        await answerConnectionTest(opts.db, taken.id, opts.workerId, { ...answer, message: cleanText(answer.message, MESSAGE_MAX_BYTES) }, opts.clock.now());
      }
    } catch (err) {
      opts.log.warn({ err: (err as Error).message }, 'connection test failed to run');
    }
    await opts.clock.sleep(opts.intervalMs ?? 1000, opts.signal);
  }
}

/** One test: a request that cannot be read, or settings that cannot be, are an answer too (the page shows why). */
async function runOne(
  id: string,
  raw: string | null,
  opts: Pick<Parameters<typeof runConnectionTests>[0], 'settings' | 'encryptionKey' | 'probe' | 'clock' | 'signal'>,
): Promise<{ ok: boolean; message: string; latencyMs: number; detail: TestDetail | null }> {
  let json: unknown = null;
  try {
    json = JSON.parse(raw ?? 'null');
  } catch {
    // Refused below like any request without settings.
  }
  const parsed = testRequestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: 'The test request holds no settings to test: update the plugin to the version of this sidecar.', latencyMs: 0, detail: null };
  const request = parsed.data;
  const started = opts.clock.now().getTime();
  let tested: { settings: Settings; credentials: CrmCredentials };
  try {
    tested = testedSettings(request, await opts.settings.get(), id, opts.encryptionKey);
  } catch (err) {
    return { ok: false, message: `The settings could not be read: ${(err as Error).message}`, latencyMs: 0, detail: null };
  }
  const outcome = await opts.probe(tested.settings, tested.credentials, request.crm_order_id, opts.signal).then(
    (order) => ({ order }),
    (error: unknown) => ({ error }),
  );
  const latencyMs = opts.clock.now().getTime() - started;
  return { ...describeProbe(outcome, latencyMs, { settings: tested.settings, crmOrderId: request.crm_order_id, tokenSource: request.token_source }), latencyMs };
}
