<?php
/**
 * Read model of the sync log for the admin screen: a filtered page (the screen's and the CSV
 * export's), one entry with its event's other rows, one order's latest rows, and the success rate,
 * latency and throughput the health view shows.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Sync log reads.
 */
final class SyncLogReader {

	/** The decisions that close an outgoing delivery attempt. */
	public const ATTEMPT_DECISIONS = array( 'delivered', 'retried', 'dead' );

	/** Columns a page can be filtered on by equality, with their placeholder. */
	public const EXACT = array(
		'event_id'    => '%s',
		'direction'   => '%s',
		'decision'    => '%s',
		'error_class' => '%s',
	);

	/**
	 * Rows newest first, below a keyset cursor, each with its subscription's name and its topic (the
	 * outgoing delivery's, or the incoming event's type) while the queue still holds the event.
	 *
	 * @param array<string, int|string> $filter    order_id (its own rows and those of its linked CRM order),
	 *                                             crm_order_id (a prefix), from and to (UTC, Y-m-d H:i:s),
	 *                                             and the keys of EXACT.
	 * @param int|null                  $before_id Only rows with a smaller id.
	 * @param int                       $limit     At most this many.
	 * @return array<int, array<string, string|null>>
	 */
	public static function page( array $filter, ?int $before_id, int $limit ): array {
		global $wpdb;
		[ $where, $args ] = self::where( $filter );
		if ( null !== $before_id ) {
			$where[] = 'l.id < %d';
			$args[]  = $before_id;
		}
		$args[] = $limit;
		$log    = Schema::table( 'log' );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table and clauses, values prepared.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT l.* FROM $log l WHERE " . implode( ' AND ', $where ) . ' ORDER BY l.id DESC LIMIT %d', $args ), ARRAY_A );
		return self::with_names( is_array( $rows ) ? $rows : array() );
	}

	/**
	 * Rows with their subscription's name and their topic, each asked of the table's owner.
	 *
	 * @param array<int, array<string, string|null>> $rows Log rows.
	 * @return array<int, array<string, string|null>>
	 */
	private static function with_names( array $rows ): array {
		if ( ! $rows ) {
			return $rows;
		}
		$names  = Subscriptions::names();
		$events = array(
			'out' => array(),
			'in'  => array(),
		);
		foreach ( $rows as $row ) {
			if ( null !== $row['event_id'] && isset( $events[ $row['direction'] ] ) ) {
				$events[ $row['direction'] ][] = (string) $row['event_id'];
			}
		}
		$topics = Queue\Store::topics( $events['out'], $events['in'] );
		return array_map(
			static function ( array $row ) use ( $names, $topics ): array {
				$row['subscription_name'] = null === $row['subscription_id'] ? null : ( $names[ (int) $row['subscription_id'] ] ?? null );
				$row['topic']             = $topics[ $row['direction'] ][ (string) $row['event_id'] ] ?? null;
				return $row;
			},
			$rows
		);
	}

	/**
	 * The WHERE clauses of a filter and their values. An order's story is its own rows and the rows of
	 * the CRM order linked to it (the receiver logs an event before anyone knows its order); a CRM
	 * order id matches by prefix, which the crm_order_id index serves.
	 *
	 * @param array<string, int|string> $filter See page().
	 * @return array{0: list<string>, 1: list<int|string>}
	 */
	private static function where( array $filter ): array {
		global $wpdb;
		$where = array( '1 = 1' );
		$args  = array();
		foreach ( array_intersect_key( $filter, self::EXACT ) as $column => $value ) {
			$where[] = 'l.' . $column . ' = ' . self::EXACT[ $column ];
			$args[]  = $value;
		}
		if ( isset( $filter['order_id'] ) ) {
			$crm = Links::crm_order_for( (int) $filter['order_id'] );
			if ( '' === $crm ) {
				$where[] = 'l.order_id = %d';
				$args[]  = (int) $filter['order_id'];
			} else {
				$where[] = '( l.order_id = %d OR l.crm_order_id = %s )';
				array_push( $args, (int) $filter['order_id'], $crm );
			}
		}
		if ( isset( $filter['crm_order_id'] ) && '' !== $filter['crm_order_id'] ) {
			$where[] = 'l.crm_order_id LIKE %s';
			$args[]  = $wpdb->esc_like( (string) $filter['crm_order_id'] ) . '%';
		}
		foreach ( array( 'from' => '>=', 'to' => '<=' ) as $key => $operator ) {
			if ( isset( $filter[ $key ] ) ) {
				$where[] = "l.created_at $operator %s";
				$args[]  = (string) $filter[ $key ];
			}
		}
		return array( $where, $args );
	}

