<?php
/**
 * The connection tests table: the settings page asks for a test with a row (holding the settings to
 * test, saved or not, and the CRM order to fetch), a sidecar replica takes the row and answers in it.
 * Every statement on that table is here.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Store of connection test requests and their answers.
 */
final class ConnectionTests {

	/** Requests are kept this long (seconds), then cleared by the next request: nobody reads them later. */
	public const KEPT_FOR = DAY_IN_SECONDS;

	/**
	 * The name a typed CRM token is encrypted under (Secrets::encrypt()) in the request with this id.
	 *
	 * @param string $id Request id.
	 */
	public static function token_name( string $id ): string {
		return Schema::TABLES['connection_tests'] . ':' . $id;
	}

	/**
	 * A new request id.
	 */
	public static function new_id(): string {
		return wp_generate_uuid4();
	}

	/**
	 * Records a request (clearing old ones). False when the database refused it.
	 *
	 * @param string               $id      Request id (new_id()).
	 * @param array<string, mixed> $request What the sidecar tests: the CRM settings, the mapping, the order id, the token.
	 */
	public static function request( string $id, array $request ): bool {
		global $wpdb;
		$table = Schema::table( 'connection_tests' );
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE requested_at < %s", gmdate( 'Y-m-d H:i:s', time() - self::KEPT_FOR ) ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name is a constant.
		$stored = $wpdb->insert(
			$table,
			array(
				'id'           => $id,
				'requested_at' => gmdate( 'Y-m-d H:i:s' ),
				'request'      => (string) wp_json_encode( $request ),
			),
			array( '%s', '%s', '%s' )
		);
		return false !== $stored;
	}


	/**
	 * The sidecar's answer to a request, or null while there is none.
	 *
	 * @param string $id Request id.
	 * @return array{id: string, ok: string, message: string, latency_ms: string|null, detail: string|null, answered_at: string}|null
	 */
	public static function answer( string $id ): ?array {
		global $wpdb;
		$table = Schema::table( 'connection_tests' );
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT id, ok, message, latency_ms, detail, answered_at FROM {$table} WHERE id = %s AND answered_at IS NOT NULL", $id ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name is a constant.
		return is_array( $row ) ? $row : null;
	}

	/**
	 * The latest answered test: whether it passed and when (the message stays on the settings page).
	 *
	 * @return array{ok: bool, answered_at: string}|null Null when none is kept (tests are cleared after a day).
	 */
	public static function latest(): ?array {
		global $wpdb;
		$table = Schema::table( 'connection_tests' );
		$row   = $wpdb->get_row( "SELECT ok, answered_at FROM {$table} WHERE answered_at IS NOT NULL ORDER BY answered_at DESC LIMIT 1", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name is a constant, no input.
		if ( ! is_array( $row ) ) {
			return null;
		}
		return array(
			'ok'          => (bool) (int) $row['ok'],
			'answered_at' => gmdate( 'c', (int) strtotime( $row['answered_at'] . ' UTC' ) ),
		);
	}
}
