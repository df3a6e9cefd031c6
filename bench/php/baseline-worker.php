<?php
/**
 * The Action Scheduler way, as a baseline for the benchmark: one PHP process in the same WordPress
 * takes one inbox event at a time, calls the CRM, and updates the order (load, compare version,
 * update_status with a note, two meta, save), then marks the event done. Not product code.
 * Usage: php baseline-worker.php <wordpress dir> <site url> <crm base url> <crm token> <seconds>
 *
 * @package CrmBridgeBench
 */

[ , $dir, $url, $crm, $token, $seconds ] = $argv;
$_SERVER['HTTP_HOST']   = (string) parse_url( $url, PHP_URL_HOST ) . ':' . (string) parse_url( $url, PHP_URL_PORT );
$_SERVER['REQUEST_URI'] = '/';
require $dir . '/wp-load.php';

global $wpdb;
$inbox    = $wpdb->prefix . 'crm_bridge_inbox';
$worker   = 'baseline-' . getmypid();
$deadline = microtime( true ) + (float) $seconds;
$done     = 0;
$mapping  = \CrmBridge\Settings::get( 'mapping' );
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
	$res   = wp_remote_get( $crm . '/orders/' . rawurlencode( $event->crm_order_id ), array( 'headers' => array( 'Authorization' => 'Bearer ' . $token ), 'timeout' => 10 ) );
	$crm_order = json_decode( wp_remote_retrieve_body( $res ), true );
	$order     = is_array( $crm_order ) ? wc_get_order( (int) $crm_order['woo_order_id'] ) : false;
	if ( $order && (int) $crm_order['version'] > (int) $order->get_meta( '_crm_bridge_version' ) ) {
		$order->update_meta_data( '_crm_bridge_version', (string) $crm_order['version'] );
		$order->update_meta_data( '_crm_bridge_crm_order_id', $event->crm_order_id );
		$order->update_status( $mapping[ $crm_order['status'] ] ?? 'processing', 'Status set by the CRM.' );
	}
	$wpdb->query( $wpdb->prepare( "UPDATE $inbox SET status = 'done', finished_at = NOW(3), locked_by = NULL WHERE id = %d", $event->id ) );
	++$done;
}
echo wp_json_encode( array( 'done' => $done, 'peak_memory' => memory_get_peak_usage( true ) ) ), "\n";
