// The address rules of the outbound client, as a table: what the sidecar refuses to connect to.
import { describe, expect, it } from 'vitest';
import { checkAddress } from '../../sidecar/src/net/addressRules.ts';

// Forms that slipped through the save-time guard, and the usual private and special ranges.
const privateForms = [
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
  ['64:ff9b::7f00:1', 'NAT64 of loopback'],
  ['64:ff9b:1::a00:1', 'local-use NAT64 of 10.0.0.1'],
  ['64:ff9b:1:a9fe:a9:fe00:808:808', 'local-use NAT64, /48 layout of 169.254.169.254'],
  ['2002:7f00:1::1', '6to4 of loopback'],
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo of loopback'],
  ['100.100.100.200', 'carrier-grade NAT (a cloud metadata address)'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.254', 'benchmarking'],
  ['fec0::1', 'site-local'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback /8'],
  ['10.1.2.3', 'RFC 1918 10/8'],
  ['172.16.0.1', 'RFC 1918 172.16/12'],
  ['172.31.255.255', 'RFC 1918 172.16/12'],
  ['192.168.1.1', 'RFC 1918 192.168/16'],
  ['::1', 'IPv6 loopback'],
  ['fc00::1', 'unique local'],
  ['fd12:3456::1', 'unique local'],
] as const;

const neverTargets = [
  ['::ffff:169.254.169.254', 'IPv4-mapped link-local metadata'],
  ['169.254.169.254', 'link-local metadata'],
  ['169.254.0.1', 'link-local'],
  ['fe80::1', 'IPv6 link-local'],
  ['febf::1', 'IPv6 link-local'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'this network 0/8'],
  ['::', 'IPv6 unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['ff02::1', 'IPv6 multicast'],
  ['240.0.0.1', 'reserved 240/4'],
  ['255.255.255.255', 'broadcast'],
  ['192.0.0.1', 'IETF protocol assignments 192.0.0/24'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['2001:db8::1', 'IPv6 documentation'],
  ['3fff::1', 'IPv6 documentation (2024)'],
  ['100::1', 'discard-only'],
  ['2001:2::1', 'IPv6 benchmarking'],
  ['2001:10::1', 'ORCHID'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 of link-local metadata'],
  ['2002:a9fe:a9fe::1', '6to4 of link-local metadata'],
  ['::7f00:1', 'IPv4-compatible loopback (::127.0.0.1)'],
  ['::a9fe:a9fe', 'IPv4-compatible link-local metadata'],
  ['4000::1', 'IPv6 outside global unicast space'],
] as const;

const publicAddresses = ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '64:ff9b::5db8:d70e', '2002:5db8:d70e::1'];

describe('outbound address rules', () => {
  it.each(privateForms)('refuses %s (%s) by default', (address) => {
    const verdict = checkAddress(address, false);
    expect(verdict.allowed).toBe(false);
  });

  it.each(neverTargets)('refuses %s (%s), even with private addresses allowed', (address) => {
    expect(checkAddress(address, false).allowed).toBe(false);
    expect(checkAddress(address, true).allowed).toBe(false);
  });

  it.each(privateForms)('allows %s (%s) when the environment allows private addresses', (address) => {
    expect(checkAddress(address, true)).toEqual({ allowed: true });
  });

  it.each(publicAddresses)('allows the public address %s', (address) => {
    expect(checkAddress(address, false)).toEqual({ allowed: true });
  });

  it('names the embedded address and why it is refused', () => {
    expect(checkAddress('::ffff:127.0.0.1', false)).toEqual({ allowed: false, reason: 'ipv4Mapped form of 127.0.0.1: loopback address (private addresses are not allowed)', privateNetwork: true });
    expect(checkAddress('::ffff:169.254.169.254', true)).toEqual({ allowed: false, reason: 'ipv4Mapped form of 169.254.169.254: linkLocal address', privateNetwork: false });
    expect(checkAddress('2002:7f00:1::1', false)).toMatchObject({ reason: expect.stringContaining('6to4 form of 127.0.0.1') });
  });

  it('refuses anything that is not an IP address', () => {
    expect(checkAddress('localhost', true)).toEqual({ allowed: false, reason: 'not an IP address', privateNetwork: false });
  });
});
