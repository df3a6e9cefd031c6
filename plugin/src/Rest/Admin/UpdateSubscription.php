<?php
/**
 * PUT/PATCH crm-bridge/v1/admin/subscriptions/<id>: changes the fields sent and keeps the others;
 * activating a subscription again clears its failure state.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Audit;
use CrmBridge\Subscriptions;

defined( 'ABSPATH' ) || exit;

/**
 * Subscription update.
 */
final class UpdateSubscription extends SubscriptionRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return self::ITEM;
	}

	/**
	 * Methods.
	 */
	public function methods(): string {
		return \WP_REST_Server::EDITABLE;
	}

	/**
	 * Updates it and answers the subscription as it is now.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$before = Subscriptions::find( (int) $request['id'] );
		if ( ! $before ) {
			return self::not_found();
		}
		[ $fields, $errors ] = Subscriptions::validate( (array) $request->get_json_params(), true );
		if ( $errors ) {
			return self::invalid( $errors );
		}
		Subscriptions::update( (int) $request['id'], $fields );
		$after = (array) Subscriptions::find( (int) $request['id'] );
		Audit::record( 'subscription.updated', (string) $request['id'], array( 'changes' => Audit::diff( array_intersect_key( $before, $fields ), array_intersect_key( $after, $fields ) ) ) );
		return new \WP_REST_Response( $after );
	}
}
