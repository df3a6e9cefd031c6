<?php
/**
 * Which status transitions the CRM may make: none out of a final status (completed, cancelled,
 * refunded by default) unless the settings allow that pair explicitly.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Transition rules.
 */
final class Lifecycle {

	/**
	 * True when moving from $from to $to goes backwards and is not allowed.
	 *
	 * @param string               $from      Current WooCommerce status.
	 * @param string               $to        Target status.
	 * @param array<string, mixed> $lifecycle The lifecycle settings.
	 */
	public static function is_backward( string $from, string $to, array $lifecycle ): bool {
		if ( $from === $to || ! in_array( $from, (array) $lifecycle['final_statuses'], true ) ) {
			return false;
		}
		foreach ( (array) $lifecycle['allowed_transitions'] as $pair ) {
			if ( is_array( $pair ) && array( $from, $to ) === array_values( $pair ) ) {
				return false;
			}
		}
		return true;
	}
}
