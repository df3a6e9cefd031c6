<?php
/**
 * Counts refused incoming requests by class and keeps a bounded sample of the latest ones, so that
 * hostile traffic is visible in the admin without growing any table.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Refusal counters.
 */
final class Refusals {

	public const SAMPLE_OPTION = 'crm_bridge_refusal_samples';
	public const SAMPLE_SIZE   = 20;

	/**
	 * Counts one refusal and remembers it among the latest few.
	 *
	 * @param string $refusal_class signature, timestamp, schema, size, content_type, missing_signature, unavailable.
	 * @param string $message       What was wrong (no secret, no body).
	 */
	public static function record( string $refusal_class, string $message ): void {
		global $wpdb;
		$table = Schema::table( 'refusals' );
		$now   = Clock::mysql_now();
		$wpdb->query(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name.
				"INSERT INTO $table (refusal_class, refused_count, last_refused_at) VALUES (%s, 1, %s) ON DUPLICATE KEY UPDATE refused_count = refused_count + 1, last_refused_at = VALUES(last_refused_at)",
				$refusal_class,
				$now
			)
		);
		$samples   = get_option( self::SAMPLE_OPTION, array() );
		$samples   = is_array( $samples ) ? $samples : array();
		$samples[] = array(
			'class'   => $refusal_class,
			'message' => substr( $message, 0, 200 ),
			'at'      => $now,
			'ip'      => isset( $_SERVER['REMOTE_ADDR'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REMOTE_ADDR'] ) ) : '',
		);
		update_option( self::SAMPLE_OPTION, array_slice( $samples, -self::SAMPLE_SIZE ), false );
	}
}
