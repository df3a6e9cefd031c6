<?php
/**
 * The link between a CRM order id and a WooCommerce order id, with the last CRM version applied:
 * an index the sidecar can read. The order itself carries the same facts in its meta.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * The links table.
 */
final class Links {

	public const META_CRM_ORDER_ID = '_crm_bridge_crm_order_id';
	public const META_VERSION      = '_crm_bridge_version';
	public const META_ORIGIN       = '_crm_bridge_last_origin';

	/**
	 * The WooCommerce order linked to a CRM order, or 0.
	 *
	 * @param string $crm_order_id CRM order id.
	 */
	public static function order_for( string $crm_order_id ): int {
		global $wpdb;
		$table = Schema::table( 'links' );
		return (int) $wpdb->get_var( $wpdb->prepare( "SELECT order_id FROM $table WHERE crm_order_id = %s", $crm_order_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	/**
	 * Records the link and the version applied.
	 *
	 * @param string          $crm_order_id CRM order id.
	 * @param int             $order_id     WooCommerce order id.
	 * @param int|string|null $version      Version applied, or null when only linking.
	 */
	public static function save( string $crm_order_id, int $order_id, $version ): void {
		global $wpdb;
		$table = Schema::table( 'links' );
		$now   = Clock::mysql_now();
		// A WooCommerce order links to one CRM order: a relink replaces the old pair.
		$wpdb->query( $wpdb->prepare( "DELETE FROM $table WHERE order_id = %d AND crm_order_id <> %s", $order_id, $crm_order_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$wpdb->query(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name.
				"INSERT INTO $table (crm_order_id, order_id, applied_version, applied_at) VALUES (%s, %d, %s, %s) ON DUPLICATE KEY UPDATE order_id = VALUES(order_id), applied_version = COALESCE(VALUES(applied_version), applied_version), applied_at = COALESCE(VALUES(applied_at), applied_at)",
				$crm_order_id,
				$order_id,
				null === $version ? null : (string) $version,
				null === $version ? null : $now
			)
		);
	}
}