	/**
	 * The attempts of a delivery, oldest first, with what each sent and got (the log row's detail).
	 * A replayed delivery keeps its webhook id, so its attempts before and after the replay are here.
	 *
	 * @param string $webhook_id The delivery's webhook id.
	 * @return array<int, array<string, mixed>>
	 */
	public static function delivery_attempts( string $webhook_id ): array {
		global $wpdb;
		$log  = Schema::table( 'log' );
		$in   = implode( ', ', array_fill( 0, count( self::ATTEMPT_DECISIONS ), '%s' ) );
		$args = array_merge( array( $webhook_id ), self::ATTEMPT_DECISIONS );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table, placeholders built here.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT id, created_at, decision, attempt, latency_ms, error_class, message, detail FROM $log WHERE event_id = %s AND direction = 'out' AND decision IN ($in) ORDER BY id", $args ), ARRAY_A );
		return array_map(
			static function ( array $row ): array {
				$detail = null === $row['detail'] ? null : json_decode( (string) $row['detail'], true );
				return array(
					'id'          => (int) $row['id'],
					'created_at'  => (string) $row['created_at'],
					'decision'    => (string) $row['decision'],
					'attempt'     => (int) $row['attempt'],
					'latency_ms'  => null === $row['latency_ms'] ? null : (int) $row['latency_ms'],
					'error_class' => $row['error_class'],
					'message'     => $row['message'],
					'detail'      => is_array( $detail ) ? $detail : null,
				);
			},
			is_array( $rows ) ? $rows : array()
		);
	}

	/**
	 * One row, or null.
	 *
	 * @param int $id Row id.
	 * @return array<string, string|null>|null
	 */
	public static function entry( int $id ): ?array {
		global $wpdb;
		$table = Schema::table( 'log' );
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM $table WHERE id = %d", $id ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return is_array( $row ) ? $row : null;
	}

	/**
	 * The latest rows about one order, newest first (the order box): the rows page() gives for it.
	 *
	 * @param int $order_id Order id.
	 * @param int $limit    At most this many rows.
	 * @return array<int, array<string, string|null>>
	 */
	public static function for_order( int $order_id, int $limit ): array {
		return self::page( array( 'order_id' => $order_id ), null, $limit );
	}

	/**
	 * Per subscription, its delivery attempts since $since and how many of them were delivered.
	 *
	 * @param int $since Unix time.
	 * @return array<int, array{attempts: int, delivered: int}> Subscription id => counts.
	 */
	public static function delivery_counts( int $since ): array {
		global $wpdb;
		$table = Schema::table( 'log' );
		$rows  = $wpdb->get_results( $wpdb->prepare( "SELECT subscription_id, COUNT(*) AS attempts, SUM(decision = 'delivered') AS delivered FROM $table WHERE created_at >= %s AND direction = 'out' AND subscription_id IS NOT NULL AND decision IN ('delivered','retried','dead') GROUP BY subscription_id", gmdate( 'Y-m-d H:i:s', $since ) ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$counts = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$counts[ (int) $row['subscription_id'] ] = array(
				'attempts'  => (int) $row['attempts'],
				'delivered' => (int) $row['delivered'],
			);
		}
		return $counts;
	}

	/**
	 * A subscription's latest delivery attempt (delivered, retried or dead), or null.
	 *
	 * @param int $subscription_id Subscription id.
	 * @return array{at: string, decision: string, status_code: int|null, message: string|null}|null
	 */
	public static function last_attempt( int $subscription_id ): ?array {
		global $wpdb;
		$table = Schema::table( 'log' );
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT created_at, decision, message, detail FROM $table WHERE subscription_id = %d AND direction = 'out' AND decision IN ('delivered','retried','dead') ORDER BY id DESC LIMIT 1", $subscription_id ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		if ( ! is_array( $row ) ) {
			return null;
		}
		$detail = json_decode( (string) $row['detail'], true );
		$code   = is_array( $detail ) ? ( $detail['status_code'] ?? null ) : null;
		return array(
			'at'          => (string) $row['created_at'],
			'decision'    => (string) $row['decision'],
			'status_code' => is_numeric( $code ) ? (int) $code : null,
			'message'     => $row['message'],
		);
	}

