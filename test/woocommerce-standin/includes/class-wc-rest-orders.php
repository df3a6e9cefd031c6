<?php
/**
 * Mirrors: plugins/woocommerce/includes/rest-api/Controllers/Version3/class-wc-rest-orders-controller.php
 * and class-wc-rest-order-notes-controller.php: enough of `/wc/v3/orders` for tests to create, read,
 * update and delete orders and read their notes (fields: id, status, currency, total, billing.email,
 * line_items[name, quantity, total, product_id or sku], meta_data[key, value], date_created_gmt,
 * date_modified_gmt, and `_links` as WooCommerce adds them even under `_fields`). A new line item must
 * name its product, as in WooCommerce. Permission: the shop-order capabilities WooCommerce grants administrators and
 * shop managers.
 *
 * @package WooCommerceStandin
 */

defined( 'ABSPATH' ) || exit;

/**
 * The orders REST controller, reduced.
 */
final class WC_REST_Orders_Standin {

	/**
	 * Registers the routes.
	 */
	public static function register_routes(): void {
		$can = static fn() => current_user_can( 'edit_shop_orders' );
		register_rest_route(
			'wc/v3',
			'/orders',
			array(
				array(
					'methods'             => 'POST',
					'callback'            => array( self::class, 'create' ),
					'permission_callback' => $can,
				),
				array(
					'methods'             => 'GET',
					'callback'            => array( self::class, 'list' ),
					'permission_callback' => $can,
				),
			)
		);
		register_rest_route(
			'wc/v3',
			'/orders/(?P<id>\d+)',
			array(
				array(
					'methods'             => 'GET',
					'callback'            => array( self::class, 'get' ),
					'permission_callback' => $can,
				),
				array(
					'methods'             => 'PUT, PATCH, POST',
					'callback'            => array( self::class, 'update' ),
					'permission_callback' => $can,
				),
				array(
					'methods'             => 'DELETE',
					'callback'            => array( self::class, 'delete' ),
					'permission_callback' => $can,
				),
			)
		);
		register_rest_route(
			'wc/v3',
			'/orders/(?P<id>\d+)/notes',
			array(
				'methods'             => 'GET',
				'callback'            => array( self::class, 'notes' ),
				'permission_callback' => $can,
			)
		);
	}

	/**
	 * POST /wc/v3/orders.
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function create( WP_REST_Request $request ) {
		foreach ( (array) ( $request['line_items'] ?? array() ) as $line ) {
			// WC_REST_Orders_V2_Controller::get_product_id(): a new line item names its product.
			if ( empty( $line['product_id'] ) && empty( $line['sku'] ) && empty( $line['variation_id'] ) ) {
				return new WP_Error( 'woocommerce_rest_required_product_reference', __( 'Product ID or SKU is required.', 'woocommerce' ), array( 'status' => 400 ) );
			}
		}
		$order = new WC_Order();
		self::apply( $order, $request );
		$order->save();
		$response = self::response( wc_get_order( $order->get_id() ) );
		$response->set_status( 201 );
		return $response;
	}

	/**
	 * GET /wc/v3/orders (status, per_page, orderby, order).
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function list( WP_REST_Request $request ) {
		$orders = wc_get_orders(
			array(
				'status'  => $request['status'] ? explode( ',', (string) $request['status'] ) : array(),
				'limit'   => (int) ( $request['per_page'] ?? 10 ),
				'orderby' => (string) ( $request['orderby'] ?? 'date_created' ),
				'order'   => (string) ( $request['order'] ?? 'desc' ),
			)
		);
		// prepare_response_for_collection(): each item carries its links.
		return array_map( static fn( $o ) => self::prepare( $o ) + array( '_links' => self::links( $o ) ), $orders );
	}

	/**
	 * GET /wc/v3/orders/<id>.
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function get( WP_REST_Request $request ) {
		$order = wc_get_order( (int) $request['id'] );
		return $order ? self::response( $order ) : self::not_found();
	}

	/**
	 * PUT /wc/v3/orders/<id>.
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function update( WP_REST_Request $request ) {
		$order = wc_get_order( (int) $request['id'] );
		if ( ! $order ) {
			return self::not_found();
		}
		self::apply( $order, $request );
		$order->save();
		return self::response( wc_get_order( $order->get_id() ) );
	}

	/**
	 * DELETE /wc/v3/orders/<id>?force=true.
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function delete( WP_REST_Request $request ) {
		$order = wc_get_order( (int) $request['id'] );
		if ( ! $order ) {
			return self::not_found();
		}
		$data = self::prepare( $order );
		$order->delete( rest_sanitize_boolean( $request['force'] ?? false ) );
		return $data;
	}

	/**
	 * GET /wc/v3/orders/<id>/notes.
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function notes( WP_REST_Request $request ) {
		$notes = wc_get_order_notes( array( 'order_id' => (int) $request['id'] ) );
		return array_map(
			static fn( $n ) => array(
				'id'            => $n->id,
				'note'          => $n->content,
				'customer_note' => $n->customer_note,
				'added_by'      => $n->added_by,
				'date_created'  => (string) $n->date_created,
			),
			$notes
		);
	}

	/**
	 * Copies request fields onto the order.
	 *
	 * @param WC_Order        $order   Order.
	 * @param WP_REST_Request $request Request.
	 */
	private static function apply( WC_Order $order, WP_REST_Request $request ): void {
		if ( isset( $request['currency'] ) ) {
			$order->set_currency( (string) $request['currency'] );
		}
		if ( isset( $request['billing']['email'] ) ) {
			$order->set_billing_email( (string) $request['billing']['email'] );
		}
		if ( isset( $request['customer_note'] ) ) {
			$order->set_customer_note( (string) $request['customer_note'] );
		}
		$total = null;
		foreach ( (array) ( $request['line_items'] ?? array() ) as $line ) {
			// prepare_line_items(): the product gives the name and the price × quantity, the posted fields win.
			$product_id = empty( $line['sku'] ) ? (int) ( $line['product_id'] ?? 0 ) : WC_REST_Products_Standin::id_by_sku( (string) $line['sku'] );
			$product    = WC_REST_Products_Standin::prepare( $product_id );
			$quantity   = (int) ( $line['quantity'] ?? 1 );
			$item       = new WC_Order_Item_Product();
			$item->set_name( (string) ( $line['name'] ?? $product['name'] ?? '' ) );
			$item->set_quantity( $quantity );
			$item->set_total( (string) ( $line['total'] ?? ( (float) ( $product['price'] ?? 0 ) * $quantity ) ) );
			$item->set_product_id( $product ? $product_id : 0 );
			$order->add_item( $item );
			$total = ( $total ?? (float) $order->get_total() ) + (float) $item->get_total();
		}
		if ( null !== $total ) {
			$order->set_total( $total );
		}
		foreach ( (array) ( $request['meta_data'] ?? array() ) as $meta ) {
			$order->update_meta_data( (string) $meta['key'], $meta['value'] );
		}
		if ( isset( $request['status'] ) ) {
			$order->set_status( (string) $request['status'] );
		}
	}

