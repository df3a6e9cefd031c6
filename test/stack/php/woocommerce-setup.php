<?php
/**
 * Finishes a real WooCommerce install the way its first wp-admin visit would, then sets the order
 * storage: HPOS on (the default for new shops since 8.2) or the posts tables. Safe to run again; the
 * storage is only switched while the shop has no orders.
 * Usage: php woocommerce-setup.php <wordpress dir> <site url> on|off
 *
 * @package CrmBridgeStack
 */

[ , $crm_bridge_dir, $crm_bridge_url, $crm_bridge_hpos ] = $argv;
$_SERVER['HTTP_HOST']   = (string) parse_url( $crm_bridge_url, PHP_URL_HOST ) . ':' . (string) parse_url( $crm_bridge_url, PHP_URL_PORT );
$_SERVER['SERVER_NAME'] = (string) parse_url( $crm_bridge_url, PHP_URL_HOST );
$_SERVER['REQUEST_URI'] = '/';
require $crm_bridge_dir . '/wp-load.php';

use Automattic\WooCommerce\Internal\DataStores\Orders\DataSynchronizer;
use Automattic\WooCommerce\Internal\Features\FeaturesController;
use Automattic\WooCommerce\Utilities\OrderUtil;

// WC_Install::newly_installed() runs on admin_init; it is what turns HPOS on for a new shop.
$crm_bridge_newly = new ReflectionMethod( WC_Install::class, 'newly_installed' );
$crm_bridge_newly->setAccessible( true );
$crm_bridge_newly->invoke( null );

$crm_bridge_want = 'on' === $crm_bridge_hpos;
if ( OrderUtil::custom_orders_table_usage_is_enabled() !== $crm_bridge_want ) {
	if ( ! empty( wc_get_orders( array( 'limit' => 1 ) ) ) ) {
		fwrite( STDERR, "the shop already has orders: its order storage is not switched\n" );
		exit( 1 );
	}
	$crm_bridge_sync = wc_get_container()->get( DataSynchronizer::class );
	if ( $crm_bridge_want && ! $crm_bridge_sync->check_orders_table_exists() ) {
		$crm_bridge_sync->create_database_tables();
	}
	wc_get_container()->get( FeaturesController::class )->change_feature_enable( 'custom_order_tables', $crm_bridge_want );
	update_option( 'woocommerce_custom_orders_table_enabled', $crm_bridge_want ? 'yes' : 'no' );
}
// Keep the other storage unsynchronised, as a shop that never switched.
update_option( 'woocommerce_custom_orders_table_data_sync_enabled', 'no' );
// The store's address and currency, so the checkout and e-mails render as in a configured shop.
update_option( 'woocommerce_default_country', 'US:CA' );
update_option( 'woocommerce_currency', 'USD' );

echo wp_json_encode(
	array(
		'version' => WC()->version,
		'hpos'    => 'yes' === get_option( 'woocommerce_custom_orders_table_enabled' ),
	)
), "\n";
