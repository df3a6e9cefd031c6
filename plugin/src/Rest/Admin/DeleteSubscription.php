<?php
/**
 * DELETE crm-bridge/v1/admin/subscriptions/<id>: deletes a webhook subscription and its deliveries.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Audit;
use CrmBridge\Subscriptions;

defined( 'ABSPATH' ) || exit;

/**
 * Subscription deletion.
 */
final class DeleteSubscription extends SubscriptionRoute {

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
		return \WP_REST_Server::DELETABLE;
	}

	/**
	 * Deletes it.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		if ( ! Subscriptions::find( (int) $request['id'] ) ) {
			return self::not_found();
		}
		Subscriptions::delete( (int) $request['id'] );
		Audit::record( 'subscription.deleted', (string) $request['id'] );
		return new \WP_REST_Response( array( 'deleted' => true ) );
	}
}
