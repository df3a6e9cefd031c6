// The decision for one incoming event, given the CRM's current order and what was last applied.
// Pure: no database, no clock. The plugin re-checks version, lifecycle and the order's link when it writes.
import type { CrmOrder } from './crm.js';
import { isValidCrmOrderId } from '../crmOrderId.js';
import type { Link } from '../db/readLink.js';

export type Decision =
  | { kind: 'apply'; orderId: number; toStatus: string; version: number }
  | { kind: 'stale'; version: number; appliedVersion: number }
  | { kind: 'unmapped'; crmStatus: string }
  | { kind: 'refused'; code: 'invalid_crm_order_id'; message: string }
  | { kind: 'no_order' };

/**
 * A value from a CRM answer made safe for the log and a dead letter's error: at most `max` characters,
 * each control, format or unassigned character replaced by "?". Never the raw value.
 */
export function printable(value: string, max = 64): string {
  const chars = [...value];
  const cut = chars.slice(0, max).map((c) => (/^\p{C}$/u.test(c) ? '?' : c));
  return cut.join('') + (chars.length > max ? '…' : '');
}

/**
 * Whether the CRM's version is a change the shop has not seen: newer than the last point where shop
 * and CRM are known to agree (the version last applied, or the version of the record the CRM created
 * from our own order.created). Null when no such point is known. The worker and reconcile both ask this.
 */
export function changedSinceAgreement(crmVersion: number, agreedVersion: number | null): boolean | null {
  return agreedVersion === null ? null : crmVersion > agreedVersion;
}

/**
 * How an order stands against the CRM's current state (reconcile's question), by the same agreement rule:
 * - `in_sync`: the order shows what the CRM's status maps to, and the CRM did not change since;
 * - `missed`: the CRM changed after shop and CRM last agreed, so the change is the CRM's decision and is owed to the order;
 * - `local_change`: the order differs and the CRM did not change since agreement (`agreed`), or no
 *   point of agreement is known (the link kept no version): the difference is the shop's own change.
 */
export type Drift = { kind: 'in_sync' } | { kind: 'missed' } | { kind: 'local_change'; agreed: boolean };

export function driftOf(crmVersion: number, agreedVersion: number | null, mappedStatus: string, orderStatus: string): Drift {
  const changed = changedSinceAgreement(crmVersion, agreedVersion);
  if (changed === true) return { kind: 'missed' };
  if (orderStatus === mappedStatus) return { kind: 'in_sync' };
  return { kind: 'local_change', agreed: changed === false };
}

export function decide(crm: CrmOrder, link: Link | null, mapping: Record<string, string>, crmOrderId: string): Decision {
  if (!isValidCrmOrderId(crmOrderId)) {
    return { kind: 'refused', code: 'invalid_crm_order_id', message: 'the CRM order id is longer than 191 bytes or holds characters that are not allowed (control characters, angle brackets or quotes)' };
  }
  if (link && changedSinceAgreement(crm.version, link.appliedVersion) === false) {
    return { kind: 'stale', version: crm.version, appliedVersion: link.appliedVersion! };
  }
  const toStatus = Object.hasOwn(mapping, crm.status) ? mapping[crm.status] : undefined;
  if (!toStatus) return { kind: 'unmapped', crmStatus: printable(crm.status) };
  // Without a link the CRM's own order id is only a claim: the plugin writes only if that order has
  // no link and was announced to the CRM (order.created), and refuses it as foreign_order otherwise.
  const orderId = link?.orderId ?? crm.wooOrderId;
  if (!orderId) return { kind: 'no_order' };
  return { kind: 'apply', orderId, toStatus, version: crm.version };
}
