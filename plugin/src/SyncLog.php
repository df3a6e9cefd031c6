<?php
/**
 * The PHP side of the sync log: the receiver's decisions (accepted, duplicate) and the write
 * endpoint's outcome of every transition (verified, applied, stale, refused), the inbox worker's and
 * reconcile's alike. The sidecar writes the rest to the same table.
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

	/** Widths of the log's string columns, in characters: longer values are cut, never refused. */
	private const WIDTHS = array(
		'crm_order_id' => 191,
		'event_id'     => 191,
		'from_status'  => 32,
		'to_status'    => 32,
		'error_class'  => 32,
		'message'      => 2000,
		'worker'       => 64,
	);

	/**
	 * Appends one decision; false when the database refused it.
	 *
	 * @param array<string, mixed> $entry direction, decision and the optional columns of the log table.
	 */
	public static function record( array $entry ): bool {
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
				if ( isset( self::WIDTHS[ $column ] ) && is_string( $row[ $column ] ) ) {
					$row[ $column ] = mb_substr( $row[ $column ], 0, self::WIDTHS[ $column ] );
				}
			}
		}
		// One prepared statement rather than $wpdb->insert(), which first asks the database for the
		// table's columns (SHOW FULL COLUMNS): a second round trip on every webhook the receiver takes.
		// Non-ASCII values are still checked against the table's charset by $wpdb->query().
		$table        = Schema::table( 'log' );
		$placeholders = implode( ', ', array_map( static fn( $value ): string => is_int( $value ) ? '%d' : '%s', $row ) );
		$names        = implode( ', ', array_keys( $row ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare -- constant table and column names; the values are placeholders.
		return false !== $wpdb->query( $wpdb->prepare( "INSERT INTO $table ($names) VALUES ($placeholders)", array_values( $row ) ) );
	}
}
