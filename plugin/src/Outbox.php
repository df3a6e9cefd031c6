<?php
/**
 * Turns WooCommerce order hooks into outbox rows, one per matching subscription, in the same request
 * and without any HTTP. The many hooks WooCommerce fires for one save are coalesced per order and
 * written once at the end of the request, with the payload snapshotted then and the order's
 * modification time as its version. A change written on the CRM's behalf (origin tag) is not sent
 * back to the CRM's subscription; the other subscriptions still hear of it.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * The outbox writer.
 */
final class Outbox {

	/**
	 * Changes seen in this request, by order id.
	 *
	 * @var array<int, array{created: bool, updated: bool, deleted: bool, from: string|null, to: string|null, origins: array<string, true>, snapshot: array<string, mixed>|null}>
	 */
	private static $pending = array();

	/** @var bool */
	private static $flush_registered = false;

	/**
	 * `woocommerce_new_order` ($order_id, $order).
	 *
	 * @param int $order_id Order id.
	 */
	public static function on_new_order( $order_id ): void {
		$change            = &self::note( (int) $order_id );
		$change['created'] = true;
	}

	/**
	 * `woocommerce_update_order` ($order_id, $order).
	 *
	 * @param int $order_id Order id.
	 */
	public static function on_update_order( $order_id ): void {
		$change            = &self::note( (int) $order_id );
		$change['updated'] = true;
	}

	/**
	 * `woocommerce_order_status_changed` ($order_id, $from, $to, $order).
	 *
	 * @param int    $order_id Order id.
	 * @param string $from     Old status.
	 * @param string $to       New status.
	 */
	public static function on_status_changed( $order_id, $from, $to ): void {
		$change = &self::note( (int) $order_id );
		$change['from'] = $change['from'] ?? (string) $from;
		$change['to']   = (string) $to;
	}

	/**
	 * `woocommerce_before_delete_order` / `woocommerce_before_trash_order` ($order_id, $order): the
	 * snapshot is taken now, while the order still exists.
	 *
	 * @param int                $order_id Order id.
	 * @param \WC_Order|null     $order    Order.
	 */
	public static function on_delete( $order_id, $order = null ): void {
		$change             = &self::note( (int) $order_id );
		$change['deleted']  = true;
		$order              = $order instanceof \WC_Order ? $order : wc_get_order( (int) $order_id );
		$change['snapshot'] = $order ? self::snapshot( $order ) : array( 'id' => (int) $order_id );
	}

	/**
	 * Writes the coalesced events (runs on shutdown; safe to call more than once).
	 */
	public static function flush(): void {
		$pending       = self::$pending;
		self::$pending = array();
		if ( ! $pending ) {
			return;
		}
		$subscriptions = Subscriptions::active();
		$rows          = array();
		foreach ( $pending as $order_id => $change ) {
			if ( $change['deleted'] ) {
				$topic = 'order.deleted';
				$order = null;
				$data  = $change['snapshot'];
			} else {
				$order = wc_get_order( $order_id );
				if ( ! $order ) {
					continue;
				}
				$topic = $change['created'] ? 'order.created' : ( null !== $change['to'] && $change['from'] !== $change['to'] ? 'order.status_changed' : 'order.updated' );
				$data  = self::snapshot( $order );
			}
			$from_crm = array( Origin::CRM => true ) === $change['origins'];
			$status   = (string) ( $data['status'] ?? '' );
			foreach ( $subscriptions as $sub ) {
				if ( ! in_array( $topic, explode( ',', (string) $sub['topics'] ), true ) ) {
					continue;
				}
				$filter = array_filter( explode( ',', (string) $sub['status_filter'] ) );
				if ( $filter && ! in_array( $status, $filter, true ) ) {
					continue;
				}
				if ( $from_crm && (int) $sub['is_crm'] ) {
					SyncLog::record(
						array(
							'direction'       => 'out',
							'decision'        => 'looped',
							'order_id'        => $order_id,
							'subscription_id' => (int) $sub['id'],
							'to_status'       => $status,
							'message'         => sprintf( '%s came from the CRM and is not sent back to it', $topic ),
						)
					);
					continue;
				}
				$rows[] = array(
					'subscription_id' => (int) $sub['id'],
					'order_id'        => $order_id,
					'topic'           => $topic,
					'version'         => (string) ( $data['date_modified'] ?? gmdate( 'c' ) ),
					'body'            => wp_json_encode(
						array(
							'type'      => $topic,
							'timestamp' => gmdate( 'c' ),
							'data'      => array( 'order' => 'minimal' === $sub['payload_mode'] ? self::minimal( $data ) : $data ),
						)
					),
				);
			}
		}
		Queue\Store::insert_deliveries( $rows );
	}

