import { describe, expect, it } from 'vitest';
import { changedSinceAgreement, decide, driftOf, printable } from '../../sidecar/src/incoming/decide.ts';
import type { Link } from '../../sidecar/src/db/readLink.ts';

const mapping = { paid: 'processing', shipped: 'completed' };
const crm = (status: string, version: number, wooOrderId: number | null = null) => ({ status, version, wooOrderId });

describe('decide', () => {
  const cases: [string, ReturnType<typeof crm>, Link | null, ReturnType<typeof decide>][] = [
    ['applies a newer version to the linked order', crm('paid', 5), { orderId: 10, appliedVersion: 4 }, { kind: 'apply', orderId: 10, toStatus: 'processing', version: 5 }],
    ['names the order the CRM claims when no link exists (the plugin checks the claim)', crm('shipped', 1, 42), null, { kind: 'apply', orderId: 42, toStatus: 'completed', version: 1 }],
    ['prefers the stored link over the CRM’s order id', crm('paid', 2, 42), { orderId: 10, appliedVersion: null }, { kind: 'apply', orderId: 10, toStatus: 'processing', version: 2 }],
    ['skips the same version as stale', crm('paid', 4), { orderId: 10, appliedVersion: 4 }, { kind: 'stale', version: 4, appliedVersion: 4 }],
    ['skips an older version as stale', crm('shipped', 3), { orderId: 10, appliedVersion: 4 }, { kind: 'stale', version: 3, appliedVersion: 4 }],
    ['reports a status with no mapping', crm('lost', 9), { orderId: 10, appliedVersion: 4 }, { kind: 'unmapped', crmStatus: 'lost' }],
    ['reports an order it cannot find', crm('paid', 1), null, { kind: 'no_order' }],
    ['never maps a status through the object prototype', crm('constructor', 1), { orderId: 10, appliedVersion: null }, { kind: 'unmapped', crmStatus: 'constructor' }],
    ['reports an unmapped secret as at most 64 printable characters', crm(`AKIA-secret\u0000\u001b[31m${'k'.repeat(100)}`, 9), null, { kind: 'unmapped', crmStatus: `AKIA-secret??[31m${'k'.repeat(47)}…` }],
  ];
  it.each(cases)('%s', (_name, crmOrder, link, expected) => {
    expect(decide(crmOrder, link, mapping, 'CRM-1')).toEqual(expected);
  });

  const ids: [string, string, boolean][] = [
    ['a plain id', 'CRM-1001', true],
    ['an id with spaces and accents', 'Commande n° 12', true],
    ['markup', '<a href="https://evil.test"><img src=x></a>', false],
    ['a quote', "C'1", false],
    ['a control character', 'C\u00071', false],
    ['192 characters', 'C'.repeat(192), false],
  ];
  it.each(ids)('accepts or refuses a CRM order id: %s', (_name, id, ok) => {
    const decision = decide(crm('paid', 1), { orderId: 10, appliedVersion: null }, mapping, id);
    expect(decision.kind).toBe(ok ? 'apply' : 'refused');
    if (decision.kind === 'refused') {
      expect(decision.code).toBe('invalid_crm_order_id');
      expect(decision.message).not.toMatch(/[<>\u0007]/);
    }
  });
});

describe('printable', () => {
  it('replaces control and format characters and cuts at the limit', () => {
    expect(printable('paid')).toBe('paid');
    expect(printable('a\nb\u200bc\u0000')).toBe('a?b?c?');
    expect(printable('x'.repeat(70))).toBe('x'.repeat(64) + '…');
    expect([...printable('é'.repeat(100))].length).toBe(65);
  });
});

describe('changedSinceAgreement', () => {
  it.each([
    [3, 2, true],
    [2, 2, false],
    [1, 2, false],
    [0, 0, false],
    [5, null, null],
  ] as const)('CRM version %s against agreed %s: %s', (crm, agreed, expected) => {
    expect(changedSinceAgreement(crm, agreed)).toBe(expected);
  });
});

describe('driftOf: how an order stands against the CRM (reconcile’s question, by the agreement rule)', () => {
  const cases: [string, number, number | null, string, string, ReturnType<typeof driftOf>][] = [
    ['the CRM changed after agreement: the change is owed to the order', 3, 2, 'processing', 'pending', { kind: 'missed' }],
    ['the CRM changed after agreement, the order already shows it: the version is still owed', 3, 2, 'processing', 'processing', { kind: 'missed' }],
    ['agreed and equal', 2, 2, 'processing', 'processing', { kind: 'in_sync' }],
    ['agreed, the shop changed the order since', 2, 2, 'pending', 'processing', { kind: 'local_change', agreed: true }],
    ['an older CRM version than agreed is no change', 1, 2, 'pending', 'processing', { kind: 'local_change', agreed: true }],
    ['no agreement known and the order differs: not a CRM decision', 0, null, 'pending', 'processing', { kind: 'local_change', agreed: false }],
    ['no agreement known and equal', 0, null, 'pending', 'pending', { kind: 'in_sync' }],
  ];
  it.each(cases)('%s', (_name, crmVersion, agreed, mapped, status, expected) => {
    expect(driftOf(crmVersion, agreed, mapped, status)).toEqual(expected);
  });
});
