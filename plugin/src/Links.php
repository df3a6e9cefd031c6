<?php
/**
 * The link between a CRM order id and a WooCommerce order id, with the last CRM version applied or
 * agreed: the one store of that version, read by the write endpoint's guard and by the sidecar. The
 * order's meta carries a copy for display (META_VERSION), written alongside and never read for a decision.
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
	 * The CRM order a WooCommerce order is linked to, or ''.
	 *
	 * @param int $order_id WooCommerce order id.
	 */
	public static function crm_order_for( int $order_id ): string {
		global $wpdb;
		$table = Schema::table( 'links' );
		return (string) $wpdb->get_var( $wpdb->prepare( "SELECT crm_order_id FROM $table WHERE order_id = %d", $order_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	/**
	 * Whether a CRM order id may be stored and shown: 1 to 191 bytes of printable characters, none of
	 * which can open markup or an attribute.
	 *
	 * @param string $crm_order_id CRM order id.
	 */
	public static function is_valid_crm_order_id( string $crm_order_id ): bool {
		return '' !== $crm_order_id && strlen( $crm_order_id ) <= 191 && 1 === preg_match( '/^' . self::CRM_ORDER_ID_PATTERN . '$/u', $crm_order_id );
	}

	/** The characters a CRM order id may hold (a JSON Schema pattern, anchored by the caller). */
	public const CRM_ORDER_ID_PATTERN = '[^\\p{C}<>"\']+';

	/**
	 * Records the link and the version applied. A link, once made, is never moved: an order linked
	 * to one CRM order is never re-linked to another, and a CRM order linked to one order never moves
	 * to another. Both are refused (false), and nothing is written.
	 *
	 * @param string          $crm_order_id CRM order id.
	 * @param int             $order_id     WooCommerce order id.
	 * @param int|string|null $version      Version applied, or null when only linking.
	 * @return bool Whether the pair is linked now.
	 */
	public static function save( string $crm_order_id, int $order_id, $version ): bool {
		global $wpdb;
		$table = Schema::table( 'links' );
		$now   = Clock::mysql_now();
		// Both keys are unique: the insert fails on either conflict and never replaces a row.
		$inserted = null === $version
			? $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO $table (crm_order_id, order_id, applied_version, applied_at) VALUES (%s, %d, NULL, NULL)", $crm_order_id, $order_id ) ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			: $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO $table (crm_order_id, order_id, applied_version, applied_at) VALUES (%s, %d, %s, %s)", $crm_order_id, $order_id, (string) $version, $now ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		if ( 1 === $inserted ) {
			return true;
		}
		if ( self::order_for( $crm_order_id ) !== $order_id ) {
			return false;
		}
		if ( null !== $version ) {
			$wpdb->query( $wpdb->prepare( "UPDATE $table SET applied_version = %s, applied_at = %s WHERE crm_order_id = %s AND order_id = %d", (string) $version, $now, $crm_order_id, $order_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		}
		return true;
	}

	/**
	 * The CRM version last applied to or agreed with the order, or null when none is known. An install
	 * from before the links table kept the version has it only in the order's meta: that value is taken
	 * into the links table once, here, and the meta is not read again for this order. A reader that
	 * must write nothing (a listing for a dry run) gets the meta's value without the take-over.
	 *
	 * @param string    $crm_order_id CRM order id.
	 * @param \WC_Order $order        The order, linked to that CRM order or about to be.
	 * @param bool      $take_in      Whether a legacy meta version is written into the links table.
	 */
	public static function applied_version( string $crm_order_id, \WC_Order $order, bool $take_in = true ): ?int {
		global $wpdb;
		$table    = Schema::table( 'links' );
		$order_id = (int) $order->get_id();
		$stored   = $wpdb->get_var( $wpdb->prepare( "SELECT applied_version FROM $table WHERE crm_order_id = %s AND order_id = %d", $crm_order_id, $order_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		if ( null !== $stored && '' !== (string) $stored ) {
			return (int) $stored;
		}
		$legacy = (string) $order->get_meta( self::META_VERSION );
		if ( 1 !== preg_match( '/^\d{1,18}$/', $legacy ) ) {
			return null;
		}
		if ( $take_in ) {
			self::agree_at_link( $crm_order_id, $order_id, (int) $legacy );
		}
		return (int) $legacy;
	}

	/**
	 * Records the CRM version of a record the CRM created from our own order.created: the point where
	 * shop and CRM are known to agree, so neither the worker nor reconcile takes that record (or its
	 * creation webhook) for a CRM decision. Only where no CRM version was applied yet: it never lowers one.
	 *
	 * @param string $crm_order_id CRM order id.
	 * @param int    $order_id     WooCommerce order id.
	 * @param int    $version      The CRM's version of the record it created.
	 * @return bool Whether the version was recorded.
	 */
	public static function agree_at_link( string $crm_order_id, int $order_id, int $version ): bool {
		global $wpdb;
		$table = Schema::table( 'links' );
		return 1 === $wpdb->query( $wpdb->prepare( "UPDATE $table SET applied_version = %s, applied_at = %s WHERE crm_order_id = %s AND order_id = %d AND applied_version IS NULL", (string) $version, Clock::mysql_now(), $crm_order_id, $order_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}
}
