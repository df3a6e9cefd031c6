<?php
/**
 * GET crm-bridge/v1/sidecar/orders: the orders created in a time range, a page at a time, with the
 * CRM link and the applied CRM version of each, for `crm-bridge reconcile`. Read through
 * wc_get_orders(), so it works the same on posts and HPOS storage.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Sidecar;

use CrmBridge\Links;
use CrmBridge\Rest\Args;

defined( 'ABSPATH' ) || exit;

/**
 * The orders listing.
 */
final class ListOrders extends SidecarRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/sidecar/orders';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * Time range and paging.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'after'    => array(
				'description' => 'Unix time: orders created at or after it.',
				'type'        => 'integer',
				'minimum'     => 0,
				'required'    => true,
			),
			'before'   => array(
				'description' => 'Unix time: orders created at or before it.',
				'type'        => 'integer',
				'minimum'     => 0,
				'required'    => true,
			),
			'page'     => Args::page(),
			'per_page' => Args::per_page( 100 ),
		);
	}

	/**
	 * One page, oldest first.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		if ( (int) $request['before'] < (int) $request['after'] ) {
			return new \WP_Error( 'crm_bridge_invalid_range', 'before must not be earlier than after.', array( 'status' => 400 ) );
		}
		$result = wc_get_orders(
			array(
				'type'         => 'shop_order',
				'date_created' => (int) $request['after'] . '...' . (int) $request['before'],
				'orderby'      => 'ID',
				'order'        => 'ASC',
				'limit'        => (int) $request['per_page'],
				'paged'        => (int) $request['page'],
				'paginate'     => true,
			)
		);
		$orders = array();
		foreach ( $result->orders as $order ) {
			$created      = $order->get_date_created();
			$crm_order_id = (string) $order->get_meta( Links::META_CRM_ORDER_ID );
			$orders[]     = array(
				'id'              => $order->get_id(),
				'status'          => $order->get_status(),
				'date_created'    => $created ? gmdate( 'c', $created->getTimestamp() ) : null,
				'crm_order_id'    => $crm_order_id,
				// The links table is the one store of the applied version; a listing writes nothing (reconcile's
				// dry runs read it), so a legacy meta version is only read here and taken in by the next write.
				'applied_version' => '' === $crm_order_id ? null : Links::applied_version( $crm_order_id, $order, false ),
			);
		}
		return new \WP_REST_Response(
			array(
				'orders' => $orders,
				'total'  => (int) $result->total,
				'pages'  => (int) $result->max_num_pages,
			)
		);
	}
}
