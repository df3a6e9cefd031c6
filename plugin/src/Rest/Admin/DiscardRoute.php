<?php
/**
 * Base of the discard routes (incoming dead letters, dead deliveries): the dead rows a request names
 * by id are deleted for good through the store's one discard path, and the discard is written to the
 * audit trail and the sync log.
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
 * A discard of dead queue rows.
 */
abstract class DiscardRoute extends ViewRoute {

	/**
	 * Discards are posted.
	 */
	final public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * The rows' ids.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	final public function args(): array {
		return array(
			'ids' => array(
				'required' => true,
				'minItems' => 1,
			) + Args::ids(),
		);
	}

	/**
	 * Store::INBOX or Store::OUTBOX.
	 */
	abstract protected function queue(): string;

	/**
	 * The audit action, e.g. dead_letters.discarded.
	 */
	abstract protected function audit_action(): string;

	/**
	 * The sync log's direction of the rows: in or out.
	 */
	abstract protected function direction(): string;

	/**
	 * The 503 message when the database refused the discard.
	 */
	abstract protected function unavailable(): string;

	/**
	 * Deletes the rows, and writes the audit trail and the log.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	final public function handle( \WP_REST_Request $request ) {
		$selection = new Selection( Status::DEAD, (array) $request['ids'] );
		$discarded = Store::discard( $this->queue(), $selection );
		if ( null === $discarded ) {
			return new \WP_Error( 'crm_bridge_unavailable', $this->unavailable(), array( 'status' => 503 ) );
		}
		Audit::record(
			$this->audit_action(),
			null,
			array(
				'ids'       => $selection->ids,
				'discarded' => $discarded,
			)
		);
		SyncLog::record(
			array(
				'direction' => $this->direction(),
				'decision'  => 'discarded',
				'message'   => sprintf( '%1$d dead %2$s discarded by user %3$d', $discarded, Store::INBOX === $this->queue() ? 'letter(s)' : 'delivery(ies)', get_current_user_id() ),
				'detail'    => array( 'ids' => $selection->ids ),
			)
		);
		return new \WP_REST_Response( array( 'discarded' => $discarded ) );
	}
}
