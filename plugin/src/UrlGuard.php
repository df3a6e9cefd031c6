<?php
/**
 * Webhook URLs must be http(s), and outside a local environment they may not point at private,
 * loopback or link-local addresses (server-side request forgery). The setting
 * outgoing.allow_private_urls overrides; it is on by default only in a local environment.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * URL checks for subscriptions.
 */
final class UrlGuard {

	/**
	 * Why the URL is refused, or null when it is fine.
	 *
	 * @param string $url URL.
	 */
	public static function problem( string $url ): ?string {
		$parts = wp_parse_url( $url );
		if ( ! is_array( $parts ) || ! isset( $parts['scheme'], $parts['host'] ) || ! in_array( strtolower( $parts['scheme'] ), array( 'http', 'https' ), true ) || strlen( $url ) > 2048 ) {
			return __( 'Enter an http:// or https:// URL of at most 2048 characters.', 'crm-bridge' );
		}
		if ( self::private_allowed() ) {
			return null;
		}
		$host = trim( $parts['host'], '[]' );
		$ips  = filter_var( $host, FILTER_VALIDATE_IP ) ? array( $host ) : self::resolve( $host );
		if ( 'localhost' === strtolower( $host ) || ! $ips ) {
			return __( 'The URL must resolve to a public address.', 'crm-bridge' );
		}
		foreach ( $ips as $ip ) {
			if ( ! filter_var( $ip, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE ) ) {
				return __( 'The URL points at a private or loopback address, which is blocked outside a local environment.', 'crm-bridge' );
			}
		}
		return null;
	}

	/**
	 * Private addresses are allowed by setting, by default only where WP_ENVIRONMENT_TYPE is local.
	 */
	public static function private_allowed(): bool {
		$setting = Settings::get( 'outgoing.allow_private_urls' );
		return null === $setting ? 'local' === wp_get_environment_type() : (bool) $setting;
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
