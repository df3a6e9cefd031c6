<?php
/**
 * Puts finished or dead queue rows back to pending (attempts reset, due now), for replays from the
 * admin. Both queues share this; each caller says which rows.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Requeueing of queue rows.
 */
final class Requeue {

	/**
	 * Requeues the rows of a queue matching every condition.
	 *
	 * @param string   $queue      inbox or outbox.
	 * @param string[] $conditions SQL conditions with placeholders (constants only).
	 * @param array    $args       Values for the placeholders.
	 * @return int|null Rows requeued, or null when the database failed.
	 */
	public static function rows( string $queue, array $conditions, array $args ): ?int {
		global $wpdb;
		$table  = Schema::table( $queue );
		$sql    = "UPDATE $table SET status = 'pending', attempts = 0, run_after = %s, finished_at = NULL, locked_by = NULL, locked_until = NULL WHERE " . implode( ' AND ', $conditions );
		$result = $wpdb->query( $wpdb->prepare( $sql, array_merge( array( Clock::mysql_now() ), $args ) ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- built from constants and placeholders.
		return false === $result ? null : (int) $result;
	}
}
