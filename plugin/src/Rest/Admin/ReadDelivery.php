<?php
/**
 * GET crm-bridge/v1/admin/deliveries/<id>: one delivery with each of its attempts: the request sent
 * (headers; the body is the stored payload, shown masked by the log entry route), the answer's status,
 * headers and first bytes, and the duration. Signature headers are HMACs; no secret is in a record.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Admin\OrderLink;
use CrmBridge\Queue\Deliveries;
use CrmBridge\SyncLogReader;

defined( 'ABSPATH' ) || exit;

/**
 * One delivery in detail.
 */
final class ReadDelivery extends ViewRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/deliveries/(?P<id>\d+)';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * The delivery's id.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'id' => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
		);
	}

	/**
	 * The delivery and its attempts.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$delivery = Deliveries::find( (int) $request['id'] );
		if ( null === $delivery ) {
			return new \WP_Error( 'crm_bridge_not_found', __( 'No such delivery: it was discarded, or pruned after the retention period.', 'crm-bridge' ), array( 'status' => 404 ) );
		}
		return new \WP_REST_Response(
			array(
				'delivery' => self::with_order_link( $delivery ),
				'attempts' => SyncLogReader::delivery_attempts( (string) $delivery['webhook_id'] ),
			)
		);
	}

	/**
	 * A delivery with the URL of its order's edit screen (the HPOS screen or the post screen, as the
	 * shop uses), or null when the order is gone.
	 *
	 * @param array<string, mixed> $delivery A delivery of the read model.
	 * @return array<string, mixed>
	 */
	public static function with_order_link( array $delivery ): array {
		$delivery['order_edit_url'] = OrderLink::edit_url( $delivery['order_id'] );
		return $delivery;
	}
}
