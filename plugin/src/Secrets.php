<?php
/**
 * Write-only secrets: the CRM API credentials and the incoming signing secrets (two valid during a
 * rotation), and the encryption every stored secret shares (subscription secrets too). AES-256-GCM
 * under an HKDF-SHA256 key derived from CRM_BRIDGE_ENCRYPTION_KEY in wp-config.php (the sidecar gets
 * the same constant), each ciphertext bound to its name as associated data so that a value moved to
 * another name does not decrypt. Without a key, secrets are kept as "plain:" only in a local
 * environment. Nothing here returns a secret to an API response.
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
	/** The alert webhook's URL: a chat webhook's URL is its credential (see Alerts). */
	public const ALERT_WEBHOOK = 'alerts_webhook_url';

	/** Shortest CRM_BRIDGE_ENCRYPTION_KEY accepted; a shorter one counts as no key. */
	public const KEY_MIN_LENGTH = 32;

	/** Shortest signing secret, in bytes after "whsec_" base64 decoding. */
	public const SIGNING_MIN_BYTES = 24;

	/** Option recording which key the stored secrets were last rewritten under (a fingerprint). */
	public const UPGRADED_OPTION = 'crm_bridge_secrets_key_id';

	/** HKDF "info": the purpose the derived key serves. */
	private const HKDF_INFO = 'crm-bridge secrets v2';

	/**
	 * True when wp-config.php defines an encryption key of at least KEY_MIN_LENGTH characters.
	 */
	public static function has_key(): bool {
		return 'ok' === self::key_status();
	}

	/**
	 * The configured key: 'none', 'short' (defined but under KEY_MIN_LENGTH; treated as none) or 'ok'.
	 */
	public static function key_status(): string {
		if ( ! defined( 'CRM_BRIDGE_ENCRYPTION_KEY' ) || '' === (string) CRM_BRIDGE_ENCRYPTION_KEY ) {
			return 'none';
		}
		return strlen( (string) CRM_BRIDGE_ENCRYPTION_KEY ) < self::KEY_MIN_LENGTH ? 'short' : 'ok';
	}

	/**
	 * Why no secret may be stored now, or null. Outside a local environment a key is required.
	 */
	public static function storage_problem(): ?string {
		if ( self::has_key() || 'local' === wp_get_environment_type() ) {
			return null;
		}
		$line = "define( 'CRM_BRIDGE_ENCRYPTION_KEY', '<64 random characters, e.g. from: openssl rand -hex 32>' );";
		if ( 'short' === self::key_status() ) {
			/* translators: 1: minimum length, 2: the line to add */
			return sprintf( __( 'Secrets cannot be stored: CRM_BRIDGE_ENCRYPTION_KEY in wp-config.php is shorter than %1$d characters. Replace it with a longer one, e.g. %2$s, and give the sidecar the same value in its CRM_BRIDGE_ENCRYPTION_KEY environment variable.', 'crm-bridge' ), self::KEY_MIN_LENGTH, $line );
		}
		/* translators: %s: the line to add */
		return sprintf( __( 'Secrets cannot be stored without an encryption key outside a local environment. Add this line to wp-config.php, above "That\'s all, stop editing!": %s, and give the sidecar the same value in its CRM_BRIDGE_ENCRYPTION_KEY environment variable.', 'crm-bridge' ), $line );
	}

	/**
	 * What the settings page shows about the key (never the key).
	 *
	 * @return array{status: string, min_length: int, problem: string|null}
	 */
	public static function key_report(): array {
		return array(
			'status'     => self::key_status(),
			'min_length' => self::KEY_MIN_LENGTH,
			'problem'    => self::storage_problem(),
		);
	}

	/**
	 * Why a signing secret is refused (too short to sign with), or null.
	 *
	 * @param string $value Secret, "whsec_<base64>" or raw.
	 */
	public static function signing_secret_problem( string $value ): ?string {
		$bytes = $value;
		if ( 0 === strpos( $value, 'whsec_' ) ) {
			$bytes = base64_decode( substr( $value, 6 ), true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode
			if ( false === $bytes ) {
				return __( 'A whsec_ secret must be followed by base64.', 'crm-bridge' );
			}
		}
		/* translators: %d: minimum number of bytes */
		return strlen( $bytes ) < self::SIGNING_MIN_BYTES ? sprintf( __( 'The signing secret must be at least %d bytes long (after whsec_ base64 decoding).', 'crm-bridge' ), self::SIGNING_MIN_BYTES ) : null;
	}

	/**
	 * The current value of a secret, or null.
	 *
	 * @param string $name Secret name.
	 */
	public static function get( string $name ): ?string {
		$entry = self::all()[ $name ] ?? null;
		return is_array( $entry ) && isset( $entry['value'] ) ? self::decrypt( (string) $entry['value'], self::option_name( $name ) ) : null;
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
				'value'      => self::encrypt( $value, self::option_name( $name ) ),
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
		$values = array( self::decrypt( (string) $entry['value'], self::option_name( $name ) ) );
		if ( isset( $entry['previous'], $entry['previous_expires_at'] ) && (int) $entry['previous_expires_at'] > time() ) {
			$values[] = self::decrypt( (string) $entry['previous'], self::option_name( $name ) );
		}
		$values = array_filter( $values, 'is_string' );
		if ( self::INCOMING === $name ) {
			// A signing secret stored before the length rule (whsec_ alone is an empty key) would let
			// anyone sign: it verifies nothing, and describe() reports it.
			$values = array_filter( $values, static fn( string $value ): bool => null === self::signing_secret_problem( $value ) );
		}
		return array_values( $values );
	}

	/**
	 * What an API may show about a secret: whether it is set, when it was rotated, and why a set
	 * signing secret is not used ("too_short": it verifies no signature until it is replaced).
	 *
	 * @param string $name Secret name.
	 * @return array{set: bool, rotated_at: string|null, previous_valid_until: string|null, problem: string|null}
	 */
	public static function describe( string $name ): array {
		$entry   = self::all()[ $name ] ?? null;
		$prev    = is_array( $entry ) && isset( $entry['previous_expires_at'] ) && (int) $entry['previous_expires_at'] > time() ? (int) $entry['previous_expires_at'] : null;
		$set     = is_array( $entry ) && isset( $entry['value'] );
		$current = $set && self::INCOMING === $name ? self::decrypt( (string) $entry['value'], self::option_name( $name ) ) : null;
		return array(
			'set'                  => $set,
			'rotated_at'           => is_array( $entry ) && isset( $entry['rotated_at'] ) ? gmdate( 'c', (int) $entry['rotated_at'] ) : null,
			'previous_valid_until' => null === $prev ? null : gmdate( 'c', $prev ),
			'problem'              => null !== $current && null !== self::signing_secret_problem( $current ) ? 'too_short' : null,
		);
	}

	/**
	 * A new Standard Webhooks secret: "whsec_" and 32 random bytes in base64.
	 */
	public static function generate_signing_secret(): string {
		return 'whsec_' . base64_encode( random_bytes( 32 ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
	}

	/**
	 * The associated-data name of a secret kept in the secrets option.
	 *
	 * @param string $name Secret name.
	 */
	public static function option_name( string $name ): string {
		return self::OPTION . ':' . $name;
	}

	/**
	 * Encrypts with AES-256-GCM bound to $name: "v2:" + base64(iv | tag | ciphertext). Without a key,
	 * "plain:" + base64, which only a local environment may store (see storage_problem()).
	 *
	 * @param string $plain Plain text.
	 * @param string $name  Name the ciphertext is bound to (stable for the life of what holds it).
	 * @throws \RuntimeException When no secret may be stored here (callers check storage_problem() first).
	 */
	public static function encrypt( string $plain, string $name ): string {
		if ( null !== self::storage_problem() ) {
			throw new \RuntimeException( 'CRM Bridge: refusing to store a secret without CRM_BRIDGE_ENCRYPTION_KEY outside a local environment' );
		}
		if ( ! self::has_key() ) {
			// A key may come later: upgrade() must then look again.
			delete_option( self::UPGRADED_OPTION );
			return 'plain:' . base64_encode( $plain ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
		}
		$iv     = random_bytes( 12 );
		$tag    = '';
		$cipher = openssl_encrypt( $plain, 'aes-256-gcm', self::key(), OPENSSL_RAW_DATA, $iv, $tag, $name );
		return 'v2:' . base64_encode( $iv . $tag . (string) $cipher ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
	}

	/**
	 * Decrypts what encrypt() wrote for $name; null when it cannot (wrong key, wrong name, or a
	 * "plain:" value while a key is set: those are only read by upgrade(), to encrypt them).
	 *
	 * @param string $stored Stored form.
	 * @param string $name   Name the ciphertext was bound to ("v1:" values were bound to none).
	 */
	public static function decrypt( string $stored, string $name ): ?string {
		if ( 0 === strpos( $stored, 'plain:' ) ) {
			return self::has_key() ? null : self::unwrap_plain( $stored );
		}
		$version = substr( $stored, 0, 3 );
		if ( ! in_array( $version, array( 'v1:', 'v2:' ), true ) || ! self::has_key() ) {
			return null;
		}
		$raw = base64_decode( substr( $stored, 3 ), true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode
		if ( false === $raw || strlen( $raw ) < 28 ) {
			return null;
		}
		$key   = 'v1:' === $version ? hash( 'sha256', (string) CRM_BRIDGE_ENCRYPTION_KEY, true ) : self::key();
		$plain = openssl_decrypt( substr( $raw, 28 ), 'aes-256-gcm', $key, OPENSSL_RAW_DATA, substr( $raw, 0, 12 ), substr( $raw, 12, 16 ), 'v1:' === $version ? '' : $name );
		return false === $plain ? null : $plain;
	}

	/**
	 * Rewrites "plain:" and "v1:" values as "v2:" once a key is set: the secrets option and every
	 * subscription's secrets. Runs on admin_init; a fingerprint of the key makes it run once per key.
	 */
	public static function upgrade(): void {
		if ( ! self::has_key() ) {
			return;
		}
		$key_id = substr( hash( 'sha256', self::key() ), 0, 16 );
		if ( get_option( self::UPGRADED_OPTION ) === $key_id ) {
			return;
		}
		$all     = self::all();
		$changed = false;
		foreach ( $all as $name => $entry ) {
			foreach ( array( 'value', 'previous' ) as $field ) {
				if ( is_array( $entry ) && isset( $entry[ $field ] ) ) {
					$rewritten = self::rewrite( (string) $entry[ $field ], self::option_name( (string) $name ) );
					if ( null !== $rewritten ) {
						$all[ $name ][ $field ] = $rewritten;
						$changed                = true;
					}
				}
			}
		}
		if ( $changed ) {
			update_option( self::OPTION, wp_json_encode( $all ), true );
		}
		Subscriptions::upgrade_secrets( array( self::class, 'rewrite' ) );
		update_option( self::UPGRADED_OPTION, $key_id, false );
	}

	/**
	 * The "v2:" form of an older stored value, or null when it needs no rewrite (or cannot be read).
	 *
	 * @param string $stored Stored form.
	 * @param string $name   Name to bind it to.
	 */
	public static function rewrite( string $stored, string $name ): ?string {
		if ( 0 === strpos( $stored, 'plain:' ) ) {
			$plain = self::unwrap_plain( $stored );
		} elseif ( 0 === strpos( $stored, 'v1:' ) ) {
			$plain = self::decrypt( $stored, $name );
		} else {
			return null;
		}
		return null === $plain ? null : self::encrypt( $plain, $name );
	}

	/**
	 * The value inside a "plain:" form.
	 *
	 * @param string $stored Stored form.
	 */
	private static function unwrap_plain( string $stored ): ?string {
		$plain = base64_decode( substr( $stored, 6 ), true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode
		return false === $plain ? null : $plain;
	}

	/**
	 * The 32-byte key: HKDF-SHA256 of the configured constant.
	 */
	private static function key(): string {
		return hash_hkdf( 'sha256', (string) CRM_BRIDGE_ENCRYPTION_KEY, 32, self::HKDF_INFO );
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
