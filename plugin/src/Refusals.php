<?php
/**
 * Counts refused incoming requests by class and keeps a bounded sample of the latest ones, so that
 * hostile traffic is visible in the admin without growing any table, and a flood of refusals costs
 * the database almost nothing: counts and samples gather in small local files and reach the
 * database at most once per class and file every few seconds.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Refusal counters.
 */
final class Refusals {

	public const SAMPLE_OPTION = 'crm_bridge_refusal_samples';
	public const SAMPLE_SIZE   = 20;
	/** Seconds between two writes of one class's counter (and of the samples) to the database. */
	public const FLUSH_SECONDS = 5;
	/**
	 * Local files a refusal may gather in. A worker never waits for a lock: it takes the first file
	 * no other worker holds. As long as no more workers than this refuse in the same instant, every
	 * refusal is counted; beyond that, the excess is still refused but goes uncounted. A few missed
	 * counts under a flood are the price of never lining PHP workers up behind one lock.
	 */
	public const SHARDS = 8;

	/**
	 * Counts one refusal and remembers it among the latest few.
	 *
	 * @param string $refusal_class signature, timestamp, schema, size, content_type, route, address, config, unavailable.
	 * @param string $message       What was wrong (no secret, no body).
	 */
	public static function record( string $refusal_class, string $message ): void {
		$now    = time();
		$sample = array(
			'class'   => $refusal_class,
			'message' => substr( $message, 0, 200 ),
			'at'      => Clock::mysql_now(),
			'ip'      => isset( $_SERVER['REMOTE_ADDR'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REMOTE_ADDR'] ) ) : '',
		);
		$handle = null;
		foreach ( self::files() as $file ) {
			$handle = self::open( $file, LOCK_EX | LOCK_NB );
			if ( false !== $handle ) {
				break;
			}
		}
		if ( false === $handle ) {
			// Every file is held by another worker at this instant: skip the count rather than wait.
			return;
		}
		if ( null === $handle ) {
			// No local file to gather in: write at once.
			self::write_counts( array( $refusal_class => 1 ) );
			self::write_samples( array( $sample ) );
			return;
		}
		$state = self::read( $handle );
		$state['counts'][ $refusal_class ] = (int) ( $state['counts'][ $refusal_class ] ?? 0 ) + 1;
		$state['samples'][]                = $sample;
		$state['samples']                  = array_slice( $state['samples'], -self::SAMPLE_SIZE );
		if ( $now - (int) ( $state['flushed'][ $refusal_class ] ?? 0 ) >= self::FLUSH_SECONDS ) {
			if ( self::write_counts( array( $refusal_class => $state['counts'][ $refusal_class ] ) ) ) {
				unset( $state['counts'][ $refusal_class ] );
			}
			$state['flushed'][ $refusal_class ] = $now;
		}
		if ( $state['samples'] && $now - (int) ( $state['flushed']['*samples'] ?? 0 ) >= self::FLUSH_SECONDS ) {
			self::write_samples( $state['samples'] );
			$state['samples']              = array();
			$state['flushed']['*samples'] = $now;
		}
		self::save( $handle, $state );
	}

	/**
	 * The counters and the latest samples, including what has not reached the database yet.
	 *
	 * @return array{classes: array<int, array{class: string, count: int, last_refused_at: string|null}>, samples: array<int, array<string, string>>}
	 */
	public static function summary(): array {
		global $wpdb;
		$table  = Schema::table( 'refusals' );
		$rows   = $wpdb->get_results( "SELECT refusal_class, refused_count, last_refused_at FROM $table ORDER BY refusal_class", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name, no input.
		$counts = array();
		$last   = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$counts[ $row['refusal_class'] ] = (int) $row['refused_count'];
			$last[ $row['refusal_class'] ]   = $row['last_refused_at'] ? gmdate( 'c', (int) strtotime( $row['last_refused_at'] . ' UTC' ) ) : null;
		}
		$pending = array(
			'counts'  => array(),
			'samples' => array(),
		);
		foreach ( self::files() as $file ) {
			if ( ! file_exists( $file ) ) {
				continue;
			}
			// The admin screen may wait the instant a receiver holds the file.
			$handle = self::open( $file, LOCK_SH );
			if ( ! is_resource( $handle ) ) {
				continue;
			}
			$state = self::read( $handle );
			flock( $handle, LOCK_UN );
			fclose( $handle ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose
			foreach ( $state['counts'] as $class => $n ) {
				$pending['counts'][ $class ] = (int) ( $pending['counts'][ $class ] ?? 0 ) + (int) $n;
			}
			$pending['samples'] = array_merge( $pending['samples'], $state['samples'] );
		}
		usort( $pending['samples'], static fn( $a, $b ): int => strcmp( (string) ( $a['at'] ?? '' ), (string) ( $b['at'] ?? '' ) ) );
		foreach ( $pending['counts'] as $class => $n ) {
			$counts[ $class ] = ( $counts[ $class ] ?? 0 ) + (int) $n;
		}
		$stored  = get_option( self::SAMPLE_OPTION, array() );
		$samples = array_slice( array_merge( is_array( $stored ) ? $stored : array(), $pending['samples'] ), -self::SAMPLE_SIZE );
		foreach ( $samples as $sample ) {
			$class          = (string) ( $sample['class'] ?? '' );
			$at             = gmdate( 'c', (int) strtotime( (string) ( $sample['at'] ?? '' ) . ' UTC' ) );
			$last[ $class ] = max( (string) ( $last[ $class ] ?? '' ), $at );
		}
		$classes = array();
		foreach ( $counts as $class => $n ) {
			$classes[] = array(
				'class'           => (string) $class,
				'count'           => $n,
				'last_refused_at' => $last[ $class ] ?? null,
			);
		}
		return array(
			'classes' => $classes,
			'samples' => array_reverse(
				array_map(
					static fn( $s ): array => array(
						'class'   => (string) ( $s['class'] ?? '' ),
						'message' => (string) ( $s['message'] ?? '' ),
						'at'      => gmdate( 'c', (int) strtotime( (string) ( $s['at'] ?? '' ) . ' UTC' ) ),
						'ip'      => (string) ( $s['ip'] ?? '' ),
					),
					$samples
				)
			),
		);
	}

	/**
	 * Adds counts to the table in one statement.
	 *
	 * @param array<string, int> $counts Class → refusals to add.
	 */
	private static function write_counts( array $counts ): bool {
		global $wpdb;
		$table = Schema::table( 'refusals' );
		$ok    = true;
		foreach ( $counts as $class => $n ) {
			$ok = false !== $wpdb->query(
				$wpdb->prepare(
					// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name.
					"INSERT INTO $table (refusal_class, refused_count, last_refused_at) VALUES (%s, %d, %s) ON DUPLICATE KEY UPDATE refused_count = refused_count + VALUES(refused_count), last_refused_at = VALUES(last_refused_at)",
					(string) $class,
					$n,
					Clock::mysql_now()
				)
			) && $ok;
		}
		return $ok;
	}

	/**
	 * Appends samples to the stored ones, keeping the latest few.
	 *
	 * @param array<int, array<string, string>> $samples Samples, oldest first.
	 */
	private static function write_samples( array $samples ): void {
		$stored = get_option( self::SAMPLE_OPTION, array() );
		$stored = is_array( $stored ) ? $stored : array();
		update_option( self::SAMPLE_OPTION, array_slice( array_merge( $stored, $samples ), -self::SAMPLE_SIZE ), false );
	}

	/**
	 * The local files where refusals gather: one set per site and database prefix.
	 *
	 * @return array<int, string>
	 */
	public static function files(): array {
		global $wpdb;
		// get_temp_dir() may fall back to wp-content, so the name carries a salt: it cannot be
		// guessed and fetched from the web.
		$salt  = defined( 'AUTH_SALT' ) ? (string) AUTH_SALT : '';
		$base  = trailingslashit( get_temp_dir() ) . 'crm-bridge-refusals-' . hash( 'sha256', ABSPATH . '|' . DB_NAME . '|' . $wpdb->prefix . '|' . $salt );
		$files = array();
		for ( $i = 0; $i < self::SHARDS; $i++ ) {
			$files[] = $base . ( 0 === $i ? '' : '-' . $i ) . '.json';
		}
		return $files;
	}

	/**
	 * Removes the local files (uninstall with data deletion).
	 */
	public static function delete_files(): void {
		foreach ( self::files() as $file ) {
			if ( file_exists( $file ) ) {
				wp_delete_file( $file );
			}
		}
	}

	/**
	 * A local file opened and locked.
	 *
	 * @param string $file      Path.
	 * @param int    $operation flock() operation.
	 * @return resource|false|null False when another worker holds it (non-blocking lock), null when it cannot be opened.
	 */
	private static function open( string $file, int $operation ) {
		$handle = @fopen( $file, 'c+' ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged,WordPress.WP.AlternativeFunctions.file_system_operations_fopen -- a missing temp dir falls back to direct writes.
		if ( false === $handle ) {
			return null;
		}
		$would_block = 0;
		if ( ! flock( $handle, $operation, $would_block ) ) {
			fclose( $handle ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose
			return $would_block ? false : null;
		}
		return $handle;
	}

	/**
	 * The gathered state.
	 *
	 * @param resource $handle Locked file.
	 * @return array{counts: array<string, int>, samples: array<int, array<string, string>>, flushed: array<string, int>}
	 */
	private static function read( $handle ): array {
		rewind( $handle );
		$state = json_decode( (string) stream_get_contents( $handle ), true );
		$state = is_array( $state ) ? $state : array();
		return array(
			'counts'  => is_array( $state['counts'] ?? null ) ? $state['counts'] : array(),
			'samples' => is_array( $state['samples'] ?? null ) ? array_values( $state['samples'] ) : array(),
			'flushed' => is_array( $state['flushed'] ?? null ) ? $state['flushed'] : array(),
		);
	}

	/**
	 * Writes the state back and releases the file.
	 *
	 * @param resource                                                                       $handle Locked file.
	 * @param array{counts: array<string, int>, samples: array<int, mixed>, flushed: array<string, int>} $state  State.
	 */
	private static function save( $handle, array $state ): void {
		rewind( $handle );
		ftruncate( $handle, 0 );
		fwrite( $handle, (string) wp_json_encode( $state ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fwrite
		fflush( $handle );
		flock( $handle, LOCK_UN );
		fclose( $handle ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose
	}
}
