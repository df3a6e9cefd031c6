<?php
/**
 * Mirrors: plugins/woocommerce/src/Utilities/FeaturesUtil.php (declare_compatibility) and
 * plugins/woocommerce/src/Internal/Features/FeaturesController.php (declarations are only valid
 * during `before_woocommerce_init`). The stand-in records the declarations so tests can read them.
 *
 * @package WooCommerceStandin
 */

namespace Automattic\WooCommerce\Utilities;

defined( 'ABSPATH' ) || exit;

/**
 * Feature compatibility declarations.
 */
class FeaturesUtil {

	/**
	 * Declarations: feature id => plugin basename => compatible.
	 *
	 * @var array<string, array<string, bool>>
	 */
	private static $declared = array();

	/**
	 * Declares a plugin (in)compatible with a feature such as `custom_order_tables` (HPOS).
	 *
	 * @param string $feature_id  Feature id.
	 * @param string $plugin_file Plugin main file path.
	 * @param bool   $positive_compatibility True if compatible.
	 */
	public static function declare_compatibility( string $feature_id, string $plugin_file, bool $positive_compatibility = true ): bool {
		if ( ! doing_action( 'before_woocommerce_init' ) ) {
			_doing_it_wrong( __METHOD__, 'FeaturesUtil::declare_compatibility should be called inside the before_woocommerce_init action.', '7.0' );
			return false;
		}
		self::$declared[ $feature_id ][ plugin_basename( $plugin_file ) ] = $positive_compatibility;
		return true;
	}

	/**
	 * The recorded declarations (stand-in only).
	 *
	 * @return array<string, array<string, bool>>
	 */
	public static function declarations(): array {
		return self::$declared;
	}
}
