<?php
/**
 * POST crm-bridge/v1/sidecar/notify: the sidecar reports that it disabled a subscription or gave up a
 * delivery, and the plugin e-mails the site admin through wp_mail (throttled).
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Sidecar;

use CrmBridge\Notices;

defined( 'ABSPATH' ) || exit;

/**
 * The site admin's e-mail about a subscription.
 */
final class NotifyAdmin extends SidecarRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/sidecar/notify';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * What happened, to which subscription.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'kind'            => array(
				'type'    => 'string',
				'enum'    => array( 'disabled', 'exhausted' ),
				'default' => 'disabled',
			),
			'subscription_id' => array(
				'type'     => 'integer',
				'minimum'  => 1,
				'required' => true,
			),
		);
	}

	/**
	 * Mails the site admin unless it was mailed about this already.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$subscription_id = (int) $request['subscription_id'];
		return new \WP_REST_Response(
			array(
				'mailed' => 'exhausted' === $request['kind'] ? Notices::mail_exhausted( $subscription_id ) : Notices::mail_disabled( $subscription_id ),
			)
		);
	}
}