	/**
	 * Queues one row for a subscription directly (test events, replays).
	 *
	 * @param int                  $subscription_id Subscription.
	 * @param int                  $order_id        Order id (0 for a test event).
	 * @param string               $topic           Topic.
	 * @param array<string, mixed> $order_data      The order payload.
	 */
	public static function enqueue( int $subscription_id, int $order_id, string $topic, array $order_data ): string {
		$row = array(
			'subscription_id' => $subscription_id,
			'order_id'        => $order_id,
			'topic'           => $topic,
			'version'         => gmdate( 'c' ),
			'body'            => wp_json_encode(
				array(
					'type'      => $topic,
					'timestamp' => gmdate( 'c' ),
					'data'      => array( 'order' => $order_data ),
				)
			),
		);
		return Queue\Store::insert_deliveries( array( $row ) )[0] ?? '';
	}

	/**
	 * Whether the order was announced to the CRM: an order.created row for a CRM subscription exists,
	 * whatever its delivery state.
	 *
	 * @param int $order_id Order id.
	 */
	public static function announced_to_crm( int $order_id ): bool {
		return Queue\Store::has_crm_delivery( $order_id, 'order.created' );
	}

	/**
	 * The order as subscribers see it in full mode.
	 *
	 * @param \WC_Order $order Order.
	 * @return array<string, mixed>
	 */
	public static function snapshot( \WC_Order $order ): array {
		$items = array();
		foreach ( $order->get_items() as $item ) {
			$items[] = array(
				'name'       => $item->get_name(),
				'quantity'   => $item->get_quantity(),
				'total'      => $item->get_total(),
				'product_id' => $item->get_product_id(),
			);
		}
		$created  = $order->get_date_created();
		$modified = $order->get_date_modified();
		return array(
			'id'            => $order->get_id(),
			'number'        => $order->get_order_number(),
			'status'        => $order->get_status(),
			'currency'      => $order->get_currency(),
			'total'         => $order->get_total(),
			'total_tax'     => $order->get_total_tax(),
			'billing_email' => $order->get_billing_email(),
			'crm_order_id'  => (string) $order->get_meta( Links::META_CRM_ORDER_ID ),
			'date_created'  => $created ? gmdate( 'c', $created->getTimestamp() ) : null,
			'date_modified' => $modified ? gmdate( 'c', $modified->getTimestamp() ) : null,
			'line_items'    => $items,
		);
	}

	/**
	 * Ids only, for data minimisation.
	 *
	 * @param array<string, mixed> $data Full payload.
	 * @return array<string, mixed>
	 */
	private static function minimal( array $data ): array {
		return array_intersect_key( $data, array_flip( array( 'id', 'number', 'status', 'crm_order_id', 'date_modified' ) ) );
	}

	/**
	 * The pending change of an order, registering the flush on first use.
	 *
	 * @param int $order_id Order id.
	 * @return array<string, mixed>
	 */
	private static function &note( int $order_id ): array {
		if ( ! isset( self::$pending[ $order_id ] ) ) {
			self::$pending[ $order_id ] = array(
				'created'  => false,
				'updated'  => false,
				'deleted'  => false,
				'from'     => null,
				'to'       => null,
				'origins'  => array(),
				'snapshot' => null,
			);
		}
		self::$pending[ $order_id ]['origins'][ Origin::current() ?? 'woocommerce' ] = true;
		if ( ! self::$flush_registered ) {
			self::$flush_registered = true;
			add_action( 'shutdown', array( self::class, 'flush' ), 0 );
		}
		return self::$pending[ $order_id ];
	}
}
