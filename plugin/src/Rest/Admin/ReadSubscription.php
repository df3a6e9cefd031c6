<?php
/**
 * GET crm-bridge/v1/admin/subscriptions/<id>: one webhook subscription, without its secrets.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Subscriptions;

defined( 'ABSPATH' ) || exit;

/**
 * One subscription.
 */
final class ReadSubscription extends SubscriptionRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return self::ITEM;
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * The subscription.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$sub = Subscriptions::find( (int) $request['id'] );
		return $sub ? new \WP_REST_Response( $sub ) : self::not_found();
	}
}
