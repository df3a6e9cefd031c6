<?php
/**
 * UTC timestamps in MySQL DATETIME(3) form, as the sidecar writes them.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Time formatting.
 */
final class Clock {

	/**
	 * Now, "Y-m-d H:i:s.v" in UTC.
	 */
	public static function mysql_now(): string {
		$now = microtime( true );
		return gmdate( 'Y-m-d H:i:s', (int) $now ) . sprintf( '.%03d', (int) ( ( $now - floor( $now ) ) * 1000 ) );
	}
}
