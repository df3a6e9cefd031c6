<?php
/**
 * Base of the routes only the sidecar calls (apply, link, orders, notify):
 * they need the sidecar role's capability, which nothing else grants but administrators hold.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Sidecar;

use CrmBridge\Rest\Route;
use CrmBridge\Roles;

defined( 'ABSPATH' ) || exit;

/**
 * A route of the sidecar.
 */
abstract class SidecarRoute extends Route {

	/**
	 * The crm_bridge_apply capability.
	 */
	public function permitted(): bool {
		return current_user_can( Roles::APPLY_CAPABILITY );
	}
}
