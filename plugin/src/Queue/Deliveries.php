<?php
/**
 * Read model of the outbox for the Deliveries screen: a filtered page of deliveries with their
 * subscription's name and the state an admin reads (pending, retrying, sending, delivered, dead), and
 * one delivery (its attempts are in the sync log: SyncLogReader::attempts()).
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Queue;

use CrmBridge\Schema;
use CrmBridge\Subscriptions;

defined( 'ABSPATH' ) || exit;

/**
 * Outbox reads.
 */
final class Deliveries {

	/** The states an admin filters by, each as a condition on the outbox row (o). */
	public const STATES = array(
		'pending'   => "o.status = 'pending' AND o.attempts = 0",
		'retrying'  => "o.status = 'pending' AND o.attempts > 0",
		'sending'   => "o.status = 'running'",
		'delivered' => "o.status = 'done'",
		'dead'      => "o.status = 'dead'",
	);

	/**
	 * One page of deliveries, newest first, and how many match.
	 *
	 * @param string|null $state           A key of STATES, or null for every delivery.
	 * @param int|null    $subscription_id Only this subscription's.
	 * @param int         $page            From 1.
	 * @param int         $per_page        Page size.
	 * @return array{items: array<int, array<string, mixed>>, total: int}
	 */
	public static function page( ?string $state, ?int $subscription_id, int $page, int $per_page ): array {
		global $wpdb;
		$where = array( '1 = 1' );
		$args  = array();
		if ( null !== $state ) {
			$where[] = self::STATES[ $state ];
		}
		if ( null !== $subscription_id ) {
			$where[] = 'o.subscription_id = %d';
			$args[]  = $subscription_id;
		}
		$outbox = Schema::table( 'outbox' );
		$where  = implode( ' AND ', $where );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table and clauses, values prepared.
		$total = (int) $wpdb->get_var( $args ? $wpdb->prepare( "SELECT COUNT(*) FROM $outbox o WHERE $where", $args ) : "SELECT COUNT(*) FROM $outbox o WHERE $where" );
		$rows  = self::select( $where . ' ORDER BY o.id DESC LIMIT %d OFFSET %d', array_merge( $args, array( $per_page, ( $page - 1 ) * $per_page ) ) );
		return array(
			'items' => $rows,
			'total' => $total,
		);
	}

	/**
	 * One delivery, or null.
	 *
	 * @param int $id Outbox row id.
	 * @return array<string, mixed>|null
	 */
	public static function find( int $id ): ?array {
		$rows = self::select( 'o.id = %d', array( $id ) );
		return $rows ? $rows[0] : null;
	}

	/**
	 * Deliveries with their subscription's name and their state, typed for the API.
	 *
	 * @param string       $where_tail The WHERE clause and what follows, with placeholders.
	 * @param array<mixed> $args       Their values.
	 * @return array<int, array<string, mixed>>
	 */
	private static function select( string $where_tail, array $args ): array {
		global $wpdb;
		$outbox = Schema::table( 'outbox' );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table, clauses built from placeholders.
		$rows  = $wpdb->get_results( $wpdb->prepare( "SELECT o.id, o.webhook_id, o.subscription_id, o.order_id, o.topic, o.status, o.attempts, o.run_after, o.last_status_code, o.last_error_class, o.last_error, o.created_at, o.finished_at FROM $outbox o WHERE $where_tail", $args ), ARRAY_A );
		$names = Subscriptions::names();
		return array_map(
			static function ( array $row ) use ( $names ): array {
				$row['subscription_name'] = $names[ (int) $row['subscription_id'] ] ?? null;
				return self::shape( $row );
			},
			is_array( $rows ) ? $rows : array()
		);
	}

	/**
	 * One row as the API answers it.
	 *
	 * @param array<string, string|null> $row Row.
	 * @return array<string, mixed>
	 */
	private static function shape( array $row ): array {
		$attempts = (int) $row['attempts'];
		$states   = array(
			Status::DONE    => 'delivered',
			Status::DEAD    => 'dead',
			Status::RUNNING => 'sending',
		);
		$state    = $states[ $row['status'] ] ?? ( $attempts > 0 ? 'retrying' : 'pending' );
		return array(
			'id'                => (int) $row['id'],
			'webhook_id'        => (string) $row['webhook_id'],
			'subscription_id'   => (int) $row['subscription_id'],
			'subscription_name' => $row['subscription_name'],
			'order_id'          => (int) $row['order_id'],
			'topic'             => (string) $row['topic'],
			'state'             => $state,
			'attempts'          => $attempts,
			'next_try_at'       => 'retrying' === $state ? $row['run_after'] : null,
			'last_status_code'  => null === $row['last_status_code'] ? null : (int) $row['last_status_code'],
			'last_error_class'  => $row['last_error_class'],
			'last_error'        => $row['last_error'],
			'created_at'        => (string) $row['created_at'],
			'finished_at'       => $row['finished_at'],
		);
	}
}
