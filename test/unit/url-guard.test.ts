// UrlGuard::is_public() is a pure function on one address: a table of addresses that must be refused
// (every non-public range, and the IPv6 forms that embed one) and of public ones, run through PHP.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const GUARD = join(import.meta.dirname, '..', '..', 'plugin', 'src', 'UrlGuard.php');
// UrlGuard matches ranges with ClientAddress, the plugin's one CIDR implementation.
const CIDR = join(import.meta.dirname, '..', '..', 'plugin', 'src', 'ClientAddress.php');

/** is_public() for each address, from the plugin's own PHP (no WordPress needed). */
function judge(addresses: string[]): Record<string, boolean> {
  const code = `define( 'ABSPATH', '/' ); require ${JSON.stringify(CIDR)}; require ${JSON.stringify(GUARD)};
    $out = array(); foreach ( json_decode( stream_get_contents( STDIN ) ) as $a ) { $out[ $a ] = \\CrmBridge\\UrlGuard::is_public( $a ); }
    echo json_encode( $out );`;
  const res = spawnSync('php', ['-r', code], { input: JSON.stringify(addresses), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(res.stderr || res.stdout);
  return JSON.parse(res.stdout) as Record<string, boolean>;
}

const REFUSED = [
  '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '0.1.2.3',
  '100.64.0.1', '100.100.100.200', '100.127.255.255', '198.18.0.1', '198.19.255.255', '224.0.0.1', '239.255.255.250',
  '240.0.0.1', '255.255.255.255', '192.0.0.8', '192.0.2.1', '198.51.100.1', '203.0.113.1',
  '::', '::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:7f00:1', '::ffff:10.0.0.1',
  'fec0::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1',
  '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b:1::1', '2002:7f00:1::', '2002:a9fe:a9fe::1',
  '2001:db8::1', '2001::1', '100::1', 'not-an-address', '',
];
const PUBLIC = ['93.184.215.14', '8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.1', '198.20.0.1', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1', '2606:4700:4700::1111', '2a00:1450:4001::200e'];

describe('UrlGuard::is_public', () => {
  it.each(REFUSED)('refuses %s', (address) => {
    expect(judge([address])[address]).toBe(false);
  });

  it('accepts public unicast addresses, including IPv6 forms that embed a public IPv4', () => {
    expect(judge(PUBLIC)).toEqual(Object.fromEntries(PUBLIC.map((a) => [a, true])));
  });
});
