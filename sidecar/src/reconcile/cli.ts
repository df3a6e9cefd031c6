// `crm-bridge reconcile`: compares the shop's orders created in a date range with the CRM and repairs
// drift, with a progress bar on stderr and the summary on stdout (text, or JSON with --json). With
// --enforce it also reverts the shop's own changes to the CRM's state, and says so on every line.
// Exit codes: 0 nothing left to do, 1 some orders could not be checked or repaired, 2 bad arguments
// or configuration, 3 unknown database schema.
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { loadConfigOrReport } from '../config.js';
import { connect } from '../db/connection.js';
import { checkSchemaVersion, SchemaVersionError } from '../db/checkSchemaVersion.js';
import { SettingsSource } from '../settings.js';
import { systemClock } from '../clock.js';
import { readLink } from '../db/readLink.js';
import { CircuitBreakers } from '../circuitBreaker.js';
import { fetchCrmOrder } from '../incoming/crm.js';
import { createOutboundClient } from '../net/client.js';
import { wordpressApply } from '../wordpress/apply.js';
import { wordpressOrders } from '../wordpress/orders.js';
import { wordpressLink } from '../wordpress/link.js';
import { reconcile, type ReconcileSummary } from './reconcile.js';
import { RECONCILE_RETRY } from './retry.js';

export const USAGE = `Usage: crm-bridge reconcile --from <date> [--to <date>] [--dry-run] [--enforce] [--json] [--concurrency <n>]

Compares the WooCommerce orders created between --from and --to (dates or date-times; --to defaults
to now, a date alone covers its whole day, in UTC) with the CRM, and applies every change the CRM
made after shop and CRM last agreed that an order missed. Each repair is written to the sync log.
Orders changed in the shop since the CRM's last change, and orders the CRM does not know, are
reported and left alone. A CRM answer that fails in a way that passes (5xx, 429, a timeout,
no connection) is tried again with backoff, up to ${RECONCILE_RETRY.maxAttempts} attempts, before the order is reported as an error.

  --dry-run          report what would be repaired, change nothing
  --enforce          ENFORCE: local changes are reverted to the CRM's state. Every order whose
                     status differs from the CRM's is set back to it, even moves out of a final
                     status, and logged as reconcile_enforce. Only for shops where the CRM is the
                     one place statuses may change. Try it with --dry-run first.
  --json             print the summary as JSON
  --concurrency <n>  CRM requests at a time (default 4, at most 32)

The environment is the sidecar's (CRM_BRIDGE_DATABASE_URL, CRM_BRIDGE_WORDPRESS_URL, ...).`;

