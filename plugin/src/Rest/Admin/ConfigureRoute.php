<?php
/**
 * Base of the admin screen's configuration routes (settings, secrets, subscriptions, connection
 * test, audit trail): they carry addresses and credentials, so only administrators.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Rest\Route;
use CrmBridge\Roles;

defined( 'ABSPATH' ) || exit;

/**
 * A route of the configuration level.
 */
abstract class ConfigureRoute extends Route {

	/**
	 * manage_options or the plugin's own settings capability.
	 */
	public function permitted(): bool {
		return Roles::can_configure();
	}
}
