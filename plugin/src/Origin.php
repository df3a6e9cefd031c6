<?php
/**
 * The origin tag: while a change made on the CRM's behalf is written, the order hooks know it came
 * from the CRM, so the outbox does not send it back there (other subscriptions still hear of it).
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Request-scoped origin of order writes.
 */
final class Origin {

	public const CRM = 'crm';

	/** @var string|null */
	private static $current = null;

	/**
	 * Runs $write with the origin set, restoring the previous origin afterwards.
	 *
	 * @param string   $origin Origin tag.
	 * @param callable $write  The write.
	 * @return mixed What $write returned.
	 */
	public static function run( string $origin, callable $write ) {
		$previous      = self::$current;
		self::$current = $origin;
		try {
			return $write();
		} finally {
			self::$current = $previous;
		}
	}

	/**
	 * The origin of the write in progress, or null for an ordinary WooCommerce change.
	 */
	public static function current(): ?string {
		return self::$current;
	}
}
