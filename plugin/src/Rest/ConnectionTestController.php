<?php
/**
 * POST crm-bridge/v1/sidecar/connection-test: the sidecar reports the outcome of a "Test connection"
 * request from the settings page.
 *
 * @package CrmBridge\Rest
 */

declare( strict_types=1 );

namespace CrmBridge\Rest;

use CrmBridge\Admin\SettingsController;
use CrmBridge\Roles;

defined( 'ABSPATH' ) || exit;

/**
 * The connection test result endpoint.
 */
final class ConnectionTestController {

	/**
	 * Registers the route.
	 */
	public static function register(): void {
		register_rest_route(
			'crm-bridge/v1',
			'/sidecar/connection-test',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'report' ),
				'permission_callback' => static fn() => current_user_can( Roles::APPLY_CAPABILITY ),
				'args'                => array(
					'id'         => array(
						'type'     => 'string',
						'pattern'  => '^[a-f0-9-]{36}$',
						'required' => true,
					),
					'ok'         => array(
						'type'     => 'boolean',
						'required' => true,
					),
					'message'    => array(
						'type'      => 'string',
						'maxLength' => 500,
						'required'  => true,
					),
					'latency_ms' => array(
						'type'    => 'integer',
						'minimum' => 0,
					),
				),
			)
		);
	}

	/**
	 * Stores the outcome for the settings page to read.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function report( \WP_REST_Request $request ): \WP_REST_Response {
		update_option(
			SettingsController::TEST_RESULT_OPTION,
			wp_json_encode(
				array(
					'id'         => (string) $request['id'],
					'ok'         => (bool) $request['ok'],
					'message'    => sanitize_text_field( (string) $request['message'] ),
					'latency_ms' => null === $request['latency_ms'] ? null : (int) $request['latency_ms'],
					'at'         => gmdate( 'c' ),
				)
			),
			false
		);
		return new \WP_REST_Response( array( 'stored' => true ) );
	}
}
