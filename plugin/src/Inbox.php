<?php
/**
 * Records accepted CRM events in the inbox table, once per event id.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * The inbox writer (the sidecar does everything else with the rows).
 */
final class Inbox {

	/**
	 * Inserts the event unless its id is known.
	 *
	 * @param string $event_id     Event id.
	 * @param string $event_type   Event type.
	 * @param string $crm_order_id CRM order id.
	 * @param string $payload      Raw body.
	 * @return bool|null True when inserted, false for a duplicate, null when the database failed.
	 */
	public static function record( string $event_id, string $event_type, string $crm_order_id, string $payload ): ?bool {
		global $wpdb;
		$now    = Clock::mysql_now();
		$table  = Schema::table( 'inbox' );
		$result = $wpdb->query(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name.
				"INSERT INTO $table (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at) VALUES (%s, %s, %s, %s, 'pending', 0, %s, %s) ON DUPLICATE KEY UPDATE id = id",
				$event_id,
				$event_type,
				$crm_order_id,
				$payload,
				$now,
				$now
			)
		);
		if ( false === $result ) {
			return null;
		}
		return 1 === (int) $result;
	}
}
