<?php
/**
 * Read model of the sync log for the admin screen: a filtered page, one entry with its event's other
 * rows, one order's latest rows, and the success rate, latency and throughput the health view shows.
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

	/** Columns a page can be filtered on by equality, with their placeholder. */
	public const EXACT = array(
		'order_id'     => '%d',
		'crm_order_id' => '%s',
		'event_id'     => '%s',
		'direction'    => '%s',
		'decision'     => '%s',
		'error_class'  => '%s',
	);

	/**
	 * Rows newest first, below a keyset cursor.
	 *
	 * @param array<string, int|string> $exact     Column (a key of EXACT) => value.
	 * @param int|null                  $before_id Only rows with a smaller id.
	 * @param string|null               $from      Only rows created at or after this UTC time (Y-m-d H:i:s).
	 * @param string|null               $to        Only rows created at or before this UTC time.
	 * @param int                       $limit     At most this many.
	 * @return array<int, array<string, string|null>>
	 */
	public static function page( array $exact, ?int $before_id, ?string $from, ?string $to, int $limit ): array {
		global $wpdb;
		$where = array( '1 = 1' );
		$args  = array();
		foreach ( array_intersect_key( $exact, self::EXACT ) as $column => $value ) {
			$where[] = $column . ' = ' . self::EXACT[ $column ];
			$args[]  = $value;
		}
		if ( null !== $before_id ) {
			$where[] = 'id < %d';
			$args[]  = $before_id;
		}
		if ( null !== $from ) {
			$where[] = 'created_at >= %s';
			$args[]  = $from;
		}
		if ( null !== $to ) {
			$where[] = 'created_at <= %s';
			$args[]  = $to;
		}
		$args[] = $limit;
		$table  = Schema::table( 'log' );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table and clauses, values prepared.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT * FROM $table WHERE " . implode( ' AND ', $where ) . ' ORDER BY id DESC LIMIT %d', $args ), ARRAY_A );
		return is_array( $rows ) ? $rows : array();
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
	 * The latest rows about one order, newest first (the order box).
	 *
	 * @param int $order_id Order id.
	 * @param int $limit    At most this many rows.
	 * @return array<int, array<string, string|null>>
	 */
	public static function for_order( int $order_id, int $limit ): array {
		global $wpdb;
		$table = Schema::table( 'log' );
		$rows  = $wpdb->get_results( $wpdb->prepare( "SELECT created_at, direction, decision, to_status, error_class, message FROM $table WHERE order_id = %d ORDER BY id DESC LIMIT %d", $order_id, $limit ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return is_array( $rows ) ? $rows : array();
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
