// Which IP addresses the sidecar may connect to when an address someone typed (a CRM, a subscriber)
// resolves to them. Pure: the outbound client resolves the host and asks this module about every address.
import ipaddr from 'ipaddr.js';

/** `privateNetwork`: refused only because private addresses are not allowed (the environment could allow it). */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string; privateNetwork: boolean };

/**
 * Ranges ipaddr.js calls "unicast" (or names too coarsely) that are never a shop's CRM or subscriber.
 * Each is refused even when private addresses are allowed, unless it is listed in PRIVATE_EXTRA.
 */
const NEVER_EXTRA: [string, string][] = [
  // Discard-only prefix (RFC 6666): traffic to it is dropped by design.
  ['100::/64', 'discard-only'],
  // Benchmarking (RFC 5180).
  ['2001:2::/48', 'benchmarking'],
  // ORCHID and ORCHIDv2 (RFC 4843, RFC 7343): identifiers, not routable locators.
  ['2001:10::/28', 'orchid'],
  ['2001:20::/28', 'orchid'],
  // Documentation (RFC 9637); 2001:db8::/32 ipaddr.js already reports as reserved.
  ['3fff::/20', 'documentation'],
  // SRv6 segment identifiers (RFC 9602): not hosts.
  ['5f00::/16', 'srv6'],
];

/** Networks ipaddr.js misses that are still someone's private network: allowed only with private addresses allowed. */
const PRIVATE_EXTRA: [string, string][] = [
  // Benchmarking networks (RFC 2544), often used inside data centres; ipaddr.js calls them unicast.
  ['198.18.0.0/15', 'benchmarking'],
  // Deprecated site-local IPv6 (RFC 3879), still honoured by some stacks; ipaddr.js calls it unicast.
  ['fec0::/10', 'siteLocal'],
  // Local-use NAT64 (RFC 8215): a translator inside the shop's own network, whatever IPv4 it embeds.
  ['64:ff9b:1::/48', 'localNat64'],
];

/** The only IPv6 unicast space assigned for the internet (RFC 4291): IPv4-compatible ::a.b.c.d and unassigned space are refused. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const LOCAL_NAT64 = ipaddr.parseCIDR('64:ff9b:1::/48');

/** ipaddr.js ranges that are a private network: reachable when CRM_BRIDGE_ALLOW_PRIVATE_URLS is set. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

const parsedExtra = (list: [string, string][]) => list.map(([cidr, name]) => ({ cidr: ipaddr.parseCIDR(cidr), name }));
const NEVER = parsedExtra(NEVER_EXTRA);
const PRIVATE = parsedExtra(PRIVATE_EXTRA);

function inList(addr: ipaddr.IPv4 | ipaddr.IPv6, list: ReturnType<typeof parsedExtra>): string | null {
  for (const { cidr, name } of list) {
    if (addr.kind() === cidr[0].kind() && addr.match(cidr)) return name;
  }
  return null;
}

function ipv4FromBytes(bytes: number[]): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.map((b) => b & 0xff));
}

/**
 * The IPv4 address an IPv6 address carries and that a translator or tunnel would deliver to:
 * IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16,
 * bits 16-48) and Teredo (2001::/32, the client address inverted in the last 32 bits). Null otherwise.
 */
export function embeddedIPv4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  // Local-use NAT64 (64:ff9b:1::/48) places the IPv4 address at other offsets; it is judged as a
  // private network as a whole (PRIVATE_EXTRA), never by the last 32 bits.
  if (addr.match(LOCAL_NAT64)) return null;
  const bytes = addr.toByteArray();
  switch (addr.range()) {
    case 'ipv4Mapped':
    case 'rfc6052':
      return ipv4FromBytes(bytes.slice(12));
    case '6to4':
      return ipv4FromBytes(bytes.slice(2, 6));
    case 'teredo':
      return ipv4FromBytes(bytes.slice(12).map((b) => ~b));
  }
  return null;
}

/**
 * Whether the sidecar may connect to `address`. Refused: anything ipaddr.js does not classify as
 * unicast, the extra ranges above, and an IPv6 address whose embedded IPv4 address is refused.
 * `allowPrivate` opens loopback, RFC 1918, unique-local, carrier-grade NAT, site-local and benchmarking
 * networks (local and test setups); link-local (cloud metadata lives at 169.254.169.254), unspecified,
 * multicast, broadcast, reserved and documentation addresses stay refused, since they are never a
 * CRM or a subscriber.
 */
export function checkAddress(address: string, allowPrivate: boolean): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, reason: 'not an IP address', privateNetwork: false };
  const addr = ipaddr.parse(address);
  if (addr.kind() === 'ipv6') {
    const inner = embeddedIPv4(addr as ipaddr.IPv6);
    if (inner) {
      const verdict = checkAddress(inner.toString(), allowPrivate);
      return verdict.allowed ? verdict : { ...verdict, reason: `${(addr as ipaddr.IPv6).range()} form of ${inner.toString()}: ${verdict.reason}` };
    }
  }
  const never = inList(addr, NEVER);
  if (never) return { allowed: false, reason: `${never} address`, privateNetwork: false };
  const privateName = inList(addr, PRIVATE);
  const range = privateName ?? addr.range();
  if (range === 'unicast') {
    if (addr.kind() === 'ipv6' && !addr.match(GLOBAL_UNICAST_V6)) return { allowed: false, reason: 'IPv6 address outside global unicast space (2000::/3)', privateNetwork: false };
    return { allowed: true };
  }
  if (allowPrivate && (privateName !== null || PRIVATE_RANGES.has(range))) return { allowed: true };
  const privateNetwork = privateName !== null || PRIVATE_RANGES.has(range);
  return { allowed: false, reason: `${range} address${privateNetwork ? ' (private addresses are not allowed)' : ''}`, privateNetwork };
}
