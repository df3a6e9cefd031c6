<?php
/**
 * POST crm-bridge/v1/sidecar/link: stores the CRM's order id on a WooCommerce order (read from the
 * CRM's answer to order.created). The write carries the CRM origin tag, so it is not echoed back.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Sidecar;

use CrmBridge\Links;
use CrmBridge\Origin;

defined( 'ABSPATH' ) || exit;

/**
 * The link of an order to its CRM record.
 */
final class LinkOrder extends SidecarRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/sidecar/link';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * The order, its CRM id, and the CRM version of the record.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'order_id'     => array(
				'type'     => 'integer',
				'minimum'  => 1,
				'required' => true,
			),
			'crm_order_id' => array(
				'type'      => 'string',
				'minLength' => 1,
				'maxLength' => 191,
				'pattern'   => '^' . Links::CRM_ORDER_ID_PATTERN . '$',
				'required'  => true,
			),
			'version'      => array(
				'description' => 'The CRM version of the record it created from this order (from its answer to order.created).',
				'type'        => 'integer',
				'minimum'     => 0,
			),
		);
	}

	/**
	 * Links the order.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$order = wc_get_order( (int) $request['order_id'] );
		if ( ! $order ) {
			return new \WP_Error( 'crm_bridge_not_found', 'No such order.', array( 'status' => 404 ) );
		}
		$crm_order_id = (string) $request['crm_order_id'];
		$meta_crm     = (string) $order->get_meta( Links::META_CRM_ORDER_ID );
		// A link is never moved: not this order to another CRM order, not this CRM order to another order.
		if ( ( '' !== $meta_crm && $meta_crm !== $crm_order_id ) || ! Links::save( $crm_order_id, $order->get_id(), null ) ) {
			return new \WP_Error( 'crm_bridge_link_conflict', 'The order or the CRM order is already linked to another one; the link was not changed.', array( 'status' => 409 ) );
		}
		$agreed = isset( $request['version'] ) && Links::agree_at_link( $crm_order_id, $order->get_id(), (int) $request['version'] );
		Origin::run(
			Origin::CRM,
			static function () use ( $order, $crm_order_id, $agreed, $request ): void {
				$order->update_meta_data( Links::META_CRM_ORDER_ID, $crm_order_id );
				if ( $agreed ) {
					// A display copy; the links table is the store the write endpoint and reconcile read.
					$order->update_meta_data( Links::META_VERSION, (string) (int) $request['version'] );
				}
				$order->save();
			}
		);
		return new \WP_REST_Response( array( 'linked' => true, 'agreed_version' => $agreed ? (int) $request['version'] : null ) );
	}
}
