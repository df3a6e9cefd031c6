<?php
/**
 * POST crm-bridge/v1/admin/subscriptions: creates a webhook subscription; its new secret is in the
 * answer, the only time it is shown.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Audit;
use CrmBridge\Secrets;
use CrmBridge\Subscriptions;

defined( 'ABSPATH' ) || exit;

/**
 * Subscription creation.
 */
final class CreateSubscription extends SubscriptionRoute {

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
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * The body is validated by Subscriptions::validate(), field by field.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array();
	}

	/**
	 * Creates it.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		[ $fields, $errors ] = Subscriptions::validate( (array) $request->get_json_params(), false );
		$problem             = Secrets::storage_problem();
		if ( null !== $problem ) {
			$errors['secret'] = $problem;
		}
		if ( $errors ) {
			return self::invalid( $errors );
		}
		$created = Subscriptions::create( $fields );
		Audit::record( 'subscription.created', (string) $created['id'], array( 'fields' => $fields ) );
		return new \WP_REST_Response( $created, 201 );
	}
}
