<?php
/**
 * GET crm-bridge/v1/admin/settings: the settings document with the secrets' state (never their
 * values), the receiver's address and the encryption key's state.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Receiver;
use CrmBridge\Secrets;
use CrmBridge\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * The settings page's document.
 */
final class ReadSettings extends ConfigureRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/settings';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * The document.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		return new \WP_REST_Response( self::body() );
	}

	/**
	 * The settings with the secrets' state, never their values: also the answer of every settings
	 * and secrets change.
	 *
	 * @return array<string, mixed>
	 */
	public static function body(): array {
		return array(
			'settings'           => Settings::for_json( Settings::document() ),
			'secrets'            => array(
				Secrets::INCOMING      => Secrets::describe( Secrets::INCOMING ),
				Secrets::CRM_TOKEN     => Secrets::describe( Secrets::CRM_TOKEN ),
				Secrets::ALERT_WEBHOOK => Secrets::describe( Secrets::ALERT_WEBHOOK ),
			),
			'receiver_url'       => rest_url( Receiver::NAMESPACE . Receiver::ROUTE ),
			'encryption_key_set' => Secrets::has_key(),
			'encryption'         => Secrets::key_report(),
		);
	}
}
