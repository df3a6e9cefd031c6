<?php
/**
 * The write ceiling: one process applies the benchmark's transition (pending → processing with a
 * note, through WC_Order) to the orders it is given, with no queue and no CRM. Not product code.
 * Usage: php write-ceiling.php <wordpress dir> <site url> <comma-separated order ids>
 *
 * @package CrmBridgeBench
 */

declare( strict_types=1 );

[ , , , $ids ] = $argv;
require __DIR__ . '/load-wordpress.php';

$done  = 0;
$start = hrtime( true );
foreach ( array_map( 'intval', explode( ',', $ids ) ) as $id ) {
	$done += (int) crm_bridge_bench_apply( $id, 'CRM-' . $id, 1, 'processing' );
}
echo wp_json_encode( array( 'done' => $done, 'seconds' => ( hrtime( true ) - $start ) / 1e9, 'peak_memory' => memory_get_peak_usage( true ) ) ), "\n";
