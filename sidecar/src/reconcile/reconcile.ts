// Reconciliation: compares the shop's orders created in a time range with the CRM and repairs drift.
// For each linked order the CRM's current state is fetched and held against the link's agreed version
// (driftOf): a CRM change the order missed is written through the plugin's write endpoint, which
// re-checks it, applies it and logs it with the source `reconcile`. A shop's own change is reported and
// left alone, unless enforce mode reverts it (source `reconcile_enforce`).
import type { Settings, CrmCredentials } from '../settings.js';
import type { CrmOrder } from '../incoming/crm.js';
import type { ApplyFn } from '../wordpress/apply.js';
import type { LinkFn } from '../wordpress/link.js';
import type { ListOrdersFn, ShopOrder } from '../wordpress/orders.js';
import { classify, PermanentError } from '../errors.js';
import { driftOf } from '../incoming/decide.js';
import type { Link } from '../db/readLink.js';
import { actOn } from '../outcome.js';
import { fetchWithRetries, type RetryDeps } from './retry.js';

export type Verdict =
  /** WooCommerce shows the CRM's latest state. */
  | 'in_sync'
  /** A CRM version was missing and is now applied. */
  | 'repaired'
  /** Dry run: would be repaired. */
  | 'would_repair'
  /** Enforce mode: a change made in the shop was reverted to the CRM's state. */
  | 'reverted'
  /** Enforce mode, dry run: would be reverted. */
  | 'would_revert'
  /** The CRM's state would move the order backwards; the lifecycle settings refuse it (logged). */
  | 'refused'
  /** The CRM did not change since shop and CRM last agreed (or no agreement is known), and the order differs:
   * the shop changed it. Not overwritten, unless in enforce mode. */
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
  /** Enforce mode: local changes were (or, in a dry run, would be) reverted to the CRM's state. */
  enforce: boolean;
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
  /** The link of a CRM order, with the version shop and CRM last agreed on (the links table). */
  readLink: (crmOrderId: string) => Promise<Link | null>;
  /** Records the CRM version an order agrees with, where none is recorded (the link endpoint; it never lowers one). */
  link: LinkFn;
  /** Named in the sync log rows the write endpoint writes for reconcile's transitions. */
  worker: string;
  /** How a CRM read that failed in a way that passes is tried again before the order is an error. */
  retry: RetryDeps;
}

export interface ReconcileOptions {
  after: Date;
  before: Date;
  dryRun: boolean;
  /** Revert local changes to the CRM's state (off by default). */
  enforce?: boolean;
  perPage?: number;
  concurrency?: number;
  /** Called with (done, total) after each order. */
  onProgress?: (done: number, total: number) => void;
  signal: AbortSignal;
}

export const VERDICTS: Verdict[] = ['in_sync', 'repaired', 'would_repair', 'reverted', 'would_revert', 'refused', 'local_change', 'unmapped', 'unlinked', 'crm_missing', 'error'];

