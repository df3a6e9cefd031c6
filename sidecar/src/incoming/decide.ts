// The decision for one incoming event, given the CRM's current order and what was last applied.
// Pure: no database, no clock. The plugin re-checks version and lifecycle when it writes.
import type { CrmOrder } from './crm.js';

export interface Link {
  orderId: number;
  appliedVersion: number | null;
}

export type Decision =
  | { kind: 'apply'; orderId: number; toStatus: string; version: number }
  | { kind: 'stale'; version: number; appliedVersion: number }
  | { kind: 'unmapped'; crmStatus: string }
  | { kind: 'no_order' };

export function decide(crm: CrmOrder, link: Link | null, mapping: Record<string, string>): Decision {
  if (link?.appliedVersion !== null && link?.appliedVersion !== undefined && crm.version <= link.appliedVersion) {
    return { kind: 'stale', version: crm.version, appliedVersion: link.appliedVersion };
  }
  const toStatus = mapping[crm.status];
  if (!toStatus) return { kind: 'unmapped', crmStatus: crm.status };
  const orderId = link?.orderId ?? crm.wooOrderId;
  if (!orderId) return { kind: 'no_order' };
  return { kind: 'apply', orderId, toStatus, version: crm.version };
}
