<?php
/**
 * Plugin Name:          CRM Bridge for WooCommerce
 * Plugin URI:           https://example.org/crm-bridge
 * Description:          Keeps WooCommerce orders and your CRM in sync, both ways: signed webhooks in and out, verified, ordered, never lost, duplicated or looped. Works with the CRM Bridge sidecar.
 * Version:              0.1.0
 * Requires at least:    6.1
 * Requires PHP:         8.0
 * Requires Plugins:     woocommerce
 * WC requires at least: 8.2
 * WC tested up to:      10.3
 * Author:               CRM Bridge contributors
 * License:              GPL-2.0-or-later
 * License URI:          https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:          crm-bridge
 * Domain Path:          /languages
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

defined( 'ABSPATH' ) || exit;

define( 'CRM_BRIDGE_VERSION', '0.1.0' );
define( 'CRM_BRIDGE_FILE', __FILE__ );
define( 'CRM_BRIDGE_DIR', __DIR__ );
define( 'CRM_BRIDGE_MIN_PHP', '8.0' );

if ( version_compare( PHP_VERSION, CRM_BRIDGE_MIN_PHP, '<' ) ) {
	add_action(
		'admin_notices',
		static function (): void {
			printf(
				'<div class="notice notice-error"><p>%s</p></div>',
				esc_html(
					sprintf(
						/* translators: %s: required PHP version */
						__( 'CRM Bridge for WooCommerce needs PHP %s or newer and is not running.', 'crm-bridge' ),
						CRM_BRIDGE_MIN_PHP
					)
				)
			);
		}
	);
	return;
}

require_once __DIR__ . '/src/Autoloader.php';
\CrmBridge\Autoloader::register();

register_activation_hook( __FILE__, array( \CrmBridge\Plugin::class, 'activate' ) );
register_deactivation_hook( __FILE__, array( \CrmBridge\Plugin::class, 'deactivate' ) );

// The CRM's webhooks are answered here, before the other plugins load (see Receiver), unless the
// must-use loader (see EarlyLoader) answered them already, before any regular plugin loaded.
\CrmBridge\Receiver::maybe_handle_early();
// Any other way the REST server could route to the receiver is refused before it reads the body.
add_action( 'parse_request', array( \CrmBridge\Receiver::class, 'guard_rest_route' ), 0 );

\CrmBridge\Plugin::boot();
