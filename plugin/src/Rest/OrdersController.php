<?php
/**
 * GET crm-bridge/v1/sidecar/orders: the orders created in a time range, a page at a time, with the
 * CRM link and the applied CRM version of each, for `crm-bridge reconcile`. Read through
 * wc_get_orders(), so it works the same on posts and HPOS storage. Only the sidecar's role may call it.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest;

use CrmBridge\Links;
use CrmBridge\Roles;

defined( 'ABSPATH' ) || exit;

/**
 * The orders listing.
 */
final class OrdersController {

	/**
	 * Registers the route.
	 */
	public static function register(): void {
		register_rest_route(
			'crm-bridge/v1',
			'/sidecar/orders',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( self::class, 'list' ),
				'permission_callback' => static fn() => current_user_can( Roles::APPLY_CAPABILITY ),
				'args'                => array(
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
					'page'     => array(
						'type'    => 'integer',
						'minimum' => 1,
						'default' => 1,
					),
					'per_page' => array(
						'type'    => 'integer',
						'minimum' => 1,
						'maximum' => 200,
						'default' => 100,
					),
				),
			)
		);
	}

	/**
	 * One page, oldest first.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function list( \WP_REST_Request $request ) {
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
			$created  = $order->get_date_created();
			$orders[] = array(
				'id'              => $order->get_id(),
				'status'          => $order->get_status(),
				'date_created'    => $created ? gmdate( 'c', $created->getTimestamp() ) : null,
				'crm_order_id'    => (string) $order->get_meta( Links::META_CRM_ORDER_ID ),
				'applied_version' => '' === (string) $order->get_meta( Links::META_VERSION ) ? null : (int) $order->get_meta( Links::META_VERSION ),
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
