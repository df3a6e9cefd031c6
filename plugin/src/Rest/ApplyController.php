<?php
/**
 * POST crm-bridge/v1/sidecar/apply: the sidecar's batched write endpoint. Each transition is applied
 * through WooCommerce's order API (update_status with a note), with the CRM version and the origin tag
 * stored on the order, after re-checking version and lifecycle under a per-order lock, so two racing
 * writers can never apply an older state. Only the sidecar's role (crm_bridge_apply) may call it.
 *
 * A transition that names the inbox row it comes from (inbox_id, with the worker and attempt of the
 * claim) is fenced: it is applied only while that claim still holds the row, and the endpoint records
 * the outcome in the sync log and marks the row done right after the write. A claim whose lease ran
 * out, or a second claim of an event already applied, gets `lease_lost` and writes nothing, so one
 * event has one effect however many workers pick it up.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest;

use CrmBridge\Clock;
use CrmBridge\Lifecycle;
use CrmBridge\Links;
use CrmBridge\Origin;
use CrmBridge\Outbox;
use CrmBridge\Roles;
use CrmBridge\Schema;
use CrmBridge\Settings;
use CrmBridge\SyncLog;

defined( 'ABSPATH' ) || exit;

/**
 * The write endpoint.
 */
final class ApplyController {

	public const MAX_BATCH = 200;

