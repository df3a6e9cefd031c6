<?php
/**
 * Mirrors: plugins/woocommerce/includes/class-woocommerce.php (init order, `woocommerce_loaded`,
 * `before_woocommerce_init`, `woocommerce_init`, `woocommerce_after_register_post_type`), and
 * plugins/woocommerce/includes/class-wc-install.php (create_roles: `manage_woocommerce` and the
 * order and product capabilities for administrators and the `shop_manager` role; the HPOS tables `wc_orders` and `wc_orders_meta`),
 * plugins/woocommerce/includes/admin/class-wc-admin-menus.php (the top-level `woocommerce` menu slug),
 * plugins/woocommerce/src/Blocks/Domain/Services/DraftOrders.php (the `checkout-draft` status).
 *
 * @package WooCommerceStandin
 */

defined( 'ABSPATH' ) || exit;

/**
 * The main class, reduced to bootstrapping and installation.
 */
final class WooCommerce {

	/**
	 * Plugin version, as WooCommerce exposes it.
	 *
	 * @var string
	 */
	public $version = WC_VERSION;

	/**
	 * The single instance.
	 *
	 * @var WooCommerce|null
	 */
	private static $instance = null;

	/**
	 * Returns the single instance, booting it once.
	 */
	public static function instance(): WooCommerce {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	/**
	 * Hooks in the same order as WooCommerce does.
	 */
	private function __construct() {
		add_action( 'plugins_loaded', array( $this, 'on_plugins_loaded' ), -1 );
		add_action( 'init', array( $this, 'init' ), 0 );
		add_action( 'rest_api_init', array( 'WC_REST_Orders_Standin', 'register_routes' ) );
		add_action( 'rest_api_init', array( 'WC_REST_Products_Standin', 'register_routes' ) );
		add_action( 'admin_menu', array( $this, 'admin_menu' ), 9 );
		add_filter( 'wc_order_statuses', array( $this, 'register_draft_order_status' ) );
	}

	/**
	 * The block checkout's draft status, added through the filter as
	 * plugins/woocommerce/src/Blocks/Domain/Services/DraftOrders.php does in every shop.
	 *
	 * @param array<string,string> $statuses Statuses keyed with `wc-`.
	 * @return array<string,string>
	 */
	public function register_draft_order_status( array $statuses ): array {
		$statuses['wc-checkout-draft'] = _x( 'Draft', 'Order status', 'woocommerce' );
		return $statuses;
	}

	/**
	 * WooCommerce fires `woocommerce_loaded` once all plugins are loaded.
	 */
	public function on_plugins_loaded(): void {
		do_action( 'woocommerce_loaded' );
	}

	/**
	 * Fires `before_woocommerce_init`, then `woocommerce_init`, as WooCommerce::init() does.
	 */
	public function init(): void {
		do_action( 'before_woocommerce_init' );
		WC_REST_Products_Standin::register_post_type();
		do_action( 'woocommerce_after_register_post_type' );
		do_action( 'woocommerce_init' );
	}

	/**
	 * The top-level menu WooCommerce registers; extensions attach submenus to the `woocommerce` slug.
	 */
	public function admin_menu(): void {
		add_menu_page( 'WooCommerce', 'WooCommerce', 'edit_others_shop_orders', 'woocommerce', '__return_null', 'dashicons-cart', 55 );
	}

	/**
	 * Creates the order tables and the capabilities WooCommerce's installer creates.
	 */
	public static function install(): void {
		WC_Order_Store::create_tables();

		$shop_caps = array( 'manage_woocommerce', 'view_woocommerce_reports', 'edit_shop_orders', 'edit_others_shop_orders', 'read_shop_order', 'edit_shop_order', 'edit_products', 'edit_others_products', 'publish_products', 'read_product', 'edit_product' );
		$admin     = get_role( 'administrator' );
		if ( $admin ) {
			foreach ( $shop_caps as $cap ) {
				$admin->add_cap( $cap );
			}
		}
		if ( ! get_role( 'shop_manager' ) ) {
			add_role( 'shop_manager', 'Shop manager', array_fill_keys( array_merge( array( 'read' ), $shop_caps ), true ) );
		}
	}
}
