<?php
/**
 * Plugin Name: CRM Bridge stack mail catcher
 * Description: The local stack has no mail server: every wp_mail() is written as JSON to the stack's mail folder instead.
 *
 * @package CrmBridgeStack
 */

add_filter(
	'pre_wp_mail',
	static function ( $short_circuit, array $atts ) {
		if ( ! defined( 'CRM_BRIDGE_STACK_MAIL_DIR' ) ) {
			return $short_circuit;
		}
		if ( ! is_dir( CRM_BRIDGE_STACK_MAIL_DIR ) ) {
			wp_mkdir_p( CRM_BRIDGE_STACK_MAIL_DIR );
		}
		$file = CRM_BRIDGE_STACK_MAIL_DIR . '/' . gmdate( 'Ymd-His' ) . '-' . wp_generate_password( 8, false ) . '.json';
		file_put_contents( $file, wp_json_encode( $atts ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions
		return true;
	},
	10,
	2
);
