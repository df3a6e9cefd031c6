<?php
/**
 * POST crm-bridge/v1/sidecar/apply: the sidecar's batched write endpoint, and the owner of each
 * transition's outcome. Under a per-order lock it re-checks the order's link, asks the guard (version
 * and lifecycle, see Outcome\Guard) and writes through WooCommerce's order API (update_status with a
 * note, the origin tag set), with the CRM version in the links table and a display copy on the order.
 * Then it logs the outcome of every transition in the sync log itself.
 *
 * A transition that names the inbox row it comes from (inbox_id, with the worker and attempt of the
 * claim) is fenced: it is applied only while that claim still holds the row, and the outcome's log rows
 * and the row's finish are committed in one transaction. A claim whose lease ran out, or a second claim
 * of an event already applied, gets `lease_lost` and writes nothing, so one event has one effect however
 * many workers pick it up. A transition without an inbox row (reconcile's) names its source, which the
 * log shows; only the source `reconcile_enforce` may revert a shop's own change (see Guard).
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Sidecar;

use CrmBridge\Clock;
use CrmBridge\Links;
use CrmBridge\Origin;
use CrmBridge\Outbox;
use CrmBridge\Outcome\Guard;
use CrmBridge\Outcome\Outcome;
use CrmBridge\Queue\Fence;
use CrmBridge\Settings;
use CrmBridge\SyncLog;

defined( 'ABSPATH' ) || exit;

/**
 * The write endpoint.
 */
final class ApplyTransitions extends SidecarRoute {

	public const MAX_BATCH = 200;

	/**
	 * Path.
	 */
	public function path(): string {
		return '/sidecar/apply';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * The batch of transitions.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
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
						'source'       => array(
							'description' => 'Who sends a transition without an inbox row: reconcile, or reconcile_enforce to revert a shop\'s own change.',
							'type'        => 'string',
							'enum'        => Outcome::SOURCES,
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
		);
	}

	/**
	 * Applies every transition and reports one outcome each, in the same order.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
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
				'outcome' => Outcome::NOT_FOUND,
				'message' => 'No WooCommerce order is linked to this CRM order.',
			);
		}
		$result['order_id'] = $order_id;
		if ( ! array_key_exists( 'wc-' . $t['to_status'], wc_get_order_statuses() ) ) {
			return $result + array(
				'outcome' => Outcome::INVALID,
				'message' => sprintf( '"%s" is not a WooCommerce order status.', $t['to_status'] ),
			);
		}
		$fenced = isset( $t['inbox_id'] );
		if ( $fenced && ( ! isset( $t['worker'], $t['attempt'] ) || isset( $t['source'] ) ) ) {
			return $result + array(
				'outcome' => Outcome::INVALID,
				'message' => 'A transition with inbox_id needs the worker and attempt of its claim, and names no source.',
			);
		}

		// One writer per order at a time, across PHP workers: the re-check and the write are atomic.
		$lock = 'crm_bridge_order_' . $order_id;
		if ( '1' !== (string) $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, 10)', $lock ) ) ) {
			return $result + array(
				'outcome' => Outcome::BUSY,
				'message' => 'The order is locked by another writer; try again.',
			);
		}
		try {
			if ( $fenced && ! Fence::holds( (int) $t['inbox_id'], (string) $t['event_id'], (string) $t['worker'], (int) $t['attempt'] ) ) {
				return $result + array(
					'outcome' => Outcome::LEASE_LOST,
					'message' => 'This claim no longer holds the event (its lease ran out or it was already applied); nothing was written.',
				);
			}
			$outcome = self::write( $t, $lifecycle, $order_id, $result );
			if ( in_array( $outcome['outcome'], Outcome::GUARD, true ) ) {
				$outcome['recorded'] = self::record( $t, $outcome );
			}
			return $outcome;
		} finally {
			$wpdb->get_var( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', $lock ) );
		}
	}

	/**
	 * Logs the decisions about a transition (the CRM's answer when sent, then the outcome) and, for a
	 * fenced transition, finishes its inbox row, in one transaction.
	 *
	 * @param array<string, mixed> $t       Transition.
	 * @param array<string, mixed> $outcome Outcome of the write.
	 * @return bool Whether all of it is committed.
	 */
	private static function record( array $t, array $outcome ): bool {
		global $wpdb;
		$source  = isset( $t['source'] ) ? (string) $t['source'] : null;
		$base    = array(
			'direction'    => 'in',
			'crm_order_id' => (string) $t['crm_order_id'],
			'event_id'     => (string) $t['event_id'],
			'attempt'      => (int) ( $t['attempt'] ?? 1 ),
			'worker'       => isset( $t['worker'] ) ? (string) $t['worker'] : null,
		);
		$elapsed = isset( $t['started_ms'] ) ? max( 0, (int) round( microtime( true ) * 1000 ) - (int) $t['started_ms'] ) : null;
		$wpdb->query( 'START TRANSACTION' );
		$ok = true;
		if ( isset( $t['verified'] ) && is_array( $t['verified'] ) ) {
			$ok = SyncLog::record(
				$base + array(
					'decision'   => Outcome::DECISION_VERIFIED,
					'to_status'  => isset( $t['verified']['crm_status'] ) ? (string) $t['verified']['crm_status'] : null,
					'latency_ms' => $t['verified']['latency_ms'] ?? null,
					'detail'     => array( 'crm_version' => $t['verified']['crm_version'] ?? null ),
				)
			);
		}
		// A plain application from the inbox needs no words; anything else says why, and who asked.
		$message = Outcome::APPLIED === $outcome['outcome'] && null === $source ? null : (string) ( $outcome['message'] ?? '' );
		$ok      = $ok && SyncLog::record(
			$base + array(
				'decision'    => Outcome::decision( $outcome['outcome'] ),
				'order_id'    => $outcome['order_id'],
				'from_status' => $outcome['from_status'] ?? null,
				'to_status'   => $outcome['to_status'] ?? (string) $t['to_status'],
				'latency_ms'  => $elapsed,
				'error_class' => isset( $outcome['code'] ) ? 'permanent' : null,
				'message'     => null === $source || null === $message ? $message : $source . ': ' . $message,
				'detail'      => null === $source ? null : array(
					'source'  => $source,
					'reason'  => $outcome['reason'] ?? null,
					'version' => (int) $t['version'],
				),
			)
		);
		$ok = $ok && ( ! isset( $t['inbox_id'] ) || Fence::finish( (int) $t['inbox_id'], Clock::mysql_now() ) );
		// Not recorded: the caller records the outcome itself; a later claim of the row finds the version applied.
		if ( $ok && false !== $wpdb->query( 'COMMIT' ) ) {
			return true;
		}
		$wpdb->query( 'ROLLBACK' );
		return false;
	}

