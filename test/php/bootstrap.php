<?php
/**
 * Loads the plugin's pure classes for PHPUnit without WordPress: ABSPATH (every plugin file exits
 * without it), an autoloader for CrmBridge\ from plugin/src/, and faithful minimal copies of the few
 * WordPress functions those classes call. A class that needs more of WordPress belongs in an
 * integration test on the real stack, not here.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

define( 'ABSPATH', dirname( __DIR__, 2 ) . '/' );

spl_autoload_register(
	static function ( string $name ): void {
		$prefix = 'CrmBridge\\';
		if ( str_starts_with( $name, $prefix ) ) {
			// require, not include: a class the tests name but plugin/src/ lacks is an error.
			require_once dirname( __DIR__, 2 ) . '/plugin/src/' . strtr( substr( $name, strlen( $prefix ) ), '\\', '/' ) . '.php';
		}
	}
);

/**
 * WordPress's __() (wp-includes/l10n.php): no text domain is loaded here, so the text comes back as
 * given, as translate() returns it when the domain has no translations.
 *
 * @param string $text   Text.
 * @param string $domain Text domain.
 */
function __( $text, $domain = 'default' ) {
	return $text;
}

/**
 * WordPress's wp_parse_url() (wp-includes/http.php): parse_url() that also reads protocol-relative
 * ("//host/path") and path-only ("/path") URLs on every PHP version. Only the whole-array form
 * (no $component) is copied, the one the plugin's pure classes call.
 *
 * @param string $url URL.
 * @return array|false
 */
function wp_parse_url( $url ) {
	$to_unset = array();
	$url      = (string) $url;
	if ( '//' === substr( $url, 0, 2 ) ) {
		$to_unset[] = 'scheme';
		$url        = 'placeholder:' . $url;
	} elseif ( '/' === substr( $url, 0, 1 ) ) {
		$to_unset[] = 'scheme';
		$to_unset[] = 'host';
		$url        = 'placeholder://placeholder' . $url;
	}
	$parts = parse_url( $url ); // phpcs:ignore WordPress.WP.AlternativeFunctions.parse_url_parse_url -- this is wp_parse_url.
	if ( false === $parts ) {
		return $parts;
	}
	foreach ( $to_unset as $key ) {
		unset( $parts[ $key ] );
	}
	return $parts;
}
