<?php
/**
 * The admin screen: a submenu under WooCommerce (a top-level menu with a notice when WooCommerce's
 * menu is missing) that mounts the built React app from build/.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Admin;

use CrmBridge\Plugin;
use CrmBridge\Roles;

defined( 'ABSPATH' ) || exit;

/**
 * Menu entry, script loading and admin notices.
 */
final class Page {

	public const SLUG       = 'crm-bridge';
	/** The page loads for shop managers; the app shows them only the tabs they may use. */
	public const CAPABILITY = Roles::VIEW_CAPABILITY;

	/** @var string Hook suffix WordPress returned for the page. */
	private static $hook_suffix = '';

	/**
	 * Adds the page under WooCommerce, or at the top level when WooCommerce's menu is absent.
	 */
	public static function register(): void {
		global $admin_page_hooks;
		$title = __( 'CRM Bridge', 'crm-bridge' );
		if ( isset( $admin_page_hooks['woocommerce'] ) ) {
			self::$hook_suffix = (string) add_submenu_page( 'woocommerce', $title, $title, self::CAPABILITY, self::SLUG, array( self::class, 'render' ) );
		} else {
			self::$hook_suffix = (string) add_menu_page( $title, $title, self::CAPABILITY, self::SLUG, array( self::class, 'render' ), 'dashicons-randomize', 56 );
		}
	}

	/**
	 * The mount point of the React app.
	 */
	public static function render(): void {
		// Which tabs to show; every REST route checks the capability again.
		printf( '<div class="wrap"><div id="crm-bridge-admin" data-can-configure="%s"></div></div>', Roles::can_configure() ? '1' : '0' );
	}

	/**
	 * Loads the built app and its WordPress dependencies on our page only.
	 *
	 * @param string $hook_suffix Current admin page.
	 */
	public static function enqueue( string $hook_suffix ): void {
		if ( '' === self::$hook_suffix || $hook_suffix !== self::$hook_suffix ) {
			return;
		}
		$asset_file = CRM_BRIDGE_DIR . '/build/index.asset.php';
		if ( ! is_readable( $asset_file ) ) {
			return;
		}
		$asset = require $asset_file;
		// WordPress registers react-jsx-runtime from 6.6 on; older releases get the plugin's small fallback.
		if ( ! wp_script_is( 'react-jsx-runtime', 'registered' ) ) {
			wp_register_script( 'react-jsx-runtime', plugins_url( 'assets/react-jsx-runtime.js', CRM_BRIDGE_FILE ), array( 'react' ), CRM_BRIDGE_VERSION, true );
		}
		wp_enqueue_script( 'crm-bridge-admin', plugins_url( 'build/index.js', CRM_BRIDGE_FILE ), $asset['dependencies'], $asset['version'], true );
		wp_set_script_translations( 'crm-bridge-admin', 'crm-bridge', CRM_BRIDGE_DIR . '/languages' );
		wp_enqueue_style( 'wp-components' );
		if ( is_readable( CRM_BRIDGE_DIR . '/build/index.css' ) ) {
			wp_enqueue_style( 'crm-bridge-admin', plugins_url( 'build/index.css', CRM_BRIDGE_FILE ), array( 'wp-components' ), $asset['version'] );
		}
	}

	/**
	 * Warns on our page when WooCommerce is missing or the admin app was not built.
	 */
	public static function notices(): void {
		$screen = get_current_screen();
		if ( ! $screen || $screen->id !== self::$hook_suffix || ! current_user_can( self::CAPABILITY ) ) {
			return;
		}
		if ( ! Plugin::woocommerce_active() ) {
			printf( '<div class="notice notice-warning"><p>%s</p></div>', esc_html__( 'WooCommerce is not active: CRM Bridge has no orders to sync until it is.', 'crm-bridge' ) );
		}
		if ( ! is_readable( CRM_BRIDGE_DIR . '/build/index.asset.php' ) ) {
			printf( '<div class="notice notice-error"><p>%s</p></div>', esc_html__( 'The CRM Bridge admin screen is missing from this copy of the plugin (build/ is empty). Install the release zip.', 'crm-bridge' ) );
		}
	}
}
