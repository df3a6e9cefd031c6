<?php
/**
 * GET crm-bridge/v1/admin/audit: the audit trail for administrators, newest first, paged.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Admin;

use CrmBridge\Audit;
use CrmBridge\Roles;

defined( 'ABSPATH' ) || exit;

/**
 * Audit trail endpoint.
 */
final class AuditController {

	/**
	 * Registers the route.
	 */
	public static function register(): void {
		register_rest_route(
			'crm-bridge/v1',
			'/admin/audit',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( self::class, 'list' ),
				'permission_callback' => array( Roles::class, 'can_configure' ),
				'args'                => array(
					'page'     => array(
						'type'    => 'integer',
						'minimum' => 1,
						'default' => 1,
					),
					'per_page' => array(
						'type'    => 'integer',
						'minimum' => 1,
						'maximum' => 200,
						'default' => 50,
					),
				),
			)
		);
	}

	/**
	 * One page of the trail.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function list( \WP_REST_Request $request ): \WP_REST_Response {
		$page     = (int) $request['page'];
		$per_page = (int) $request['per_page'];
		return new \WP_REST_Response( Audit::page( $page, $per_page ) + array( 'page' => $page, 'per_page' => $per_page ) );
	}
}
