import { describe, expect, it } from 'vitest';
import { decide, type Link } from '../../sidecar/src/incoming/decide.ts';

const mapping = { paid: 'processing', shipped: 'completed' };
const crm = (status: string, version: number, wooOrderId: number | null = null) => ({ status, version, wooOrderId });

describe('decide', () => {
  const cases: [string, ReturnType<typeof crm>, Link | null, ReturnType<typeof decide>][] = [
    ['applies a newer version to the linked order', crm('paid', 5), { orderId: 10, appliedVersion: 4 }, { kind: 'apply', orderId: 10, toStatus: 'processing', version: 5 }],
    ['applies the first version to the order the CRM names', crm('shipped', 1, 42), null, { kind: 'apply', orderId: 42, toStatus: 'completed', version: 1 }],
    ['prefers the stored link over the CRM’s order id', crm('paid', 2, 42), { orderId: 10, appliedVersion: null }, { kind: 'apply', orderId: 10, toStatus: 'processing', version: 2 }],
    ['skips the same version as stale', crm('paid', 4), { orderId: 10, appliedVersion: 4 }, { kind: 'stale', version: 4, appliedVersion: 4 }],
    ['skips an older version as stale', crm('shipped', 3), { orderId: 10, appliedVersion: 4 }, { kind: 'stale', version: 3, appliedVersion: 4 }],
    ['reports a status with no mapping', crm('lost', 9), { orderId: 10, appliedVersion: 4 }, { kind: 'unmapped', crmStatus: 'lost' }],
    ['reports an order it cannot find', crm('paid', 1), null, { kind: 'no_order' }],
  ];
  it.each(cases)('%s', (_name, crmOrder, link, expected) => {
    expect(decide(crmOrder, link, mapping)).toEqual(expected);
  });
});
