<?php
/**
 * POST crm-bridge/v1/admin/deliveries/replay: dead (or delivered) deliveries go back to the outbox,
 * chosen by ids or by subscription, with the same webhook id so receivers can recognise them.
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
 * Replay of outbox deliveries.
 */
final class ReplayDeliveries extends ReplayRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/deliveries/replay';
	}

	/**
	 * Which deliveries.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'ids'             => Args::ids(),
			'subscription_id' => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
			'status'          => array(
				'type'    => 'string',
				'enum'    => array( Status::DEAD, Status::DONE ),
				'default' => Status::DEAD,
			),
		);
	}

	/**
	 * The outbox.
	 */
	protected function queue(): string {
		return Store::OUTBOX;
	}

	/**
	 * Deliveries in the status asked, by ids and subscription; at least one of those.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	protected function selection( \WP_REST_Request $request ): ?Selection {
		$selection = new Selection(
			(string) $request['status'],
			empty( $request['ids'] ) ? array() : (array) $request['ids'],
			null,
			null === $request['subscription_id'] ? null : (int) $request['subscription_id']
		);
		return $selection->is_narrowed() ? $selection : null;
	}

	/**
	 * 400 message.
	 */
	protected function scope_hint(): string {
		return __( 'Say which deliveries to replay: ids or subscription_id.', 'crm-bridge' );
	}

	/**
	 * 503 message.
	 */
	protected function unavailable(): string {
		return __( 'The deliveries could not be replayed; try again.', 'crm-bridge' );
	}

	/**
	 * Audit row and log row.
	 *
	 * @param \WP_REST_Request $request  Request.
	 * @param int              $replayed Rows requeued.
	 */
	protected function record( \WP_REST_Request $request, int $replayed ): void {
		Audit::record(
			'deliveries.replayed',
			null === $request['subscription_id'] ? null : (string) $request['subscription_id'],
			array(
				'ids'      => $request['ids'],
				'status'   => (string) $request['status'],
				'replayed' => $replayed,
			)
		);
		SyncLog::record(
			array(
				'direction'       => 'out',
				'decision'        => 'replayed',
				'subscription_id' => null === $request['subscription_id'] ? null : (int) $request['subscription_id'],
				'message'         => sprintf( '%d deliveries replayed by user %d', $replayed, get_current_user_id() ),
			)
		);
	}
}
