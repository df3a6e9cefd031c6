<?php
/**
 * Installs and removes the db-error.php drop-in (plugin/dropins/db-error.php) that makes the site
 * answer 503 with Retry-After while its database is down. A db-error.php the site already has is
 * never touched.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * The drop-in's life cycle.
 */
final class DbErrorDropin {

	private const MARKER = 'CRM Bridge for WooCommerce db-error drop-in';

	/**
	 * Where WordPress looks for it.
	 */
	public static function path(): string {
		return WP_CONTENT_DIR . '/db-error.php';
	}

	/**
	 * Whether the installed db-error.php is this plugin's.
	 */
	public static function is_ours(): bool {
		return self::marked( self::path(), self::MARKER );
	}

	/**
	 * Whether a file the plugin may write into the site (a drop-in, a must-use loader) was written by
	 * it: its first bytes hold the marker. Only such a file is ever replaced or removed.
	 *
	 * @param string $path   File.
	 * @param string $marker Marker.
	 */
	public static function marked( string $path, string $marker ): bool {
		return is_readable( $path ) && false !== strpos( (string) file_get_contents( $path, false, null, 0, 512 ), $marker ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents
	}

	/**
	 * Copies the drop-in when the site has none (or has an older copy of ours).
	 */
	public static function install(): void {
		$path = self::path();
		if ( ( file_exists( $path ) && ! self::is_ours() ) || ! is_writable( WP_CONTENT_DIR ) ) { // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_is_writable
			return;
		}
		copy( dirname( __DIR__ ) . '/dropins/db-error.php', $path );
	}

	/**
	 * Removes the drop-in if it is ours.
	 */
	public static function remove(): void {
		if ( self::is_ours() ) {
			wp_delete_file( self::path() );
		}
	}
}
