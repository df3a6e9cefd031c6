<?php
/**
 * Read model of the sidecars' heartbeats (one row per replica, written by the sidecar): which
 * replicas run, which are online, and what they warn about.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;


defined( 'ABSPATH' ) || exit;

/**
 * Sidecar heartbeats.
 */
final class Heartbeats {

	/** A sidecar whose last heartbeat is older than this is shown offline. */
	public const ONLINE_WITHIN_SECONDS = 30;

	/** Replicas shown at most. */
	private const SHOWN = 50;

	/**
	 * The replicas, latest heartbeat first.
	 *
	 * @param int $now Unix time.
	 * @return array<int, array<string, mixed>>
	 */
	public static function replicas( int $now ): array {
		global $wpdb;
		$table = Schema::table( 'sidecars' );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT worker_id, version, hostname, started_at, heartbeat_at, info FROM $table ORDER BY heartbeat_at DESC LIMIT %d", self::SHOWN ), ARRAY_A );
		return array_map(
			static function ( array $row ) use ( $now ): array {
				$beat = (int) strtotime( $row['heartbeat_at'] . ' UTC' );
				$info = json_decode( (string) $row['info'], true );
				return array(
					'open_circuits' => self::texts( is_array( $info ) ? ( $info['open_circuits'] ?? null ) : null ),
					'warnings'      => self::texts( is_array( $info ) ? ( $info['warnings'] ?? null ) : null ),
					'worker_id'     => $row['worker_id'],
					'version'       => $row['version'],
					'hostname'      => $row['hostname'],
					'started_at'    => gmdate( 'c', (int) strtotime( $row['started_at'] . ' UTC' ) ),
					'heartbeat_at'  => gmdate( 'c', $beat ),
					'online'        => self::online( $beat, $now ),
				);
			},
			is_array( $rows ) ? $rows : array()
		);
	}

	/**
	 * Whether any replica beat recently.
	 *
	 * @param int $now Unix time.
	 */
	public static function any_online( int $now ): bool {
		global $wpdb;
		$beat = $wpdb->get_var( 'SELECT MAX(heartbeat_at) FROM ' . Schema::table( 'sidecars' ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- constant table name.
		return $beat && self::online( (int) strtotime( $beat . ' UTC' ), $now );
	}

	/**
	 * Whether a heartbeat at $beat counts as online at $now.
	 *
	 * @param int $beat Unix time of the heartbeat.
	 * @param int $now  Unix time.
	 */
	private static function online( int $beat, int $now ): bool {
		return ( $now - $beat ) <= self::ONLINE_WITHIN_SECONDS;
	}

	/**
	 * A list of short texts from a heartbeat's info: strings only, at most 20 of 500 characters each,
	 * without markup or control characters (the row is written by whoever holds the database login).
	 *
	 * @param mixed $list Decoded JSON value.
	 * @return string[]
	 */
	private static function texts( $list ): array {
		if ( ! is_array( $list ) ) {
			return array();
		}
		$texts = array();
		foreach ( array_slice( array_values( array_filter( $list, 'is_string' ) ), 0, 20 ) as $text ) {
			$text = sanitize_text_field( $text );
			if ( '' !== $text ) {
				$texts[] = mb_substr( $text, 0, 500 );
			}
		}
		return $texts;
	}
}
