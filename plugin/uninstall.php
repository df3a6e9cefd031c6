<?php
/**
 * Removes the plugin's tables and options, but only when the site owner chose "delete data on
 * uninstall" in the settings: orders keep their CRM links either way.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

if ( ! get_option( 'crm_bridge_delete_data_on_uninstall', false ) ) {
	return;
}

require_once __DIR__ . '/src/Schema.php';
require_once __DIR__ . '/src/Roles.php';

\CrmBridge\Schema::drop();
\CrmBridge\Roles::uninstall();

global $wpdb;
$wpdb->query( "DROP VIEW IF EXISTS `{$wpdb->prefix}crm_bridge_options`" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- the sidecar's options view (SidecarAccess::VIEW).
$crm_bridge_options = $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( 'crm_bridge_' ) . '%' ) );
foreach ( $crm_bridge_options as $crm_bridge_option ) {
	delete_option( $crm_bridge_option );
}
