<?php
/**
 * The PHP side of the sync log: the receiver's decisions (accepted, duplicate) and the write
 * endpoint's (applied, stale, refused). The sidecar writes the rest to the same table.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Sync log writer.
 */
final class SyncLog {

	/**
	 * Appends one decision.
	 *
	 * @param array<string, mixed> $entry direction, decision and the optional columns of the log table.
	 */
	public static function record( array $entry ): void {
		global $wpdb;
		$columns = array( 'order_id', 'crm_order_id', 'event_id', 'subscription_id', 'attempt', 'from_status', 'to_status', 'latency_ms', 'error_class', 'message', 'detail', 'worker' );
		$row     = array(
			'created_at' => Clock::mysql_now(),
			'direction'  => (string) $entry['direction'],
			'decision'   => (string) $entry['decision'],
		);
		foreach ( $columns as $column ) {
			if ( isset( $entry[ $column ] ) ) {
				$row[ $column ] = is_array( $entry[ $column ] ) ? wp_json_encode( $entry[ $column ] ) : $entry[ $column ];
			}
		}
		$wpdb->insert( Schema::table( 'log' ), $row );
	}
}
