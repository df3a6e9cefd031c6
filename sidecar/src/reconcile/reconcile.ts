// Reconciliation: compares the shop's orders created in a time range with the CRM and repairs drift.
// For each linked order the CRM's current state is fetched; a CRM version the order has not applied
// is written through the plugin's write endpoint (which re-checks version and lifecycle), and each
// repair is logged. Orders the CRM cannot explain are reported, never overwritten.
import type { Settings, CrmCredentials } from '../settings.js';
import type { SyncLog } from '../syncLog.js';
import type { CrmOrder } from '../incoming/crm.js';
import type { ApplyFn } from '../wordpress/apply.js';
import type { ListOrdersFn, ShopOrder } from '../wordpress/orders.js';
import { classify, PermanentError } from '../errors.js';
import { changedSinceAgreement } from '../incoming/decide.js';

export type Verdict =
  /** WooCommerce shows the CRM's latest state. */
  | 'in_sync'
  /** A CRM version was missing and is now applied. */
  | 'repaired'
  /** Dry run: would be repaired. */
  | 'would_repair'
  /** The CRM's state would move the order backwards; the lifecycle settings refuse it (logged). */
  | 'refused'
  /** Same CRM version, different status: the order was changed in the shop since. Not overwritten. */
  | 'local_change'
  /** The CRM status has no row in the status mapping. */
  | 'unmapped'
  /** No CRM order id on the order. */
  | 'unlinked'
  /** The CRM has no such order. */
  | 'crm_missing'
  /** The CRM or WordPress could not be asked; run again. */
  | 'error';

export interface OrderVerdict {
  orderId: number;
  crmOrderId: string | null;
  verdict: Verdict;
  detail: string;
}

export interface ReconcileSummary {
  from: string;
  to: string;
  dryRun: boolean;
  checked: number;
  /** Set when the run stopped early because the CRM stopped answering (its circuit opened). */
  stopped: string | null;
  counts: Record<Verdict, number>;
  /** Every order that is not in sync, with what was found and done. */
  findings: OrderVerdict[];
}

export interface ReconcileDeps {
  settings: Settings;
  credentials: CrmCredentials;
  listOrders: ListOrdersFn;
  fetchCrmOrder: (settings: Settings, credentials: CrmCredentials, crmOrderId: string, signal: AbortSignal) => Promise<CrmOrder>;
  apply: ApplyFn;
  syncLog: SyncLog;
  now: () => Date;
}

export interface ReconcileOptions {
  after: Date;
  before: Date;
  dryRun: boolean;
  perPage?: number;
  concurrency?: number;
  /** Called with (done, total) after each order. */
  onProgress?: (done: number, total: number) => void;
  signal: AbortSignal;
}

const VERDICTS: Verdict[] = ['in_sync', 'repaired', 'would_repair', 'refused', 'local_change', 'unmapped', 'unlinked', 'crm_missing', 'error'];

export async function reconcile(deps: ReconcileDeps, opts: ReconcileOptions): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = {
    from: opts.after.toISOString(),
    to: opts.before.toISOString(),
    dryRun: opts.dryRun,
    checked: 0,
    stopped: null,
    counts: Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>,
    findings: [],
  };
  const perPage = opts.perPage ?? 100;
  let total = 0;
  // A CRM that stopped answering ends the run: every further order would only be another error.
  const stop = new AbortController();
  const signal = AbortSignal.any([opts.signal, stop.signal]);
  opts = { ...opts, signal };
  for (let page = 1; !signal.aborted; page++) {
    const { orders, total: all, pages } = await deps.listOrders({ after: opts.after, before: opts.before }, page, perPage, opts.signal);
    total = all;
    opts.onProgress?.(summary.checked, total);
    // A few orders at a time: the CRM's rate limits are shared with the running sidecar.
    const queue = [...orders];
    await Promise.all(
      Array.from({ length: Math.min(opts.concurrency ?? 4, queue.length) }, async () => {
        for (let order = queue.shift(); order && !opts.signal.aborted; order = queue.shift()) {
          const verdict = await check(deps, order, opts);
          if (verdict.circuitOpen) {
            summary.stopped ??= `stopped after ${summary.checked} orders: ${verdict.detail}`;
            stop.abort();
            break;
          }
          summary.checked++;
          summary.counts[verdict.verdict]++;
          if (verdict.verdict !== 'in_sync') summary.findings.push({ orderId: verdict.orderId, crmOrderId: verdict.crmOrderId, verdict: verdict.verdict, detail: verdict.detail });
          opts.onProgress?.(summary.checked, total);
        }
      }),
    );
    if (page >= pages || orders.length === 0) break;
  }
  summary.findings.sort((a, b) => a.orderId - b.orderId);
  return summary;
}

