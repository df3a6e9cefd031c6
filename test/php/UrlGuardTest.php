<?php
/**
 * The save-time address rules as tables: which IP addresses are public unicast (the same forms the
 * sidecar's outbound client refuses, test/unit/outbound-address-rules.test.ts), and which URLs an
 * administrator may save. No row needs the network: hosts are IP literals or localhost names.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

use CrmBridge\UrlGuard;
use PHPUnit\Framework\TestCase;

/**
 * URL and address checks.
 */
final class UrlGuardTest extends TestCase {

	/**
	 * Private and special-purpose addresses, with the forms that embed one (IPv4-mapped, NAT64,
	 * 6to4, Teredo). Refused unless wp-config.php allows private addresses.
	 */
	private const PRIVATE = array(
		'::ffff:127.0.0.1'                     => 'IPv4-mapped loopback',
		'::ffff:7f00:1'                        => 'IPv4-mapped loopback, hex',
		'64:ff9b::7f00:1'                      => 'NAT64 of loopback',
		'64:ff9b:1::a00:1'                     => 'local-use NAT64 of 10.0.0.1',
		'64:ff9b:1:a9fe:a9:fe00:808:808'       => 'local-use NAT64, /48 layout of 169.254.169.254',
		'2002:7f00:1::1'                       => '6to4 of loopback',
		'2001:0:4136:e378:8000:63bf:80ff:fffe' => 'Teredo of loopback',
		'100.100.100.200'                      => 'carrier-grade NAT (a cloud metadata address)',
		'100.64.0.1'                           => 'carrier-grade NAT',
		'198.18.0.1'                           => 'benchmarking',
		'198.19.255.254'                       => 'benchmarking',
		'fec0::1'                              => 'site-local',
		'127.0.0.1'                            => 'loopback',
		'127.255.0.9'                          => 'loopback /8',
		'10.1.2.3'                             => 'RFC 1918 10/8',
		'172.16.0.1'                           => 'RFC 1918 172.16/12',
		'172.31.255.255'                       => 'RFC 1918 172.16/12',
		'192.168.1.1'                          => 'RFC 1918 192.168/16',
		'::1'                                  => 'IPv6 loopback',
		'fc00::1'                              => 'unique local',
		'fd12:3456::1'                         => 'unique local',
	);

	/**
	 * Addresses that are never a CRM or a subscriber.
	 */
	private const NEVER = array(
		'::ffff:169.254.169.254' => 'IPv4-mapped link-local metadata',
		'169.254.169.254'        => 'link-local metadata',
		'169.254.0.1'            => 'link-local',
		'fe80::1'                => 'IPv6 link-local',
		'febf::1'                => 'IPv6 link-local',
		'0.0.0.0'                => 'unspecified',
		'0.1.2.3'                => 'this network 0/8',
		'::'                     => 'IPv6 unspecified',
		'224.0.0.1'              => 'multicast',
		'239.255.255.250'        => 'multicast',
		'ff02::1'                => 'IPv6 multicast',
		'240.0.0.1'              => 'reserved 240/4',
		'255.255.255.255'        => 'broadcast',
		'192.0.0.1'              => 'IETF protocol assignments 192.0.0/24',
		'192.0.2.1'              => 'documentation',
		'198.51.100.7'           => 'documentation',
		'203.0.113.9'            => 'documentation',
		'192.88.99.1'            => '6to4 relay anycast',
		'2001:db8::1'            => 'IPv6 documentation',
		'3fff::1'                => 'IPv6 documentation (2024)',
		'100::1'                 => 'discard-only',
		'2001:2::1'              => 'IPv6 benchmarking',
		'2001:10::1'             => 'ORCHID',
		'64:ff9b::a9fe:a9fe'     => 'NAT64 of link-local metadata',
		'2002:a9fe:a9fe::1'      => '6to4 of link-local metadata',
		'::7f00:1'               => 'IPv4-compatible loopback (::127.0.0.1)',
		'::a9fe:a9fe'            => 'IPv4-compatible link-local metadata',
		'4000::1'                => 'IPv6 outside global unicast space',
	);

