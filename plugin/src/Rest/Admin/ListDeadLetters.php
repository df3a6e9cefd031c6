<?php
/**
 * GET crm-bridge/v1/admin/dead-letters: the CRM events given up, newest first, optionally of one CRM order,
 * and where the rows named in `watch` are now (a replay's fate: waiting, handled, or dead again).
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Queue\Selection;
use CrmBridge\Queue\Status;
use CrmBridge\Queue\Store;
use CrmBridge\Rest\Args;

defined( 'ABSPATH' ) || exit;

/**
 * The inbox's dead letters.
 */
final class ListDeadLetters extends ViewRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/dead-letters';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * Filter and size.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'crm_order_id' => Args::identifier(),
			'per_page'     => Args::per_page( 50 ),
			'watch'        => Args::ids(),
		);
	}

	/**
	 * Newest dead letters first.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$selection = new Selection( Status::DEAD, array(), null === $request['crm_order_id'] ? null : (string) $request['crm_order_id'] );
		return new \WP_REST_Response(
			array(
				'items'   => Store::list( Store::INBOX, $selection, (int) $request['per_page'] ),
				'watched' => Store::states( Store::INBOX, empty( $request['watch'] ) ? array() : (array) $request['watch'] ),
			)
		);
	}
}
