<?php
/**
 * GET crm-bridge/v1/admin/audit: the audit trail for administrators, newest first, paged.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Audit;
use CrmBridge\Rest\Args;

defined( 'ABSPATH' ) || exit;

/**
 * One page of the audit trail.
 */
final class ListAudit extends ConfigureRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/audit';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * Paging.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'page'     => Args::page(),
			'per_page' => Args::per_page( 50 ),
		);
	}

	/**
	 * One page of the trail.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$page     = (int) $request['page'];
		$per_page = (int) $request['per_page'];
		return new \WP_REST_Response( Audit::page( $page, $per_page ) + array( 'page' => $page, 'per_page' => $per_page ) );
	}
}