	/**
	 * Public unicast, including the neighbours of the refused ranges and public addresses embedded
	 * in IPv6 forms.
	 */
	private const PUBLIC = array(
		'93.184.215.14'            => 'public IPv4',
		'8.8.8.8'                  => 'public IPv4',
		'11.0.0.1'                 => 'just past 10/8',
		'172.15.255.255'           => 'just before 172.16/12',
		'172.32.0.1'               => 'just past 172.16/12',
		'100.63.255.255'           => 'just before 100.64/10',
		'100.128.0.1'              => 'just past 100.64/10',
		'2606:4700:4700::1111'     => 'public IPv6',
		'2a00:1450:4001:80b::200e' => 'public IPv6',
		'::ffff:8.8.8.8'           => 'IPv4-mapped public',
		'64:ff9b::5db8:d70e'       => 'NAT64 of a public address',
		'2002:5db8:d70e::1'        => '6to4 of a public address',
	);

	/**
	 * Strings that are not an IP address in the form inet_pton reads: refused, never guessed at.
	 */
	private const NOT_AN_ADDRESS = array(
		''           => 'empty',
		'localhost'  => 'a name',
		'0177.0.0.1' => 'octal loopback',
		'127.1'      => 'short loopback',
		'2130706433' => 'decimal loopback',
	);

	/**
	 * Rows of a table as data-provider rows: address, what it is.
	 *
	 * @param array<string, string> $table Address → what it is.
	 * @return array<string, array{0: string}>
	 */
	private static function rows( array $table ): array {
		$rows = array();
		foreach ( $table as $address => $what ) {
			$rows[ "{$address} ({$what})" ] = array( (string) $address );
		}
		return $rows;
	}

	/**
	 * A URL with the address as its host (in brackets when it is IPv6).
	 *
	 * @param string $address IP address.
	 * @param string $scheme  http or https.
	 */
	private static function url( string $address, string $scheme = 'https' ): string {
		return $scheme . '://' . ( str_contains( $address, ':' ) ? "[{$address}]" : $address ) . '/hooks';
	}

	/**
	 * @return array<string, array{0: string}>
	 */
	public static function refused(): array {
		return self::rows( self::PRIVATE + self::NEVER + self::NOT_AN_ADDRESS );
	}

	/**
	 * @return array<string, array{0: string}>
	 */
	public static function public(): array {
		return self::rows( self::PUBLIC );
	}

	/**
	 * @dataProvider refused
	 */
	public function test_an_address_that_is_not_public_unicast_is_refused( string $address ): void {
		$this->assertFalse( UrlGuard::is_public( $address ) );
	}

	/**
	 * @dataProvider public
	 */
	public function test_a_public_unicast_address_is_allowed( string $address ): void {
		$this->assertTrue( UrlGuard::is_public( $address ) );
	}

	/**
	 * @dataProvider refused
	 */
	public function test_a_url_naming_a_refused_address_is_refused( string $address ): void {
		$this->assertNotNull( UrlGuard::problem( self::url( $address ) ) );
	}

	/**
	 * @dataProvider public
	 */
	public function test_a_url_naming_a_public_address_is_allowed( string $address ): void {
		$this->assertNull( UrlGuard::problem( self::url( $address ) ) );
	}

