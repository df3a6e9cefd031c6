<?php
/**
 * POST crm-bridge/v1/admin/deliveries/discard: deletes the chosen dead deliveries for good.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Queue\Store;

defined( 'ABSPATH' ) || exit;

/**
 * Discard of dead outbox deliveries.
 */
final class DiscardDeliveries extends DiscardRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/deliveries/discard';
	}

	/**
	 * The outbox.
	 */
	protected function queue(): string {
		return Store::OUTBOX;
	}

	/**
	 * Audit action.
	 */
	protected function audit_action(): string {
		return 'deliveries.discarded';
	}

	/**
	 * Outgoing.
	 */
	protected function direction(): string {
		return 'out';
	}

	/**
	 * 503 message.
	 */
	protected function unavailable(): string {
		return __( 'The deliveries could not be discarded; try again.', 'crm-bridge' );
	}
}
