<?php
/**
 * Plugin Name: WooCommerce (CRM Bridge test stand-in)
 * Description: A thin fixture reproducing the parts of WooCommerce that CRM Bridge touches. Test use only.
 * Version: 10.3.0
 * Requires at least: 6.1
 * Requires PHP: 8.0
 * Text Domain: woocommerce
 *
 * Mirrors: plugins/woocommerce/woocommerce.php and plugins/woocommerce/includes/class-woocommerce.php
 * (woocommerce/woocommerce): the `WooCommerce` class, the WC_VERSION constant and the load order of
 * `before_woocommerce_init` → `woocommerce_loaded` → `woocommerce_init`.
 *
 * @package WooCommerceStandin
 */

defined( 'ABSPATH' ) || exit;

define( 'WC_VERSION', '10.3.0' );
define( 'WC_PLUGIN_FILE', __FILE__ );

require_once __DIR__ . '/includes/class-wc-datetime.php';
require_once __DIR__ . '/includes/class-features-util.php';
require_once __DIR__ . '/includes/class-wc-order-store.php';
require_once __DIR__ . '/includes/class-wc-order.php';
require_once __DIR__ . '/includes/wc-order-functions.php';
require_once __DIR__ . '/includes/class-wc-rest-orders.php';
require_once __DIR__ . '/includes/class-wc-rest-products.php';
require_once __DIR__ . '/includes/class-woocommerce.php';

register_activation_hook( __FILE__, array( 'WooCommerce', 'install' ) );

WooCommerce::instance();
