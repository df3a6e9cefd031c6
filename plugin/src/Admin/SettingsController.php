<?php
/**
 * GET/PUT crm-bridge/v1/admin/settings and POST …/settings/secrets: the settings page's API. Secrets
 * are write-only: responses say whether each is set and when it was rotated; a generated signing
 * secret is returned once, in the answer that created it.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Admin;

use CrmBridge\Receiver;
use CrmBridge\Secrets;
use CrmBridge\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Settings endpoints.
 */
final class SettingsController {

	/**
	 * Registers the routes.
	 */
	public static function register(): void {
		$can = array( HealthController::class, 'can_manage' );
		register_rest_route(
			'crm-bridge/v1',
			'/admin/settings',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => static fn() => new \WP_REST_Response( self::document() ),
					'permission_callback' => $can,
				),
				array(
					'methods'             => \WP_REST_Server::EDITABLE,
					'callback'            => array( self::class, 'update' ),
					'permission_callback' => $can,
				),
			)
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/settings/test-connection',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'request_test' ),
				'permission_callback' => $can,
			)
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/settings/test-connection/(?P<id>[a-f0-9-]{36})',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( self::class, 'test_result' ),
				'permission_callback' => $can,
			)
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/settings/secrets',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'secret' ),
				'permission_callback' => $can,
				'args'                => array(
					'name'          => array(
						'type'     => 'string',
						'enum'     => array( Secrets::INCOMING, Secrets::CRM_TOKEN ),
						'required' => true,
					),
					'action'        => array(
						'type'     => 'string',
						'enum'     => array( 'set', 'generate', 'rotate', 'revoke' ),
						'required' => true,
					),
					'value'         => array(
						'type'      => 'string',
						'maxLength' => 4096,
					),
					'grace_seconds' => array(
						'description' => 'On rotate: how long the previous secret stays valid (default: the secret grace setting).',
						'type'        => 'integer',
						'minimum'     => 0,
						'maximum'     => 7 * DAY_IN_SECONDS,
					),
				),
			)
		);
	}

	/** Options carrying a connection test request to the sidecar and its answer back. */
	public const TEST_REQUEST_OPTION = 'crm_bridge_connection_test';
	public const TEST_RESULT_OPTION  = 'crm_bridge_connection_test_result';

	/**
	 * POST /admin/settings/test-connection: asks the sidecar (which polls for it) to call the CRM.
	 */
	public static function request_test(): \WP_REST_Response {
		$id = wp_generate_uuid4();
		update_option(
			self::TEST_REQUEST_OPTION,
			wp_json_encode(
				array(
					'id'           => $id,
					'requested_at' => time(),
				)
			),
			false
		);
		return new \WP_REST_Response( array( 'id' => $id ), 202 );
	}

	/**
	 * GET /admin/settings/test-connection/<id>: the sidecar's answer, once it came.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function test_result( \WP_REST_Request $request ): \WP_REST_Response {
		$result = json_decode( (string) get_option( self::TEST_RESULT_OPTION, '{}' ), true );
		if ( ! is_array( $result ) || ( $result['id'] ?? '' ) !== (string) $request['id'] ) {
			return new \WP_REST_Response( array( 'done' => false ) );
		}
		return new \WP_REST_Response( array( 'done' => true ) + $result );
	}

	/**
	 * The settings with the secrets' state, never their values.
	 *
	 * @return array<string, mixed>
	 */
	public static function document(): array {
		return array(
			'settings'           => Settings::all(),
			'secrets'            => array(
				Secrets::INCOMING  => Secrets::describe( Secrets::INCOMING ),
				Secrets::CRM_TOKEN => Secrets::describe( Secrets::CRM_TOKEN ),
			),
			'receiver_url'       => rest_url( Receiver::NAMESPACE . Receiver::ROUTE ),
			'encryption_key_set' => Secrets::has_key(),
		);
	}

	/**
	 * Validates and saves; 400 with field errors (dotted paths) when anything is wrong.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function update( \WP_REST_Request $request ) {
		$input  = (array) ( $request->get_json_params()['settings'] ?? array() );
		$errors = self::validate( $input );
		if ( $errors ) {
			return new \WP_Error( 'crm_bridge_invalid_settings', __( 'Some settings need attention.', 'crm-bridge' ), array( 'status' => 400, 'errors' => $errors ) );
		}
		Settings::update( $input );
		return new \WP_REST_Response( self::document() );
	}

	/**
	 * Sets, generates, rotates (old value valid for a grace period) or revokes a secret.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function secret( \WP_REST_Request $request ) {
		$name   = (string) $request['name'];
		$action = (string) $request['action'];
		$shown  = null;
		if ( 'revoke' === $action ) {
			Secrets::set( $name, null );
		} elseif ( 'set' === $action ) {
			$value = trim( (string) $request['value'] );
			if ( '' === $value ) {
				return new \WP_Error( 'crm_bridge_invalid_settings', __( 'Enter the secret.', 'crm-bridge' ), array( 'status' => 400, 'errors' => array( 'value' => __( 'Enter the secret.', 'crm-bridge' ) ) ) );
			}
			Secrets::set( $name, $value );
		} else {
			if ( Secrets::INCOMING !== $name ) {
				return new \WP_Error( 'crm_bridge_invalid_settings', __( 'Only the signing secret is generated here; enter the CRM token you got from the CRM.', 'crm-bridge' ), array( 'status' => 400 ) );
			}
			$shown = Secrets::generate_signing_secret();
			$grace = isset( $request['grace_seconds'] ) ? (int) $request['grace_seconds'] : (int) Settings::get( 'outgoing.secret_grace_hours' ) * HOUR_IN_SECONDS;
			Secrets::set( $name, $shown, 'rotate' === $action ? $grace : 0 );
		}
		return new \WP_REST_Response( array( 'secret' => $shown ) + self::document() );
	}

	/**
	 * Field errors of a partial settings document, keyed by dotted path.
	 *
	 * @param array<string, mixed> $s Input.
	 * @return array<string, string>
	 */
	private static function validate( array $s ): array {
		$errors = array();
		$crm    = (array) ( $s['crm'] ?? array() );
		if ( isset( $crm['base_url'] ) && '' !== $crm['base_url'] && ( ! wp_http_validate_url( (string) $crm['base_url'] ) && ! preg_match( '#^https?://[^/\s]+#', (string) $crm['base_url'] ) ) ) {
			$errors['crm.base_url'] = __( 'Enter the CRM API address, starting with https://.', 'crm-bridge' );
		}
		if ( isset( $crm['auth_mode'] ) && ! in_array( $crm['auth_mode'], array( 'bearer', 'basic', 'header' ), true ) ) {
			$errors['crm.auth_mode'] = __( 'Choose bearer, basic or header.', 'crm-bridge' );
		}
		if ( isset( $crm['order_url_template'] ) && false === strpos( (string) $crm['order_url_template'], '{crm_order_id}' ) ) {
			$errors['crm.order_url_template'] = __( 'The template must contain {crm_order_id}.', 'crm-bridge' );
		}
		if ( isset( $crm['version_source'] ) && ! in_array( $crm['version_source'], array( 'version', 'updated_at' ), true ) ) {
			$errors['crm.version_source'] = __( 'Choose version or updated_at.', 'crm-bridge' );
		}
		if ( isset( $crm['timeout_ms'] ) && ( ! is_int( $crm['timeout_ms'] ) || $crm['timeout_ms'] < 100 || $crm['timeout_ms'] > 60000 ) ) {
			$errors['crm.timeout_ms'] = __( 'Enter a timeout from 100 to 60000 milliseconds.', 'crm-bridge' );
		}
		$statuses = array_map( static fn( $k ) => substr( $k, 3 ), array_keys( wc_get_order_statuses() ) );
		foreach ( (array) ( $s['mapping'] ?? array() ) as $crm_status => $woo_status ) {
			if ( ! in_array( $woo_status, $statuses, true ) ) {
				/* translators: %s: CRM status */
				$errors[ 'mapping.' . $crm_status ] = sprintf( __( 'Map "%s" to a WooCommerce order status.', 'crm-bridge' ), $crm_status );
			}
		}
		$lifecycle = (array) ( $s['lifecycle'] ?? array() );
		foreach ( (array) ( $lifecycle['final_statuses'] ?? array() ) as $status ) {
			if ( ! in_array( $status, $statuses, true ) ) {
				/* translators: %s: status */
				$errors['lifecycle.final_statuses'] = sprintf( __( '"%s" is not a WooCommerce order status.', 'crm-bridge' ), (string) $status );
			}
		}
		foreach ( (array) ( $lifecycle['allowed_transitions'] ?? array() ) as $pair ) {
			if ( ! is_array( $pair ) || 2 !== count( $pair ) || array_diff( $pair, $statuses ) ) {
				$errors['lifecycle.allowed_transitions'] = __( 'Write each allowed move as two WooCommerce statuses, e.g. completed > refunded.', 'crm-bridge' );
			}
		}
		$incoming = (array) ( $s['incoming'] ?? array() );
		if ( isset( $incoming['signature_mode'] ) && ! in_array( $incoming['signature_mode'], array( 'standard_webhooks', 'hmac' ), true ) ) {
			$errors['incoming.signature_mode'] = __( 'Choose Standard Webhooks or HMAC.', 'crm-bridge' );
		}
		if ( isset( $incoming['hmac_encoding'] ) && ! in_array( $incoming['hmac_encoding'], array( 'hex', 'base64' ), true ) ) {
			$errors['incoming.hmac_encoding'] = __( 'Choose hex or base64.', 'crm-bridge' );
		}
		foreach ( array( 'retention_days' => array( 1, 3650 ), 'concurrency' => array( 1, 256 ) ) as $key => [ $min, $max ] ) {
			if ( isset( $s[ $key ] ) && ( ! is_int( $s[ $key ] ) || $s[ $key ] < $min || $s[ $key ] > $max ) ) {
				/* translators: 1: minimum, 2: maximum */
				$errors[ $key ] = sprintf( __( 'Enter a whole number from %1$d to %2$d.', 'crm-bridge' ), $min, $max );
			}
		}
		$known = array_keys( Settings::defaults() );
		foreach ( array_keys( $s ) as $key ) {
			if ( ! in_array( $key, $known, true ) ) {
				/* translators: %s: setting name */
				$errors[ (string) $key ] = sprintf( __( 'Unknown setting "%s".', 'crm-bridge' ), $key );
			}
		}
		return $errors;
	}
}
