<?php
/**
 * PUT crm-bridge/v1/admin/settings: saves a partial settings document ({"settings": {…}}, sections
 * merged key by key) once the document it makes passes the schema and the rules beyond it; else 400
 * with every error by dotted path. A new CRM host clears the CRM token.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Audit;
use CrmBridge\Secrets;
use CrmBridge\Settings;
use CrmBridge\Settings\Rules;
use CrmBridge\Settings\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Settings save.
 */
final class UpdateSettings extends ConfigureRoute {

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
		return \WP_REST_Server::EDITABLE;
	}

	/**
	 * Validates and saves.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$params = $request->get_json_params();
		$patch  = is_array( $params ) ? ( $params['settings'] ?? null ) : null;
		if ( ! is_array( $patch ) || ( $patch && Settings::is_list( $patch ) ) ) {
			return self::invalid( array( 'settings' => __( 'Send the settings as an object: {"settings": {…}}.', 'crm-bridge' ) ) );
		}
		$merged = Settings::merged( $patch );
		$errors = Schema::errors( $merged ) + Rules::errors( $patch, $merged );
		if ( $errors ) {
			return self::invalid( $errors );
		}
		$before = Settings::document();
		Settings::update( $patch );
		$after   = Settings::document();
		$changes = Audit::diff( $before, $after );
		if ( $changes ) {
			Audit::record( 'settings.updated', null, array( 'changes' => $changes ) );
		}
		// A token entered for one host must not be sent to another: a new CRM host needs it again.
		// (A token saved before any address was set belongs to the first address the admin enters.)
		$old_origin    = self::origin( (string) ( $before['crm']['base_url'] ?? '' ) );
		$token_cleared = '' !== $old_origin && self::origin( (string) ( $after['crm']['base_url'] ?? '' ) ) !== $old_origin && Secrets::describe( Secrets::CRM_TOKEN )['set'];
		if ( $token_cleared ) {
			Secrets::set( Secrets::CRM_TOKEN, null );
			Audit::record( 'secret.revoked', Secrets::CRM_TOKEN, array( 'reason' => 'crm_host_changed' ) );
		}
		return new \WP_REST_Response( array( 'crm_token_cleared' => $token_cleared ) + ReadSettings::body() );
	}

	/**
	 * 400 with field errors keyed by dotted path.
	 *
	 * @param array<string, string> $errors Field errors.
	 */
	public static function invalid( array $errors ): \WP_Error {
		return new \WP_Error( 'crm_bridge_invalid_settings', __( 'Some settings need attention.', 'crm-bridge' ), array( 'status' => 400, 'errors' => $errors ) );
	}

	/**
	 * Scheme, host and port of a URL (default ports filled in), or '' for none.
	 *
	 * @param string $url URL.
	 */
	public static function origin( string $url ): string {
		$parts = wp_parse_url( $url );
		if ( ! is_array( $parts ) || ! isset( $parts['host'] ) ) {
			return '';
		}
		$scheme = strtolower( (string) ( $parts['scheme'] ?? '' ) );
		$port   = $parts['port'] ?? ( 'https' === $scheme ? 443 : 80 );
		return $scheme . '://' . strtolower( (string) $parts['host'] ) . ':' . $port;
	}
}
