<?php
/**
 * GET crm-bridge/v1/admin/health: the schema version, the sidecars' heartbeats, the queues, the
 * recent success rate and throughput, and the receiver's refusals, for the admin screen.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Heartbeats;
use CrmBridge\Plugin;
use CrmBridge\Queue\Store;
use CrmBridge\Refusals;
use CrmBridge\Schema;
use CrmBridge\SyncLogReader;

defined( 'ABSPATH' ) || exit;

/**
 * The health document.
 */
final class ReadHealth extends ViewRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/health';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * The health document.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$now      = time();
		$sidecars = Heartbeats::replicas( $now );
		return new \WP_REST_Response(
			array(
				'plugin_version'     => CRM_BRIDGE_VERSION,
				'schema_version'     => (int) get_option( Schema::VERSION_OPTION, 0 ),
				'woocommerce_active' => Plugin::woocommerce_active(),
				'sidecars'           => $sidecars,
				'sidecar_online'     => (bool) array_filter( array_column( $sidecars, 'online' ) ),
				'queues'             => array(
					'inbox'  => Store::stats( Store::INBOX, $now ),
					'outbox' => Store::stats( Store::OUTBOX, $now ),
				),
				'last_hour'          => SyncLogReader::window( $now - HOUR_IN_SECONDS ),
				'last_day'           => SyncLogReader::window( $now - DAY_IN_SECONDS ),
				'throughput'         => SyncLogReader::throughput( $now ),
				'refusals'           => Refusals::summary(),
			)
		);
	}
}
