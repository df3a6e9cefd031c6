<?php
/**
 * GET crm-bridge/v1/admin/subscriptions: every webhook subscription, without its secrets, with how its
 * deliveries fare (success rate over the last 24 hours, latest attempt and its answer).
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Subscriptions;

defined( 'ABSPATH' ) || exit;

/**
 * The subscriptions.
 */
final class ListSubscriptions extends ConfigureRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/subscriptions';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * Every subscription.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		return new \WP_REST_Response( array(
				'items'         => Subscriptions::with_health( Subscriptions::all(), time() ),
				'site_timezone' => wp_timezone_string(),
			) );
	}
}
