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

use CrmBridge\Audit;
use CrmBridge\Receiver;
use CrmBridge\Secrets;
use CrmBridge\Roles;
use CrmBridge\Settings;
use CrmBridge\UrlGuard;

defined( 'ABSPATH' ) || exit;

/**
 * Settings endpoints.
 */
final class SettingsController {

	/**
	 * Registers the routes.
	 */
	public static function register(): void {
		$can = array( Roles::class, 'can_configure' );
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
			'encryption'         => Secrets::key_report(),
		);
	}

	/**
	 * Validates and saves; 400 with field errors (dotted paths) when anything is wrong.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function update( \WP_REST_Request $request ) {
		$params = $request->get_json_params();
		$input  = is_array( $params ) ? ( $params['settings'] ?? null ) : null;
		if ( ! is_array( $input ) || ( $input && Settings::is_list( $input ) ) ) {
			return self::invalid( array( 'settings' => __( 'Send the settings as an object: {"settings": {…}}.', 'crm-bridge' ) ) );
		}
		$errors = self::validate( $input );
		if ( $errors ) {
			return self::invalid( $errors );
		}
		$before     = Settings::all();
		$old_origin = self::origin( (string) $before['crm']['base_url'] );
		Settings::update( $input );
		$changes = Audit::diff( $before, Settings::all() );
		if ( $changes ) {
			Audit::record( 'settings.updated', null, array( 'changes' => $changes ) );
		}
		// A token entered for one host must not be sent to another: a new CRM host needs it again.
		// (A token saved before any address was set belongs to the first address the admin enters.)
		$token_cleared = false;
		if ( '' !== $old_origin && self::origin( (string) Settings::get( 'crm.base_url' ) ) !== $old_origin && Secrets::describe( Secrets::CRM_TOKEN )['set'] ) {
			Secrets::set( Secrets::CRM_TOKEN, null );
			$token_cleared = true;
			Audit::record( 'secret.revoked', Secrets::CRM_TOKEN, array( 'reason' => 'crm_host_changed' ) );
		}
		return new \WP_REST_Response( array( 'crm_token_cleared' => $token_cleared ) + self::document() );
	}

	/**
	 * Scheme, host and port of a URL (default ports filled in), or '' for none.
	 *
	 * @param string $url URL.
	 */
	private static function origin( string $url ): string {
		$parts = wp_parse_url( $url );
		if ( ! is_array( $parts ) || ! isset( $parts['host'] ) ) {
			return '';
		}
		$scheme = strtolower( (string) ( $parts['scheme'] ?? '' ) );
		$port   = $parts['port'] ?? ( 'https' === $scheme ? 443 : 80 );
		return $scheme . '://' . strtolower( (string) $parts['host'] ) . ':' . $port;
	}

	/**
	 * Sets, generates, rotates (old value valid for a grace period) or revokes a secret.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function secret( \WP_REST_Request $request ) {
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
			$value = trim( (string) $request['value'] );
			if ( '' === $value ) {
				return self::invalid( array( 'value' => __( 'Enter the secret.', 'crm-bridge' ) ) );
			}
			$short = Secrets::INCOMING === $name ? Secrets::signing_secret_problem( $value ) : null;
			if ( null !== $short ) {
				return self::invalid( array( 'value' => $short ) );
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
		$past = array(
			'set'      => 'set',
			'generate' => 'generated',
			'rotate'   => 'rotated',
			'revoke'   => 'revoked',
		);
		Audit::record( 'secret.' . $past[ $action ], $name );
		return new \WP_REST_Response( array( 'secret' => $shown ) + self::document() );
	}

	/**
	 * Field errors of a partial settings document, keyed by dotted path.
	 *
	 * @param array<string, mixed> $s Input.
	 * @return array<string, string>
	 */
	public static function validate( array $s ): array {
		$errors = self::walk( $s, Settings::defaults(), '' );
		$crm    = is_array( $s['crm'] ?? null ) ? $s['crm'] : array();
		if ( isset( $crm['base_url'] ) && is_string( $crm['base_url'] ) && '' !== $crm['base_url'] ) {
			$problem = UrlGuard::problem( $crm['base_url'], 'local' !== wp_get_environment_type() );
			if ( null !== $problem ) {
				$errors['crm.base_url'] = $problem;
			}
		}
		$statuses = array_map( static fn( $k ) => substr( $k, 3 ), array_keys( wc_get_order_statuses() ) );
		if ( array_key_exists( 'mapping', $s ) ) {
			if ( ! is_array( $s['mapping'] ) || ( $s['mapping'] && Settings::is_list( $s['mapping'] ) ) ) {
				$errors['mapping'] = __( 'The mapping is an object of CRM status to WooCommerce status.', 'crm-bridge' );
			} else {
				foreach ( $s['mapping'] as $crm_status => $woo_status ) {
					if ( '' === trim( (string) $crm_status ) || strlen( (string) $crm_status ) > 64 || ! in_array( $woo_status, $statuses, true ) ) {
						/* translators: %s: CRM status */
						$errors[ 'mapping.' . $crm_status ] = sprintf( __( 'Map "%s" to a WooCommerce order status.', 'crm-bridge' ), $crm_status );
					}
				}
			}
		}
		$lifecycle = is_array( $s['lifecycle'] ?? null ) ? $s['lifecycle'] : array();
		if ( isset( $lifecycle['final_statuses'] ) ) {
			foreach ( (array) $lifecycle['final_statuses'] as $status ) {
				if ( ! in_array( $status, $statuses, true ) ) {
					/* translators: %s: status */
					$errors['lifecycle.final_statuses'] = sprintf( __( '"%s" is not a WooCommerce order status.', 'crm-bridge' ), is_scalar( $status ) ? (string) $status : '?' );
				}
			}
		}
		if ( isset( $lifecycle['allowed_transitions'] ) ) {
			foreach ( (array) $lifecycle['allowed_transitions'] as $pair ) {
				if ( ! is_array( $pair ) || 2 !== count( $pair ) || array_diff( $pair, $statuses ) ) {
					$errors['lifecycle.allowed_transitions'] = __( 'Write each allowed move as two WooCommerce statuses, e.g. completed > refunded.', 'crm-bridge' );
				}
			}
		}
		// In HMAC mode the event id must come from the signed body: the webhook-id header is not signed.
		$incoming = is_array( $s['incoming'] ?? null ) ? $s['incoming'] : array();
		$mode     = $incoming['signature_mode'] ?? Settings::get( 'incoming.signature_mode' );
		$id_path  = $incoming['event_id_path'] ?? Settings::get( 'incoming.event_id_path' );
		if ( 'hmac' === $mode && '' === trim( is_string( $id_path ) ? $id_path : '' ) && ! isset( $errors['incoming.event_id_path'] ) ) {
			$errors['incoming.event_id_path'] = __( 'In HMAC mode, give the JSON path of the event id inside the signed body.', 'crm-bridge' );
		}
		return $errors;
	}

	/**
	 * The rule of each leaf setting: a type and its bounds. Sections are checked by walk().
	 *
	 * @return array<string, array<int, mixed>>
	 */
	private static function rules(): array {
		$path     = array( 'path' );
		$optional = array( 'path', true );
		return array(
			'incoming.signature_mode'       => array( 'enum', array( 'standard_webhooks', 'hmac' ) ),
			'incoming.hmac_header'          => array( 'header' ),
			'incoming.hmac_encoding'        => array( 'enum', array( 'hex', 'base64' ) ),
			'incoming.event_id_path'        => $optional,
			'incoming.max_body_bytes'       => array( 'int', 1024, 10485760 ),
			'incoming.tolerance_seconds'    => array( 'int', 30, 3600 ),
			'incoming.paths.type'           => $path,
			'incoming.paths.crm_order_id'   => $path,
			'incoming.paths.status'         => $path,
			'incoming.paths.version'        => $path,
			'incoming.paths.updated_at'     => $path,
			'incoming.allowed_ips'          => array( 'cidrs' ),
			'incoming.trusted_proxies'      => array( 'cidrs' ),
			'incoming.client_ip_header'     => array( 'header', true ),
			'crm.base_url'                  => array( 'string', 2048 ),
			'crm.auth_mode'                 => array( 'enum', array( 'bearer', 'basic', 'header' ) ),
			'crm.auth_header'               => array( 'header' ),
			'crm.basic_user'                => array( 'string', 191 ),
			'crm.order_url_template'        => array( 'template' ),
			'crm.version_source'            => array( 'enum', array( 'version', 'updated_at' ) ),
			'crm.timeout_ms'                => array( 'int', 100, 60000 ),
			'crm.paths.status'              => $path,
			'crm.paths.version'             => $path,
			'crm.paths.updated_at'          => $path,
			'crm.paths.woo_order_id'        => $optional,
			'outgoing.crm_order_id_path'    => $optional,
			'outgoing.timeout_ms'           => array( 'int', 100, 60000 ),
			'outgoing.max_attempts'         => array( 'int', 1, 100 ),
			'outgoing.base_delay_ms'        => array( 'int', 100, 86400000 ),
			'outgoing.max_delay_ms'         => array( 'int', 1000, 604800000 ),
			'outgoing.disable_after_hours'  => array( 'int', 1, 8760 ),
			'outgoing.secret_grace_hours'   => array( 'int', 0, 168 ),
			'lifecycle.final_statuses'      => array( 'list' ),
			'lifecycle.allowed_transitions' => array( 'list' ),
			'retry.max_attempts'            => array( 'int', 1, 100 ),
			'retry.base_delay_ms'           => array( 'int', 10, 3600000 ),
			'retry.max_delay_ms'            => array( 'int', 10, 86400000 ),
			'log.mask_fields'               => array( 'strings' ),
			'retention_days'                => array( 'int', 1, 3650 ),
			'concurrency'                   => array( 'int', 1, 256 ),
			'delete_data_on_uninstall'      => array( 'bool' ),
		);
	}

	/**
	 * Known keys only, at every level, and each leaf against its rule.
	 *
	 * @param array<string, mixed> $input    Input at this level.
	 * @param array<string, mixed> $defaults Defaults at this level.
	 * @param string               $prefix   Dotted path of this level, with a trailing dot.
	 * @return array<string, string>
	 */
	private static function walk( array $input, array $defaults, string $prefix ): array {
		$errors = array();
		$rules  = self::rules();
		foreach ( $input as $key => $value ) {
			$path = $prefix . $key;
			if ( ! array_key_exists( $key, $defaults ) ) {
				/* translators: %s: setting name */
				$errors[ $path ] = sprintf( __( 'Unknown setting "%s".', 'crm-bridge' ), $path );
			} elseif ( 'mapping' === $path ) {
				continue;
			} elseif ( isset( $rules[ $path ] ) ) {
				$problem = self::leaf_problem( $value, $rules[ $path ] );
				if ( null !== $problem ) {
					$errors[ $path ] = $problem;
				}
			} elseif ( ! is_array( $value ) || ( $value && Settings::is_list( $value ) ) ) {
				/* translators: %s: setting name */
				$errors[ $path ] = sprintf( __( '"%s" is a group of settings: send an object.', 'crm-bridge' ), $path );
			} else {
				$errors += self::walk( $value, (array) $defaults[ $key ], $path . '.' );
			}
		}
		return $errors;
	}

	/**
	 * Why a value breaks its rule, or null.
	 *
	 * @param mixed             $value Value.
	 * @param array<int, mixed> $rule  Type and bounds.
	 */
	private static function leaf_problem( $value, array $rule ): ?string {
		switch ( $rule[0] ) {
			case 'int':
				return is_int( $value ) && $value >= $rule[1] && $value <= $rule[2] ? null
					/* translators: 1: minimum, 2: maximum */
					: sprintf( __( 'Enter a whole number from %1$d to %2$d.', 'crm-bridge' ), $rule[1], $rule[2] );
			case 'bool':
				return is_bool( $value ) ? null : __( 'Enter true or false.', 'crm-bridge' );
			case 'enum':
				/* translators: %s: allowed values */
				return in_array( $value, $rule[1], true ) ? null : sprintf( __( 'Choose one of: %s.', 'crm-bridge' ), implode( ', ', $rule[1] ) );
			case 'string':
				/* translators: %d: maximum length */
				return is_string( $value ) && strlen( $value ) <= $rule[1] ? null : sprintf( __( 'Enter text of at most %d characters.', 'crm-bridge' ), $rule[1] );
			case 'path':
				$empty_ok = ! empty( $rule[1] );
				return is_string( $value ) && strlen( $value ) <= 200 && ( $empty_ok || '' !== trim( $value ) ) && ! preg_match( '/\s|^\.|\.$|\.\./', $value ) ? null
					: __( 'Enter a JSON path such as data.status (dots between names, no spaces).', 'crm-bridge' );
			case 'header':
				return is_string( $value ) && ( ( ! empty( $rule[1] ) && '' === $value ) || preg_match( '/^[A-Za-z0-9!#$%&\'*+.^_`|~-]{1,64}$/', $value ) ) ? null
					: __( 'Enter an HTTP header name such as X-Signature.', 'crm-bridge' );
			case 'template':
				// A path on the CRM's own host: "@host", ".host" or ":port" after the base URL would send the token elsewhere.
				return is_string( $value ) && strlen( $value ) <= 2048 && false !== strpos( $value, '{crm_order_id}' ) && preg_match( '#^/[^@\\\\\#\s]*$#', $value ) ? null
					: __( 'Enter a path on the CRM API that starts with / and contains {crm_order_id}, such as /orders/{crm_order_id}.', 'crm-bridge' );
			case 'list':
				return is_array( $value ) && Settings::is_list( $value ) ? null : __( 'Enter a list.', 'crm-bridge' );
			case 'strings':
				return is_array( $value ) && Settings::is_list( $value ) && count( $value ) === count( array_filter( $value, static fn( $v ) => is_string( $v ) && '' !== $v && strlen( $v ) <= 191 ) ) ? null
					: __( 'Enter a list of names.', 'crm-bridge' );
			case 'cidrs':
				if ( ! is_array( $value ) || ! Settings::is_list( $value ) || count( $value ) > 200 ) {
					return __( 'Enter a list of IP addresses or CIDR ranges (at most 200).', 'crm-bridge' );
				}
				foreach ( $value as $cidr ) {
					// The receiver's own parser: the form accepts exactly what the allow-list understands.
					if ( ! is_string( $cidr ) || null === \CrmBridge\ClientAddress::parse_range( $cidr ) ) {
						/* translators: %s: the wrong entry */
						return sprintf( __( '"%s" is not an IP address or CIDR range such as 203.0.113.0/24 or 2001:db8::/32.', 'crm-bridge' ), is_scalar( $cidr ) ? (string) $cidr : '?' );
					}
				}
				return null;
		}
		return null;
	}

	/**
	 * 400 with field errors keyed by dotted path.
	 *
	 * @param array<string, string> $errors Field errors.
	 */
	private static function invalid( array $errors ): \WP_Error {
		return new \WP_Error( 'crm_bridge_invalid_settings', __( 'Some settings need attention.', 'crm-bridge' ), array( 'status' => 400, 'errors' => $errors ) );
	}
}
