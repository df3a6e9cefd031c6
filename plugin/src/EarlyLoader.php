<?php
/**
 * The must-use receiver loader: a small file the plugin writes into wp-content/mu-plugins on
 * activation (when that folder can be written and holds no file of that name it did not write) and
 * removes on deactivation. It answers the CRM's webhooks with the same Receiver code before WordPress
 * loads the regular plugins, which saves their share of every webhook's cost. Without it, the plugin's
 * main file answers them, a little later in the same request.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * The loader's life cycle.
 */
final class EarlyLoader {

	private const MARKER = 'CRM Bridge for WooCommerce receiver loader';

	public const FILE = 'crm-bridge-receiver.php';

	/**
	 * Where WordPress loads must-use plugins from.
	 */
	public static function path(): string {
		return ( defined( 'WPMU_PLUGIN_DIR' ) ? WPMU_PLUGIN_DIR : WP_CONTENT_DIR . '/mu-plugins' ) . '/' . self::FILE;
	}

	/**
	 * Whether the installed loader is this plugin's.
	 */
	public static function is_ours(): bool {
		return DbErrorDropin::marked( self::path(), self::MARKER );
	}

	/**
	 * Writes the loader for the plugin at $plugin (its basename, e.g. crm-bridge/crm-bridge.php) when
	 * the site has no file of that name, or an older copy of ours. Not on multisite, where activation
	 * is per site but must-use plugins run for every site.
	 *
	 * @param string $plugin Plugin basename.
	 */
	public static function install( string $plugin ): void {
		$path = self::path();
		$dir  = dirname( $path );
		if ( is_multisite() || ( file_exists( $path ) && ! self::is_ours() ) ) {
			return;
		}
		if ( ! is_dir( $dir ) && ( ! is_writable( dirname( $dir ) ) || ! wp_mkdir_p( $dir ) ) ) { // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_is_writable
			return;
		}
		if ( ! is_writable( $dir ) ) { // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_is_writable
			return;
		}
		// Written beside its final name and renamed, so no request ever loads half a file.
		$partial = $path . '.' . wp_generate_password( 8, false ) . '.tmp';
		if ( false !== file_put_contents( $partial, self::source( $plugin ) ) ) { // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents
			rename( $partial, $path ); // phpcs:ignore WordPress.WP.AlternativeFunctions.rename_rename
		}
		if ( file_exists( $partial ) ) {
			wp_delete_file( $partial );
		}
	}

	/**
	 * Removes the loader if it is ours.
	 */
	public static function remove(): void {
		if ( self::is_ours() ) {
			wp_delete_file( self::path() );
		}
	}

	/**
	 * The loader's code. It does nothing unless the plugin is active and its files are in place, so a
	 * loader left behind (the plugin's folder deleted by hand) is inert.
	 *
	 * @param string $plugin Plugin basename.
	 */
	private static function source( string $plugin ): string {
		$name = var_export( $plugin, true ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_var_export
		$min  = var_export( defined( 'CRM_BRIDGE_MIN_PHP' ) ? CRM_BRIDGE_MIN_PHP : '8.0', true ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_var_export
		$mark = self::MARKER;
		return <<<PHP
<?php
/**
 * Plugin Name: CRM Bridge for WooCommerce, early receiver
 * Description: Answers the CRM's signed webhooks before the other plugins load. Written by CRM Bridge for WooCommerce on activation, removed on deactivation; the plugin works without it.
 *
 * {$mark}. Do not edit: the plugin replaces or removes this file.
 *
 * @package CrmBridge
 */

defined( 'ABSPATH' ) || exit;

( static function () {
	\$plugin = {$name};
	\$dir    = WP_PLUGIN_DIR . '/' . dirname( \$plugin );
	if ( version_compare( PHP_VERSION, {$min}, '<' ) || ! in_array( \$plugin, (array) get_option( 'active_plugins', array() ), true ) || ! is_readable( \$dir . '/src/Autoloader.php' ) ) {
		return;
	}
	require_once \$dir . '/src/Autoloader.php';
	\\CrmBridge\\Autoloader::register();
	\\CrmBridge\\Receiver::maybe_handle_early();
} )();

PHP;
	}
}
