<?php
/**
 * POST crm-bridge/v1/admin/dead-letters/discard: deletes the chosen dead CRM events for good.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Queue\Store;

defined( 'ABSPATH' ) || exit;

/**
 * Discard of inbox dead letters.
 */
final class DiscardDeadLetters extends DiscardRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/dead-letters/discard';
	}

	/**
	 * The inbox.
	 */
	protected function queue(): string {
		return Store::INBOX;
	}

	/**
	 * Audit action.
	 */
	protected function audit_action(): string {
		return 'dead_letters.discarded';
	}

	/**
	 * Incoming.
	 */
	protected function direction(): string {
		return 'in';
	}

	/**
	 * 503 message.
	 */
	protected function unavailable(): string {
		return __( 'The dead letters could not be discarded; try again.', 'crm-bridge' );
	}
}
