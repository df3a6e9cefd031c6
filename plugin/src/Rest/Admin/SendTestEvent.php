<?php
/**
 * POST crm-bridge/v1/admin/subscriptions/<id>/test: queues a test event for this subscription only.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Outbox;
use CrmBridge\Subscriptions;
use CrmBridge\SyncLog;

defined( 'ABSPATH' ) || exit;

/**
 * A test delivery.
 */
final class SendTestEvent extends SubscriptionRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return self::ITEM . '/test';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * Queues it and answers its webhook id.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$id = (int) $request['id'];
		if ( ! Subscriptions::find( $id ) ) {
			return self::not_found();
		}
		$webhook_id = Outbox::enqueue(
			$id,
			0,
			'test',
			array(
				'id'      => 0,
				'status'  => 'test',
				'message' => 'A test event from CRM Bridge for WooCommerce.',
			)
		);
		SyncLog::record(
			array(
				'direction'       => 'out',
				'decision'        => 'test',
				'subscription_id' => $id,
				'event_id'        => $webhook_id,
				'message'         => sprintf( 'test event queued by user %d', get_current_user_id() ),
			)
		);
		return new \WP_REST_Response( array( 'queued' => true, 'webhook_id' => $webhook_id ), 202 );
	}
}
