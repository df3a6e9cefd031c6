<?php
/**
 * POST crm-bridge/v1/admin/settings/secrets: sets, generates, rotates (the old value stays valid for a
 * grace period) or revokes a secret. Secrets are write-only: a generated signing secret is returned
 * once, in the answer that created it.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Alerts;
use CrmBridge\Audit;
use CrmBridge\Secrets;
use CrmBridge\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Secret change.
 */
final class ChangeSecret extends ConfigureRoute {

	private const PAST = array(
		'set'      => 'set',
		'generate' => 'generated',
		'rotate'   => 'rotated',
		'revoke'   => 'revoked',
	);

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/settings/secrets';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * Which secret, what to do, and the value or the grace period.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'name'          => array(
				'type'     => 'string',
				'enum'     => array( Secrets::INCOMING, Secrets::CRM_TOKEN, Secrets::ALERT_WEBHOOK ),
				'required' => true,
			),
			'action'        => array(
				'type'     => 'string',
				'enum'     => array_keys( self::PAST ),
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
		);
	}

	/**
	 * Changes the secret and answers with the settings document.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$name    = (string) $request['name'];
		$action  = (string) $request['action'];
		$shown   = null;
		$problem = 'revoke' === $action ? null : Secrets::storage_problem();
		if ( null !== $problem ) {
			return new \WP_Error( 'crm_bridge_encryption_key_missing', $problem, array( 'status' => 400, 'errors' => array( 'value' => $problem ) ) );
		}
		if ( 'revoke' === $action ) {
			Secrets::set( $name, null );
		} elseif ( 'set' === $action ) {
			$value   = trim( (string) $request['value'] );
			$problem = '' === $value ? __( 'Enter the secret.', 'crm-bridge' ) : self::value_problem( $name, $value );
			if ( null !== $problem ) {
				return UpdateSettings::invalid( array( 'value' => $problem ) );
			}
			Secrets::set( $name, $value );
		} else {
			if ( Secrets::INCOMING !== $name ) {
				return new \WP_Error( 'crm_bridge_invalid_settings', __( 'Only the signing secret is generated here; enter the CRM token or the alert webhook URL you got from its service.', 'crm-bridge' ), array( 'status' => 400 ) );
			}
			$shown = Secrets::generate_signing_secret();
			$grace = isset( $request['grace_seconds'] ) ? (int) $request['grace_seconds'] : (int) Settings::get( 'outgoing.secret_grace_hours' ) * HOUR_IN_SECONDS;
			Secrets::set( $name, $shown, 'rotate' === $action ? $grace : 0 );
		}
		Audit::record( 'secret.' . self::PAST[ $action ], $name );
		return new \WP_REST_Response( array( 'secret' => $shown ) + ReadSettings::body() );
	}

	/**
	 * Why a value cannot be this secret, or null: a signing secret too short to sign with, an alert
	 * webhook URL the address rules refuse.
	 *
	 * @param string $name  Secret name.
	 * @param string $value Value.
	 */
	private static function value_problem( string $name, string $value ): ?string {
		if ( Secrets::INCOMING === $name ) {
			return Secrets::signing_secret_problem( $value );
		}
		return Secrets::ALERT_WEBHOOK === $name ? Alerts::url_problem( $value ) : null;
	}
}