async function check(deps: ReconcileDeps, order: ShopOrder, opts: ReconcileOptions): Promise<OrderVerdict & { circuitOpen?: boolean }> {
  const crmOrderId = order.crm_order_id || null;
  const verdict = (v: Verdict, detail: string): OrderVerdict => ({ orderId: order.id, crmOrderId, verdict: v, detail });
  if (!crmOrderId) return verdict('unlinked', 'the order has no CRM order id');
  let crm: CrmOrder;
  try {
    crm = await deps.fetchCrmOrder(deps.settings, deps.credentials, crmOrderId, opts.signal);
  } catch (err) {
    const failure = classify(err);
    if (failure instanceof PermanentError && failure.code === 'crm_order_not_found') return verdict('crm_missing', failure.message);
    if (failure.code === 'circuit_open') return { ...verdict('error', failure.message), circuitOpen: true };
    return verdict('error', `${failure.code}: ${failure.message}`);
  }
  const mapped = deps.settings.mapping[crm.status];
  if (!mapped) return verdict('unmapped', `the CRM status "${crm.status}" has no WooCommerce status in the mapping`);
  const applied = order.applied_version;
  // Only what the CRM changed after shop and CRM last agreed is repaired (invariant 10).
  const changed = changedSinceAgreement(crm.version, applied);
  if (changed !== true && order.status === mapped) return verdict('in_sync', '');
  if (changed === false) {
    return verdict('local_change', `the order is ${order.status}; the CRM's version ${crm.version} (${crm.status}, which maps to ${mapped}) is the one it last agreed with, and the order was changed in the shop since`);
  }
  if (changed === null) {
    // Linked from our own order.created without a CRM version, and no CRM change applied since:
    // nothing tells a decision made in the CRM from the record it made of our order. Left alone.
    return verdict('local_change', `the order is ${order.status}; the CRM is at version ${crm.version} (${crm.status}, which maps to ${mapped}), but no CRM version was ever applied to or agreed with the order, so this is not known to be a CRM decision`);
  }
  const missed = `the CRM is at version ${crm.version} (${crm.status}, which maps to ${mapped}); the order had ${applied === null ? 'no CRM version' : `version ${applied}`} (${order.status})`;
  if (opts.dryRun) return verdict('would_repair', missed);
  const eventId = `reconcile:${crmOrderId}:v${crm.version}`.slice(0, 191);
  try {
    const [result] = await deps.apply(
      [{ event_id: eventId, crm_order_id: crmOrderId, order_id: order.id, to_status: mapped, version: crm.version, note: `Status set by the CRM, found by reconciliation (CRM order ${crmOrderId}, version ${crm.version}).` }],
      opts.signal,
    );
    const about = { direction: 'in' as const, orderId: order.id, crmOrderId, eventId, attempt: 1, fromStatus: result!.from_status ?? order.status, toStatus: mapped };
    switch (result!.outcome) {
      case 'applied':
      case 'unchanged':
        await deps.syncLog.record([{ ...about, decision: 'applied', message: `reconcile: ${missed}` }], deps.now());
        return verdict('repaired', missed);
      case 'refused':
        await deps.syncLog.record([{ ...about, decision: 'refused', message: `reconcile: ${result!.message ?? 'backward transition'}` }], deps.now());
        return verdict('refused', result!.message ?? 'the lifecycle settings refuse this transition');
      case 'stale':
        return verdict('in_sync', '');
      default:
        return verdict('error', `the write endpoint answered ${result!.outcome}: ${result!.message ?? ''}`);
    }
  } catch (err) {
    const failure = classify(err);
    return verdict('error', `${failure.code}: ${failure.message}`);
  }
}
