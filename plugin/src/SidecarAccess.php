<?php
/**
 * The sidecar's narrow window on wp_options: a view holding only the plugin's own options, so a
 * dedicated database user for the sidecar needs no grant on any WordPress core table.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Creates and drops the options view the sidecar reads.
 */
final class SidecarAccess {

	/** View name without the WordPress prefix; no table of the plugin has this name. */
	public const VIEW = 'crm_bridge_options';

	/** Bumped when the view's definition changes, so an update recreates it. */
	public const VERSION = 1;

	/** Option recording the installed view version and whether creating it worked. */
	public const STATE_OPTION = 'crm_bridge_sidecar_access';

	/**
	 * Full name of the view.
	 */
	public static function view(): string {
		global $wpdb;
		return $wpdb->prefix . self::VIEW;
	}

	/**
	 * Creates or replaces the view. Idempotent. A WordPress database user without CREATE VIEW leaves
	 * the view missing: the sidecar then reads wp_options itself, and an admin notice says so.
	 *
	 * @return bool True when the view exists now.
	 */
	public static function install(): bool {
		global $wpdb;
		$view = self::view();
		// SQL SECURITY DEFINER: the view runs with its creator's rights, so readers need SELECT on the
		// view only. The explicit ESCAPE keeps "_" literal whatever the server's sql_mode says about backslashes.
		$sql        = "CREATE OR REPLACE SQL SECURITY DEFINER VIEW `$view` AS SELECT option_name, option_value FROM `{$wpdb->options}` WHERE option_name LIKE 'crm!_bridge!_%' ESCAPE '!'";
		$suppressed = $wpdb->suppress_errors( true );
		$created    = false !== $wpdb->query( $sql ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names only, no input.
		$wpdb->suppress_errors( $suppressed );
		update_option(
			self::STATE_OPTION,
			array(
				'version' => self::VERSION,
				'view'    => $created,
			),
			true
		);
		return $created;
	}

	/**
	 * After an update: (re)creates the view when its definition is newer than the installed one, and
	 * shows the admin notice while it is missing.
	 */
	public static function maybe_install(): void {
		$state = get_option( self::STATE_OPTION );
		if ( ! is_array( $state ) || (int) ( $state['version'] ?? 0 ) < self::VERSION ) {
			$state = array( 'view' => self::install() );
		}
		if ( empty( $state['view'] ) && is_admin() ) {
			add_action( 'admin_notices', array( self::class, 'notice' ) );
		}
	}

	/**
	 * Tells administrators that the view is missing and what that means for the sidecar's grants.
	 */
	public static function notice(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		printf(
			'<div class="notice notice-warning"><p>%s</p></div>',
			esc_html(
				sprintf(
					/* translators: 1: view name, 2: options table name */
					__( 'CRM Bridge could not create the database view %1$s: the WordPress database user lacks the CREATE VIEW privilege. The sidecar reads its settings from %2$s instead, so its database user needs SELECT on that table. Grant CREATE VIEW, then deactivate and activate CRM Bridge to create the view.', 'crm-bridge' ),
					self::view(),
					$GLOBALS['wpdb']->options
				)
			)
		);
	}

	/**
	 * Drops the view (uninstall with "delete data" chosen).
	 */
	public static function drop(): void {
		global $wpdb;
		$wpdb->query( 'DROP VIEW IF EXISTS `' . self::view() . '`' ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- table name only.
	}
}
