<?php
/**
 * POST crm-bridge/v1/admin/subscriptions/<id>/rotate-secret: a new signing secret, shown once; the
 * old one stays valid for the grace period set in the settings.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Audit;
use CrmBridge\Secrets;
use CrmBridge\Settings;
use CrmBridge\Subscriptions;

defined( 'ABSPATH' ) || exit;

/**
 * Secret rotation of a subscription.
 */
final class RotateSubscriptionSecret extends SubscriptionRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return self::ITEM . '/rotate-secret';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * Rotates the secret and answers the subscription with the new secret.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		if ( ! Subscriptions::find( (int) $request['id'] ) ) {
			return self::not_found();
		}
		$problem = Secrets::storage_problem();
		if ( null !== $problem ) {
			return self::invalid( array( 'secret' => $problem ) );
		}
		$grace  = (int) Settings::get( 'outgoing.secret_grace_hours' ) * HOUR_IN_SECONDS;
		$secret = Subscriptions::rotate_secret( (int) $request['id'], $grace );
		Audit::record( 'subscription.secret_rotated', (string) $request['id'], array( 'grace_seconds' => $grace ) );
		return new \WP_REST_Response( array( 'secret' => $secret ) + (array) Subscriptions::find( (int) $request['id'] ) );
	}
}
