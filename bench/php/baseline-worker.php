<?php
/**
 * The Action Scheduler way without Action Scheduler, as a baseline on the WooCommerce stand-in: one
 * PHP process in the same WordPress takes one inbox event at a time, fetches the CRM order and applies
 * it (the benchmark actions plugin's unit of work), then marks the event done. Not product code.
 * Usage: php baseline-worker.php <wordpress dir> <site url> <seconds>
 *
 * @package CrmBridgeBench
 */

declare( strict_types=1 );

[ , , , $seconds ] = $argv;
require __DIR__ . '/load-wordpress.php';

global $wpdb;
$inbox    = $wpdb->prefix . 'crm_bridge_inbox';
$worker   = 'baseline-' . getmypid();
$deadline = microtime( true ) + (float) $seconds;
$done     = 0;
while ( microtime( true ) < $deadline ) {
	// Claim one event, Action Scheduler style: an atomic UPDATE … LIMIT 1 with a claim id.
	$claimed = $wpdb->query( $wpdb->prepare( "UPDATE $inbox SET status = 'running', locked_by = %s, locked_until = NOW(3) + INTERVAL 60 SECOND WHERE status = 'pending' ORDER BY id LIMIT 1", $worker ) );
	if ( ! $claimed ) {
		usleep( 20000 );
		if ( ! (int) $wpdb->get_var( "SELECT COUNT(*) FROM $inbox WHERE status IN ('pending','running')" ) ) {
			break;
		}
		continue;
	}
	$event = $wpdb->get_row( $wpdb->prepare( "SELECT id, crm_order_id FROM $inbox WHERE locked_by = %s AND status = 'running' LIMIT 1", $worker ) );
	crm_bridge_bench_sync( $event->crm_order_id );
	$wpdb->query( $wpdb->prepare( "UPDATE $inbox SET status = 'done', finished_at = NOW(3), locked_by = NULL WHERE id = %d", $event->id ) );
	++$done;
}
echo wp_json_encode( array( 'done' => $done, 'peak_memory' => memory_get_peak_usage( true ) ) ), "\n";
