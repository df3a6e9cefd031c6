<?php
/**
 * Two measurements of one PHP process, for the benchmark: the median time of an order save with and
 * without the plugin's outbox hooks, and the write ceiling (load, compare version, update_status with
 * a note, two meta, save: the sidecar's work unit without queue or CRM). Not product code.
 * Usage: php order-save.php <wordpress dir> <site url> <iterations>
 *
 * @package CrmBridgeBench
 */

[ , $dir, $url, $iterations ] = $argv;
$_SERVER['HTTP_HOST']   = (string) parse_url( $url, PHP_URL_HOST ) . ':' . (string) parse_url( $url, PHP_URL_PORT );
$_SERVER['REQUEST_URI'] = '/';
require $dir . '/wp-load.php';

$n = (int) $iterations;
$ids = array();
for ( $i = 0; $i < $n; $i++ ) {
	$o = new WC_Order();
	$o->set_status( 'pending' );
	$o->set_total( '10.00' );
	$ids[] = $o->save();
}
\CrmBridge\Outbox::flush();

/**
 * Median milliseconds of $fn over the ids.
 */
$median = static function ( callable $fn ) use ( $ids ): float {
	$times = array();
	foreach ( $ids as $id ) {
		$t = hrtime( true );
		$fn( $id );
		\CrmBridge\Outbox::flush();
		$times[] = ( hrtime( true ) - $t ) / 1e6;
	}
	sort( $times );
	return $times[ intdiv( count( $times ), 2 ) ];
};
$save    = static function ( int $id ): void {
	$o = wc_get_order( $id );
	$o->set_billing_email( 'x' . wp_rand() . '@shop.test' );
	$o->save();
};
$with    = $median( $save );
$hooks   = array(
	array( 'woocommerce_new_order', 'on_new_order' ),
	array( 'woocommerce_update_order', 'on_update_order' ),
	array( 'woocommerce_order_status_changed', 'on_status_changed' ),
);
foreach ( $hooks as [ $hook, $method ] ) {
	remove_action( $hook, array( \CrmBridge\Outbox::class, $method ), 10 );
}
$without = $median( $save );

$version = 1;
$start   = hrtime( true );
foreach ( $ids as $id ) {
	$o = wc_get_order( $id );
	if ( $version > (int) $o->get_meta( '_crm_bridge_version' ) ) {
		$o->update_meta_data( '_crm_bridge_version', (string) $version );
		$o->update_meta_data( '_crm_bridge_crm_order_id', 'CRM-' . $id );
		$o->update_status( 'processing', 'Status set by the CRM.' );
	}
}
$ceiling = count( $ids ) / ( ( hrtime( true ) - $start ) / 1e9 );
echo wp_json_encode( array( 'save_ms_with_plugin' => $with, 'save_ms_without_plugin' => $without, 'write_ceiling_per_s' => $ceiling ) ), "\n";
