<?php
/**
 * Mirrors: plugins/woocommerce/includes/rest-api/Controllers/Version3/class-wc-rest-products-controller.php
 * and plugins/woocommerce/includes/class-wc-post-types.php: enough of `/wc/v3/products` for tests to
 * create a simple product (fields: id, name, sku, status, price, regular_price) that order line items
 * refer to, stored as a `product` post with the `_sku`, `_price` and `_regular_price` meta.
 * Permission: `edit_products`, granted to administrators and shop managers on install.
 *
 * @package WooCommerceStandin
 */

defined( 'ABSPATH' ) || exit;

/**
 * The products REST controller, reduced to simple products.
 */
final class WC_REST_Products_Standin {

	/**
	 * Registers the `product` post type, as WC_Post_Types::register_post_types() does on init.
	 */
	public static function register_post_type(): void {
		register_post_type(
			'product',
			array(
				'label'           => __( 'Products', 'woocommerce' ),
				'public'          => true,
				'capability_type' => 'product',
				'map_meta_cap'    => true,
				'supports'        => array( 'title', 'editor' ),
			)
		);
	}

	/**
	 * Registers the routes.
	 */
	public static function register_routes(): void {
		register_rest_route(
			'wc/v3',
			'/products',
			array(
				'methods'             => 'POST',
				'callback'            => array( self::class, 'create' ),
				'permission_callback' => static fn() => current_user_can( 'edit_products' ),
			)
		);
	}

	/**
	 * POST /wc/v3/products.
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function create( WP_REST_Request $request ) {
		$id = wp_insert_post(
			array(
				'post_type'   => 'product',
				'post_title'  => (string) ( $request['name'] ?? '' ),
				'post_status' => (string) ( $request['status'] ?? 'publish' ),
			),
			true
		);
		if ( is_wp_error( $id ) ) {
			return $id;
		}
		$price = wc_format_decimal( $request['regular_price'] ?? '' );
		update_post_meta( $id, '_sku', (string) ( $request['sku'] ?? '' ) );
		update_post_meta( $id, '_regular_price', $price );
		update_post_meta( $id, '_price', $price );
		return new WP_REST_Response( self::prepare( $id ), 201 );
	}

	/**
	 * The product id for a SKU, 0 when none, as wc_get_product_id_by_sku() returns it.
	 *
	 * @param string $sku SKU.
	 */
	public static function id_by_sku( string $sku ): int {
		$ids = get_posts(
			array(
				'post_type'   => 'product',
				'post_status' => 'any',
				'fields'      => 'ids',
				'numberposts' => 1,
				'meta_key'    => '_sku', // phpcs:ignore WordPress.DB.SlowDBQuery
				'meta_value'  => $sku, // phpcs:ignore WordPress.DB.SlowDBQuery
			)
		);
		return (int) ( $ids[0] ?? 0 );
	}

	/**
	 * The response shape of a product, or null when the id is not a product.
	 *
	 * @param int $id Product id.
	 */
	public static function prepare( int $id ): ?array {
		$post = get_post( $id );
		if ( ! $post || 'product' !== $post->post_type ) {
			return null;
		}
		return array(
			'id'            => $id,
			'name'          => $post->post_title,
			'sku'           => (string) get_post_meta( $id, '_sku', true ),
			'status'        => $post->post_status,
			'price'         => (string) get_post_meta( $id, '_price', true ),
			'regular_price' => (string) get_post_meta( $id, '_regular_price', true ),
		);
	}
}
