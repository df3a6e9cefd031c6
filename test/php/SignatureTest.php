<?php
/**
 * Webhook signatures as tables: the Standard Webhooks scheme (the specification's own test vector,
 * two secrets in rotation, the timestamp window) and the raw-body HMAC, and that every comparison of
 * a signature is constant-time.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

use CrmBridge\Signature;
use PHPUnit\Framework\TestCase;

/**
 * Signature rules.
 */
final class SignatureTest extends TestCase {

	// The test vector of the Standard Webhooks specification (and of the standardwebhooks libraries).
	private const SECRET    = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
	private const ID        = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
	private const TIMESTAMP = 1614265330;
	private const BODY      = '{"test": 2432232314}';
	private const SIGNED    = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

	// A second secret, as during a rotation, and the vector's message signed with it (standardwebhooks on npm).
	private const PREVIOUS        = 'whsec_dGhlIHByZXZpb3VzIHNpZ25pbmcga2V5LCByb3RhdGVk';
	private const SIGNED_PREVIOUS = 'v1,Jh5g0vxkbog06yK/dHwoY/oeDRXjSQEYX/eH7b2+H8E=';

	private const TOLERANCE = 300;

	public function test_signs_the_specification_vector(): void {
		$this->assertSame( self::SIGNED, Signature::sign( self::ID, self::TIMESTAMP, self::BODY, self::SECRET ) );
		$this->assertSame( self::SIGNED_PREVIOUS, Signature::sign( self::ID, self::TIMESTAMP, self::BODY, self::PREVIOUS ) );
	}

	/**
	 * A whsec_ secret signs with its decoded bytes; any other secret (or one that is not base64) with itself.
	 *
	 * @return array<string, array{0: string, 1: string}>
	 */
	public static function keys(): array {
		return array(
			'whsec_ is base64 of the key' => array( self::PREVIOUS, 'the previous signing key, rotated' ),
			'a plain secret is the key'   => array( 'raw-secret', 'raw-secret' ),
			'whsec_ but not base64'       => array( 'whsec_not*base64', 'whsec_not*base64' ),
			'whsec inside, not a prefix'  => array( 'my-whsec_abc', 'my-whsec_abc' ),
		);
	}

	/**
	 * @dataProvider keys
	 */
	public function test_the_signing_key_of_a_secret( string $secret, string $key ): void {
		$this->assertSame( $key, Signature::key( $secret ) );
	}

