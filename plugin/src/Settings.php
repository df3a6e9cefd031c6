<?php
/**
 * The plugin's settings: one JSON document in wp_options (so the sidecar reads the same values with
 * one query), merged over the defaults. Secrets live apart, in Secrets.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Settings document.
 */
final class Settings {

	public const OPTION = 'crm_bridge_settings';

	/**
	 * The defaults; every key the plugin and the sidecar read.
	 *
	 * @return array<string, mixed>
	 */
	public static function defaults(): array {
		return array(
			'incoming'                 => array(
				'signature_mode'    => 'standard_webhooks',
				'hmac_header'       => 'X-Signature',
				'hmac_encoding'     => 'hex',
				'event_id_path'     => '',
				'allowed_ips'       => array(),
				'trusted_proxies'   => array(),
				'client_ip_header'  => '',
				'max_body_bytes'    => 262144,
				'tolerance_seconds' => 300,
				'paths'             => array(
					'type'         => 'type',
					'crm_order_id' => 'data.crm_order_id',
					'status'       => 'data.status',
					'version'      => 'data.version',
					'updated_at'   => 'data.updated_at',
				),
			),
			'crm'                      => array(
				'base_url'           => '',
				'auth_mode'          => 'bearer',
				'auth_header'        => 'X-Api-Key',
				'basic_user'         => '',
				'order_url_template' => '/orders/{crm_order_id}',
				'version_source'     => 'version',
				'timeout_ms'         => 5000,
				'paths'              => array(
					'status'       => 'status',
					'version'      => 'version',
					'updated_at'   => 'updated_at',
					'woo_order_id' => 'woo_order_id',
				),
			),
			'outgoing'                 => array(
				'crm_order_id_path'   => 'id',
				'timeout_ms'          => 10000,
				'max_attempts'        => 10,
				'base_delay_ms'       => 30000,
				'max_delay_ms'        => 43200000,
				'disable_after_hours' => 72,
				'secret_grace_hours'  => 24,
			),
			'mapping'                  => array(
				'pending'    => 'pending',
				'paid'       => 'processing',
				'processing' => 'processing',
				'on_hold'    => 'on-hold',
				'shipped'    => 'completed',
				'completed'  => 'completed',
				'cancelled'  => 'cancelled',
				'refunded'   => 'refunded',
				'failed'     => 'failed',
			),
			'lifecycle'                => array(
				'final_statuses'      => array( 'completed', 'cancelled', 'refunded' ),
				'allowed_transitions' => array( array( 'completed', 'refunded' ) ),
			),
			'retry'                    => array(
				'max_attempts'  => 10,
				'base_delay_ms' => 1000,
				'max_delay_ms'  => 3600000,
			),
			'log'                      => array(
				'mask_fields' => array( 'billing_email', 'email', 'phone', 'first_name', 'last_name', 'address_1', 'address_2', 'postcode' ),
			),
			'retention_days'           => 30,
			'concurrency'              => 16,
			'delete_data_on_uninstall' => false,
		);
	}

	/**
	 * The current settings, defaults filled in.
	 *
	 * @return array<string, mixed>
	 */
	public static function all(): array {
		$stored = json_decode( (string) get_option( self::OPTION, '{}' ), true );
		$stored = is_array( $stored ) ? $stored : array();
		$all    = self::known( self::merge( self::defaults(), $stored ), self::defaults() );
		// The status mapping is one table: the stored one replaces the default, so rows can be removed.
		if ( isset( $stored['mapping'] ) && is_array( $stored['mapping'] ) ) {
			$all['mapping'] = $stored['mapping'];
		}
		return $all;
	}

	/**
	 * One value by dotted path, e.g. "incoming.max_body_bytes".
	 *
	 * @param string $path Dotted path.
	 * @return mixed
	 */
	public static function get( string $path ) {
		return JsonPath::get( self::all(), $path );
	}

	/**
	 * Replaces the stored document (already validated by the caller).
	 *
	 * @param array<string, mixed> $settings Settings, merged over the current ones.
	 */
	public static function update( array $settings ): void {
		$merged = self::known( self::merge( self::all(), $settings ), self::defaults() );
		// The status mapping is one table: what the user sends replaces it, so rows can be removed.
		if ( isset( $settings['mapping'] ) && is_array( $settings['mapping'] ) ) {
			$merged['mapping'] = $settings['mapping'];
		}
		update_option( self::OPTION, wp_json_encode( $merged ), true );
	}

	/**
	 * Drops keys the defaults do not know (a removed setting, such as outgoing.allow_private_urls,
	 * is ignored when stored). The mapping's keys are the user's, so it is kept as it is.
	 *
	 * @param array<string, mixed> $values   Values.
	 * @param array<string, mixed> $defaults Defaults at the same level.
	 * @return array<string, mixed>
	 */
	private static function known( array $values, array $defaults ): array {
		foreach ( $values as $key => $value ) {
			if ( ! array_key_exists( $key, $defaults ) ) {
				unset( $values[ $key ] );
			} elseif ( 'mapping' !== $key && is_array( $value ) && is_array( $defaults[ $key ] ) && $defaults[ $key ] && ! self::is_list( $defaults[ $key ] ) ) {
				$values[ $key ] = self::known( $value, $defaults[ $key ] );
			}
		}
		return $values;
	}

	/**
	 * Deep merge where lists and scalars of $over replace those of $base.
	 *
	 * @param array<string, mixed> $base Base.
	 * @param array<string, mixed> $over Overrides.
	 * @return array<string, mixed>
	 */
	private static function merge( array $base, array $over ): array {
		foreach ( $over as $key => $value ) {
			if ( is_array( $value ) && isset( $base[ $key ] ) && is_array( $base[ $key ] ) && ! self::is_list( $base[ $key ] ) && ! self::is_list( $value ) ) {
				$base[ $key ] = self::merge( $base[ $key ], $value );
			} else {
				$base[ $key ] = $value;
			}
		}
		return $base;
	}

	/**
	 * True for a JSON array (list), false for an object (PHP 8.0 has no array_is_list()).
	 *
	 * @param array<mixed> $value Array.
	 */
	public static function is_list( array $value ): bool {
		return array() === $value || array_keys( $value ) === range( 0, count( $value ) - 1 );
	}
}
