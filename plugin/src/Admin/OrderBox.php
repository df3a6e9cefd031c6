<?php
/**
 * A box on the WooCommerce order edit screen with the order's sync history (the latest 20 log rows),
 * on both the HPOS screen and the legacy post screen, and a link to the order's story in the sync log.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Admin;

use CrmBridge\Links;
use CrmBridge\SyncLogReader;

defined( 'ABSPATH' ) || exit;

/**
 * Order edit screen box.
 */
final class OrderBox {

	/**
	 * Registers the box (hooked to add_meta_boxes).
	 */
	public static function register(): void {
		if ( ! current_user_can( Page::CAPABILITY ) ) {
			return;
		}
		$screens = array( 'shop_order' );
		if ( function_exists( 'wc_get_page_screen_id' ) ) {
			$screens[] = wc_get_page_screen_id( 'shop-order' );
		}
		foreach ( array_unique( $screens ) as $screen ) {
			add_meta_box( 'crm-bridge-sync', __( 'CRM sync', 'crm-bridge' ), array( self::class, 'render' ), $screen, 'side', 'default' );
		}
	}

	/**
	 * Prints the box for a post (legacy screen) or an order (HPOS screen).
	 *
	 * @param \WP_Post|\WC_Order|mixed $post_or_order The screen's object.
	 */
	public static function render( $post_or_order ): void {
		$order = $post_or_order instanceof \WC_Order ? $post_or_order : wc_get_order( $post_or_order instanceof \WP_Post ? $post_or_order->ID : 0 );
		if ( ! $order ) {
			return;
		}
		$rows = SyncLogReader::for_order( (int) $order->get_id(), 20 );
		$crm  = (string) $order->get_meta( Links::META_CRM_ORDER_ID );
		echo '<div class="crm-bridge-order-box">';
		echo '<p>' . ( '' !== $crm
			/* translators: %s: CRM order id */
			? esc_html( sprintf( __( 'CRM order %s', 'crm-bridge' ), $crm ) )
			: esc_html__( 'Not linked to a CRM order yet.', 'crm-bridge' ) ) . '</p>';
		if ( ! $rows ) {
			echo '<p>' . esc_html__( 'No sync history.', 'crm-bridge' ) . '</p></div>';
			return;
		}
		echo '<ul>';
		foreach ( $rows as $row ) {
			printf(
				'<li><strong>%1$s</strong> %2$s %3$s<br><small>%4$s UTC%5$s</small></li>',
				esc_html( ( 'in' === $row['direction'] ? '← ' : '→ ' ) . $row['decision'] ),
				esc_html( (string) $row['to_status'] ),
				esc_html( $row['error_class'] ? '(' . $row['error_class'] . ')' : '' ),
				esc_html( (string) $row['created_at'] ),
				$row['message'] ? ' — ' . esc_html( (string) $row['message'] ) : ''
			);
		}
		echo '</ul>';
		printf( '<p><a href="%s">%s</a></p></div>', esc_url( self::story_url( (int) $order->get_id() ) ), esc_html__( 'Open this order in the sync log', 'crm-bridge' ) );
	}

	/**
	 * The sync log filtered to one order: its incoming and outgoing rows together.
	 *
	 * @param int $order_id Order id.
	 */
	public static function story_url( int $order_id ): string {
		return admin_url( 'admin.php?page=crm-bridge&tab=log&order=' . $order_id );
	}
}
