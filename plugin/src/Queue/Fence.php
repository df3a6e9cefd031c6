<?php
/**
 * The write endpoint's fence on the inbox, as two verbs of the queue store: whether a claim still holds
 * its row, and finishing the row once the claim's effect is written. Both run under the order lock the
 * endpoint holds, so no other write of the same order slips in between them.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Queue;

use CrmBridge\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Claim check and finish of an inbox row.
 */
final class Fence {

	/**
	 * Whether the claim (worker, attempt) still holds the inbox row of the event: the row is running,
	 * locked by that worker, at that attempt.
	 *
	 * @param int    $inbox_id Inbox row.
	 * @param string $event_id The event the row must hold.
	 * @param string $worker   The claiming worker.
	 * @param int    $attempt  The claim's attempt.
	 */
	public static function holds( int $inbox_id, string $event_id, string $worker, int $attempt ): bool {
		global $wpdb;
		$row = $wpdb->get_row(
			$wpdb->prepare(
				'SELECT status, locked_by, attempts FROM ' . Schema::table( 'inbox' ) . ' WHERE id = %d AND event_id = %s', // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- the table name is ours.
				$inbox_id,
				$event_id
			),
			ARRAY_A
		);
		return is_array( $row )
			&& 'running' === $row['status']
			&& $worker === (string) $row['locked_by']
			&& $attempt === (int) $row['attempts'];
	}

	/**
	 * Marks the row done, whoever holds it now: the effect has happened, and a later claim must find
	 * nothing left to do. Meant to run inside the caller's transaction, with the outcome's log rows.
	 *
	 * @param int    $inbox_id Inbox row.
	 * @param string $now      MySQL datetime.
	 * @return bool Whether the database took the update.
	 */
	public static function finish( int $inbox_id, string $now ): bool {
		global $wpdb;
		return false !== $wpdb->query(
			$wpdb->prepare(
				'UPDATE ' . Schema::table( 'inbox' ) . " SET status = 'done', finished_at = %s, locked_by = NULL, locked_until = NULL, last_error = NULL, last_error_class = NULL WHERE id = %d", // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- the table name is ours.
				$now,
				$inbox_id
			)
		);
	}
}
