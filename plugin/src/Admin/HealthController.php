<?php
/**
 * GET crm-bridge/v1/admin/health: the schema version, the sidecars' heartbeats, the queues and the
 * receiver's refusals, for the admin screen.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Admin;

use CrmBridge\Plugin;
use CrmBridge\Refusals;
use CrmBridge\Roles;
use CrmBridge\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Health endpoint.
 */
final class HealthController {

	/** A sidecar whose last heartbeat is older than this is shown offline. */
	public const ONLINE_WITHIN_SECONDS = 30;

	/**
	 * Registers the route.
	 */
	public static function register(): void {
		register_rest_route(
			'crm-bridge/v1',
			'/admin/health',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( self::class, 'get' ),
				'permission_callback' => array( Roles::class, 'can_view' ),
				'args'                => array(),
			)
		);
	}

	/**
	 * The health document.
	 */
	public static function get(): \WP_REST_Response {
		global $wpdb;
		$table = Schema::table( 'sidecars' );
		$rows  = $wpdb->get_results( "SELECT worker_id, version, hostname, started_at, heartbeat_at, info FROM $table ORDER BY heartbeat_at DESC LIMIT 50", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name, no input.
		$now   = time();
		$cars  = array_map(
			static function ( array $row ) use ( $now ): array {
				$beat = strtotime( $row['heartbeat_at'] . ' UTC' );
				$info = json_decode( (string) $row['info'], true );
				return array(
					'open_circuits' => self::texts( is_array( $info ) ? ( $info['open_circuits'] ?? null ) : null ),
					'warnings'      => self::texts( is_array( $info ) ? ( $info['warnings'] ?? null ) : null ),
					'worker_id'    => $row['worker_id'],
					'version'      => $row['version'],
					'hostname'     => $row['hostname'],
					'started_at'   => gmdate( 'c', (int) strtotime( $row['started_at'] . ' UTC' ) ),
					'heartbeat_at' => gmdate( 'c', (int) $beat ),
					'online'       => ( $now - (int) $beat ) <= self::ONLINE_WITHIN_SECONDS,
				);
			},
			is_array( $rows ) ? $rows : array()
		);
		return new \WP_REST_Response(
			array(
				'plugin_version'     => CRM_BRIDGE_VERSION,
				'schema_version'     => (int) get_option( Schema::VERSION_OPTION, 0 ),
				'woocommerce_active' => Plugin::woocommerce_active(),
				'sidecars'           => $cars,
				'sidecar_online'     => (bool) array_filter( array_column( $cars, 'online' ) ),
				'queues'             => array(
					'inbox'  => self::queue( 'inbox', $now ),
					'outbox' => self::queue( 'outbox', $now ),
				),
				'last_hour'          => self::window( $now - HOUR_IN_SECONDS ),
				'last_day'           => self::window( $now - DAY_IN_SECONDS ),
				'throughput'         => self::throughput( $now ),
				'refusals'           => Refusals::summary(),
			)
		);
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

	/**
	 * Depth and age of one queue (reads the status-leading indexes only).
	 *
	 * @param string $queue inbox or outbox.
	 * @param int    $now   Unix time.
	 * @return array<string, int|null>
	 */
	public static function queue( string $queue, int $now ): array {
		global $wpdb;
		$table  = Schema::table( $queue );
		$counts = $wpdb->get_results( "SELECT status, COUNT(*) AS n FROM $table WHERE status IN ('pending','running','dead') GROUP BY status", OBJECT_K ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$oldest = $wpdb->get_var( "SELECT MIN(run_after) FROM $table WHERE status = 'pending'" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return array(
			'pending'                   => (int) ( $counts['pending']->n ?? 0 ),
			'running'                   => (int) ( $counts['running']->n ?? 0 ),
			'dead'                      => (int) ( $counts['dead']->n ?? 0 ),
			'oldest_pending_age_seconds' => $oldest ? max( 0, $now - (int) strtotime( $oldest . ' UTC' ) ) : null,
		);
	}

	/**
	 * Success rate and p95 latency of finished work since $since.
	 *
	 * @param int $since Unix time.
	 * @return array<string, float|int|null>
	 */
	private static function window( int $since ): array {
		global $wpdb;
		$table   = Schema::table( 'log' );
		$from    = gmdate( 'Y-m-d H:i:s', $since );
		$counts  = $wpdb->get_results( $wpdb->prepare( "SELECT decision, COUNT(*) AS n FROM $table WHERE created_at >= %s AND decision IN ('applied','stale','refused','delivered','dead','retried') GROUP BY decision", $from ), OBJECT_K ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$n       = static fn( string $d ): int => (int) ( $counts[ $d ]->n ?? 0 );
		$ok      = $n( 'applied' ) + $n( 'stale' ) + $n( 'refused' ) + $n( 'delivered' );
		$done    = $ok + $n( 'dead' );
		$latency = array_map( 'intval', $wpdb->get_col( $wpdb->prepare( "SELECT latency_ms FROM $table WHERE created_at >= %s AND decision IN ('applied','delivered') AND latency_ms IS NOT NULL ORDER BY id DESC LIMIT 10000", $from ) ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		sort( $latency );
		return array(
			'finished'       => $done,
			'success_rate'   => $done ? round( $ok / $done, 4 ) : null,
			'retries'        => $n( 'retried' ),
			'p95_latency_ms' => $latency ? $latency[ (int) ceil( 0.95 * count( $latency ) ) - 1 ] : null,
		);
	}

	/**
	 * Finished events per 5 minutes over the last hour, oldest first.
	 *
	 * @param int $now Unix time.
	 * @return array<int, array{at: string, count: int}>
	 */
	private static function throughput( int $now ): array {
		global $wpdb;
		$table  = Schema::table( 'log' );
		$start  = $now - HOUR_IN_SECONDS - ( $now % 300 ) + 300;
		$rows   = $wpdb->get_results( $wpdb->prepare( "SELECT FLOOR(UNIX_TIMESTAMP(created_at) / 300) * 300 AS bucket, COUNT(*) AS n FROM $table WHERE created_at >= %s AND decision IN ('applied','stale','refused','delivered') GROUP BY bucket", gmdate( 'Y-m-d H:i:s', $start ) ), OBJECT_K ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$series = array();
		for ( $at = $start; $at <= $now; $at += 300 ) {
			$series[] = array(
				'at'    => gmdate( 'c', $at ),
				'count' => (int) ( $rows[ (string) $at ]->n ?? 0 ),
			);
		}
		return $series;
	}
}
