<?php
/**
 * POST crm-bridge/v1/admin/dead-letters/discard: deletes the chosen dead CRM events for good.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Audit;
use CrmBridge\Queue\Selection;
use CrmBridge\Queue\Status;
use CrmBridge\Queue\Store;
use CrmBridge\Rest\Args;
use CrmBridge\SyncLog;

defined( 'ABSPATH' ) || exit;

/**
 * Discard of inbox dead letters.
 */
final class DiscardDeadLetters extends ViewRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/dead-letters/discard';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * The dead letters' ids.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'ids' => array(
				'required' => true,
				'minItems' => 1,
			) + Args::ids(),
		);
	}

	/**
	 * Deletes them, and writes the audit trail and the log.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$selection = new Selection( Status::DEAD, (array) $request['ids'] );
		$discarded = Store::discard( Store::INBOX, $selection );
		if ( null === $discarded ) {
			return new \WP_Error( 'crm_bridge_unavailable', __( 'The dead letters could not be discarded; try again.', 'crm-bridge' ), array( 'status' => 503 ) );
		}
		Audit::record(
			'dead_letters.discarded',
			null,
			array(
				'ids'       => $selection->ids,
				'discarded' => $discarded,
			)
		);
		SyncLog::record(
			array(
				'direction' => 'in',
				'decision'  => 'discarded',
				'message'   => sprintf( '%d dead letter(s) discarded by user %d', $discarded, get_current_user_id() ),
				'detail'    => array( 'ids' => $selection->ids ),
			)
		);
		return new \WP_REST_Response( array( 'discarded' => $discarded ) );
	}
}
