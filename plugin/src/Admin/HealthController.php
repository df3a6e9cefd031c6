<?php
/**
 * GET crm-bridge/v1/admin/health: the schema version and the sidecars' heartbeats, for the admin screen.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Admin;

use CrmBridge\Plugin;
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
				'permission_callback' => array( self::class, 'can_manage' ),
				'args'                => array(),
			)
		);
	}

	/**
	 * Only shop managers and administrators; a cookie request needs the REST nonce to count as logged in.
	 */
	public static function can_manage(): bool {
		return current_user_can( Page::CAPABILITY );
	}

	/**
	 * The health document.
	 */
	public static function get(): \WP_REST_Response {
		global $wpdb;
		$table = Schema::table( 'sidecars' );
		$rows  = $wpdb->get_results( "SELECT worker_id, version, hostname, started_at, heartbeat_at FROM $table ORDER BY heartbeat_at DESC LIMIT 50", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name, no input.
		$now   = time();
		$cars  = array_map(
			static function ( array $row ) use ( $now ): array {
				$beat = strtotime( $row['heartbeat_at'] . ' UTC' );
				return array(
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
			)
		);
	}
}