	/**
	 * Rows: body, id, timestamp header, signature header, secrets, now → null (valid) or the refusal.
	 *
	 * @return array<string, array{0: string, 1: string, 2: string, 3: string, 4: string[], 5: int, 6: string|null}>
	 */
	public static function standard(): array {
		$t    = (string) self::TIMESTAMP;
		$now  = self::TIMESTAMP;
		$both = array( self::SECRET, self::PREVIOUS );
		return array(
			'valid'                                  => array( self::BODY, self::ID, $t, self::SIGNED, array( self::SECRET ), $now, null ),
			'valid, signed with the second secret'   => array( self::BODY, self::ID, $t, self::SIGNED_PREVIOUS, $both, $now, null ),
			'valid, signed with the first secret'    => array( self::BODY, self::ID, $t, self::SIGNED, $both, $now, null ),
			'valid, secrets in either order'         => array( self::BODY, self::ID, $t, self::SIGNED_PREVIOUS, array( self::PREVIOUS, self::SECRET ), $now, null ),
			'valid among several signatures'         => array( self::BODY, self::ID, $t, 'v1,AAAA ' . self::SIGNED . ' v1a,BBBB', array( self::SECRET ), $now, null ),
			'valid with surrounding whitespace'      => array( self::BODY, self::ID, $t, "  \t" . self::SIGNED . "\n", array( self::SECRET ), $now, null ),
			'the retired secret alone'               => array( self::BODY, self::ID, $t, self::SIGNED_PREVIOUS, array( self::SECRET ), $now, 'signature' ),
			'a wrong secret'                         => array( self::BODY, self::ID, $t, self::SIGNED, array( 'whsec_' . base64_encode( 'another key' ) ), $now, 'signature' ),
			'a changed body'                         => array( '{"test": 2432232315}', self::ID, $t, self::SIGNED, array( self::SECRET ), $now, 'signature' ),
			'a changed id'                           => array( self::BODY, 'msg_other', $t, self::SIGNED, array( self::SECRET ), $now, 'signature' ),
			'a changed timestamp, inside the window' => array( self::BODY, self::ID, (string) ( self::TIMESTAMP + 1 ), self::SIGNED, array( self::SECRET ), $now, 'signature' ),
			'another scheme than v1'                 => array( self::BODY, self::ID, $t, 'v1a,' . substr( self::SIGNED, 3 ), array( self::SECRET ), $now, 'signature' ),
			'the signature without its scheme'       => array( self::BODY, self::ID, $t, substr( self::SIGNED, 3 ), array( self::SECRET ), $now, 'signature' ),
			'a truncated signature'                  => array( self::BODY, self::ID, $t, substr( self::SIGNED, 0, -2 ), array( self::SECRET ), $now, 'signature' ),
			'a signature in another case'            => array( self::BODY, self::ID, $t, strtolower( self::SIGNED ), array( self::SECRET ), $now, 'signature' ),
			'at the edge of the window, late'        => array( self::BODY, self::ID, $t, self::SIGNED, array( self::SECRET ), $now + self::TOLERANCE, null ),
			'at the edge of the window, early'       => array( self::BODY, self::ID, $t, self::SIGNED, array( self::SECRET ), $now - self::TOLERANCE, null ),
			'expired: one second past the window'    => array( self::BODY, self::ID, $t, self::SIGNED, array( self::SECRET ), $now + self::TOLERANCE + 1, 'timestamp' ),
			'from the future, past the window'       => array( self::BODY, self::ID, $t, self::SIGNED, array( self::SECRET ), $now - self::TOLERANCE - 1, 'timestamp' ),
			'a timestamp in milliseconds'            => array( self::BODY, self::ID, $t . '000', self::SIGNED, array( self::SECRET ), $now, 'timestamp' ),
			'a fractional timestamp'                 => array( self::BODY, self::ID, $t . '.5', self::SIGNED, array( self::SECRET ), $now, 'timestamp' ),
			'a negative timestamp'                   => array( self::BODY, self::ID, '-' . $t, self::SIGNED, array( self::SECRET ), $now, 'timestamp' ),
			'a date as timestamp'                    => array( self::BODY, self::ID, '2021-02-25T15:02:10Z', self::SIGNED, array( self::SECRET ), $now, 'timestamp' ),
			'no id'                                  => array( self::BODY, '', $t, self::SIGNED, array( self::SECRET ), $now, 'missing_signature' ),
			'no timestamp'                           => array( self::BODY, self::ID, '', self::SIGNED, array( self::SECRET ), $now, 'missing_signature' ),
			'no signature'                           => array( self::BODY, self::ID, $t, '', array( self::SECRET ), $now, 'missing_signature' ),
			'no secret configured'                   => array( self::BODY, self::ID, $t, self::SIGNED, array(), $now, 'missing_signature' ),
		);
	}

	/**
	 * @dataProvider standard
	 *
	 * @param string      $body      Body.
	 * @param string      $id        webhook-id.
	 * @param string      $timestamp webhook-timestamp.
	 * @param string      $signature webhook-signature.
	 * @param string[]    $secrets   Secrets.
	 * @param int         $now       Now.
	 * @param string|null $expected  Refusal, or null.
	 */
	public function test_verifies_standard_webhooks( string $body, string $id, string $timestamp, string $signature, array $secrets, int $now, ?string $expected ): void {
		$this->assertSame( $expected, Signature::verify_standard( $body, $id, $timestamp, $signature, $secrets, self::TOLERANCE, $now ) );
	}