	/**
	 * Rows: URL, whether https is required → null (allowed) or a phrase of the message shown.
	 *
	 * @return array<string, array{0: string, 1: bool, 2: string|null}>
	 */
	public static function urls(): array {
		$form    = 'http:// or https:// URL of at most 2048 characters';
		$private = 'private, loopback, link-local or reserved';
		$long    = 'https://8.8.8.8/';
		return array(
			'https to a public address'           => array( 'https://8.8.8.8/api?x=1#f', true, null ),
			'http, when https is not required'    => array( 'http://8.8.8.8/api', false, null ),
			'a port'                              => array( 'https://8.8.8.8:8443/api', true, null ),
			'a scheme in capitals'                => array( 'HTTPS://8.8.8.8/', true, null ),
			'2048 characters'                     => array( $long . str_repeat( 'a', 2048 - strlen( $long ) ), true, null ),
			'2049 characters'                     => array( $long . str_repeat( 'a', 2049 - strlen( $long ) ), true, $form ),
			'http, when https is required'        => array( 'http://8.8.8.8/api', true, 'must start with https://' ),
			'ftp'                                 => array( 'ftp://8.8.8.8/', false, $form ),
			'javascript:'                         => array( 'javascript:alert(1)', false, $form ),
			'no scheme'                           => array( '8.8.8.8/api', false, $form ),
			'protocol-relative'                   => array( '//8.8.8.8/api', false, $form ),
			'no host'                             => array( 'https:///api', false, $form ),
			'a port out of range'                 => array( 'https://8.8.8.8:99999/', false, $form ),
			'a space'                             => array( 'https://8.8.8.8/a b', false, $form ),
			'a newline'                           => array( "https://8.8.8.8/\n", false, $form ),
			'empty'                               => array( '', false, $form ),
			'a user and password'                 => array( 'https://user:secret@8.8.8.8/', false, 'user name or password' ),
			'a user'                              => array( 'https://user@8.8.8.8/', false, 'user name or password' ),
			'localhost'                           => array( 'https://localhost/', false, 'resolve to a public address' ),
			'LOCALHOST'                           => array( 'https://LOCALHOST:8080/', false, 'resolve to a public address' ),
			'a name under .localhost'             => array( 'https://crm.localhost/', false, 'resolve to a public address' ),
			'loopback'                            => array( 'http://127.0.0.1:8080/', false, $private ),
			'IPv6 loopback'                       => array( 'http://[::1]/', false, $private ),
			'IPv4-mapped loopback in brackets'    => array( 'http://[::ffff:127.0.0.1]/', false, $private ),
			'the cloud metadata address'          => array( 'http://169.254.169.254/latest/meta-data/', false, $private ),
			'the form check comes first'          => array( 'ftp://user@127.0.0.1/', true, $form ),
			'credentials come before https'       => array( 'http://user@8.8.8.8/', true, 'user name or password' ),
			'https is checked before the address' => array( 'http://10.0.0.1/', true, 'must start with https://' ),
		);
	}

	/**
	 * @dataProvider urls
	 *
	 * @param string      $url           URL.
	 * @param bool        $require_https Whether http:// is refused.
	 * @param string|null $expected      Null, or a phrase of the refusal.
	 */
	public function test_checks_a_url_an_administrator_saves( string $url, bool $require_https, ?string $expected ): void {
		$problem = UrlGuard::problem( $url, $require_https );
		if ( null === $expected ) {
			$this->assertNull( $problem );
			return;
		}
		$this->assertIsString( $problem );
		$this->assertStringContainsString( $expected, $problem );
	}

	/**
	 * Private addresses are allowed by the constant in wp-config.php alone; a constant cannot be
	 * undefined, so this runs in its own process.
	 *
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_private_addresses_are_allowed_only_by_the_wp_config_constant(): void {
		$this->assertFalse( UrlGuard::private_allowed() );
		define( 'CRM_BRIDGE_ALLOW_PRIVATE_URLS', true );
		$this->assertTrue( UrlGuard::private_allowed() );
		foreach ( array_keys( self::PRIVATE ) as $address ) {
			$this->assertNull( UrlGuard::problem( self::url( (string) $address, 'http' ) ), (string) $address );
		}
		$this->assertNull( UrlGuard::problem( 'http://localhost:8080/' ) );
		// The form, the credentials and https still apply.
		$this->assertNotNull( UrlGuard::problem( 'ftp://127.0.0.1/' ) );
		$this->assertNotNull( UrlGuard::problem( 'http://user@127.0.0.1/' ) );
		$this->assertNotNull( UrlGuard::problem( 'http://127.0.0.1/', true ) );
	}

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_a_constant_that_is_not_exactly_true_allows_nothing(): void {
		define( 'CRM_BRIDGE_ALLOW_PRIVATE_URLS', '1' );
		$this->assertFalse( UrlGuard::private_allowed() );
		$this->assertNotNull( UrlGuard::problem( 'http://127.0.0.1/' ) );
	}
}
