<?php
/**
 * Installs WordPress non-interactively and activates the given plugins; safe to run again.
 * Usage: php setup.php <wordpress dir> <site url> <admin password> <plugin file>...
 *
 * @package CrmBridgeStack
 */

[ , $crm_bridge_dir, $crm_bridge_url, $crm_bridge_password ] = $argv;
$crm_bridge_plugins = array_slice( $argv, 4 );

$crm_bridge_host        = (string) parse_url( $crm_bridge_url, PHP_URL_HOST ) . ':' . (string) parse_url( $crm_bridge_url, PHP_URL_PORT );
$_SERVER['HTTP_HOST']   = $crm_bridge_host;
$_SERVER['SERVER_NAME'] = (string) parse_url( $crm_bridge_url, PHP_URL_HOST );
$_SERVER['REQUEST_URI'] = '/';

define( 'WP_INSTALLING', true );
require $crm_bridge_dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

if ( ! is_blog_installed() ) {
	$crm_bridge_result = wp_install( 'CRM Bridge Shop', 'admin', 'admin@shop.test', false, '', wp_slash( $crm_bridge_password ) );
	if ( is_wp_error( $crm_bridge_result ) ) {
		fwrite( STDERR, $crm_bridge_result->get_error_message() . "\n" );
		exit( 1 );
	}
} else {
	wp_set_password( $crm_bridge_password, 1 );
}

update_option( 'permalink_structure', '/%postname%/' );
update_option( 'blogdescription', 'A shop connected to its CRM' );
flush_rewrite_rules( true );

foreach ( $crm_bridge_plugins as $crm_bridge_plugin ) {
	$crm_bridge_result = activate_plugin( $crm_bridge_plugin, '', false, false );
	if ( is_wp_error( $crm_bridge_result ) ) {
		fwrite( STDERR, "activating $crm_bridge_plugin failed: " . $crm_bridge_result->get_error_message() . "\n" );
		exit( 1 );
	}
}
// The sidecar's own user, with the plugin's least-privilege role and a fresh Application Password.
$crm_bridge_sidecar = get_user_by( 'login', 'crm-bridge-sidecar' );
if ( ! $crm_bridge_sidecar ) {
	$crm_bridge_sidecar_id = wp_insert_user(
		array(
			'user_login' => 'crm-bridge-sidecar',
			'user_pass'  => wp_generate_password( 32 ),
			'user_email' => 'sidecar@shop.test',
			'role'       => 'crm_bridge_sidecar',
		)
	);
	$crm_bridge_sidecar    = get_user_by( 'id', $crm_bridge_sidecar_id );
}
foreach ( WP_Application_Passwords::get_user_application_passwords( $crm_bridge_sidecar->ID ) as $crm_bridge_item ) {
	if ( 'CRM Bridge sidecar (local stack)' === $crm_bridge_item['name'] ) {
		WP_Application_Passwords::delete_application_password( $crm_bridge_sidecar->ID, $crm_bridge_item['uuid'] );
	}
}
[ $crm_bridge_app_password ] = WP_Application_Passwords::create_new_application_password( $crm_bridge_sidecar->ID, array( 'name' => 'CRM Bridge sidecar (local stack)' ) );

echo wp_json_encode(
	array(
		'wp_version'           => get_bloginfo( 'version' ),
		'active_plugins'       => get_option( 'active_plugins' ),
		'sidecar_user'         => 'crm-bridge-sidecar',
		'sidecar_app_password' => $crm_bridge_app_password,
	)
), "\n";