	/**
	 * Rows: body, header, secrets, encoding → null (valid) or the refusal. The HMAC-SHA256 of
	 * '{"order":42}' under "raw-secret" and under PREVIOUS's decoded key, from node:crypto.
	 *
	 * @return array<string, array{0: string, 1: string, 2: string[], 3: string, 4: string|null}>
	 */
	public static function hmac(): array {
		$body    = '{"order":42}';
		$hex     = 'fd29f93bb4d4d7b4048d9dca89dc22039b412731509a8311b5a5872e1b719b75';
		$base64  = '/Sn5O7TU17QEjZ3KidwiA5tBJzFQmoMRtaWHLhtxm3U=';
		$whsec   = '42e2f660c252c03a00b73ac22c66109d16b9ecef4cfe95c3e85eed9a7502ab0e';
		$secrets = array( 'raw-secret' );
		return array(
			'hex'                                 => array( $body, $hex, $secrets, 'hex', null ),
			'hex in upper case'                   => array( $body, strtoupper( $hex ), $secrets, 'hex', null ),
			'hex with sha256='                    => array( $body, 'sha256=' . $hex, $secrets, 'hex', null ),
			'hex with SHA256='                    => array( $body, 'SHA256=' . $hex, $secrets, 'hex', null ),
			'hex with surrounding whitespace'     => array( $body, " {$hex}\t", $secrets, 'hex', null ),
			'base64'                              => array( $body, $base64, $secrets, 'base64', null ),
			'base64 with sha256='                 => array( $body, 'sha256=' . $base64, $secrets, 'base64', null ),
			'a whsec_ secret signs with its key'  => array( $body, $whsec, array( self::PREVIOUS ), 'hex', null ),
			'the second secret in rotation'       => array( $body, $whsec, array( 'raw-secret', self::PREVIOUS ), 'hex', null ),
			'the first secret in rotation'        => array( $body, $hex, array( 'raw-secret', self::PREVIOUS ), 'hex', null ),
			'the retired secret alone'            => array( $body, $whsec, $secrets, 'hex', 'signature' ),
			'base64 in another case'              => array( $body, strtolower( $base64 ), $secrets, 'base64', 'signature' ),
			'hex sent, base64 expected'           => array( $body, $hex, $secrets, 'base64', 'signature' ),
			'base64 sent, hex expected'           => array( $body, $base64, $secrets, 'hex', 'signature' ),
			'a changed body'                      => array( '{"order":43}', $hex, $secrets, 'hex', 'signature' ),
			'a wrong secret'                      => array( $body, $hex, array( 'other-secret' ), 'hex', 'signature' ),
			'a truncated signature'               => array( $body, substr( $hex, 0, 32 ), $secrets, 'hex', 'signature' ),
			'another prefix than sha256='         => array( $body, 'sha1=' . $hex, $secrets, 'hex', 'signature' ),
			'no header'                           => array( $body, '', $secrets, 'hex', 'missing_signature' ),
			'a header of whitespace'              => array( $body, "  \t", $secrets, 'hex', 'missing_signature' ),
			'no secret configured'                => array( $body, $hex, array(), 'hex', 'missing_signature' ),
		);
	}

	/**
	 * @dataProvider hmac
	 *
	 * @param string      $body     Body.
	 * @param string      $header   Header.
	 * @param string[]    $secrets  Secrets.
	 * @param string      $encoding hex or base64.
	 * @param string|null $expected Refusal, or null.
	 */
	public function test_verifies_a_raw_body_hmac( string $body, string $header, array $secrets, string $encoding, ?string $expected ): void {
		$this->assertSame( $expected, Signature::verify_hmac( $body, $header, $secrets, $encoding ) );
	}

	/**
	 * No timing can be asserted, so the source is read: the signatures are compared only with
	 * hash_equals(), expected value first, and never with an operator or a string function that
	 * stops at the first differing byte.
	 */
	public function test_compares_signatures_in_constant_time(): void {
		$code   = array_values(
			array_filter(
				token_get_all( (string) file_get_contents( dirname( __DIR__, 2 ) . '/plugin/src/Signature.php' ) ),
				static fn( $t ): bool => ! is_array( $t ) || ! in_array( $t[0], array( T_WHITESPACE, T_COMMENT, T_DOC_COMMENT ), true )
			)
		);
		$text   = static fn( $t ): string => is_array( $t ) ? $t[1] : $t;
		$secret = array( '$expected', '$candidate', '$raw', '$given' );
		$unsafe = array( T_IS_EQUAL, T_IS_IDENTICAL, T_IS_NOT_EQUAL, T_IS_NOT_IDENTICAL, T_SPACESHIP );
		$calls  = 0;
		foreach ( $code as $i => $token ) {
			if ( is_array( $token ) && in_array( $token[0], $unsafe, true ) ) {
				$this->assertNotContains( $text( $code[ $i - 1 ] ), $secret, 'a signature compared with ' . $token[1] );
				$this->assertNotContains( $text( $code[ $i + 1 ] ), $secret, 'a signature compared with ' . $token[1] );
			}
			if ( in_array( strtolower( $text( $token ) ), array( 'strcmp', 'strncmp', 'strcasecmp', 'strncasecmp', 'substr_compare', 'in_array', 'array_search' ), true ) ) {
				$arguments = array_map( $text, array_slice( $code, $i + 1, (int) array_search( ')', array_slice( $code, $i + 1 ), true ) ) );
				$this->assertSame( array(), array_intersect( $arguments, $secret ), 'a signature compared with ' . $text( $token ) . '()' );
			}
			if ( 'hash_equals' === $text( $token ) ) {
				$this->assertSame( array( '(', '$expected', ',' ), array_map( $text, array_slice( $code, $i + 1, 3 ) ), 'hash_equals( $expected, … ): the known value first' );
				++$calls;
			}
		}
		$this->assertSame( 2, $calls, 'one hash_equals() in each of verify_standard and verify_hmac' );
	}
}