	/**
	 * The response of one order, with its links: WooCommerce adds them whatever `_fields` asks for, so
	 * `?_fields=id,status` still answers `_links`.
	 *
	 * @param WC_Order $order Order.
	 */
	private static function response( WC_Order $order ): WP_REST_Response {
		$response = new WP_REST_Response( self::prepare( $order ) );
		$response->add_links( self::links( $order ) );
		return $response;
	}

	/**
	 * WC_REST_Orders_V2_Controller::prepare_links(): self and collection (its customer and parent links
	 * are left out, as the stand-in's orders have neither).
	 *
	 * @param WC_Order $order Order.
	 */
	private static function links( WC_Order $order ): array {
		return array(
			'self'       => array( 'href' => rest_url( 'wc/v3/orders/' . $order->get_id() ) ),
			'collection' => array( 'href' => rest_url( 'wc/v3/orders' ) ),
		);
	}

	/**
	 * The response shape.
	 *
	 * @param WC_Order $order Order.
	 */
	public static function prepare( WC_Order $order ): array {
		$meta = array();
		foreach ( $order->get_meta() as $key => $values ) {
			foreach ( $values as $value ) {
				$meta[] = array(
					'key'   => $key,
					'value' => $value,
				);
			}
		}
		return array(
			'id'                => $order->get_id(),
			'status'            => $order->get_status(),
			'currency'          => $order->get_currency(),
			'total'             => $order->get_total(),
			'billing'           => array( 'email' => $order->get_billing_email() ),
			'date_created_gmt'  => $order->get_date_created() ? $order->get_date_created()->format( 'Y-m-d\TH:i:s' ) : null,
			'date_modified_gmt' => $order->get_date_modified() ? $order->get_date_modified()->format( 'Y-m-d\TH:i:s' ) : null,
			'line_items'        => array_map(
				static fn( $i ) => array(
					'id'         => $i->get_id(),
					'name'       => $i->get_name(),
					'quantity'   => $i->get_quantity(),
					'total'      => $i->get_total(),
					'product_id' => $i->get_product_id(),
				),
				$order->get_items()
			),
			'meta_data'         => $meta,
		);
	}

	/**
	 * WooCommerce's 404 for a missing order.
	 */
	private static function not_found(): WP_Error {
		return new WP_Error( 'woocommerce_rest_shop_order_invalid_id', __( 'Invalid ID.', 'woocommerce' ), array( 'status' => 404 ) );
	}
}
