#!/usr/bin/env node
// Wiring only: config → database → schema check → workers → http server → shutdown.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { loadConfigOrReport } from './config.js';
import { connect } from './db/connection.js';
import { checkSchemaVersion, SchemaVersionError } from './db/checkSchemaVersion.js';
import { removeHeartbeat } from './db/removeHeartbeat.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createApp, listen } from './http/server.js';
import { databaseReadiness } from './http/readiness.js';
import { ALL_OPTIONS_WARNING, checkPrivileges, EXCESS_PRIVILEGES_WARNING } from './db/checkPrivileges.js';
import { startHeartbeat, takeoverWindowMs } from './heartbeat.js';
import { releaseOwnClaims } from './queue/releaseOwnClaims.js';
import { QUEUES, type QueueName } from './queue/queues.js';
import { systemClock } from './clock.js';
import { VERSION } from './version.js';
import { SettingsSource } from './settings.js';
import { SyncLog } from './syncLog.js';
import { CircuitBreakers } from './circuitBreaker.js';
import { fetchCrmOrder } from './incoming/crm.js';
import { runInboxWorker } from './incoming/worker.js';
import { ApplyBatcher, wordpressApply } from './wordpress/apply.js';
import { supportsSkipLocked } from './db/supportsSkipLocked.js';
import { runPruner } from './pruner.js';
import { runOutboxWorker } from './outgoing/worker.js';
import { wordpressLink } from './wordpress/link.js';
import { wordpressNotify } from './wordpress/notify.js';
import { runConnectionTests } from './incoming/connectionTest.js';
import { createOutboundClient } from './net/client.js';

export const EXIT_CONFIG = 2;
export const EXIT_SCHEMA = 3;

