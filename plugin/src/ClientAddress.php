<?php
/**
 * The receiver's client address and its allow-list: the one CIDR parser and matcher for IPv4 and IPv6
 * (IPv4-mapped IPv6 compares as IPv4; UrlGuard and the settings use it too), and the client address
 * behind trusted proxies only. Pure: no WordPress calls.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Client address and CIDR matching.
 */
final class ClientAddress {

	/**
	 * A list setting as entries: an array of strings, or one string separated by commas or whitespace.
	 *
	 * @param mixed $value Setting value (a missing setting is null).
	 * @return string[]
	 */
	public static function entries( $value ): array {
		if ( is_string( $value ) ) {
			$value = preg_split( '/[\s,]+/', $value );
		}
		if ( ! is_array( $value ) ) {
			return array();
		}
		return array_values( array_filter( array_map( static fn( $v ): string => is_scalar( $v ) ? trim( (string) $v ) : '', $value ), 'strlen' ) );
	}

	/**
	 * The packed bytes of an address (4 for IPv4, 16 for IPv6), with IPv4-mapped IPv6 unwrapped to IPv4.
	 *
	 * @param string $address Textual address, IPv6 optionally in brackets.
	 * @return string|null Null when it is not an address.
	 */
	public static function pack( string $address ): ?string {
		$address = trim( $address );
		if ( '' !== $address && '[' === $address[0] && ']' === substr( $address, -1 ) ) {
			$address = substr( $address, 1, -1 );
		}
		if ( false === filter_var( $address, FILTER_VALIDATE_IP ) ) {
			return null;
		}
		$packed = inet_pton( $address );
		if ( false === $packed ) {
			return null;
		}
		// ::ffff:a.b.c.d is the IPv4 address a.b.c.d arriving on a dual-stack socket.
		if ( 16 === strlen( $packed ) && str_repeat( "\0", 10 ) . "\xff\xff" === substr( $packed, 0, 12 ) ) {
			return substr( $packed, 12 );
		}
		return $packed;
	}

	/**
	 * A range ("a.b.c.d/n", "x::/n", or one address, IPv6 optionally in brackets) as [ packed network,
	 * prefix bits ], or null when malformed. The one parser for every allow-list and proxy entry: the
	 * settings accept exactly what this understands. An IPv4-mapped range (::ffff:10.0.0.0/104) becomes
	 * the IPv4 range, its prefix counted over 128 bits.
	 *
	 * @param string $range Range.
	 * @return array{0: string, 1: int}|null
	 */
	public static function parse_range( string $range ): ?array {
		$parts = explode( '/', trim( $range ), 2 );
		$net   = self::pack( $parts[0] );
		if ( null === $net ) {
			return null;
		}
		$max = 8 * strlen( $net );
		if ( ! isset( $parts[1] ) ) {
			return array( $net, $max );
		}
		if ( ! preg_match( '/^\d{1,3}$/', $parts[1] ) ) {
			return null;
		}
		$bits = (int) $parts[1];
		if ( 4 === strlen( $net ) && false !== strpos( $parts[0], ':' ) ) {
			$bits -= 96;
		}
		return $bits < 0 || $bits > $max ? null : array( $net, $bits );
	}

	/**
	 * Whether an address is inside a range (see parse_range()). Families never mix, except that
	 * IPv4-mapped IPv6 compares as IPv4.
	 *
	 * @param string $address Address.
	 * @param string $range   CIDR range or address.
	 */
	public static function in_range( string $address, string $range ): bool {
		$ip  = self::pack( $address );
		$net = self::parse_range( $range );
		if ( null === $ip || null === $net || strlen( $ip ) !== strlen( $net[0] ) ) {
			return false;
		}
		[ $net, $bits ] = $net;
		$whole          = intdiv( $bits, 8 );
		if ( substr( $ip, 0, $whole ) !== substr( $net, 0, $whole ) ) {
			return false;
		}
		$rest = $bits % 8;
		if ( 0 === $rest ) {
			return true;
		}
		$mask = ( 0xff << ( 8 - $rest ) ) & 0xff;
		return ( ord( $ip[ $whole ] ) & $mask ) === ( ord( $net[ $whole ] ) & $mask );
	}

	/**
	 * Whether an address is inside any of the ranges.
	 *
	 * @param string   $address Address.
	 * @param string[] $ranges  Ranges.
	 */
	public static function in_any( string $address, array $ranges ): bool {
		foreach ( $ranges as $range ) {
			if ( self::in_range( $address, $range ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The client's address: the peer address, or, only when the peer is a trusted proxy, the right-most
	 * address of the forwarding header that is not itself a trusted proxy (the left part is the
	 * client's to forge).
	 *
	 * @param string   $remote_addr     The peer address (REMOTE_ADDR).
	 * @param string   $forwarded       The configured header's value ('' when absent or not configured).
	 * @param string[] $trusted_proxies Ranges of trusted proxies.
	 */
	public static function client( string $remote_addr, string $forwarded, array $trusted_proxies ): string {
		if ( '' === $forwarded || ! $trusted_proxies || ! self::in_any( $remote_addr, $trusted_proxies ) ) {
			return $remote_addr;
		}
		$hops = array_reverse( array_map( 'trim', explode( ',', $forwarded ) ) );
		foreach ( $hops as $hop ) {
			if ( null === self::pack( $hop ) ) {
				// A hop that is not an address cannot be vouched for: stop at it.
				return $hop;
			}
			if ( ! self::in_any( $hop, $trusted_proxies ) ) {
				return $hop;
			}
		}
		// Every hop is a trusted proxy: the left-most is the closest to the client.
		return (string) end( $hops );
	}

	/**
	 * Whether the client may reach the receiver: an empty list allows everyone.
	 *
	 * @param string   $client  Client address.
	 * @param string[] $allowed Allowed ranges.
	 */
	public static function allowed( string $client, array $allowed ): bool {
		return ! $allowed || self::in_any( $client, $allowed );
	}
}