	/**
	 * Registers the route with its argument schema.
	 */
	public static function register(): void {
		register_rest_route(
			'crm-bridge/v1',
			'/sidecar/apply',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'apply' ),
				'permission_callback' => static fn() => current_user_can( Roles::APPLY_CAPABILITY ),
				'args'                => array(
					'transitions' => array(
						'required' => true,
						'type'     => 'array',
						'maxItems' => self::MAX_BATCH,
						'items'    => array(
							'type'                 => 'object',
							'additionalProperties' => false,
							'required'             => array( 'event_id', 'crm_order_id', 'to_status', 'version' ),
							'properties'           => array(
								'event_id'     => array(
									'type'      => 'string',
									'minLength' => 1,
									'maxLength' => 191,
								),
								'crm_order_id' => array(
									'type'      => 'string',
									'minLength' => 1,
									'maxLength' => 191,
									'pattern'   => '^' . Links::CRM_ORDER_ID_PATTERN . '$',
								),
								'order_id'     => array(
									'type'    => 'integer',
									'minimum' => 1,
								),
								'to_status'    => array(
									'type'      => 'string',
									'minLength' => 1,
									'maxLength' => 64,
								),
								'version'      => array(
									'type'    => 'integer',
									'minimum' => 0,
								),
								'note'         => array(
									'type'      => 'string',
									'maxLength' => 1000,
								),
								'inbox_id'     => array(
									'type'    => 'integer',
									'minimum' => 1,
								),
								'worker'       => array(
									'type'      => 'string',
									'minLength' => 1,
									'maxLength' => 64,
								),
								'attempt'      => array(
									'type'    => 'integer',
									'minimum' => 1,
								),
								'verified'     => array(
									'type'                 => 'object',
									'additionalProperties' => false,
									'properties'           => array(
										'crm_status'  => array(
											'type'      => 'string',
											'maxLength' => 191,
										),
										'crm_version' => array(
											'type' => 'integer',
										),
										'latency_ms'  => array(
											'type'    => 'integer',
											'minimum' => 0,
										),
									),
								),
								'started_ms'   => array(
									'type'    => 'integer',
									'minimum' => 0,
								),
							),
						),
					),
				),
			)
		);
	}

	/**
	 * Applies every transition and reports one outcome each, in the same order.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function apply( \WP_REST_Request $request ): \WP_REST_Response {
		$lifecycle = Settings::get( 'lifecycle' );
		$results   = array();
		foreach ( (array) $request['transitions'] as $transition ) {
			$results[] = self::apply_one( $transition, $lifecycle );
		}
		return new \WP_REST_Response( array( 'results' => $results ) );
	}

	/**
	 * One transition.
	 *
	 * @param array<string, mixed> $t         Transition.
	 * @param array<string, mixed> $lifecycle Lifecycle settings.
	 * @return array<string, mixed>
	 */
	private static function apply_one( array $t, array $lifecycle ): array {
		global $wpdb;
		$result   = array(
			'event_id' => $t['event_id'],
			'order_id' => null,
		);
		$order_id = isset( $t['order_id'] ) ? (int) $t['order_id'] : Links::order_for( (string) $t['crm_order_id'] );
		if ( ! $order_id ) {
			return $result + array(
				'outcome' => 'not_found',
				'message' => 'No WooCommerce order is linked to this CRM order.',
			);
		}
		$result['order_id'] = $order_id;
		if ( ! array_key_exists( 'wc-' . $t['to_status'], wc_get_order_statuses() ) ) {
			return $result + array(
				'outcome' => 'invalid',
				'message' => sprintf( '"%s" is not a WooCommerce order status.', $t['to_status'] ),
			);
		}

		if ( isset( $t['inbox_id'] ) && ( ! isset( $t['worker'], $t['attempt'] ) ) ) {
			return $result + array(
				'outcome' => 'invalid',
				'message' => 'A transition with inbox_id needs the worker and attempt of its claim.',
			);
		}

		// One writer per order at a time, across PHP workers: the re-check and the write are atomic.
		$lock = 'crm_bridge_order_' . $order_id;
		if ( '1' !== (string) $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, 10)', $lock ) ) ) {
			return $result + array(
				'outcome' => 'busy',
				'message' => 'The order is locked by another writer; try again.',
			);
		}
		try {
			if ( isset( $t['inbox_id'] ) && ! self::claim_holds( $t ) ) {
				return $result + array(
					'outcome' => 'lease_lost',
					'message' => 'This claim no longer holds the event (its lease ran out or it was already applied); nothing was written.',
				);
			}
			$outcome = self::write( $t, $lifecycle, $order_id, $result );
			if ( isset( $t['inbox_id'] ) && in_array( $outcome['outcome'], array( 'applied', 'unchanged', 'stale', 'refused' ), true ) ) {
				$outcome['recorded'] = self::record( $t, $outcome );
			}
			return $outcome;
		} finally {
			$wpdb->get_var( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', $lock ) );
		}
	}

	/**
	 * Whether the claim named by the transition still holds its inbox row. Runs under the order lock,
	 * which every fenced write of the same order takes, so no other write can slip in after the check.
	 *
	 * @param array<string, mixed> $t Transition with inbox_id, worker and attempt.
	 */
	private static function claim_holds( array $t ): bool {
		global $wpdb;
		$row = $wpdb->get_row(
			$wpdb->prepare(
				'SELECT status, locked_by, attempts FROM ' . Schema::table( 'inbox' ) . ' WHERE id = %d AND event_id = %s', // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- the table name is ours.
				(int) $t['inbox_id'],
				(string) $t['event_id']
			),
			ARRAY_A
		);
		return is_array( $row )
			&& 'running' === $row['status']
			&& (string) $t['worker'] === (string) $row['locked_by']
			&& (int) $t['attempt'] === (int) $row['attempts'];
	}

	/**
	 * Logs the decisions about a fenced transition and marks its inbox row done, in one transaction.
	 * The row is marked done whoever holds it now: the effect has happened, and a later claim must
	 * find nothing left to do.
	 *
	 * @param array<string, mixed> $t       Transition.
	 * @param array<string, mixed> $outcome Outcome of the write.
	 * @return bool Whether both are committed.
	 */
	private static function record( array $t, array $outcome ): bool {
		global $wpdb;
		$now     = Clock::mysql_now();
		$base    = array(
			'direction'    => 'in',
			'crm_order_id' => (string) $t['crm_order_id'],
			'event_id'     => (string) $t['event_id'],
			'attempt'      => (int) $t['attempt'],
			'worker'       => (string) $t['worker'],
		);
		$elapsed = isset( $t['started_ms'] ) ? max( 0, (int) round( microtime( true ) * 1000 ) - (int) $t['started_ms'] ) : null;
		$wpdb->query( 'START TRANSACTION' );
		$ok = true;
		if ( isset( $t['verified'] ) && is_array( $t['verified'] ) ) {
			$ok = SyncLog::record(
				$base + array(
					'decision'   => 'verified',
					'to_status'  => isset( $t['verified']['crm_status'] ) ? (string) $t['verified']['crm_status'] : null,
					'latency_ms' => $t['verified']['latency_ms'] ?? null,
					'detail'     => array( 'crm_version' => $t['verified']['crm_version'] ?? null ),
				)
			);
		}
		$decision = in_array( $outcome['outcome'], array( 'applied', 'unchanged' ), true ) ? 'applied' : $outcome['outcome'];
		$ok       = $ok && SyncLog::record(
			$base + array(
				'decision'    => $decision,
				'order_id'    => $outcome['order_id'],
				'from_status' => $outcome['from_status'] ?? null,
				'to_status'   => $outcome['to_status'] ?? (string) $t['to_status'],
				'latency_ms'  => $elapsed,
				'error_class' => isset( $outcome['code'] ) ? 'permanent' : null,
				'message'     => 'unchanged' === $outcome['outcome'] ? 'status already current; version recorded' : ( 'applied' === $outcome['outcome'] ? null : ( $outcome['message'] ?? null ) ),
			)
		);
		$ok = $ok && false !== $wpdb->query(
			$wpdb->prepare(
				'UPDATE ' . Schema::table( 'inbox' ) . " SET status = 'done', finished_at = %s, locked_by = NULL, locked_until = NULL, last_error = NULL, last_error_class = NULL WHERE id = %d", // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- the table name is ours.
				$now,
				(int) $t['inbox_id']
			)
		);
		// Not recorded: the sidecar records the outcome itself; a later claim of the row finds the version applied.
		if ( $ok && false !== $wpdb->query( 'COMMIT' ) ) {
			return true;
		}
		$wpdb->query( 'ROLLBACK' );
		return false;
	}

	/**
	 * Re-checks version and lifecycle and writes through WooCommerce's order API. Runs under the order lock.
	 *
	 * @param array<string, mixed> $t         Transition.
	 * @param array<string, mixed> $lifecycle Lifecycle settings.
	 * @param int                  $order_id  Order id.
	 * @param array<string, mixed> $result    Result so far.
	 * @return array<string, mixed>
	 */
	private static function write( array $t, array $lifecycle, int $order_id, array $result ): array {
		$order = wc_get_order( $order_id );
		if ( ! $order ) {
			return $result + array(
				'outcome' => 'not_found',
				'message' => 'The linked WooCommerce order does not exist.',
			);
		}
		$from                  = $order->get_status();
		$result['from_status'] = $from;
		$result['to_status']   = $t['to_status'];
		$foreign               = self::foreign( (string) $t['crm_order_id'], $order );
		if ( null !== $foreign ) {
			return $result + array(
				'outcome' => 'refused',
				'code'    => 'foreign_order',
				'message' => 'foreign_order: ' . $foreign,
			);
		}
		$applied               = (string) $order->get_meta( Links::META_VERSION );
		if ( '' !== $applied && (int) $t['version'] <= (int) $applied ) {
			return $result + array(
				'outcome'         => 'stale',
				'applied_version' => (int) $applied,
				'message'         => sprintf( 'Version %d is not newer than the applied version %d.', $t['version'], $applied ),
			);
		}
		if ( Lifecycle::is_backward( $from, (string) $t['to_status'], $lifecycle ) ) {
			return $result + array(
				'outcome' => 'refused',
				'message' => sprintf( 'Moving from %s to %s goes backwards and is not allowed.', $from, $t['to_status'] ),
			);
		}
		// Claimed before the order is written: a CRM order racing another for this order loses here.
		if ( ! Links::save( (string) $t['crm_order_id'], $order_id, null ) ) {
			return $result + array(
				'outcome' => 'refused',
				'code'    => 'foreign_order',
				'message' => sprintf( 'foreign_order: order %d or CRM order %s was linked to another order meanwhile.', $order_id, $t['crm_order_id'] ),
			);
		}
		$order->update_meta_data( Links::META_VERSION, (string) $t['version'] );
		$order->update_meta_data( Links::META_CRM_ORDER_ID, (string) $t['crm_order_id'] );
		$order->update_meta_data( Links::META_ORIGIN, Origin::CRM . ':' . $t['event_id'] );
		Origin::run(
			Origin::CRM,
			static function () use ( $order, $from, $t ): void {
				if ( $from === $t['to_status'] ) {
					$order->save();
				} else {
					// Notes are shown as HTML: what the sidecar sends is text.
					$order->update_status( (string) $t['to_status'], esc_html( (string) ( $t['note'] ?? '' ) ) );
				}
			}
		);
		Links::save( (string) $t['crm_order_id'], $order_id, (int) $t['version'] );
		return $result + array( 'outcome' => $from === $t['to_status'] ? 'unchanged' : 'applied' );
	}

	/**
	 * Why a CRM order may not write to an order, or null when it may: it is linked to it (the links
	 * table or the order's meta), or neither is linked and the order was announced to the CRM (an order.created row for a CRM subscription,
	 * queued or delivered: the CRM may act on it before its delivery is recorded). Runs under the
	 * order lock, so the answer holds until the write.
	 *
	 * @param string    $crm_order_id CRM order id.
	 * @param \WC_Order $order        Order.
	 */
	private static function foreign( string $crm_order_id, \WC_Order $order ): ?string {
		$order_id     = (int) $order->get_id();
		$linked_order = Links::order_for( $crm_order_id );
		if ( $linked_order && $linked_order !== $order_id ) {
			return sprintf( 'CRM order %s is linked to order %d, not to order %d.', $crm_order_id, $linked_order, $order_id );
		}
		$linked_crm = Links::crm_order_for( $order_id );
		$meta_crm   = (string) $order->get_meta( Links::META_CRM_ORDER_ID );
		foreach ( array( $linked_crm, $meta_crm ) as $other ) {
			if ( '' !== $other && $other !== $crm_order_id ) {
				return sprintf( 'Order %d is linked to another CRM order; CRM order %s cannot take it over.', $order_id, $crm_order_id );
			}
		}
		// The order's own record of its CRM order (meta) counts as a link; without any, only an announcement does.
		if ( ! $linked_order && '' === $linked_crm && $meta_crm !== $crm_order_id && ! Outbox::announced_to_crm( $order_id ) ) {
			return sprintf( 'Order %d was never announced to the CRM; CRM order %s cannot claim it.', $order_id, $crm_order_id );
		}
		return null;
	}
}

