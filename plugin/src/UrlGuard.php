<?php
/**
 * Save-time checks of the addresses an administrator types (the CRM's API and subscription URLs):
 * http(s) only, no user-info, at most 2048 characters, and only public unicast addresses unless
 * wp-config.php defines CRM_BRIDGE_ALLOW_PRIVATE_URLS as true. This gives a clear error on the form;
 * the sidecar checks again, and pins the address, at request time.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * URL and address checks.
 */
final class UrlGuard {

	/**
	 * IPv4 ranges that are not public unicast (RFC 6890 and friends), as CIDR.
	 */
	private const IPV4_BLOCKED = array(
		'0.0.0.0/8',
		'10.0.0.0/8',
		'100.64.0.0/10',
		'127.0.0.0/8',
		'169.254.0.0/16',
		'172.16.0.0/12',
		'192.0.0.0/24',
		'192.0.2.0/24',
		'192.88.99.0/24',
		'192.168.0.0/16',
		'198.18.0.0/15',
		'198.51.100.0/24',
		'203.0.113.0/24',
		'224.0.0.0/4',
		'240.0.0.0/4',
	);

	/**
	 * IPv6 ranges refused inside the global unicast block 2000::/3 (documentation, IETF protocol
	 * assignments such as Teredo, which hides an IPv4 address we cannot judge).
	 */
	private const IPV6_BLOCKED = array(
		'2001::/23',
		'2001:db8::/32',
		'3fff::/20',
	);

	/**
	 * Why a URL is refused, or null when it is fine.
	 *
	 * @param string $url           URL.
	 * @param bool   $require_https True to refuse http:// (the CRM, outside a local environment).
	 */
	public static function problem( string $url, bool $require_https = false ): ?string {
		$parts  = wp_parse_url( $url );
		$scheme = is_array( $parts ) ? strtolower( (string) ( $parts['scheme'] ?? '' ) ) : '';
		if ( ! is_array( $parts ) || '' === (string) ( $parts['host'] ?? '' ) || ! in_array( $scheme, array( 'http', 'https' ), true ) || strlen( $url ) > 2048 || preg_match( '/\s/', $url ) ) {
			return __( 'Enter an http:// or https:// URL of at most 2048 characters.', 'crm-bridge' );
		}
		if ( isset( $parts['user'] ) || isset( $parts['pass'] ) ) {
			return __( 'The URL may not contain a user name or password: enter credentials in their own fields.', 'crm-bridge' );
		}
		if ( $require_https && 'https' !== $scheme ) {
			return __( 'The CRM address must start with https:// outside a local environment.', 'crm-bridge' );
		}
		if ( self::private_allowed() ) {
			return null;
		}
		$host = strtolower( trim( (string) $parts['host'], '[]' ) );
		$ips  = false !== filter_var( $host, FILTER_VALIDATE_IP ) ? array( $host ) : self::resolve( $host );
		if ( 'localhost' === $host || str_ends_with( $host, '.localhost' ) || ! $ips ) {
			return __( 'The URL must resolve to a public address.', 'crm-bridge' );
		}
		foreach ( $ips as $ip ) {
			if ( ! self::is_public( $ip ) ) {
				return __( 'The URL points at a private, loopback, link-local or reserved address. Such addresses are allowed only when wp-config.php defines CRM_BRIDGE_ALLOW_PRIVATE_URLS as true.', 'crm-bridge' );
			}
		}
		return null;
	}

	/**
	 * Private addresses are allowed only by the constant in wp-config.php, never by a setting.
	 */
	public static function private_allowed(): bool {
		return defined( 'CRM_BRIDGE_ALLOW_PRIVATE_URLS' ) && true === CRM_BRIDGE_ALLOW_PRIVATE_URLS;
	}

	/**
	 * True when an IP address is public unicast. Addresses that embed an IPv4 address
	 * (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that address.
	 *
	 * @param string $ip IPv4 or IPv6 address.
	 */
	public static function is_public( string $ip ): bool {
		$bin = @inet_pton( $ip ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- a malformed address is an answer, not an error.
		if ( false === $bin ) {
			return false;
		}
		if ( 4 === strlen( $bin ) ) {
			foreach ( self::IPV4_BLOCKED as $cidr ) {
				if ( ClientAddress::in_range( $ip, $cidr ) ) {
					return false;
				}
			}
			return false !== filter_var( $ip, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE );
		}
		$embedded = self::embedded_ipv4( $bin );
		if ( null !== $embedded ) {
			return self::is_public( $embedded );
		}
		if ( ! ClientAddress::in_range( $ip, '2000::/3' ) ) {
			return false;
		}
		foreach ( self::IPV6_BLOCKED as $cidr ) {
			if ( ClientAddress::in_range( $ip, $cidr ) ) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The IPv4 address inside an IPv4-mapped, NAT64 or 6to4 IPv6 address, or null.
	 *
	 * @param string $bin Packed IPv6 address.
	 */
	private static function embedded_ipv4( string $bin ): ?string {
		if ( str_repeat( "\0", 10 ) . "\xff\xff" === substr( $bin, 0, 12 ) || "\x00\x64\xff\x9b" . str_repeat( "\0", 8 ) === substr( $bin, 0, 12 ) ) {
			return (string) inet_ntop( substr( $bin, 12, 4 ) );
		}
		if ( "\x20\x02" === substr( $bin, 0, 2 ) ) {
			return (string) inet_ntop( substr( $bin, 2, 4 ) );
		}
		return null;
	}

	/**
	 * The host's IPv4 and IPv6 addresses.
	 *
	 * @param string $host Host name.
	 * @return string[]
	 */
	private static function resolve( string $host ): array {
		$records = @dns_get_record( $host, DNS_A | DNS_AAAA ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- an unknown host is an answer, not an error.
		$ips     = array();
		foreach ( is_array( $records ) ? $records : array() as $record ) {
			$ips[] = $record['ip'] ?? $record['ipv6'] ?? '';
		}
		return array_values( array_filter( $ips ) );
	}
}
