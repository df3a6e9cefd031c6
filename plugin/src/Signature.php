<?php
/**
 * Webhook signatures, both directions: the Standard Webhooks scheme (HMAC-SHA256 of
 * "{id}.{timestamp}.{body}", base64, "v1," prefix, whsec_ secrets) and plain HMAC-SHA256 of the raw
 * body for CRMs that cannot send that. Every comparison is constant-time (hash_equals).
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Signing and verification.
 */
final class Signature {

	/**
	 * The signing key of a secret: the decoded bytes after "whsec_", or the secret itself.
	 *
	 * @param string $secret Secret.
	 */
	public static function key( string $secret ): string {
		if ( 0 === strpos( $secret, 'whsec_' ) ) {
			$decoded = base64_decode( substr( $secret, 6 ), true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode
			return false === $decoded ? $secret : $decoded;
		}
		return $secret;
	}

	/**
	 * The Standard Webhooks signature header value for one secret: "v1,<base64>".
	 *
	 * @param string $id        Message id (webhook-id).
	 * @param int    $timestamp Unix seconds (webhook-timestamp).
	 * @param string $body      Raw body.
	 * @param string $secret    Secret.
	 */
	public static function sign( string $id, int $timestamp, string $body, string $secret ): string {
		return 'v1,' . base64_encode( hash_hmac( 'sha256', $id . '.' . $timestamp . '.' . $body, self::key( $secret ), true ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
	}

	/**
	 * Verifies a Standard Webhooks request against any of the secrets.
	 *
	 * @param string   $body      Raw body.
	 * @param string   $id        webhook-id header.
	 * @param string   $timestamp webhook-timestamp header.
	 * @param string   $signature webhook-signature header (space-separated "v1,<base64>").
	 * @param string[] $secrets   Secrets valid now.
	 * @param int      $tolerance Seconds allowed between the timestamp and now, both ways.
	 * @param int      $now       Unix seconds.
	 * @return string|null Null when valid, else the refusal class: missing_signature, timestamp, signature.
	 */
	public static function verify_standard( string $body, string $id, string $timestamp, string $signature, array $secrets, int $tolerance, int $now ): ?string {
		if ( '' === $id || '' === $timestamp || '' === $signature || ! $secrets ) {
			return 'missing_signature';
		}
		if ( ! preg_match( '/^\d{1,12}$/', $timestamp ) || abs( $now - (int) $timestamp ) > $tolerance ) {
			return 'timestamp';
		}
		$given = array();
		foreach ( preg_split( '/\s+/', trim( $signature ) ) as $part ) {
			if ( 0 === strpos( $part, 'v1,' ) ) {
				$given[] = $part;
			}
		}
		foreach ( $secrets as $secret ) {
			$expected = self::sign( $id, (int) $timestamp, $body, $secret );
			foreach ( $given as $candidate ) {
				if ( hash_equals( $expected, $candidate ) ) {
					return null;
				}
			}
		}
		return 'signature';
	}

	/**
	 * Verifies an HMAC-SHA256 of the raw body sent in one header, hex or base64, optional "sha256=".
	 *
	 * @param string   $body     Raw body.
	 * @param string   $header   Header value.
	 * @param string[] $secrets  Secrets valid now.
	 * @param string   $encoding hex or base64.
	 * @return string|null Null when valid, else missing_signature or signature.
	 */
	public static function verify_hmac( string $body, string $header, array $secrets, string $encoding ): ?string {
		$header = trim( $header );
		if ( '' === $header || ! $secrets ) {
			return 'missing_signature';
		}
		if ( 0 === stripos( $header, 'sha256=' ) ) {
			$header = substr( $header, 7 );
		}
		foreach ( $secrets as $secret ) {
			$raw      = hash_hmac( 'sha256', $body, self::key( $secret ), true );
			$expected = 'base64' === $encoding ? base64_encode( $raw ) : bin2hex( $raw ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
			if ( hash_equals( $expected, 'hex' === $encoding ? strtolower( $header ) : $header ) ) {
				return null;
			}
		}
		return 'signature';
	}
}
