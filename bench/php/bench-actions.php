<?php
/**
 * Plugin Name: CRM Bridge benchmark actions
 * Description: Installed into the benchmark site only. The unit of work every baseline repeats (load the
 * order, compare the CRM version, two meta, update_status with a note, save) and the Action Scheduler
 * action that does it after fetching the order from the CRM, as a shop would without the sidecar.
 * Not product code.
 *
 * @package CrmBridgeBench
 */

declare( strict_types=1 );

/**
 * Applies a CRM order's status to its WooCommerce order when the CRM's version is newer; the same
 * transition the sidecar makes through the write endpoint. Returns true when the order changed.
 *
 * @param int    $order_id     WooCommerce order id.
 * @param string $crm_order_id CRM order id.
 * @param int    $version      The CRM order's version.
 * @param string $status       The WooCommerce status to set.
 */
function crm_bridge_bench_apply( int $order_id, string $crm_order_id, int $version, string $status ): bool {
	$order = wc_get_order( $order_id );
	if ( ! $order || $version <= (int) $order->get_meta( '_crm_bridge_version' ) ) {
		return false;
	}
	$order->update_meta_data( '_crm_bridge_version', (string) $version );
	$order->update_meta_data( '_crm_bridge_crm_order_id', $crm_order_id );
	$order->update_status( $status, 'Status set by the CRM.' );
	return true;
}

/**
 * Fetches a CRM order (the CRM and its token are in the crm_bridge_bench option) and returns it, or
 * throws: a failed action is recorded as failed by Action Scheduler, as in a shop.
 *
 * @param string $crm_order_id CRM order id.
 * @return array<string, mixed>
 */
function crm_bridge_bench_fetch( string $crm_order_id ): array {
	$conf = (array) get_option( 'crm_bridge_bench', array() );
	$res  = wp_remote_get(
		$conf['crm'] . '/orders/' . rawurlencode( $crm_order_id ),
		array(
			'headers' => array( 'Authorization' => 'Bearer ' . $conf['token'] ),
			'timeout' => 10,
		)
	);
	$body = json_decode( (string) wp_remote_retrieve_body( $res ), true );
	if ( 200 !== wp_remote_retrieve_response_code( $res ) || ! is_array( $body ) ) {
		throw new RuntimeException( 'CRM order ' . $crm_order_id . ' could not be fetched' );
	}
	return $body;
}

/**
 * The whole action: fetch the CRM order, then apply its status through the settings' mapping.
 *
 * @param string $crm_order_id CRM order id.
 */
function crm_bridge_bench_sync( string $crm_order_id ): bool {
	$crm_order = crm_bridge_bench_fetch( $crm_order_id );
	$mapping   = (array) \CrmBridge\Settings::get( 'mapping' );
	return crm_bridge_bench_apply( (int) $crm_order['woo_order_id'], $crm_order_id, (int) $crm_order['version'], (string) ( $mapping[ $crm_order['status'] ] ?? 'processing' ) );
}

add_action(
	'crm_bridge_bench_apply',
	static function ( string $crm_order_id ): void {
		crm_bridge_bench_sync( $crm_order_id );
	}
);
