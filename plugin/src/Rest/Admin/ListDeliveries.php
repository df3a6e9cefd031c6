<?php
/**
 * GET crm-bridge/v1/admin/deliveries: the outbox's deliveries, newest first, by state and subscription,
 * one page at a time, each with its subscription's name and a link to its order; and the subscriptions'
 * names for the filter.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Queue\Deliveries;
use CrmBridge\Rest\Args;
use CrmBridge\Subscriptions;

defined( 'ABSPATH' ) || exit;

/**
 * A page of deliveries.
 */
final class ListDeliveries extends ViewRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/deliveries';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * Filters and paging.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'state'           => array(
				'type' => 'string',
				'enum' => array_keys( Deliveries::STATES ),
			),
			'subscription_id' => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
			'page'            => Args::page(),
			'per_page'        => Args::per_page( 50 ),
		);
	}

	/**
	 * One page and the total.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$page = Deliveries::page(
			null === $request['state'] ? null : (string) $request['state'],
			null === $request['subscription_id'] ? null : (int) $request['subscription_id'],
			(int) $request['page'],
			(int) $request['per_page']
		);
		return new \WP_REST_Response(
			array(
				'items'         => array_map( array( ReadDelivery::class, 'with_order_link' ), $page['items'] ),
				'total'         => $page['total'],
				'page'          => (int) $request['page'],
				'per_page'      => (int) $request['per_page'],
				'subscriptions' => self::subscription_list(),
			)
		);
	}

	/**
	 * Every subscription's id and name, for the screen's filter (shop managers may not read subscriptions).
	 *
	 * @return array<int, array{id: int, name: string}>
	 */
	private static function subscription_list(): array {
		$list = array();
		foreach ( Subscriptions::names() as $id => $name ) {
			$list[] = array(
				'id'   => $id,
				'name' => $name,
			);
		}
		return $list;
	}
}
