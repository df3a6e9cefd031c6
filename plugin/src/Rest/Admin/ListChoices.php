<?php
/**
 * GET crm-bridge/v1/admin/settings/choices: the lists the admin screen offers, from the server rather
 * than a copy in the UI: WooCommerce's order statuses (custom ones included, without the wc- prefix)
 * and the topics a subscription can receive.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Settings\Rules;
use CrmBridge\Subscriptions;

defined( 'ABSPATH' ) || exit;

/**
 * The screen's choice lists.
 */
final class ListChoices extends ViewRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/settings/choices';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * The lists.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$statuses = array();
		foreach ( Rules::statuses() as $value => $label ) {
			$statuses[] = array(
				'value' => $value,
				'label' => $label,
			);
		}
		return new \WP_REST_Response(
			array(
				'statuses' => $statuses,
				'topics'   => Subscriptions::TOPICS,
			)
		);
	}
}
