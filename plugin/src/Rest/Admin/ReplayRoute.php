<?php
/**
 * Base of the replay routes (dead letters, deliveries): the rows a request names go back to the
 * queue through the store's one requeue path, and the replay is written to the audit trail and the
 * sync log.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Queue\Selection;
use CrmBridge\Queue\Store;

defined( 'ABSPATH' ) || exit;

/**
 * A replay of queue rows.
 */
abstract class ReplayRoute extends ViewRoute {

	/**
	 * Replays are posted.
	 */
	final public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * Store::INBOX or Store::OUTBOX.
	 */
	abstract protected function queue(): string;

	/**
	 * The rows the request names, or null when it does not say which.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	abstract protected function selection( \WP_REST_Request $request ): ?Selection;

	/**
	 * The 400 message telling which arguments say what to replay.
	 */
	abstract protected function scope_hint(): string;

	/**
	 * The 503 message when the database refused the replay.
	 */
	abstract protected function unavailable(): string;

	/**
	 * Writes the replay to the audit trail and the sync log.
	 *
	 * @param \WP_REST_Request $request  Request.
	 * @param int              $replayed Rows requeued.
	 */
	abstract protected function record( \WP_REST_Request $request, int $replayed ): void;

	/**
	 * Requeues the rows and answers how many.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	final public function handle( \WP_REST_Request $request ) {
		$selection = $this->selection( $request );
		if ( null === $selection ) {
			return new \WP_Error( 'crm_bridge_replay_scope', $this->scope_hint(), array( 'status' => 400 ) );
		}
		$replayed = Store::requeue( $this->queue(), $selection );
		if ( null === $replayed ) {
			return new \WP_Error( 'crm_bridge_unavailable', $this->unavailable(), array( 'status' => 503 ) );
		}
		$this->record( $request, $replayed );
		return new \WP_REST_Response( array( 'replayed' => $replayed ) );
	}
}