const dateArg = (endOfDay: boolean) =>
  z.string().transform((v, ctx) => {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a date (use 2026-11-01 or 2026-11-01T12:00:00Z)` });
      return z.NEVER;
    }
    return d;
  });

const argsSchema = z
  .object({
    from: dateArg(false),
    to: dateArg(true).optional(),
    'dry-run': z.boolean().default(false),
    enforce: z.boolean().default(false),
    json: z.boolean().default(false),
    concurrency: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(32, 'must be at most 32').default(4),
  })
  .transform((a) => ({ ...a, to: a.to ?? new Date() }))
  .refine((a) => a.to >= a.from, { message: '--to must not be earlier than --from', path: ['to'] });

export async function runReconcileCli(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: { from: { type: 'string' }, to: { type: 'string' }, 'dry-run': { type: 'boolean' }, enforce: { type: 'boolean' }, json: { type: 'boolean' }, concurrency: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`crm-bridge reconcile: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const args = argsSchema.safeParse(values);
  if (!args.success) {
    process.stderr.write(`crm-bridge reconcile: ${args.error.issues.map((i) => `--${i.path.join('.') || 'from'} ${i.message}`).join('\n')}\n\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfigOrReport();
  if (!config) return 2;

  const database = connect(config.database.url, config.database.tablePrefix, { connectionLimit: 2 });
  const shutdown = new AbortController();
  process.once('SIGINT', () => shutdown.abort());
  try {
    await checkSchemaVersion(database.db);
    const { settings, credentials } = await new SettingsSource(database.db, config.encryptionKey, systemClock, 0).get();
    const wp = { url: config.wordpress.url, user: config.wordpress.user, appPassword: config.wordpress.appPassword };
    const breakers = new CircuitBreakers(systemClock);
    const outbound = createOutboundClient({ allowPrivate: config.outbound.allowPrivateUrls });
    if (args.data.enforce) process.stderr.write(`crm-bridge reconcile: ENFORCE: local changes are ${args.data['dry-run'] ? 'reported as they would be' : 'being'} reverted to the CRM's state\n`);
    const bar = process.stderr.isTTY && !args.data.json ? new SingleBar({ format: 'reconcile [{bar}] {value}/{total} orders | {eta_formatted} left', stream: process.stderr }, Presets.shades_classic) : null;
    let lastLine = 0;
    const summary = await reconcile(
      {
        settings,
        credentials,
        listOrders: wordpressOrders(wp),
        fetchCrmOrder: (s, c, id, signal) => fetchCrmOrder(outbound, breakers, s, c, id, signal),
        apply: wordpressApply(wp),
        readLink: (crmOrderId) => readLink(database.db, crmOrderId),
        link: wordpressLink(wp),
        worker: `reconcile@${config.workerId}`.slice(0, 64),
        retry: { policy: RECONCILE_RETRY, clock: systemClock, random: Math.random },
      },
      {
        after: args.data.from,
        before: args.data.to,
        dryRun: args.data['dry-run'],
        enforce: args.data.enforce,
        concurrency: args.data.concurrency,
        signal: shutdown.signal,
        onProgress: (done, total) => {
          if (bar) {
            if (done === 0) bar.start(total, 0);
            else bar.update(done);
          } else if (done === total || done - lastLine >= 100) {
            // Not a terminal: a plain line now and then, for logs.
            lastLine = done;
            process.stderr.write(`reconcile: ${done}/${total} orders checked\n`);
          }
        },
      },
    );
    bar?.stop();
    process.stdout.write(args.data.json ? `${JSON.stringify(summary, null, 2)}\n` : render(summary));
    return summary.counts.error > 0 || summary.stopped !== null || shutdown.signal.aborted ? 1 : 0;
  } catch (err) {
    if (err instanceof SchemaVersionError) {
      process.stderr.write(`crm-bridge reconcile: ${err.message}\n`);
      return 3;
    }
    process.stderr.write(`crm-bridge reconcile: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await database.destroy();
  }
}

function render(s: ReconcileSummary): string {
  const c = s.counts;
  const lines = [
    `Reconciled ${s.checked} orders created ${s.from} – ${s.to}${s.dryRun ? ' (dry run: nothing changed)' : ''}`,
    ...(s.enforce ? ["ENFORCE: local changes are reverted to the CRM's state"] : []),
    `  in sync        ${c.in_sync}`,
    s.dryRun ? `  would repair   ${c.would_repair}` : `  repaired       ${c.repaired}`,
    `  refused        ${c.refused}   (backward transitions the lifecycle settings do not allow)`,
    s.enforce
      ? s.dryRun
        ? `  would revert   ${c.would_revert}   (ENFORCE: changed in the shop; would be set back to the CRM's state)`
        : `  reverted       ${c.reverted}   (ENFORCE: changed in the shop; set back to the CRM's state)`
      : `  changed here   ${c.local_change}   (changed in the shop after the CRM's last change; left alone)`,
    `  unmapped       ${c.unmapped}`,
    `  not linked     ${c.unlinked}`,
    `  not in CRM     ${c.crm_missing}`,
    `  errors         ${c.error}${c.error > 0 ? '   (run again)' : ''}`,
  ];
  if (s.stopped) lines.push('', `Stopped early, ${s.stopped}. Run again once the CRM answers.`);
  const shown = s.findings.filter((f) => f.verdict !== 'unlinked').slice(0, 50);
  if (shown.length > 0) lines.push('', ...shown.map((f) => `  #${f.orderId} ${f.crmOrderId ?? ''} ${f.verdict}: ${f.detail}`));
  return `${lines.join('\n')}\n`;
}