export async function reconcile(deps: ReconcileDeps, opts: ReconcileOptions): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = {
    from: opts.after.toISOString(),
    to: opts.before.toISOString(),
    dryRun: opts.dryRun,
    enforce: opts.enforce === true,
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
    crm = await fetchWithRetries(() => deps.fetchCrmOrder(deps.settings, deps.credentials, crmOrderId, opts.signal), deps.retry, opts.signal);
  } catch (err) {
    const failure = classify(err);
    if (failure instanceof PermanentError && failure.code === 'crm_order_not_found') return verdict('crm_missing', failure.message);
    if (failure.code === 'circuit_open') return { ...verdict('error', failure.message), circuitOpen: true };
    return verdict('error', `${failure.code}: ${failure.message}`);
  }
  const mapped = Object.hasOwn(deps.settings.mapping, crm.status) ? deps.settings.mapping[crm.status] : undefined;
  if (!mapped) return verdict('unmapped', `the CRM status "${crm.status}" has no WooCommerce status in the mapping`);
  let agreed: number | null;
  let linkedElsewhere = false;
  try {
    const link = await deps.readLink(crmOrderId);
    linkedElsewhere = link !== null && link.orderId !== order.id;
    // A link to another order agrees nothing about this one (the write endpoint refuses it as foreign).
    // An install from before the links table kept versions has one only in the order's meta, which the
    // listing carries: it counts until the write endpoint takes it into the links table (Links::applied_version).
    agreed = link && link.orderId !== order.id ? null : (link?.appliedVersion ?? order.applied_version);
  } catch (err) {
    const failure = classify(err);
    return verdict('error', `${failure.code}: ${failure.message}`);
  }
  // Only what the CRM changed after shop and CRM last agreed is repaired (invariant 10).
  const drift = driftOf(crm.version, agreed, mapped, order.status);
  const crmState = `the CRM is at version ${crm.version} (${crm.status}, which maps to ${mapped})`;
  if (drift.kind === 'in_sync') {
    // The first verify of an order linked without a CRM version (a CRM whose link answer had none): shop
    // and CRM agree now, so this version is the point a later CRM change is measured from. Without it,
    // that change would stay a `local_change` forever and never be repaired.
    if (agreed === null && !linkedElsewhere && !opts.dryRun) {
      try {
        await deps.link(order.id, crmOrderId, crm.version, opts.signal);
      } catch (err) {
        const failure = classify(err);
        return verdict('error', `the agreement at CRM version ${crm.version} could not be recorded: ${failure.code}: ${failure.message}`);
      }
    }
    return verdict('in_sync', '');
  }
  if (drift.kind === 'local_change') {
    const why = drift.agreed
      ? `${crmState}, the version it last agreed with; the order was changed in the shop since (${order.status})`
      : `${crmState}, but no CRM version was ever applied to or agreed with the order (${order.status}), so this is not known to be a CRM decision`;
    if (!opts.enforce) return verdict('local_change', why);
    if (opts.dryRun) return verdict('would_revert', `ENFORCE: ${why}; would be reverted to ${mapped}`);
    const written = await write(deps, order, crmOrderId, mapped, crm.version, 'reconcile_enforce', opts.signal);
    return written === 'applied' ? verdict('reverted', `ENFORCE: ${why}; reverted to ${mapped}`) : verdict(written.verdict, written.detail || why);
  }
  const missed = `${crmState}; the order had version ${agreed} (${order.status})`;
  if (opts.dryRun) return verdict('would_repair', missed);
  const written = await write(deps, order, crmOrderId, mapped, crm.version, 'reconcile', opts.signal);
  return written === 'applied' ? verdict('repaired', missed) : verdict(written.verdict, written.detail || missed);
}

/** Has the write endpoint apply one transition (it checks, writes and logs it under the source), and reads its answer. */
async function write(deps: ReconcileDeps, order: ShopOrder, crmOrderId: string, toStatus: string, version: number, source: 'reconcile' | 'reconcile_enforce', signal: AbortSignal): Promise<'applied' | { verdict: Verdict; detail: string }> {
  const note =
    source === 'reconcile_enforce'
      ? `Status reverted to the CRM's state by reconciliation in enforce mode (CRM order ${crmOrderId}, version ${version}).`
      : `Status set by the CRM, found by reconciliation (CRM order ${crmOrderId}, version ${version}).`;
  try {
    const [result] = await deps.apply(
      [{ event_id: `reconcile:${crmOrderId}:v${version}`.slice(0, 191), crm_order_id: crmOrderId, order_id: order.id, to_status: toStatus, version, note, source, worker: deps.worker }],
      signal,
    );
    const action = actOn(result!);
    if (action.kind !== 'done') {
      return { verdict: 'error', detail: action.kind === 'lease_lost' ? 'the write endpoint answered lease_lost' : `${action.error.code}: ${action.error.message}` };
    }
    if (action.decision === 'applied') return 'applied';
    // Stale: the order holds this CRM version or a newer one already.
    return action.decision === 'stale' ? { verdict: 'in_sync', detail: '' } : { verdict: 'refused', detail: action.message ?? 'the lifecycle settings refuse this transition' };
  } catch (err) {
    const failure = classify(err);
    return { verdict: 'error', detail: `${failure.code}: ${failure.message}` };
  }
}
