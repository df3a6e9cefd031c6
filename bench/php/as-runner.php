<?php
/**
 * An Action Scheduler queue runner as a shop runs it from the command line, without WP-CLI: loads
 * WordPress and calls ActionScheduler_QueueRunner::instance()->run() in a loop (batch size as
 * shipped) until no benchmark action is pending or running. Not product code.
 * Usage: php as-runner.php <wordpress dir> <site url> <concurrent batches> <seconds cap>
 *
 * @package CrmBridgeBench
 */

declare( strict_types=1 );

[ , , , $batches, $cap ] = $argv;
require __DIR__ . '/load-wordpress.php';

// 1 is Action Scheduler's own default; the tuned run raises it.
add_filter( 'action_scheduler_queue_runner_concurrent_batches', static fn(): int => (int) $batches );

$open = static fn(): int => count(
	as_get_scheduled_actions(
		array(
			'hook'     => 'crm_bridge_bench_apply',
			'status'   => array( ActionScheduler_Store::STATUS_PENDING, ActionScheduler_Store::STATUS_RUNNING ),
			'per_page' => 1,
		),
		'ids'
	)
);
$deadline  = microtime( true ) + (float) $cap;
$processed = 0;
while ( microtime( true ) < $deadline && $open() > 0 ) {
	$n          = ActionScheduler_QueueRunner::instance()->run( 'WP CLI' );
	$processed += $n;
	if ( 0 === $n ) {
		// Another runner holds the claims, or the concurrent batches are all taken: wait as a cron tick would, shorter.
		usleep( 100000 );
	}
}
echo wp_json_encode( array( 'processed' => $processed, 'peak_memory' => memory_get_peak_usage( true ) ) ), "\n";
