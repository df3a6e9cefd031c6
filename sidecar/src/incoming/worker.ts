// The inbox worker: claims CRM events, verifies each with the CRM's API, decides, has the plugin
// apply the change, and records the outcome. Many orders run in parallel (an adaptive limit under the
// concurrency setting), one event per order at a time (the claim guarantees it). Decisions are pure (decide.ts); this
// file does the I/O around them.
import type { Settings, CrmCredentials, LoadedSettings } from '../settings.js';
import type { DecisionEntry } from '../syncLog.js';
import type { ApplyBatcher } from '../wordpress/apply.js';
import type { CrmOrder } from './crm.js';
import { decide, printable } from './decide.js';
import { claimInbox, type ClaimedEvent } from '../queue/claim.js';
import { reportLimitChanges, runClaimLoop } from '../queue/runClaimLoop.js';
import { ConcurrencyLimit, failureOutcome, type JobOutcome } from '../queue/concurrencyLimit.js';
import type { Metrics } from '../metrics.js';
import { completeJob } from '../queue/completeJob.js';
import { failJob } from '../queue/failJob.js';
import { LeaseLostError } from '../queue/leaseLost.js';
import { attemptFailure, decideFailure, retryPolicy } from '../queue/decideFailure.js';
import type { WorkerDeps } from '../queue/workerDeps.js';
import { PermanentError, classify } from '../errors.js';
import { readLink } from '../db/readLink.js';
import { actOn } from '../outcome.js';

export type FetchCrmOrder = (settings: Settings, credentials: CrmCredentials, crmOrderId: string, signal: AbortSignal) => Promise<CrmOrder>;

export interface InboxWorkerDeps extends WorkerDeps {
  fetchCrmOrder: FetchCrmOrder;
  batcher: ApplyBatcher;
  /** Where the current concurrency limit is published. */
  metrics?: Pick<Metrics, 'concurrencyLimit'>;
}

export async function runInboxWorker(deps: InboxWorkerDeps, signal: AbortSignal): Promise<void> {
  await runClaimLoop(
    {
      name: 'inbox',
      prepare: () => deps.settings.get(),
      capacity: (loaded) => loaded.settings.concurrency,
      limit: new ConcurrencyLimit(deps.clock, {}, reportLimitChanges('inbox', deps.log, deps.metrics?.concurrencyLimit)),
      claim: (limit) => claimInbox(deps.db, { workerId: deps.workerId, limit, leaseMs: deps.leaseMs, now: deps.clock.now(), skipLocked: deps.skipLocked, takeoverMs: deps.takeoverMs }),
      process: (event, loaded) => processEvent(deps, event, loaded, signal),
      clock: deps.clock,
      log: deps.log,
      pollMs: deps.pollMs,
    },
    signal,
  );
}

async function processEvent(deps: InboxWorkerDeps, event: ClaimedEvent, loaded: LoadedSettings, signal: AbortSignal): Promise<JobOutcome> {
  const started = deps.clock.now().getTime();
  const base: Omit<DecisionEntry, 'decision'> = { direction: 'in' as const, crmOrderId: event.crm_order_id, eventId: event.event_id, attempt: event.attempts };
  const entries: DecisionEntry[] = [];
  const elapsed = (): number => deps.clock.now().getTime() - started;
  const settings = loaded.settings;
  try {
    // The link is read first so that every row about this event, a failed verification's too, names
    // the WooCommerce order once it is known: the log's order filter then shows both directions.
    const link = await readLink(deps.db, event.crm_order_id);
    if (link) base.orderId = link.orderId;
    const fetchStarted = deps.clock.now().getTime();
    const crmOrder = await deps.fetchCrmOrder(settings, loaded.credentials, event.crm_order_id, signal);
    const verifyMs = deps.clock.now().getTime() - fetchStarted;
    // The CRM's status is its to choose: what reaches the log is cut to printable characters.
    const crmStatus = printable(crmOrder.status);
    entries.push({ ...base, decision: 'verified', toStatus: crmStatus, latencyMs: verifyMs, detail: { crm_version: crmOrder.version } });

    // Read again after the CRM call: the order may have been linked (or applied) while it ran.
    const current = await readLink(deps.db, event.crm_order_id);
    if (current) base.orderId = current.orderId;
    const decision = decide(crmOrder, current, settings.mapping, event.crm_order_id);
    switch (decision.kind) {
      case 'stale':
        entries.push({ ...base, decision: 'stale', latencyMs: elapsed(), message: `CRM version ${decision.version} is not newer than the applied version ${decision.appliedVersion}` });
        break;
      case 'unmapped':
        throw new PermanentError('unmapped_status', `unmapped: the CRM status "${decision.crmStatus}" has no WooCommerce status in the mapping`);
      case 'refused':
        throw new PermanentError(decision.code, decision.message);
      case 'no_order':
        throw new PermanentError('order_not_linked', `no WooCommerce order is linked to CRM order ${event.crm_order_id}`);
      case 'apply': {
        const result = await deps.batcher.submit({
          event_id: event.event_id,
          crm_order_id: event.crm_order_id,
          order_id: decision.orderId,
          to_status: decision.toStatus,
          version: decision.version,
          note: `Status set by the CRM (CRM order ${event.crm_order_id}, version ${decision.version}).`,
          inbox_id: event.id,
          worker: deps.workerId,
          attempt: event.attempts,
          verified: { crm_status: crmStatus, crm_version: crmOrder.version, latency_ms: verifyMs },
          started_ms: started,
        });
        const action = actOn(result);
        if (action.kind === 'lease_lost') throw new LeaseLostError(event.id);
        if (action.kind !== 'done') throw action.error;
        entries.push({ ...base, orderId: result.order_id, fromStatus: result.from_status ?? null, toStatus: result.to_status ?? decision.toStatus, decision: action.decision, errorClass: action.errorClass, latencyMs: elapsed(), message: action.message });
        if (action.recorded) {
          // The plugin logged these decisions and finished the row in the same step as the write.
          deps.syncLog.recorded(entries);
          return { kind: 'ok' };
        }
        break;
      }
    }
    await deps.syncLog.record(entries, deps.clock.now());
    await completeJob(deps.db, 'inbox', event.id, deps.workerId, deps.clock.now());
    return { kind: 'ok' };
  } catch (err) {
    if (err instanceof LeaseLostError) {
      deps.log.warn({ eventId: event.event_id, rowId: event.id }, err.message);
      return { kind: 'ignore' };
    }
    const failure = classify(err);
    const now = deps.clock.now();
    const next = decideFailure(attemptFailure(failure, event.attempts, signal), retryPolicy(settings.retry), now, deps.jitter());
    const retryAt = next.kind === 'retry' ? next.at : null;
    // A failure's message may quote the CRM's answer: bounded and printable before it is stored.
    const message = printable(`${failure.code}: ${failure.message}`, 500);
    entries.push({ ...base, decision: retryAt ? 'retried' : 'dead', errorClass: failure.errorClass, latencyMs: elapsed(), message, detail: retryAt ? { retry_at: retryAt.toISOString() } : null });
    try {
      await deps.syncLog.record(entries, now);
      await failJob(deps.db, 'inbox', event.id, deps.workerId, now, { errorClass: failure.errorClass, message, retryAt });
    } catch (recordErr) {
      // The outcome could not be recorded: the lease will expire and the event will be claimed again.
      deps.log.error({ eventId: event.event_id, err: (recordErr as Error).message }, 'outcome not recorded; the event will be retried when its lease expires');
      return { kind: 'drop' };
    }
    return signal.aborted ? { kind: 'ignore' } : failureOutcome(err, failure);
  }
}
