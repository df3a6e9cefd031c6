<?php
/**
 * Write-only secrets: the CRM API credentials and the incoming signing secrets (two valid during a
 * rotation). Stored encrypted (AES-256-GCM) with CRM_BRIDGE_ENCRYPTION_KEY from wp-config.php, the
 * key the sidecar gets through its environment. Nothing here returns a secret to an API response.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Secret storage.
 */
final class Secrets {

	public const OPTION = 'crm_bridge_secrets';

	/** Names of the secrets the plugin keeps. */
	public const INCOMING  = 'incoming_signing';
	public const CRM_TOKEN = 'crm_api_token';

	/**
	 * True when wp-config.php defines the encryption key; without it secrets are only obfuscated.
	 */
	public static function has_key(): bool {
		return defined( 'CRM_BRIDGE_ENCRYPTION_KEY' ) && '' !== (string) CRM_BRIDGE_ENCRYPTION_KEY;
	}

	/**
	 * The current value of a secret, or null.
	 *
	 * @param string $name Secret name.
	 */
	public static function get( string $name ): ?string {
		$entry = self::all()[ $name ] ?? null;
		return is_array( $entry ) && isset( $entry['value'] ) ? self::decrypt( (string) $entry['value'] ) : null;
	}

	/**
	 * Sets a secret; the previous value stays valid until $grace_seconds have passed (0: revoked at once).
	 *
	 * @param string      $name          Secret name.
	 * @param string|null $value         New value; null removes the secret.
	 * @param int         $grace_seconds How long the old value stays valid.
	 */
	public static function set( string $name, ?string $value, int $grace_seconds = 0 ): void {
		$all     = self::all();
		$current = $all[ $name ] ?? null;
		if ( null === $value ) {
			unset( $all[ $name ] );
		} else {
			$entry = array(
				'value'      => self::encrypt( $value ),
				'rotated_at' => time(),
			);
			if ( $grace_seconds > 0 && is_array( $current ) && isset( $current['value'] ) ) {
				$entry['previous']            = $current['value'];
				$entry['previous_expires_at'] = time() + $grace_seconds;
			}
			$all[ $name ] = $entry;
		}
		update_option( self::OPTION, wp_json_encode( $all ), true );
	}

	/**
	 * The values valid now: the current one and, during a rotation's grace period, the previous one.
	 *
	 * @param string $name Secret name.
	 * @return string[]
	 */
	public static function valid_values( string $name ): array {
		$entry = self::all()[ $name ] ?? null;
		if ( ! is_array( $entry ) || ! isset( $entry['value'] ) ) {
			return array();
		}
		$values = array( self::decrypt( (string) $entry['value'] ) );
		if ( isset( $entry['previous'], $entry['previous_expires_at'] ) && (int) $entry['previous_expires_at'] > time() ) {
			$values[] = self::decrypt( (string) $entry['previous'] );
		}
		return array_values( array_filter( $values, 'is_string' ) );
	}

	/**
	 * What an API may show about a secret: whether it is set and when it was rotated.
	 *
	 * @param string $name Secret name.
	 * @return array{set: bool, rotated_at: string|null, previous_valid_until: string|null}
	 */
	public static function describe( string $name ): array {
		$entry = self::all()[ $name ] ?? null;
		$prev  = is_array( $entry ) && isset( $entry['previous_expires_at'] ) && (int) $entry['previous_expires_at'] > time() ? (int) $entry['previous_expires_at'] : null;
		return array(
			'set'                  => is_array( $entry ) && isset( $entry['value'] ),
			'rotated_at'           => is_array( $entry ) && isset( $entry['rotated_at'] ) ? gmdate( 'c', (int) $entry['rotated_at'] ) : null,
			'previous_valid_until' => null === $prev ? null : gmdate( 'c', $prev ),
		);
	}

	/**
	 * A new Standard Webhooks secret: "whsec_" and 32 random bytes in base64.
	 */
	public static function generate_signing_secret(): string {
		return 'whsec_' . base64_encode( random_bytes( 32 ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
	}

	/**
	 * Encrypts with AES-256-GCM: "v1:" + base64(iv | tag | ciphertext); "plain:" when no key is set.
	 *
	 * @param string $plain Plain text.
	 */
	public static function encrypt( string $plain ): string {
		if ( ! self::has_key() ) {
			return 'plain:' . base64_encode( $plain ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
		}
		$iv     = random_bytes( 12 );
		$tag    = '';
		$cipher = openssl_encrypt( $plain, 'aes-256-gcm', self::key(), OPENSSL_RAW_DATA, $iv, $tag );
		return 'v1:' . base64_encode( $iv . $tag . (string) $cipher ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
	}

	/**
	 * Decrypts what encrypt() wrote; null when it cannot (wrong or missing key).
	 *
	 * @param string $stored Stored form.
	 */
	public static function decrypt( string $stored ): ?string {
		if ( 0 === strpos( $stored, 'plain:' ) ) {
			$plain = base64_decode( substr( $stored, 6 ), true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode
			return false === $plain ? null : $plain;
		}
		if ( 0 !== strpos( $stored, 'v1:' ) || ! self::has_key() ) {
			return null;
		}
		$raw = base64_decode( substr( $stored, 3 ), true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode
		if ( false === $raw || strlen( $raw ) < 28 ) {
			return null;
		}
		$plain = openssl_decrypt( substr( $raw, 28 ), 'aes-256-gcm', self::key(), OPENSSL_RAW_DATA, substr( $raw, 0, 12 ), substr( $raw, 12, 16 ) );
		return false === $plain ? null : $plain;
	}

	/**
	 * The 32-byte key: SHA-256 of the configured constant, so any long random string works.
	 */
	private static function key(): string {
		return hash( 'sha256', (string) CRM_BRIDGE_ENCRYPTION_KEY, true );
	}

	/**
	 * The stored entries.
	 *
	 * @return array<string, mixed>
	 */
	private static function all(): array {
		$all = json_decode( (string) get_option( self::OPTION, '{}' ), true );
		return is_array( $all ) ? $all : array();
	}
}