async function main(): Promise<number> {
  const config = loadConfigOrReport();
  if (!config) return EXIT_CONFIG;
  const log = createLogger(config.logLevel, config.workerId);
  const metrics = createMetrics();
  const shutdown = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      log.info({ signal: sig }, 'shutting down');
      shutdown.abort();
    });
  }

  const database = connect(config.database.url, config.database.tablePrefix);
  // Serve /readyz while waiting for the database, so a probe sees why the sidecar is not ready.
  const warnings: string[] = [];
  let started = false;
  const readiness = databaseReadiness({ db: database.db, signal: shutdown.signal, started: () => started, warnings: () => warnings, log });
  const server = await listen(createApp(metrics, readiness, VERSION), config.http.host, config.http.port);
  const address = server.address() as AddressInfo;
  log.info({ host: address.address, port: address.port }, 'http listening');
  const closeServer = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  // Wait for the database rather than crash-looping; an unknown schema is final.
  for (;;) {
    try {
      const version = await checkSchemaVersion(database.db);
      log.info({ schemaVersion: version, version: VERSION }, 'database schema known');
      break;
    } catch (err) {
      if (err instanceof SchemaVersionError) {
        log.fatal({ found: err.found }, err.message);
        await closeServer();
        await database.destroy();
        return EXIT_SCHEMA;
      }
      log.warn({ err: (err as Error).message }, 'database not reachable yet, retrying');
      await systemClock.sleep(2000, shutdown.signal);
      if (shutdown.signal.aborted) {
        await closeServer();
        await database.destroy();
        return 0;
      }
    }
  }
  const privileges = await checkPrivileges(database.db, config.database.tablePrefix).catch((err: unknown) => {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, 'database privileges not checked');
    return { excess: [], readsAllOptions: false };
  });
  if (privileges.excess.length > 0) {
    log.warn({ excess: privileges.excess }, `${EXCESS_PRIVILEGES_WARNING}: give it a dedicated user with the documented grants`);
    warnings.push(EXCESS_PRIVILEGES_WARNING);
  }
  if (privileges.readsAllOptions) {
    log.warn(`${ALL_OPTIONS_WARNING}: let WordPress's database user create views, then deactivate and activate the plugin`);
    warnings.push(ALL_OPTIONS_WARNING);
  }

  const db = database.db;
  const clock = systemClock;
  const skipLocked = config.queue.claimMode === 'auto' ? await supportsSkipLocked(db) : config.queue.claimMode === 'skip_locked';
  log.info({ claim: skipLocked ? 'FOR UPDATE SKIP LOCKED' : 'atomic claim update' }, 'queue claim mode');
  const settings = new SettingsSource(db, config.encryptionKey, clock, config.settingsTtlMs);
  const syncLog = new SyncLog(db, config.workerId);
  syncLog.onDecision((entries) => entries.forEach((e) => metrics.decisions.inc({ direction: e.direction, decision: e.decision })));
  const breakers = new CircuitBreakers(clock);
  const endpointBreakers = new CircuitBreakers(clock);
  const wp = { url: config.wordpress.url, user: config.wordpress.user, appPassword: config.wordpress.appPassword };
  const batcher = new ApplyBatcher(wordpressApply(wp), shutdown.signal, { maxInFlight: config.writeRequests });
  // Every request to a CRM or subscriber address goes through this one guarded client.
  const outbound = createOutboundClient({ allowPrivate: config.outbound.allowPrivateUrls });
  if (config.outbound.allowPrivateUrls) log.warn('CRM_BRIDGE_ALLOW_PRIVATE_URLS is set: CRM and subscriber addresses may reach loopback and private networks');

  // Alive before claiming: the first beat is written, then the rows a killed process with this
  // worker id still holds are handed back (no other live process may share the id).
  const heartbeat = await startHeartbeat({
    db,
    workerId: config.workerId,
    version: VERSION,
    intervalMs: config.heartbeatMs,
    clock,
    log,
    metrics,
    signal: shutdown.signal,
    openCircuits: () => [...breakers.openCircuits(), ...endpointBreakers.openCircuits()],
    warnings,
  });
  for (const queue of Object.keys(QUEUES) as QueueName[]) {
    const released = await releaseOwnClaims(db, queue, config.workerId, clock.now());
    if (released > 0) log.info({ queue, released }, 'claims left by an earlier process with this worker id handed back');
  }

  // What both queue workers share.
  const worker = {
    db,
    workerId: config.workerId,
    clock,
    jitter: Math.random,
    log,
    syncLog,
    settings,
    skipLocked,
    leaseMs: config.queue.leaseMs,
    takeoverMs: takeoverWindowMs(config.heartbeatMs),
    pollMs: config.queue.pollMs,
  };
  const loops = [
    heartbeat.running,
    runInboxWorker(
      { ...worker, metrics, fetchCrmOrder: (s, credentials, crmOrderId, signal) => fetchCrmOrder(outbound, breakers, s, credentials, crmOrderId, signal), batcher },
      shutdown.signal,
    ),
    runOutboxWorker(
      {
        ...worker,
        breakers: endpointBreakers,
        send: outbound,
        link: wordpressLink(wp),
        notify: wordpressNotify(wp),
        encryptionKey: config.encryptionKey,
        concurrency: 32,
      },
      shutdown.signal,
    ),
    runPruner({ db, settings, clock, log, signal: shutdown.signal }),
    runConnectionTests({
      db,
      workerId: config.workerId,
      settings,
      encryptionKey: config.encryptionKey,
      // A probe of its own circuit, so a test never trips or waits on the workers' circuit.
      probe: (s, credentials, crmOrderId, signal) => fetchCrmOrder(outbound, new CircuitBreakers(clock), s, credentials, crmOrderId, signal),
      clock,
      log,
      signal: shutdown.signal,
    }),
  ];

  started = true;

  // A loop that dies takes the process down with it, so a supervisor restarts a whole sidecar.
  let exitCode = 0;
  for (const loop of loops) {
    loop.catch((err: unknown) => {
      log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'a worker loop failed; stopping');
      exitCode = 1;
      shutdown.abort();
    });
  }
  if (!shutdown.signal.aborted) await once(shutdown.signal, 'abort');
  await Promise.allSettled(loops);
  await closeServer();
  await removeHeartbeat(database.db, config.workerId).catch((err: unknown) => log.warn({ err }, 'heartbeat row not removed'));
  await database.destroy();
  log.info('stopped');
  return exitCode;
}

// `crm-bridge` (or `crm-bridge run`) runs the sidecar; `crm-bridge reconcile ...` reconciles once.
const [command, ...rest] = process.argv.slice(2);
const run =
  command === 'reconcile'
    ? import('./reconcile/cli.js').then((m) => m.runReconcileCli(rest))
    : command === undefined || command === 'run'
      ? main()
      : Promise.resolve().then(() => {
          process.stderr.write(`crm-bridge: unknown command "${command}"; use "run" (the default) or "reconcile" (see crm-bridge reconcile --help)\n`);
          return EXIT_CONFIG;
        });
// Exit once stdout has drained: a pipe (reconcile --json | jq) must receive the whole output, and
// process.exit() right after a large write would cut it at the pipe's buffer.
const exitAfterOutput = (code: number): void => {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
};
run.then(exitAfterOutput, (err: unknown) => {
  process.stderr.write(`crm-bridge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  exitAfterOutput(1);
});