	/**
	 * Re-checks the link, asks the guard and writes through WooCommerce's order API. Runs under the order lock.
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
				'outcome' => Outcome::NOT_FOUND,
				'message' => 'The linked WooCommerce order does not exist.',
			);
		}
		$from                  = $order->get_status();
		$result['from_status'] = $from;
		$result['to_status']   = $t['to_status'];
		$crm_order_id          = (string) $t['crm_order_id'];
		$foreign               = self::foreign( $crm_order_id, $order );
		if ( null !== $foreign ) {
			return $result + self::foreign_refusal( 'foreign_order: ' . $foreign );
		}
		$applied = Links::applied_version( $crm_order_id, $order );
		$enforce = Outcome::SOURCE_RECONCILE_ENFORCE === ( $t['source'] ?? null );
		$verdict = Guard::check( $from, $applied, (string) $t['to_status'], (int) $t['version'], $enforce, $lifecycle );
		if ( Outcome::STALE === $verdict['outcome'] ) {
			return $result + $verdict + array( 'applied_version' => $applied );
		}
		if ( Outcome::REFUSED === $verdict['outcome'] ) {
			return $result + $verdict;
		}
		// Claimed before the order is written: a CRM order racing another for this order loses here.
		if ( ! Links::save( $crm_order_id, $order_id, null ) ) {
			return $result + self::foreign_refusal( sprintf( 'foreign_order: order %d or CRM order %s was linked to another order meanwhile.', $order_id, $crm_order_id ) );
		}
		$order->update_meta_data( Links::META_VERSION, (string) $t['version'] );
		$order->update_meta_data( Links::META_CRM_ORDER_ID, $crm_order_id );
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
		Links::save( $crm_order_id, $order_id, (int) $t['version'] );
		return $result + $verdict;
	}

	/**
	 * A refusal because the order belongs to another CRM order, or was never announced to the CRM.
	 *
	 * @param string $message Why.
	 * @return array<string, string>
	 */
	private static function foreign_refusal( string $message ): array {
		return array(
			'outcome' => Outcome::REFUSED,
			'reason'  => Outcome::REASON_FOREIGN,
			'code'    => Outcome::REASON_FOREIGN,
			'message' => $message,
		);
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

