<?php
/**
 * POST crm-bridge/v1/sidecar/notify: the sidecar reports that it disabled a subscription or gave up a
 * delivery, and the plugin e-mails the site admin through wp_mail (throttled).
 *
 * @package CrmBridge\Rest
 */

declare( strict_types=1 );

namespace CrmBridge\Rest;

use CrmBridge\Notices;
use CrmBridge\Roles;

defined( 'ABSPATH' ) || exit;

/**
 * The notify endpoint.
 */
final class NotifyController {

	/**
	 * Registers the route.
	 */
	public static function register(): void {
		register_rest_route(
			'crm-bridge/v1',
			'/sidecar/notify',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => static fn( \WP_REST_Request $request ) => new \WP_REST_Response(
					array(
						'mailed' => 'exhausted' === $request['kind'] ? Notices::mail_exhausted( (int) $request['subscription_id'] ) : Notices::mail_disabled( (int) $request['subscription_id'] ),
					)
				),
				'permission_callback' => static fn() => current_user_can( Roles::APPLY_CAPABILITY ),
				'args'                => array(
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
				),
			)
		);
	}
}
