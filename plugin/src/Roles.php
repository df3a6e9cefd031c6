<?php
/**
 * Who may do what: the sidecar's least-privilege role (the write endpoint and nothing else), and the
 * two levels of the admin API. Shop managers (manage_woocommerce) watch and repair: health, the log,
 * dead letters, replays. Settings, secrets, subscriptions and the connection test carry addresses and
 * credentials, so they need manage_options or the plugin's own capability, which administrators hold.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Role and capability of the sidecar user.
 */
final class Roles {

	public const SIDECAR_ROLE = 'crm_bridge_sidecar';

	/** Capability checked by the write endpoint. */
	public const APPLY_CAPABILITY = 'crm_bridge_apply';

	/** Capability for settings, secrets and subscriptions; granted to administrators. */
	public const SETTINGS_CAPABILITY = 'crm_bridge_manage_settings';

	/** Capability for watching and repairing the sync. */
	public const VIEW_CAPABILITY = 'manage_woocommerce';

	/**
	 * Permission callback of the watch-and-repair level (health, log, dead letters, replay).
	 */
	public static function can_view(): bool {
		return current_user_can( self::VIEW_CAPABILITY ) || self::can_configure();
	}

	/**
	 * Permission callback of the configuration level (settings, secrets, subscriptions, connection test).
	 */
	public static function can_configure(): bool {
		return current_user_can( 'manage_options' ) || current_user_can( self::SETTINGS_CAPABILITY );
	}

	/**
	 * Grants the capabilities again when an upgrade added one (cheap: one role lookup).
	 */
	public static function maybe_upgrade(): void {
		$admin = get_role( 'administrator' );
		if ( $admin && ! $admin->has_cap( self::SETTINGS_CAPABILITY ) ) {
			self::install();
		}
	}

	/**
	 * Creates the role, once. Administrators get the capability too, so they can test the endpoint.
	 */
	public static function install(): void {
		if ( ! get_role( self::SIDECAR_ROLE ) ) {
			add_role( self::SIDECAR_ROLE, __( 'CRM Bridge sidecar', 'crm-bridge' ), array( self::APPLY_CAPABILITY => true ) );
		}
		$admin = get_role( 'administrator' );
		if ( $admin ) {
			$admin->add_cap( self::APPLY_CAPABILITY );
			$admin->add_cap( self::SETTINGS_CAPABILITY );
		}
	}

	/**
	 * Removes the role (uninstall with data deletion).
	 */
	public static function uninstall(): void {
		remove_role( self::SIDECAR_ROLE );
		$admin = get_role( 'administrator' );
		if ( $admin ) {
			$admin->remove_cap( self::APPLY_CAPABILITY );
			$admin->remove_cap( self::SETTINGS_CAPABILITY );
		}
	}
}
