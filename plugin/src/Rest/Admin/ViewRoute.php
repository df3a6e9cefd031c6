<?php
/**
 * Base of the admin screen's watch-and-repair routes (health, log, dead letters, replay): shop
 * managers and administrators.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Rest\Route;
use CrmBridge\Roles;

defined( 'ABSPATH' ) || exit;

/**
 * A route of the watch-and-repair level.
 */
abstract class ViewRoute extends Route {

	/**
	 * Shop managers (manage_woocommerce) and whoever may configure.
	 */
	public function permitted(): bool {
		return Roles::can_view();
	}
}
