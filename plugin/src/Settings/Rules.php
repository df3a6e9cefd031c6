<?php
/**
 * The settings rules a static schema cannot hold: WooCommerce's status list (custom statuses
 * included), the CRM address guard, the receiver's address parser, and HMAC mode's signed event id.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Settings;

use CrmBridge\ClientAddress;
use CrmBridge\JsonPath;
use CrmBridge\UrlGuard;

defined( 'ABSPATH' ) || exit;

/**
 * Settings rules beyond the schema.
 */
final class Rules {

	/**
	 * WooCommerce's order statuses without the wc- prefix, custom ones included.
	 *
	 * @return array<string, string> Status → label.
	 */
	public static function statuses(): array {
		$statuses = array();
		foreach ( wc_get_order_statuses() as $key => $label ) {
			$statuses[ 0 === strpos( (string) $key, 'wc-' ) ? substr( (string) $key, 3 ) : (string) $key ] = (string) $label;
		}
		return $statuses;
	}

	/**
	 * Field errors of the settings a patch sets, checked in the document it makes, by dotted path.
	 * The document may still break the schema elsewhere: each rule reads only values of its type.
	 *
	 * @param array<string, mixed> $patch  The partial document sent.
	 * @param array<string, mixed> $merged The document it makes.
	 * @return array<string, string>
	 */
	public static function errors( array $patch, array $merged ): array {
		$errors   = array();
		$sent     = static fn( string $path ): bool => null !== JsonPath::get( $patch, $path );
		$statuses = array_keys( self::statuses() );
		$unknown  = static fn( $list ): array => array_filter( is_array( $list ) ? $list : array(), static fn( $s ) => ! in_array( $s, $statuses, true ) );
		$url      = JsonPath::get( $merged, 'crm.base_url' );
		if ( $sent( 'crm.base_url' ) && is_string( $url ) ) {
			$problem = UrlGuard::problem( $url, 'local' !== wp_get_environment_type() );
			if ( null !== $problem ) {
				$errors['crm.base_url'] = $problem;
			}
		}
		$mapping = $sent( 'mapping' ) ? JsonPath::get( $merged, 'mapping' ) : array();
		foreach ( is_array( $mapping ) ? $mapping : array() as $crm_status => $woo_status ) {
			if ( '' === trim( (string) $crm_status ) || strlen( (string) $crm_status ) > 64 || ! in_array( $woo_status, $statuses, true ) ) {
				/* translators: %s: CRM status */
				$errors[ 'mapping.' . $crm_status ] = sprintf( __( 'Map "%s" to a WooCommerce order status.', 'crm-bridge' ), $crm_status );
			}
		}
		$finals = $sent( 'lifecycle.final_statuses' ) ? $unknown( JsonPath::get( $merged, 'lifecycle.final_statuses' ) ) : array();
		if ( $finals ) {
			$first = reset( $finals );
			/* translators: %s: status */
			$errors['lifecycle.final_statuses'] = sprintf( __( '"%s" is not a WooCommerce order status.', 'crm-bridge' ), is_scalar( $first ) ? (string) $first : '?' );
		}
		$moves = $sent( 'lifecycle.allowed_transitions' ) ? JsonPath::get( $merged, 'lifecycle.allowed_transitions' ) : array();
		foreach ( is_array( $moves ) ? $moves : array() as $pair ) {
			if ( ! is_array( $pair ) || $unknown( $pair ) ) {
				$errors['lifecycle.allowed_transitions'] = __( 'Write each allowed move as two WooCommerce statuses, e.g. completed > refunded.', 'crm-bridge' );
			}
		}
		foreach ( array( 'allowed_ips', 'trusted_proxies' ) as $key ) {
			$ranges = $sent( 'incoming.' . $key ) ? JsonPath::get( $merged, 'incoming.' . $key ) : array();
			// The receiver's own parser: the form accepts exactly what the allow-list understands.
			$wrong = array_filter( is_array( $ranges ) ? $ranges : array(), static fn( $r ) => is_string( $r ) && null === ClientAddress::parse_range( $r ) );
			if ( $wrong ) {
				/* translators: %s: the wrong entry */
				$errors[ 'incoming.' . $key ] = sprintf( __( '"%s" is not an IP address or CIDR range such as 203.0.113.0/24 or 2001:db8::/32.', 'crm-bridge' ), (string) reset( $wrong ) );
			}
		}
		// In HMAC mode the event id must come from the signed body: the webhook-id header is not signed.
		if ( 'hmac' === JsonPath::get( $merged, 'incoming.signature_mode' ) && null === JsonPath::get( $merged, 'incoming.event_id_path' ) ) {
			$errors['incoming.event_id_path'] = __( 'In HMAC mode, give the JSON path of the event id inside the signed body.', 'crm-bridge' );
		}
		return $errors;
	}
}
