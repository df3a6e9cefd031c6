<?php
/**
 * Plugin Name: CRM Bridge demo notice
 * Description: Says on every wp-admin page of the demo site that it runs the WooCommerce stand-in, why, and how to get real WooCommerce. Written by `npm run demo`; never part of the plugin.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Demo;

defined( 'ABSPATH' ) || exit;

/** The option the demo writes the notice's text into; empty when the site runs real WooCommerce. */
const NOTICE_OPTION = 'crm_bridge_demo_notice';

add_action(
	'admin_notices',
	static function (): void {
		$text = (string) get_option( NOTICE_OPTION, '' );
		if ( '' === $text ) {
			return;
		}
		printf(
			'<div class="notice notice-warning" id="crm-bridge-demo-standin"><p><strong>%s</strong> %s</p></div>',
			esc_html__( 'Not real WooCommerce.', 'crm-bridge' ),
			esc_html( $text )
		);
	}
);
