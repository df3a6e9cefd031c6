<?php
/**
 * POST crm-bridge/v1/admin/dead-letters/replay: dead CRM events go back to the inbox, chosen by ids,
 * by CRM order, or all. A replayed event is verified against the CRM's current state by the sidecar,
 * so replaying an old event can never move an order backwards.
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
 * Replay of inbox dead letters.
 */
final class ReplayDeadLetters extends ReplayRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/dead-letters/replay';
	}

	/**
	 * Which dead letters.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'ids'          => Args::ids(),
			'crm_order_id' => Args::identifier(),
			'all'          => array(
				'type'    => 'boolean',
				'default' => false,
			),
		);
	}

	/**
	 * The inbox.
	 */
	protected function queue(): string {
		return Store::INBOX;
	}

	/**
	 * Dead letters by ids and CRM order; every one only with all=true.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	protected function selection( \WP_REST_Request $request ): ?Selection {
		$selection = new Selection(
			Status::DEAD,
			empty( $request['ids'] ) ? array() : (array) $request['ids'],
			null === $request['crm_order_id'] ? null : (string) $request['crm_order_id']
		);
		return $selection->is_narrowed() || $request['all'] ? $selection : null;
	}

	/**
	 * 400 message.
	 */
	protected function scope_hint(): string {
		return __( 'Say which dead letters to replay: ids, crm_order_id, or all=true.', 'crm-bridge' );
	}

	/**
	 * 503 message.
	 */
	protected function unavailable(): string {
		return __( 'The dead letters could not be replayed; try again.', 'crm-bridge' );
	}

	/**
	 * Audit row and log row.
	 *
	 * @param \WP_REST_Request $request  Request.
	 * @param int              $replayed Rows requeued.
	 */
	protected function record( \WP_REST_Request $request, int $replayed ): void {
		Audit::record(
			'dead_letters.replayed',
			null === $request['crm_order_id'] ? null : (string) $request['crm_order_id'],
			array(
				'ids'      => $request['ids'],
				'all'      => (bool) $request['all'],
				'replayed' => $replayed,
			)
		);
		SyncLog::record(
			array(
				'direction' => 'in',
				'decision'  => 'replayed',
				'message'   => sprintf( '%d dead letter(s) replayed by user %d', $replayed, get_current_user_id() ),
				'detail'    => array(
					'ids'          => $request['ids'],
					'crm_order_id' => $request['crm_order_id'],
					'all'          => (bool) $request['all'],
				),
			)
		);
	}
}
