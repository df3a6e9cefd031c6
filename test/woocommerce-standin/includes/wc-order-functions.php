<?php
/**
 * Mirrors: plugins/woocommerce/includes/wc-order-functions.php (wc_get_order, wc_get_orders,
 * wc_get_order_statuses with the `wc_order_statuses` filter, wc_get_order_status_name,
 * wc_get_order_notes) and plugins/woocommerce/includes/wc-formatting-functions.php (wc_format_decimal)
 * and wc-core-functions.php (wc_get_price_decimals).
 *
 * @package WooCommerceStandin
 */

defined( 'ABSPATH' ) || exit;

/**
 * All order statuses, keyed with the `wc-` prefix.
 *
 * @return array<string,string>
 */
function wc_get_order_statuses() {
	$order_statuses = array(
		'wc-pending'    => _x( 'Pending payment', 'Order status', 'woocommerce' ),
		'wc-processing' => _x( 'Processing', 'Order status', 'woocommerce' ),
		'wc-on-hold'    => _x( 'On hold', 'Order status', 'woocommerce' ),
		'wc-completed'  => _x( 'Completed', 'Order status', 'woocommerce' ),
		'wc-cancelled'  => _x( 'Cancelled', 'Order status', 'woocommerce' ),
		'wc-refunded'   => _x( 'Refunded', 'Order status', 'woocommerce' ),
		'wc-failed'     => _x( 'Failed', 'Order status', 'woocommerce' ),
	);
	return apply_filters( 'wc_order_statuses', $order_statuses );
}

/**
 * Human name of a status.
 *
 * @param string $status Status, with or without `wc-`.
 * @return string
 */
function wc_get_order_status_name( $status ) {
	$statuses = wc_get_order_statuses();
	$status   = 'wc-' === substr( $status, 0, 3 ) ? substr( $status, 3 ) : $status;
	return $statuses[ 'wc-' . $status ] ?? $status;
}

/**
 * The order, or false when there is none.
 *
 * @param mixed $the_order Id or order.
 * @return WC_Order|false
 */
function wc_get_order( $the_order = false ) {
	if ( ! did_action( 'woocommerce_after_register_post_type' ) ) {
		_doing_it_wrong( __FUNCTION__, 'wc_get_order should not be called before post types are registered (woocommerce_after_register_post_type action)', '2.5' );
		return false;
	}
	try {
		$order = new WC_Order( $the_order instanceof WC_Order ? $the_order->get_id() : $the_order );
		return $order->get_id() ? $order : false;
	} catch ( Exception $e ) {
		return false;
	}
}

/**
 * Orders matching the arguments (status, date_created "A...B", meta_key/meta_value, limit, offset,
 * paged, orderby, order, return, paginate). With `paginate`, an object with `orders`, `total` and
 * `max_num_pages`, as OrdersTableDataStore::query() returns it
 * (plugins/woocommerce/src/Internal/DataStores/Orders/OrdersTableDataStore.php).
 *
 * @param array $args Query arguments.
 * @return WC_Order[]|int[]|stdClass
 */
function wc_get_orders( $args ) {
	$args = (array) $args;
	if ( ! empty( $args['paginate'] ) ) {
		[ $ids, $total ] = WC_Order_Store::query( $args );
		$limit           = (int) ( $args['limit'] ?? get_option( 'posts_per_page', 10 ) );
		return (object) array(
			'orders'        => isset( $args['return'] ) && 'ids' === $args['return'] ? $ids : array_values( array_filter( array_map( 'wc_get_order', $ids ) ) ),
			'total'         => $total,
			'max_num_pages' => $limit > 0 ? (int) ceil( $total / $limit ) : 1,
		);
	}
	$ids = WC_Order_Store::query_ids( $args );
	if ( isset( $args['return'] ) && 'ids' === $args['return'] ) {
		return $ids;
	}
	return array_values( array_filter( array_map( 'wc_get_order', $ids ) ) );
}

/**
 * Notes of an order, newest first, as objects like WooCommerce's.
 *
 * @param array $args order_id.
 * @return stdClass[]
 */
function wc_get_order_notes( $args ) {
	$comments = get_comments(
		array(
			'post_id' => (int) $args['order_id'],
			'type'    => 'order_note',
			'orderby' => 'comment_ID',
			'order'   => 'DESC',
		)
	);
	return array_map(
		static fn( $c ) => (object) array(
			'id'            => (int) $c->comment_ID,
			'date_created'  => new WC_DateTime( $c->comment_date_gmt, new DateTimeZone( 'UTC' ) ),
			'content'       => $c->comment_content,
			'customer_note' => (bool) get_comment_meta( $c->comment_ID, 'is_customer_note', true ),
			'added_by'      => $c->comment_author,
		),
		$comments
	);
}

/**
 * Decimal formatting as WooCommerce does it (a dot separator, no locale): a string keeps its digits,
 * a float loses its trailing zeros, and with $dp the number is rounded to that many places
 * ('' for the shop's price decimals).
 *
 * @param mixed      $number     Number.
 * @param int|string $dp         Decimal places, '' for the shop's, false to keep the given ones.
 * @param bool       $trim_zeros Whether to remove trailing zeros.
 * @return string
 */
function wc_format_decimal( $number, $dp = false, $trim_zeros = false ) {
	$number = $number ?? '';
	if ( ! is_float( $number ) ) {
		$number = preg_replace( '/\.(?![^.]+$)|[^0-9.-]/', '', (string) $number );
	}
	if ( false !== $dp ) {
		$number = number_format( (float) $number, intval( '' === $dp ? wc_get_price_decimals() : $dp ), '.', '' );
	} elseif ( is_float( $number ) ) {
		$number     = sprintf( '%.6f', $number );
		$trim_zeros = true;
	}
	if ( $trim_zeros && strstr( $number, '.' ) ) {
		$number = rtrim( rtrim( $number, '0' ), '.' );
	}
	return $number;
}

/**
 * The number of decimals prices have in this shop (the `woocommerce_price_num_decimals` setting).
 *
 * @return int
 */
function wc_get_price_decimals() {
	return absint( apply_filters( 'wc_get_price_decimals', get_option( 'woocommerce_price_num_decimals', 2 ) ) );
}
