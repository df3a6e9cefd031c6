// The outbox worker: claims deliveries (one in flight per subscription and order, in order; others in
// parallel), signs them with the subscription's secret, posts them, and records the outcome: 2xx
// delivered, 410 disables the subscription, anything else retried with backoff and full jitter, then
// dead-lettered. A circuit per endpoint keeps one dead endpoint from slowing the others.
import type { Settings } from '../settings.js';
import type { DecisionEntry } from '../syncLog.js';
import type { CircuitBreakers } from '../circuitBreaker.js';
import type { LinkFn } from '../wordpress/link.js';
import type { NotifyFn } from '../wordpress/notify.js';
import { claimOutbox, type ClaimedDelivery } from '../queue/claim.js';
import { runClaimLoop } from '../queue/runClaimLoop.js';
import { completeJob } from '../queue/completeJob.js';
import { failJob } from '../queue/failJob.js';
import { LeaseLostError } from '../queue/leaseLost.js';
import { attemptFailure, decideFailure, retryPolicy } from '../queue/decideFailure.js';
import { recordStatusCode } from '../queue/recordStatusCode.js';
import type { WorkerDeps } from '../queue/workerDeps.js';
import { PermanentError, TransientError, classify } from '../errors.js';
import { readSubscription } from '../db/readSubscription.js';
import { disableSubscription, markSubscriptionFailing, markSubscriptionHealthy } from '../db/recordSubscriptionHealth.js';
import { decryptSecret, subscriptionSecretName } from '../crypto.js';
import { parseRetryAfter } from '../net/retryAfter.js';
import { crmVersionOf, jsonPath } from '../crmDocument.js';
import type { OutboundSend } from '../net/client.js';
import { DELIVERY_BODY_KEPT_BYTES, LINK_ANSWER_MAX_BYTES, deliver, deliveryRequest, type DeliveryRequest, type DeliveryResponse } from './deliver.js';
import { attemptDetail } from './attemptDetail.js';
import { previousSecretValid, webhookHeaders } from './sign.js';
import { RateLimiter } from './rateLimiter.js';
import { isValidCrmOrderId } from '../crmOrderId.js';

export interface OutboxWorkerDeps extends WorkerDeps {
  breakers: CircuitBreakers;
  /** The guarded outbound client: checks and pins the subscriber's address at every attempt. */
  send: OutboundSend;
  link: LinkFn;
  notify: NotifyFn;
  encryptionKey: string | undefined;
  concurrency: number;
}

export async function runOutboxWorker(deps: OutboxWorkerDeps, signal: AbortSignal): Promise<void> {
  const limiter = new RateLimiter(deps.clock);
  await runClaimLoop(
    {
      name: 'outbox',
      prepare: async () => (await deps.settings.get()).settings,
      capacity: () => deps.concurrency,
      claim: (limit) => claimOutbox(deps.db, { workerId: deps.workerId, limit, leaseMs: deps.leaseMs, now: deps.clock.now(), skipLocked: deps.skipLocked, takeoverMs: deps.takeoverMs }),
      process: (row, settings) => processDelivery(deps, limiter, row, settings, signal),
      clock: deps.clock,
      log: deps.log,
      pollMs: deps.pollMs,
    },
    signal,
  );
}

