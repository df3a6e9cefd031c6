<?php
/**
 * POST crm-bridge/v1/admin/settings/test-connection: asks the sidecar to call the CRM once with the
 * current settings. The request is a row in the connection tests table, which a sidecar replica
 * polls, takes and answers in place; ReadConnectionTest reads the answer from there.
 *
 * @package CrmBridge\Rest\Admin
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\ConnectionTests;

defined( 'ABSPATH' ) || exit;

/**
 * Starts a connection test.
 */
final class StartConnectionTest extends ConfigureRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/settings/test-connection';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * Records the request and answers its id (202: the sidecar answers it within a few seconds).
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$id = ConnectionTests::request();
		if ( null === $id ) {
			return new \WP_Error( 'crm_bridge_db_error', __( 'The connection test could not be requested: the database refused the write.', 'crm-bridge' ), array( 'status' => 500 ) );
		}
		return new \WP_REST_Response( array( 'id' => $id ), 202 );
	}
}
