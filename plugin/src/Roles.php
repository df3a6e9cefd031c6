<?php
/**
 * The sidecar's least-privilege role: it may call the plugin's write endpoint and nothing else.
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
		}
	}
}