	/**
	 * Every row of one event (its attempts), oldest first.
	 *
	 * @param string $event_id Event id or webhook id.
	 * @return array<int, array<string, string|null>>
	 */
	public static function attempts( string $event_id ): array {
		global $wpdb;
		$table = Schema::table( 'log' );
		$rows  = $wpdb->get_results( $wpdb->prepare( "SELECT id, created_at, decision, attempt, latency_ms, error_class, message FROM $table WHERE event_id = %s ORDER BY id", $event_id ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * Success rate and p95 latency of finished work since $since, with the retries and the dedup hits
	 * (deliveries of an event id the receiver had already stored).
	 *
	 * @param int $since Unix time.
	 * @return array<string, float|int|null>
	 */
	public static function window( int $since ): array {
		global $wpdb;
		$table   = Schema::table( 'log' );
		$from    = gmdate( 'Y-m-d H:i:s', $since );
		$counts  = $wpdb->get_results( $wpdb->prepare( "SELECT decision, COUNT(*) AS n FROM $table WHERE created_at >= %s AND decision IN ('applied','stale','refused','delivered','dead','retried','duplicate') GROUP BY decision", $from ), OBJECT_K ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$n       = static fn( string $d ): int => (int) ( $counts[ $d ]->n ?? 0 );
		$ok      = $n( 'applied' ) + $n( 'stale' ) + $n( 'refused' ) + $n( 'delivered' );
		$done    = $ok + $n( 'dead' );
		$latency = array_map( 'intval', $wpdb->get_col( $wpdb->prepare( "SELECT latency_ms FROM $table WHERE created_at >= %s AND decision IN ('applied','delivered') AND latency_ms IS NOT NULL ORDER BY id DESC LIMIT 10000", $from ) ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		sort( $latency );
		return array(
			'finished'       => $done,
			'success_rate'   => $done ? round( $ok / $done, 4 ) : null,
			'retries'        => $n( 'retried' ),
			'duplicates'     => $n( 'duplicate' ),
			'p95_latency_ms' => $latency ? $latency[ (int) ceil( 0.95 * count( $latency ) ) - 1 ] : null,
		);
	}

	/**
	 * Finished events per 5 minutes over the last hour, oldest first.
	 *
	 * @param int $now Unix time.
	 * @return array<int, array{at: string, count: int}>
	 */
	public static function throughput( int $now ): array {
		global $wpdb;
		$table  = Schema::table( 'log' );
		$start  = $now - HOUR_IN_SECONDS - ( $now % 300 ) + 300;
		$rows   = $wpdb->get_results( $wpdb->prepare( "SELECT FLOOR(UNIX_TIMESTAMP(created_at) / 300) * 300 AS bucket, COUNT(*) AS n FROM $table WHERE created_at >= %s AND decision IN ('applied','stale','refused','delivered') GROUP BY bucket", gmdate( 'Y-m-d H:i:s', $start ) ), OBJECT_K ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$series = array();
		for ( $at = $start; $at <= $now; $at += 300 ) {
			$series[] = array(
				'at'    => gmdate( 'c', $at ),
				'count' => (int) ( $rows[ (string) $at ]->n ?? 0 ),
			);
		}
		return $series;
	}

	/**
	 * Work per bucket over the last $span seconds, oldest first: incoming events finished (applied,
	 * stale or refused), outgoing deliveries delivered, and failed attempts (retried or dead), either
	 * direction. The buckets are aligned to multiples of $bucket seconds since the epoch.
	 *
	 * @param int $now    Unix time.
	 * @param int $span   Seconds covered.
	 * @param int $bucket Seconds per bucket.
	 * @return array<int, array{at: string, incoming: int, outgoing: int, failed: int}>
	 */
	public static function traffic( int $now, int $span, int $bucket ): array {
		global $wpdb;
		$table = Schema::table( 'log' );
		$start = $now - $span - ( $now % $bucket ) + $bucket;
		// Seconds since the epoch counted from the stored UTC text, whatever the session's time zone.
		$rows   = $wpdb->get_results( $wpdb->prepare( "SELECT FLOOR(TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', created_at) / %d) * %d AS bucket, SUM(direction = 'in' AND decision IN ('applied','stale','refused')) AS incoming, SUM(decision = 'delivered') AS outgoing, SUM(decision IN ('retried','dead')) AS failed FROM $table WHERE created_at >= %s GROUP BY bucket", $bucket, $bucket, gmdate( 'Y-m-d H:i:s', $start ) ), OBJECT_K ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$series = array();
		for ( $at = $start; $at <= $now; $at += $bucket ) {
			$row      = $rows[ (string) $at ] ?? null;
			$series[] = array(
				'at'       => gmdate( 'c', $at ),
				'incoming' => (int) ( $row->incoming ?? 0 ),
				'outgoing' => (int) ( $row->outgoing ?? 0 ),
				'failed'   => (int) ( $row->failed ?? 0 ),
			);
		}
		return $series;
	}

	/**
	 * When the receiver last stored a new CRM event, or null when the log holds none.
	 *
	 * @return int|null Unix time.
	 */
	public static function last_accepted_at(): ?int {
		global $wpdb;
		$table = Schema::table( 'log' );
		$at    = $wpdb->get_var( "SELECT created_at FROM $table WHERE decision = 'accepted' ORDER BY id DESC LIMIT 1" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name, no input.
		return $at ? (int) strtotime( $at . ' UTC' ) : null;
	}
}