async function processDelivery(deps: OutboxWorkerDeps, limiter: RateLimiter, row: ClaimedDelivery, settings: Settings, signal: AbortSignal): Promise<void> {
  const base = { direction: 'out' as const, orderId: row.order_id || null, eventId: row.webhook_id, subscriptionId: row.subscription_id, attempt: row.attempts };
  let response: DeliveryResponse | undefined;
  let request: DeliveryRequest | null = null;
  let sentAt: number | null = null;
  try {
    const sub = await readSubscription(deps.db, row.subscription_id);
    if (!sub) throw new PermanentError('subscription_deleted', 'the subscription no longer exists');
    if (!sub.active) throw new PermanentError('subscription_disabled', 'the subscription is disabled');
    const wait = limiter.reserve(sub.id, sub.rate_limit_per_second);
    if (wait > 0) await deps.clock.sleep(wait, signal);
    const now = deps.clock.now();
    const name = subscriptionSecretName(sub.id);
    const previous = { secret: sub.previous_secret, expiresAt: sub.previous_secret_expires_at };
    // During a rotation's grace period both secrets sign (new first), so either receiver verifies.
    const secrets: [string, ...string[]] = previousSecretValid(previous, now)
      ? [decryptSecret(sub.secret, deps.encryptionKey, name), decryptSecret(previous.secret, deps.encryptionKey, name)]
      : [decryptSecret(sub.secret, deps.encryptionKey, name)];
    const headers = webhookHeaders(row.webhook_id, Math.floor(now.getTime() / 1000), row.payload, secrets);
    const endpoint = new URL(sub.url).host;
    response = await deps.breakers.run(
      endpoint,
      async () => {
        request = deliveryRequest(sub.url, headers);
        sentAt = performance.now();
        const linking = row.topic === 'order.created' && sub.is_crm;
        const res = await deliver(deps.send, sub.url, headers, row.payload, settings.outgoing.timeout_ms, signal, linking ? LINK_ANSWER_MAX_BYTES : DELIVERY_BODY_KEPT_BYTES);
        if (res.status !== 410 && (res.status < 200 || res.status >= 300)) {
          throw new TransientError(res.status === 429 ? 'endpoint_rate_limited' : 'endpoint_error', `the endpoint answered ${res.status}`, parseRetryAfter(res.retryAfter), { response: res });
        }
        return res;
      },
      String(row.order_id),
    );
    if (response.status === 410) {
      await disableSubscription(deps.db, sub.id, 'the endpoint answered 410 Gone', deps.clock.now());
      await notify(deps, 'disabled', sub.id, signal);
      throw new PermanentError('endpoint_gone', 'the endpoint answered 410 Gone; the subscription was disabled');
    }
    const entries: DecisionEntry[] = [{ ...base, decision: 'delivered', latencyMs: response.durationMs, detail: attemptDetail({ topic: row.topic, request, response, durationMs: null, failure: null, retryAt: null }) }];
    if (row.topic === 'order.created' && sub.is_crm && row.order_id) {
      const created = readCreatedRecord(response.body, settings);
      if (created) {
        // The record's version, where the answer has one, is where shop and CRM agree: the record (and
        // any webhook about its creation) came from our order, not from a decision made in the CRM.
        await deps.link(row.order_id, created.crmOrderId, created.version, signal);
        const agreed = created.version === null ? '' : ` at CRM version ${created.version}`;
        entries.push({ ...base, decision: 'linked', crmOrderId: created.crmOrderId, message: `linked to CRM order ${created.crmOrderId}${agreed}` });
      }
    }
    await deps.syncLog.record(entries, deps.clock.now());
    await completeJob(deps.db, 'outbox', row.id, deps.workerId, deps.clock.now());
    await recordStatusCode(deps.db, row.id, response.status);
    await markSubscriptionHealthy(deps.db, row.subscription_id);
  } catch (err) {
    if (err instanceof LeaseLostError) {
      deps.log.warn({ webhookId: row.webhook_id }, err.message);
      return;
    }
    const failure = classify(err);
    const failed = (failure.context.response as DeliveryResponse | undefined) ?? response;
    const now = deps.clock.now();
    const next = decideFailure(attemptFailure(failure, row.attempts, signal), retryPolicy(settings.outgoing), now, deps.jitter());
    const retryAt = next.kind === 'retry' ? next.at : null;
    const dead = retryAt === null;
    const releasing = signal.aborted && failure.errorClass === 'transient';
    try {
      await deps.syncLog.record(
        [
          {
            ...base,
            decision: dead ? 'dead' : 'retried',
            errorClass: failure.errorClass,
            latencyMs: failed?.durationMs ?? null,
            message: `${failure.code}: ${failure.message}`,
            detail: attemptDetail({ topic: row.topic, request, response: failed ?? null, durationMs: sentAt === null ? null : Math.round(performance.now() - sentAt), failure, retryAt }),
          },
        ],
        now,
      );
      await failJob(deps.db, 'outbox', row.id, deps.workerId, now, { errorClass: failure.errorClass, message: `${failure.code}: ${failure.message}`, retryAt });
      if (failed) await recordStatusCode(deps.db, row.id, failed.status);
      if (failure.errorClass === 'transient' && !releasing) await keepTrackOfFailingEndpoint(deps, row.subscription_id, settings, now, signal);
      if (dead && failure.errorClass === 'transient') await notify(deps, 'exhausted', row.subscription_id, signal);
    } catch (recordErr) {
      deps.log.error({ webhookId: row.webhook_id, err: (recordErr as Error).message }, 'outcome not recorded; the delivery will be retried when its lease expires');
    }
  }
}

/** A subscription that has failed continuously for too long is disabled, with the reason shown in wp-admin. */
async function keepTrackOfFailingEndpoint(deps: OutboxWorkerDeps, subscriptionId: number, settings: Settings, now: Date, signal: AbortSignal): Promise<void> {
  await markSubscriptionFailing(deps.db, subscriptionId, now);
  const sub = await readSubscription(deps.db, subscriptionId);
  const hours = settings.outgoing.disable_after_hours;
  if (sub?.active && sub.failing_since && now.getTime() - sub.failing_since.getTime() > hours * 3_600_000) {
    await disableSubscription(deps.db, subscriptionId, `the endpoint failed continuously for more than ${hours} hours`, now);
    await notify(deps, 'disabled', subscriptionId, signal);
  }
}

/** The e-mail to the site admin is best effort: the disabled state is already recorded and shown in wp-admin. */
async function notify(deps: OutboxWorkerDeps, kind: 'disabled' | 'exhausted', subscriptionId: number, signal: AbortSignal): Promise<void> {
  await deps.notify(kind, subscriptionId, signal).catch((err: unknown) => deps.log.warn({ subscriptionId, err: (err as Error).message }, 'the site admin could not be e-mailed'));
}

/** The CRM's order id (when valid) and record version in its answer to order.created, or null. */
function readCreatedRecord(body: string, settings: Settings): { crmOrderId: string; version: number | null } | null {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return null;
  }
  const value = jsonPath(data, settings.outgoing.crm_order_id_path);
  const id = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  return isValidCrmOrderId(id) ? { crmOrderId: id, version: crmVersionOf(data, settings.crm) } : null;
}
