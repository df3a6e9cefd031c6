<?php
/**
 * Mirrors: plugins/woocommerce/includes/class-wc-datetime.php (WC_DateTime extends DateTime;
 * __toString gives ISO 8601; getOffsetTimestamp; date()).
 *
 * @package WooCommerceStandin
 */

defined( 'ABSPATH' ) || exit;

/**
 * WooCommerce's date object.
 */
class WC_DateTime extends DateTime {

	/**
	 * ISO 8601 form, as WooCommerce prints it.
	 */
	public function __toString(): string {
		return $this->format( DATE_ATOM );
	}

	/**
	 * Timestamp including the site offset.
	 */
	public function getOffsetTimestamp(): int {
		return $this->getTimestamp() + $this->getOffset();
	}

	/**
	 * Formats the date in the site's timezone.
	 *
	 * @param string $format PHP date format.
	 */
	public function date( string $format ): string {
		return gmdate( $format, $this->getOffsetTimestamp() );
	}
}
