<?php
/**
 * The states of a row in the plugin's queues (inbox and outbox), as the sidecar's queue reads them.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Queue;

defined( 'ABSPATH' ) || exit;

/**
 * Queue row statuses.
 */
final class Status {

	/** Waiting for its run_after time and a claim. */
	public const PENDING = 'pending';

	/** Claimed by a sidecar, under a lease. */
	public const RUNNING = 'running';

	/** Finished; pruned after the retention period. */
	public const DONE = 'done';

	/** Given up: a dead letter, kept until replayed or discarded. */
	public const DEAD = 'dead';
}
