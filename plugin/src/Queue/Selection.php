<?php
/**
 * Which rows of a queue an admin action is about: one status, narrowed by ids and by the order (inbox)
 * or the subscription (outbox). Built from a request, turned into SQL only by the Store.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Queue;

defined( 'ABSPATH' ) || exit;

/**
 * A set of queue rows.
 */
final class Selection {

	/**
	 * The rows in $status, and among them those matching every narrowing given.
	 *
	 * @param string      $status          One of the Status constants.
	 * @param int[]       $ids             Row ids; empty for any.
	 * @param string|null $crm_order_id    The CRM order of inbox rows; null for any.
	 * @param int|null    $subscription_id The subscription of outbox rows; null for any.
	 */
	public function __construct(
		public string $status,
		public array $ids = array(),
		public ?string $crm_order_id = null,
		public ?int $subscription_id = null
	) {
		$this->ids = array_values( array_map( 'intval', $ids ) );
	}

	/**
	 * Whether anything narrows the status (a replay of a whole status needs saying so).
	 */
	public function is_narrowed(): bool {
		return $this->ids || null !== $this->crm_order_id || null !== $this->subscription_id;
	}
}
