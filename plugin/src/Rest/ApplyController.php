<?php
/**
 * POST crm-bridge/v1/sidecar/apply: the sidecar's batched write endpoint. Each transition is applied
 * through WooCommerce's order API (update_status with a note), with the CRM version and the origin tag
 * stored on the order, after re-checking version and lifecycle under a per-order lock, so two racing
 * writers can never apply an older state. Only the sidecar's role (crm_bridge_apply) may call it.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest;

use CrmBridge\Lifecycle;
use CrmBridge\Links;
use CrmBridge\Origin;
use CrmBridge\Roles;
use CrmBridge\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * The write endpoint.
 */
final class ApplyController {

	public const MAX_BATCH = 200;

	/**
	 * Registers the route with its argument schema.
	 */
	public static function register(): void {
		register_rest_route(
			'crm-bridge/v1',
			'/sidecar/apply',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'apply' ),
				'permission_callback' => static fn() => current_user_can( Roles::APPLY_CAPABILITY ),
				'args'                => array(
					'transitions' => array(
						'required' => true,
						'type'     => 'array',
						'maxItems' => self::MAX_BATCH,
						'items'    => array(
							'type'                 => 'object',
							'additionalProperties' => false,
							'required'             => array( 'event_id', 'crm_order_id', 'to_status', 'version' ),
							'properties'           => array(
								'event_id'     => array(
									'type'      => 'string',
									'minLength' => 1,
									'maxLength' => 191,
								),
								'crm_order_id' => array(
									'type'      => 'string',
									'minLength' => 1,
									'maxLength' => 191,
								),
								'order_id'     => array(
									'type'    => 'integer',
									'minimum' => 1,
								),
								'to_status'    => array(
									'type'      => 'string',
									'minLength' => 1,
									'maxLength' => 64,
								),
								'version'      => array(
									'type'    => 'integer',
									'minimum' => 0,
								),
								'note'         => array(
									'type'      => 'string',
									'maxLength' => 1000,
								),
							),
						),
					),
				),
			)
		);
	}

	/**
	 * Applies every transition and reports one outcome each, in the same order.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function apply( \WP_REST_Request $request ): \WP_REST_Response {
		$lifecycle = Settings::get( 'lifecycle' );
		$results   = array();
		foreach ( (array) $request['transitions'] as $transition ) {
			$results[] = self::apply_one( $transition, $lifecycle );
		}
		return new \WP_REST_Response( array( 'results' => $results ) );
	}

	/**
	 * One transition.
	 *
	 * @param array<string, mixed> $t         Transition.
	 * @param array<string, mixed> $lifecycle Lifecycle settings.
	 * @return array<string, mixed>
	 */
	private static function apply_one( array $t, array $lifecycle ): array {
		global $wpdb;
		$result   = array(
			'event_id' => $t['event_id'],
			'order_id' => null,
		);
		$order_id = isset( $t['order_id'] ) ? (int) $t['order_id'] : Links::order_for( (string) $t['crm_order_id'] );
		if ( ! $order_id ) {
			return $result + array(
				'outcome' => 'not_found',
				'message' => 'No WooCommerce order is linked to this CRM order.',
			);
		}
		$result['order_id'] = $order_id;
		if ( ! array_key_exists( 'wc-' . $t['to_status'], wc_get_order_statuses() ) ) {
			return $result + array(
				'outcome' => 'invalid',
				'message' => sprintf( '"%s" is not a WooCommerce order status.', $t['to_status'] ),
			);
		}

		// One writer per order at a time, across PHP workers: the re-check and the write are atomic.
		$lock = 'crm_bridge_order_' . $order_id;
		if ( '1' !== (string) $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, 10)', $lock ) ) ) {
			return $result + array(
				'outcome' => 'busy',
				'message' => 'The order is locked by another writer; try again.',
			);
		}
		try {
			$order = wc_get_order( $order_id );
			if ( ! $order ) {
				return $result + array(
					'outcome' => 'not_found',
					'message' => 'The linked WooCommerce order does not exist.',
				);
			}
			$from                  = $order->get_status();
			$result['from_status'] = $from;
			$result['to_status']   = $t['to_status'];
			$applied               = (string) $order->get_meta( Links::META_VERSION );
			if ( '' !== $applied && (int) $t['version'] <= (int) $applied ) {
				return $result + array(
					'outcome'         => 'stale',
					'applied_version' => (int) $applied,
					'message'         => sprintf( 'Version %d is not newer than the applied version %d.', $t['version'], $applied ),
				);
			}
			if ( Lifecycle::is_backward( $from, (string) $t['to_status'], $lifecycle ) ) {
				return $result + array(
					'outcome' => 'refused',
					'message' => sprintf( 'Moving from %s to %s goes backwards and is not allowed.', $from, $t['to_status'] ),
				);
			}
			$order->update_meta_data( Links::META_VERSION, (string) $t['version'] );
			$order->update_meta_data( Links::META_CRM_ORDER_ID, (string) $t['crm_order_id'] );
			$order->update_meta_data( Links::META_ORIGIN, Origin::CRM . ':' . $t['event_id'] );
			Origin::run(
				Origin::CRM,
				static function () use ( $order, $from, $t ): void {
					if ( $from === $t['to_status'] ) {
						$order->save();
					} else {
						$order->update_status( (string) $t['to_status'], (string) ( $t['note'] ?? '' ) );
					}
				}
			);
			Links::save( (string) $t['crm_order_id'], $order_id, (int) $t['version'] );
			return $result + array( 'outcome' => $from === $t['to_status'] ? 'unchanged' : 'applied' );
		} finally {
			$wpdb->get_var( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', $lock ) );
		}
	}
}
