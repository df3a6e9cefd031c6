<?php
/**
 * The plugin's cost on an order save, for the benchmark: one PHP process saves existing orders (a
 * changed billing e-mail) with and without the plugin's outbox hooks. WooCommerce's cold start is
 * paid by a warm-up first; then the saves alternate in pairs (AB, BA, AB, …) so neither side is
 * always first, and the medians of each side are compared. Not product code.
 * Usage: php order-save.php <wordpress dir> <site url> <iterations>
 *
 * @package CrmBridgeBench
 */

declare( strict_types=1 );

[ , , , $iterations ] = $argv;
require __DIR__ . '/load-wordpress.php';

$n   = max( 2, (int) $iterations );
$ids = array();
for ( $i = 0; $i < $n; $i++ ) {
	$o = new WC_Order();
	$o->set_status( 'pending' );
	$o->set_total( '10.00' );
	$ids[] = $o->save();
}
\CrmBridge\Outbox::flush();

$hooks = array(
	array( 'woocommerce_new_order', 'on_new_order', 1 ),
	array( 'woocommerce_update_order', 'on_update_order', 1 ),
	array( 'woocommerce_order_status_changed', 'on_status_changed', 3 ),
);
$plugin = static function ( bool $on ) use ( $hooks ): void {
	foreach ( $hooks as [ $hook, $method, $args ] ) {
		if ( $on ) {
			add_action( $hook, array( \CrmBridge\Outbox::class, $method ), 10, $args );
		} else {
			remove_action( $hook, array( \CrmBridge\Outbox::class, $method ), 10 );
		}
	}
};
$flushes = array();
$save    = static function ( int $id ) use ( &$flushes ): float {
	$t = hrtime( true );
	$o = wc_get_order( $id );
	$o->set_billing_email( 'x' . wp_rand() . '@shop.test' );
	$o->save();
	$f = hrtime( true );
	\CrmBridge\Outbox::flush();
	$end       = hrtime( true );
	$flushes[] = ( $end - $f ) / 1e6;
	return ( $end - $t ) / 1e6;
};
$median = static function ( array $times ): float {
	sort( $times );
	return $times[ intdiv( count( $times ), 2 ) ];
};

// Warm-up, with the plugin on: autoloading, caches and WooCommerce's first-save work are paid here.
foreach ( array_slice( $ids, 0, min( 10, $n ) ) as $id ) {
	$save( $id );
}
$times = array(
	'with'    => array(),
	'without' => array(),
);
$flush_with = array();
foreach ( array_chunk( $ids, 2 ) as $k => $pair ) {
	$sides = 0 === $k % 2 ? array( 'with', 'without' ) : array( 'without', 'with' );
	foreach ( $pair as $j => $id ) {
		$plugin( 'with' === $sides[ $j ] );
		$times[ $sides[ $j ] ][] = $save( $id );
		if ( 'with' === $sides[ $j ] ) {
			$flush_with[] = end( $flushes );
		}
	}
}
$plugin( true );
echo wp_json_encode(
	array(
		'save_ms_with_plugin'    => $median( $times['with'] ),
		'save_ms_without_plugin' => $median( $times['without'] ),
		// The end-of-request write alone: the order read back, its snapshot, the outbox insert.
		'outbox_write_ms'        => $median( $flush_with ),
		'pairs'                  => count( $times['without'] ),
	)
), "\n";
