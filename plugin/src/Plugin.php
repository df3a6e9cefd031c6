<?php
/**
 * Registers every hook of the plugin in one place; the classes it wires know nothing of each other's hooks.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * The plugin's hook wiring.
 */
final class Plugin {

	/**
	 * The plugin version whose files outside its folder (the receiver loader) are in place.
	 */
	public const CODE_VERSION_OPTION = 'crm_bridge_code_version';

	/**
	 * Hooks the plugin into WordPress and WooCommerce.
	 */
	public static function boot(): void {
		add_action( 'plugins_loaded', array( self::class, 'maybe_upgrade' ) );
		add_action( 'plugins_loaded', array( Roles::class, 'maybe_upgrade' ) );
		add_action( 'admin_init', array( Secrets::class, 'upgrade' ) );
		add_action( 'init', array( self::class, 'load_textdomain' ) );
		add_action( 'before_woocommerce_init', array( self::class, 'declare_woocommerce_compatibility' ) );
		add_action( 'admin_menu', array( Admin\Page::class, 'register' ), 60 );
		add_action( 'admin_enqueue_scripts', array( Admin\Page::class, 'enqueue' ) );
		add_action( 'admin_notices', array( Admin\Page::class, 'notices' ) );
		add_action( 'woocommerce_new_order', array( Outbox::class, 'on_new_order' ), 10, 1 );
		add_action( 'woocommerce_update_order', array( Outbox::class, 'on_update_order' ), 10, 1 );
		add_action( 'woocommerce_order_status_changed', array( Outbox::class, 'on_status_changed' ), 10, 3 );
		add_action( 'woocommerce_before_delete_order', array( Outbox::class, 'on_delete' ), 10, 2 );
		add_action( 'woocommerce_before_trash_order', array( Outbox::class, 'on_delete' ), 10, 2 );
		add_action( 'admin_notices', array( Notices::class, 'render' ) );
		add_action( 'add_meta_boxes', array( Admin\OrderBox::class, 'register' ) );
		add_action( 'rest_api_init', array( Rest\Routes::class, 'register' ) );
		add_action( 'rest_api_init', array( Receiver::class, 'register_route' ) );
	}

	/**
	 * Activation: tables and the sidecar's role.
	 */
	public static function activate(): void {
		Schema::install();
		SidecarAccess::install();
		Roles::install();
		Settings::update( array() );
		DbErrorDropin::install();
		EarlyLoader::install( plugin_basename( CRM_BRIDGE_FILE ) );
	}

	/**
	 * On deactivation: the db-error.php drop-in and the must-use receiver loader go (the tables and
	 * settings stay).
	 */
	public static function deactivate(): void {
		DbErrorDropin::remove();
		EarlyLoader::remove();
	}

	/**
	 * After an update: migrate the tables, and store the full settings document the sidecar reads.
	 */
	public static function maybe_upgrade(): void {
		$upgrading = (int) get_option( Schema::VERSION_OPTION, 0 ) < Schema::VERSION;
		Schema::maybe_upgrade();
		SidecarAccess::maybe_install();
		if ( false === get_option( Settings::OPTION ) ) {
			Settings::update( array() );
		} elseif ( $upgrading ) {
			// Reading the document rewrites one stored under older rules in the schema's form, which the
			// sidecar parses strictly: done with the upgrade, not left to the first admin page.
			Settings::document();
		}
		// A site updated without a reactivation gets (or refreshes) the receiver loader once per version.
		if ( get_option( self::CODE_VERSION_OPTION ) !== CRM_BRIDGE_VERSION ) {
			EarlyLoader::install( plugin_basename( CRM_BRIDGE_FILE ) );
			update_option( self::CODE_VERSION_OPTION, CRM_BRIDGE_VERSION );
		}
	}

	/**
	 * Loads translations from languages/.
	 */
	public static function load_textdomain(): void {
		load_plugin_textdomain( 'crm-bridge', false, dirname( plugin_basename( CRM_BRIDGE_FILE ) ) . '/languages' );
	}

	/**
	 * Declares compatibility with WooCommerce's High-Performance Order Storage: the plugin only
	 * touches orders through wc_get_order() and WC_Order.
	 */
	public static function declare_woocommerce_compatibility(): void {
		if ( class_exists( \Automattic\WooCommerce\Utilities\FeaturesUtil::class ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', CRM_BRIDGE_FILE, true );
		}
	}

	/**
	 * True when WooCommerce is loaded.
	 */
	public static function woocommerce_active(): bool {
		return class_exists( 'WooCommerce' ) && function_exists( 'wc_get_order' );
	}
}
