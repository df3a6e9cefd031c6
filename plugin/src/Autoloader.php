<?php
/**
 * The plugin's class autoloader (CrmBridge\Foo\Bar → src/Foo/Bar.php), registered once by whichever
 * loads first: the plugin's main file, or the must-use receiver loader (see EarlyLoader).
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Class autoloader.
 */
final class Autoloader {

	/**
	 * Whether register() has run in this request.
	 *
	 * @var bool
	 */
	private static bool $registered = false;

	/**
	 * Registers the autoloader, once.
	 */
	public static function register(): void {
		if ( self::$registered ) {
			return;
		}
		self::$registered = true;
		spl_autoload_register(
			static function ( string $class_name ): void {
				if ( 0 !== strpos( $class_name, __NAMESPACE__ . '\\' ) ) {
					return;
				}
				$file = __DIR__ . '/' . str_replace( '\\', '/', substr( $class_name, strlen( __NAMESPACE__ . '\\' ) ) ) . '.php';
				if ( is_readable( $file ) ) {
					require $file;
				}
			}
		);
	}
}
