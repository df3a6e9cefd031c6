<?php
/**
 * The plugin's side of its two queues, the inbox (CRM events) and the outbox (deliveries to
 * subscribers): every statement on their tables except the write endpoint's fence. The sidecar
 * claims, finishes and fails rows; the plugin inserts them, and lets admins list, requeue and discard.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Queue;

use CrmBridge\Clock;
use CrmBridge\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Queue storage.
 */
final class Store {

	/** The queue of incoming CRM events. */
	public const INBOX = 'inbox';

	/** The queue of outgoing webhook deliveries. */
	public const OUTBOX = 'outbox';

	/**
	 * Per queue: the column of the id a message is known by outside (webhook-id), the column of the time
	 * it was queued, and the columns a listing shows.
	 */
	private const QUEUES = array(
		self::INBOX  => array(
			'message_id' => 'event_id',
			'created'    => 'received_at',
			'listed'     => 'id, event_id, event_type, crm_order_id, attempts, last_error_class, last_error, received_at, finished_at',
		),
		self::OUTBOX => array(
			'message_id' => 'webhook_id',
			'created'    => 'created_at',
			'listed'     => 'id, webhook_id, subscription_id, order_id, topic, attempts, last_status_code, last_error_class, last_error, created_at, finished_at',
		),
	);

	/** Statuses a row may be requeued from: a running row belongs to its lease holder. */
	private const REQUEUEABLE = array( Status::DONE, Status::DEAD );

	/** Tries of an outbox insert that failed (a deadlock, a lock wait), 50 ms apart and doubling. */
	private const INSERT_ATTEMPTS = 5;

