<?php
/**
 * The demo shop's catalogue and first orders, run inside the site by `npm run demo` (through the
 * stack's eval.php): three simple products with prices and stock, a customer, and three orders placed
 * as a checkout leaves them (addresses, items naming products, a payment method, totals calculated,
 * `pending`). Idempotent: a second run finds what the first made. Prints the order ids as JSON.
 *
 * On real WooCommerce it uses WC_Product_Simple, wc_create_order() and WC_Order::calculate_totals().
 * The stand-in has none of these: its products come from its POST /wc/v3/products route and its
 * orders take the same items, e-mail and total through the WC_Order methods it has.
 *
 * @package CrmBridge
 */

// No strict_types declaration: eval.php runs this file after its own code, where PHP refuses one.
namespace CrmBridge\Demo;

const PRODUCTS = array(
	'DEMO-CUPS'    => array( 'Espresso cups (set of 2)', '12.00', 25 ),
	'DEMO-TEA'     => array( 'Tea tin', '8.50', 40 ),
	'DEMO-GRINDER' => array( 'Burr grinder', '49.00', 10 ),
);

/** The orders: SKU => quantity. */
const ORDERS = array(
	array( 'DEMO-CUPS' => 2 ),
	array(
		'DEMO-TEA'  => 1,
		'DEMO-CUPS' => 1,
	),
	array( 'DEMO-GRINDER' => 1 ),
);

const ADDRESS = array(
	'first_name' => 'Ada',
	'last_name'  => 'Lovelace',
	'company'    => '',
	'address_1'  => '12 St James\'s Square',
	'address_2'  => '',
	'city'       => 'London',
	'state'      => '',
	'postcode'   => 'SW1Y 4JH',
	'country'    => 'GB',
);

/** The product id for a SKU, 0 when there is none (the stand-in has its own lookup instead of wc_get_product_id_by_sku()). */
function product_id_by_sku( string $sku ): int {
	return (int) ( function_exists( 'wc_get_product_id_by_sku' ) ? wc_get_product_id_by_sku( $sku ) : \WC_REST_Products_Standin::id_by_sku( $sku ) );
}

/** Creates the product once; returns its id. */
function ensure_product( string $sku, string $name, string $price, int $stock ): int {
	$id = product_id_by_sku( $sku );
	if ( $id ) {
		return $id;
	}
	if ( class_exists( 'WC_Product_Simple' ) ) {
		$product = new \WC_Product_Simple();
		$product->set_name( $name );
		$product->set_sku( $sku );
		$product->set_regular_price( $price );
		$product->set_manage_stock( true );
		$product->set_stock_quantity( $stock );
		$product->set_status( 'publish' );
		return (int) $product->save();
	}
	$request = new \WP_REST_Request( 'POST', '/wc/v3/products' );
	$request->set_body_params(
		array(
			'name'           => $name,
			'type'           => 'simple',
			'sku'            => $sku,
			'regular_price'  => $price,
			'manage_stock'   => true,
			'stock_quantity' => $stock,
		)
	);
	$response = rest_do_request( $request );
	if ( $response->is_error() ) {
		throw new \RuntimeException( 'product ' . $sku . ': ' . wp_json_encode( $response->get_data() ) );
	}
	return (int) $response->get_data()['id'];
}

/** The demo's customer account; returns its user id. */
function ensure_customer(): int {
	$user = get_user_by( 'login', 'ada' );
	if ( $user ) {
		return $user->ID;
	}
	$id = wp_insert_user(
		array(
			'user_login' => 'ada',
			'user_pass'  => wp_generate_password( 24 ),
			'user_email' => 'ada@shop.test',
			'first_name' => ADDRESS['first_name'],
			'last_name'  => ADDRESS['last_name'],
			'role'       => get_role( 'customer' ) ? 'customer' : 'subscriber',
		)
	);
	if ( is_wp_error( $id ) ) {
		throw new \RuntimeException( $id->get_error_message() );
	}
	return (int) $id;
}

/**
 * One order as the checkout makes it: customer, addresses, items from products, payment method,
 * totals, `pending` (the checkout's state until the payment is taken).
 *
 * @param array<string,int> $items SKU => quantity.
 * @param array<string,int> $ids   SKU => product id.
 */
function place_order( int $customer_id, array $items, array $ids ): int {
	if ( function_exists( 'wc_create_order' ) ) {
		$order = wc_create_order(
			array(
				'customer_id' => $customer_id,
				'created_via' => 'checkout',
			)
		);
		foreach ( $items as $sku => $quantity ) {
			$order->add_product( wc_get_product( $ids[ $sku ] ), $quantity );
		}
		$order->set_address( ADDRESS + array( 'email' => 'ada@shop.test', 'phone' => '+44 20 7946 0000' ), 'billing' );
		$order->set_address( ADDRESS, 'shipping' );
		$order->set_payment_method( 'bacs' );
		$order->set_payment_method_title( 'Direct bank transfer' );
		$order->calculate_totals();
		$order->set_status( 'pending' );
		return (int) $order->save();
	}
	$order = new \WC_Order();
	$order->set_billing_email( 'ada@shop.test' );
	$total = 0.0;
	foreach ( $items as $sku => $quantity ) {
		$price = (float) get_post_meta( $ids[ $sku ], '_price', true );
		$item  = new \WC_Order_Item_Product();
		$item->set_product_id( $ids[ $sku ] );
		$item->set_name( get_the_title( $ids[ $sku ] ) );
		$item->set_quantity( $quantity );
		$item->set_total( $price * $quantity );
		$order->add_item( $item );
		$total += $price * $quantity;
	}
	$order->set_total( $total );
	$order->set_status( 'pending' );
	return (int) $order->save();
}

wp_set_current_user( (int) get_user_by( 'login', 'admin' )->ID );
$crm_bridge_ids = array();
foreach ( PRODUCTS as $sku => list( $name, $price, $stock ) ) {
	$crm_bridge_ids[ $sku ] = ensure_product( $sku, $name, $price, $stock );
}
$crm_bridge_customer = ensure_customer();
$crm_bridge_orders   = wc_get_orders(
	array(
		'limit'   => count( ORDERS ),
		'orderby' => 'id',
		'order'   => 'ASC',
		'return'  => 'ids',
	)
);
foreach ( ORDERS as $i => $items ) {
	if ( ! isset( $crm_bridge_orders[ $i ] ) ) {
		$crm_bridge_orders[] = place_order( $crm_bridge_customer, $items, $crm_bridge_ids );
	}
}
echo wp_json_encode( array_map( 'intval', $crm_bridge_orders ) );
