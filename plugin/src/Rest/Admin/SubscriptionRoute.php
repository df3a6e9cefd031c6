<?php
/**
 * Base of the webhook subscription routes: one subscription by the id in its path, and the error
 * answers they share (validation errors name the field they belong to).
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * A route on one subscription.
 */
abstract class SubscriptionRoute extends ConfigureRoute {

	/** The path of one subscription; actions on it add a segment. */
	protected const ITEM = '/admin/subscriptions/(?P<id>\d+)';

	/**
	 * The subscription's id.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'id' => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
		);
	}

	/**
	 * 400 with field-level messages.
	 *
	 * @param array<string, string> $errors Field => message.
	 */
	protected static function invalid( array $errors ): \WP_Error {
		return new \WP_Error( 'crm_bridge_invalid_subscription', __( 'Some fields need attention.', 'crm-bridge' ), array( 'status' => 400, 'errors' => $errors ) );
	}

	/**
	 * 404.
	 */
	protected static function not_found(): \WP_Error {
		return new \WP_Error( 'crm_bridge_not_found', __( 'No such subscription.', 'crm-bridge' ), array( 'status' => 404 ) );
	}
}
