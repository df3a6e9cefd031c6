<?php
/**
 * Mirrors: plugins/woocommerce/src/Utilities/FeaturesUtil.php (declare_compatibility, get_compatible_plugins_for_feature) and
 * plugins/woocommerce/src/Internal/Features/FeaturesController.php (declarations are only valid
 * during `before_woocommerce_init`). The stand-in records the declarations
 * and answers get_compatible_plugins_for_feature() from them, as WooCommerce does.
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
	 * The plugins that declared themselves compatible or incompatible with a feature, as
	 * FeaturesController::get_compatible_plugins_for_feature() returns them (the stand-in knows no
	 * other WooCommerce-aware plugins, so `uncertain` is empty).
	 *
	 * @param string $feature_id Feature id.
	 * @return array{compatible: string[], incompatible: string[], uncertain: string[]}
	 */
	public static function get_compatible_plugins_for_feature( string $feature_id ): array {
		$declared = self::$declared[ $feature_id ] ?? array();
		return array(
			'compatible'   => array_keys( array_filter( $declared ) ),
			'incompatible' => array_keys( array_diff_key( $declared, array_filter( $declared ) ) ),
			'uncertain'    => array(),
		);
	}
}
