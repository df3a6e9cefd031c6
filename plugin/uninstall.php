<?php
/**
 * Removes the plugin's tables, the sidecar's options view, options, role, capabilities and local
 * refusal files, but only when the site owner chose "delete all data on uninstall" in the settings
 * (or set the older crm_bridge_delete_data_on_uninstall option): orders keep their CRM links either way.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

// The plugin's own files outside its folder go whatever the data choice: a silent deactivation
// (deactivate_plugins( …, true )) skips the deactivation hook that would have removed them.
require_once __DIR__ . '/src/DbErrorDropin.php';
require_once __DIR__ . '/src/EarlyLoader.php';
\CrmBridge\EarlyLoader::remove();
\CrmBridge\DbErrorDropin::remove();

$crm_bridge_settings = json_decode( (string) get_option( 'crm_bridge_settings', '{}' ), true );
$crm_bridge_delete   = ( is_array( $crm_bridge_settings ) && true === ( $crm_bridge_settings['delete_data_on_uninstall'] ?? false ) )
	|| (bool) get_option( 'crm_bridge_delete_data_on_uninstall', false );
if ( ! $crm_bridge_delete ) {
	return;
}

// The plugin is inactive here, so its autoloader is not registered: load what is used.
require_once __DIR__ . '/src/Schema.php';
require_once __DIR__ . '/src/Roles.php';
require_once __DIR__ . '/src/SidecarAccess.php';
require_once __DIR__ . '/src/Refusals.php';

\CrmBridge\Schema::drop();
\CrmBridge\SidecarAccess::drop();
\CrmBridge\Roles::uninstall();
\CrmBridge\Refusals::delete_files();

global $wpdb;
$crm_bridge_options = $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( 'crm_bridge_' ) . '%' ) );
foreach ( $crm_bridge_options as $crm_bridge_option ) {
	delete_option( $crm_bridge_option );
}