	/**
	 * Inserts a CRM event into the inbox unless its id is known.
	 *
	 * @param string $event_id     Event id.
	 * @param string $event_type   Event type.
	 * @param string $crm_order_id CRM order id.
	 * @param string $payload      Raw body.
	 * @return bool|null True when inserted, false for a duplicate, null when the database failed.
	 */
	public static function insert_event( string $event_id, string $event_type, string $crm_order_id, string $payload ): ?bool {
		global $wpdb;
		$now    = Clock::mysql_now();
		$table  = self::table( self::INBOX );
		$result = $wpdb->query(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name.
				"INSERT INTO $table (event_id, event_type, crm_order_id, payload, status, attempts, run_after, received_at) VALUES (%s, %s, %s, %s, %s, 0, %s, %s) ON DUPLICATE KEY UPDATE id = id",
				$event_id,
				$event_type,
				$crm_order_id,
				$payload,
				Status::PENDING,
				$now,
				$now
			)
		);
		if ( false === $result ) {
			return null;
		}
		return 1 === (int) $result;
	}

	/**
	 * Inserts deliveries into the outbox in one statement, each with a new webhook id.
	 *
	 * @param array<int, array{subscription_id: int, order_id: int, topic: string, version: string, body: string}> $rows Deliveries.
	 * @return string[] Their webhook ids, in order.
	 */
	public static function insert_deliveries( array $rows ): array {
		global $wpdb;
		if ( ! $rows ) {
			return array();
		}
		$now    = Clock::mysql_now();
		$values = array();
		$args   = array();
		$ids    = array();
		foreach ( $rows as $row ) {
			$webhook_id = 'msg_' . str_replace( '-', '', wp_generate_uuid4() );
			$ids[]      = $webhook_id;
			$values[]   = '(%s, %d, %d, %s, %s, %s, %s, 0, %s, %s)';
			array_push( $args, $webhook_id, $row['subscription_id'], $row['order_id'], $row['topic'], $row['version'], $row['body'], Status::PENDING, $now, $now );
		}
		$table = self::table( self::OUTBOX );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table, placeholders built above.
		$insert = $wpdb->prepare( "INSERT INTO $table (webhook_id, subscription_id, order_id, topic, order_version, payload, status, attempts, run_after, created_at) VALUES " . implode( ',', $values ), $args );
		// The order is saved already: its events must not be lost to a deadlock or a lock wait with a
		// sidecar's claim. The statement is atomic (all rows or none), so trying it again is safe.
		for ( $attempt = 1; false === $wpdb->query( $insert ); $attempt++ ) { // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- prepared above.
			if ( $attempt >= self::INSERT_ATTEMPTS ) {
				// phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log -- the site's error log is the one place left to say it.
				error_log( sprintf( 'CRM Bridge: %d outgoing event(s) could not be queued after %d attempts: %s', count( $rows ), $attempt, $wpdb->last_error ) );
				return array();
			}
			usleep( 50000 * 2 ** ( $attempt - 1 ) );
		}
		return $ids;
	}

	/**
	 * Puts the selected finished or dead rows back in the queue: pending, due now, attempts reset,
	 * lease cleared. The one path for replaying dead letters and deliveries; a row keeps its message
	 * id, so its receiver can recognise a replay.
	 *
	 * @param string    $queue     INBOX or OUTBOX.
	 * @param Selection $selection Rows, in Status::DONE or Status::DEAD.
	 * @return int|null Rows requeued, or null when the database failed.
	 * @throws \InvalidArgumentException For another status.
	 */
	public static function requeue( string $queue, Selection $selection ): ?int {
		global $wpdb;
		if ( ! in_array( $selection->status, self::REQUEUEABLE, true ) ) {
			throw new \InvalidArgumentException( 'Only finished or dead rows can be requeued.' );
		}
		$table            = self::table( $queue );
		[ $where, $args ] = self::where( $queue, $selection );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table, clauses built from placeholders.
		$result = $wpdb->query( $wpdb->prepare( "UPDATE $table SET status = %s, attempts = 0, run_after = %s, finished_at = NULL, locked_by = NULL, locked_until = NULL WHERE $where", array_merge( array( Status::PENDING, Clock::mysql_now() ), $args ) ) );
		return false === $result ? null : (int) $result;
	}

	/**
	 * Deletes the selected dead letters for good.
	 *
	 * @param string    $queue     INBOX or OUTBOX.
	 * @param Selection $selection Rows, in Status::DEAD.
	 * @return int|null Rows deleted, or null when the database failed.
	 * @throws \InvalidArgumentException For another status.
	 */
	public static function discard( string $queue, Selection $selection ): ?int {
		global $wpdb;
		if ( Status::DEAD !== $selection->status ) {
			throw new \InvalidArgumentException( 'Only dead letters can be discarded.' );
		}
		$table            = self::table( $queue );
		[ $where, $args ] = self::where( $queue, $selection );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table, clauses built from placeholders.
		$result = $wpdb->query( $wpdb->prepare( "DELETE FROM $table WHERE $where", $args ) );
		return false === $result ? null : (int) $result;
	}

	/**
	 * The selected rows, newest first, without their payloads.
	 *
	 * @param string    $queue     INBOX or OUTBOX.
	 * @param Selection $selection Rows.
	 * @param int       $limit     At most this many.
	 * @return array<int, array<string, string|null>>
	 */
	public static function list( string $queue, Selection $selection, int $limit ): array {
		global $wpdb;
		$table            = self::table( $queue );
		$columns          = self::QUEUES[ $queue ]['listed'];
		[ $where, $args ] = self::where( $queue, $selection );
		$args[]           = $limit;
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table and columns, clauses built from placeholders.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT $columns FROM $table WHERE $where ORDER BY id DESC LIMIT %d", $args ), ARRAY_A );
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * Where the given rows are now, whatever their status: what became of replayed rows (handled, waiting,
	 * or dead again with the new reason). Rows gone (pruned, discarded) are absent.
	 *
	 * @param string $queue INBOX or OUTBOX.
	 * @param int[]  $ids   Row ids.
	 * @return array<int, array{id: int, status: string, attempts: int, last_error_class: string|null, last_error: string|null}>
	 */
	public static function states( string $queue, array $ids ): array {
		global $wpdb;
		if ( ! $ids ) {
			return array();
		}
		$table = self::table( $queue );
		$in    = implode( ',', array_fill( 0, count( $ids ), '%d' ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table, placeholders built here.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT id, status, attempts, last_error_class, last_error FROM $table WHERE id IN ($in) ORDER BY id", array_map( 'intval', $ids ) ), ARRAY_A );
		return array_map(
			static fn( array $row ): array => array(
				'id'               => (int) $row['id'],
				'status'           => (string) $row['status'],
				'attempts'         => (int) $row['attempts'],
				'last_error_class' => $row['last_error_class'],
				'last_error'       => $row['last_error'],
			),
			is_array( $rows ) ? $rows : array()
		);
	}

	/**
	 * The stored body of a message, by the id it is known by outside (event id or webhook id).
	 *
	 * @param string $queue      INBOX or OUTBOX.
	 * @param string $message_id Event id (inbox) or webhook id (outbox).
	 * @return string|null Null when the row is gone (pruned, discarded) or never existed.
	 */
	public static function payload( string $queue, string $message_id ): ?string {
		global $wpdb;
		$table  = self::table( $queue );
		$column = self::QUEUES[ $queue ]['message_id'];
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table and column.
		$payload = $wpdb->get_var( $wpdb->prepare( "SELECT payload FROM $table WHERE $column = %s", $message_id ) );
		return null === $payload ? null : (string) $payload;
	}

	/**
	 * Depth and age of a queue. A waiting row is a pending one, due now or waiting for its next try.
	 * A row that was tried runs its age from when it was queued, so a delivery retried for a minute is
	 * a minute old (its run_after, the next try, lies ahead); an untried one from when it became due,
	 * so a dead letter replayed now is not as old as its first arrival.
	 *
	 * @param string $queue INBOX or OUTBOX.
	 * @param int    $now   Unix time.
	 * @return array{pending: int, retrying: int, running: int, dead: int, oldest_pending_age_seconds: int|null}
	 */
	public static function stats( string $queue, int $now ): array {
		global $wpdb;
		$table   = self::table( $queue );
		$created = self::QUEUES[ $queue ]['created'];
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name.
		$counts = $wpdb->get_results( $wpdb->prepare( "SELECT status, COUNT(*) AS n FROM $table WHERE status IN (%s, %s, %s) GROUP BY status", Status::PENDING, Status::RUNNING, Status::DEAD ), OBJECT_K );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table and column names.
		$waiting = $wpdb->get_row( $wpdb->prepare( "SELECT MIN(IF(attempts > 0, $created, run_after)) AS oldest, COALESCE(SUM(attempts > 0), 0) AS retrying FROM $table WHERE status = %s", Status::PENDING ) );
		$oldest  = $waiting->oldest ?? null;
		return array(
			'pending'                    => (int) ( $counts[ Status::PENDING ]->n ?? 0 ),
			'retrying'                   => (int) ( $waiting->retrying ?? 0 ),
			'running'                    => (int) ( $counts[ Status::RUNNING ]->n ?? 0 ),
			'dead'                       => (int) ( $counts[ Status::DEAD ]->n ?? 0 ),
			'oldest_pending_age_seconds' => $oldest ? max( 0, $now - (int) strtotime( $oldest . ' UTC' ) ) : null,
		);
	}

	/**
	 * The topic of each event the queues still hold: an outgoing delivery's by its webhook id, an
	 * incoming event's type by its event id.
	 *
	 * @param array<int, string> $webhook_ids Outgoing webhook ids.
	 * @param array<int, string> $event_ids   Incoming event ids.
	 * @return array{out: array<string, string>, in: array<string, string>}
	 */
	public static function topics( array $webhook_ids, array $event_ids ): array {
		global $wpdb;
		$topics = array(
			'out' => array(),
			'in'  => array(),
		);
		$asks   = array(
			'out' => array( self::table( self::OUTBOX ), 'webhook_id', 'topic', $webhook_ids ),
			'in'  => array( self::table( self::INBOX ), 'event_id', 'event_type', $event_ids ),
		);
		foreach ( $asks as $direction => list( $table, $key, $column, $ids ) ) {
			$ids = array_values( array_unique( array_map( 'strval', $ids ) ) );
			if ( ! $ids ) {
				continue;
			}
			$in   = implode( ', ', array_fill( 0, count( $ids ), '%s' ) );
			$rows = $wpdb->get_results( $wpdb->prepare( "SELECT $key AS id, $column AS topic FROM $table WHERE $key IN ($in)", $ids ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table and columns, values prepared.
			foreach ( is_array( $rows ) ? $rows : array() as $row ) {
				$topics[ $direction ][ (string) $row['id'] ] = (string) $row['topic'];
			}
		}
		return $topics;
	}

	/**
	 * Whether a delivery of the topic for the order to a CRM subscription was queued, in any state.
	 *
	 * @param int    $order_id Order id.
	 * @param string $topic    Topic, e.g. order.created.
	 */
	public static function has_crm_delivery( int $order_id, string $topic ): bool {
		global $wpdb;
		$outbox        = self::table( self::OUTBOX );
		$subscriptions = Schema::table( 'subscriptions' );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table names.
		return (bool) $wpdb->get_var( $wpdb->prepare( "SELECT 1 FROM $subscriptions s JOIN $outbox o ON o.subscription_id = s.id AND o.order_id = %d AND o.topic = %s WHERE s.is_crm = 1 LIMIT 1", $order_id, $topic ) );
	}

	/**
	 * Deletes every delivery of a subscription, whatever its state (the subscription is going away).
	 *
	 * @param int $subscription_id Subscription.
	 */
	public static function delete_deliveries( int $subscription_id ): void {
		global $wpdb;
		$wpdb->delete( self::table( self::OUTBOX ), array( 'subscription_id' => $subscription_id ), array( '%d' ) );
	}

	/**
	 * The WHERE clause and its values for a selection.
	 *
	 * @param string    $queue     INBOX or OUTBOX.
	 * @param Selection $selection Rows.
	 * @return array{0: string, 1: array<int, int|string>}
	 * @throws \InvalidArgumentException When the selection narrows by a column the queue lacks.
	 */
	private static function where( string $queue, Selection $selection ): array {
		$where = array( 'status = %s' );
		$args  = array( $selection->status );
		if ( $selection->ids ) {
			$where[] = 'id IN (' . implode( ',', array_fill( 0, count( $selection->ids ), '%d' ) ) . ')';
			$args    = array_merge( $args, $selection->ids );
		}
		if ( null !== $selection->crm_order_id ) {
			if ( self::INBOX !== $queue ) {
				throw new \InvalidArgumentException( 'Only inbox rows belong to a CRM order.' );
			}
			$where[] = 'crm_order_id = %s';
			$args[]  = $selection->crm_order_id;
		}
		if ( null !== $selection->subscription_id ) {
			if ( self::OUTBOX !== $queue ) {
				throw new \InvalidArgumentException( 'Only outbox rows belong to a subscription.' );
			}
			$where[] = 'subscription_id = %d';
			$args[]  = $selection->subscription_id;
		}
		return array( implode( ' AND ', $where ), $args );
	}

	/**
	 * The table of a queue.
	 *
	 * @param string $queue INBOX or OUTBOX.
	 * @throws \InvalidArgumentException For an unknown queue.
	 */
	private static function table( string $queue ): string {
		if ( ! isset( self::QUEUES[ $queue ] ) ) {
			throw new \InvalidArgumentException( 'Unknown queue: ' . $queue );
		}
		return Schema::table( $queue );
	}
}
