<?php
/**
 * Dotted JSON paths ("data.crm_order_id") into decoded JSON, the form the settings use.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * JSON path lookup.
 */
final class JsonPath {

	/**
	 * The value at the path, or null when any step is missing.
	 *
	 * @param mixed  $data Decoded JSON (arrays).
	 * @param string $path Dotted path; '' is the whole document.
	 * @return mixed
	 */
	public static function get( $data, string $path ) {
		if ( '' === $path ) {
			return $data;
		}
		foreach ( explode( '.', $path ) as $step ) {
			if ( ! is_array( $data ) || ! array_key_exists( $step, $data ) ) {
				return null;
			}
			$data = $data[ $step ];
		}
		return $data;
	}
}
