<?php
/**
 * The address of an order's edit screen as WooCommerce gives it (`WC_Order::get_edit_order_url()`):
 * the HPOS screen (admin.php?page=wc-orders&action=edit&id=N) or the post screen
 * (post.php?post=N&action=edit), whichever the shop's order storage uses, or null once the order is
 * gone. The sync log and the deliveries list both link orders through it.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * Order edit links.
 */
final class OrderLink {

	/**
	 * The edit URL of an order, or null when there is no such order.
	 *
	 * @param int|string|null         $order_id Order id.
	 * @param array<int, string|null> $seen     Links already looked up for this response, by order id:
	 *                                          a page of rows names the same orders again and again.
	 */
	public static function edit_url( $order_id, array &$seen = array() ): ?string {
		$id = (int) $order_id;
		if ( $id <= 0 ) {
			return null;
		}
		if ( ! array_key_exists( $id, $seen ) ) {
			$order       = wc_get_order( $id );
			$seen[ $id ] = $order ? $order->get_edit_order_url() : null;
		}
		return $seen[ $id ];
	}
}
