<?php
/**
 * The audit trail: who changed settings, secrets (that one changed, never its value) and
 * subscriptions, and who replayed or discarded queued work, when, and what changed. Rows older than
 * the retention setting are pruned when a new one is written.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Audit rows.
 */
final class Audit {

	/** Rows pruned at most per write, so one write never turns into a long delete. */
	private const PRUNE_BATCH = 500;

	/**
	 * Records one action by the current user.
	 *
	 * @param string               $action  What happened, e.g. "settings.updated", "secret.rotated".
	 * @param string|null          $target  What it happened to (a secret name, a subscription id).
	 * @param array<string, mixed> $details What changed; never a secret value.
	 */
	public static function record( string $action, ?string $target = null, array $details = array() ): void {
		global $wpdb;
		$user  = wp_get_current_user();
		$table = Schema::table( 'audit' );
		$wpdb->insert(
			$table,
			array(
				'created_at' => Clock::mysql_now(),
				'user_id'    => (int) $user->ID,
				'user_login' => (string) $user->user_login,
				'action'     => $action,
				'target'     => $target,
				'details'    => $details ? wp_json_encode( $details ) : null,
			),
			array( '%s', '%d', '%s', '%s', '%s', '%s' )
		);
		$cutoff = gmdate( 'Y-m-d H:i:s', time() - max( 1, (int) Settings::get( 'retention_days' ) ) * DAY_IN_SECONDS );
		$wpdb->query( $wpdb->prepare( "DELETE FROM $table WHERE created_at < %s ORDER BY id LIMIT %d", $cutoff, self::PRUNE_BATCH ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	/**
	 * One page of rows, newest first, and the total.
	 *
	 * @param int $page     Page, from 1.
	 * @param int $per_page Rows per page.
	 * @return array{items: array<int, array<string, mixed>>, total: int}
	 */
	public static function page( int $page, int $per_page ): array {
		global $wpdb;
		$table = Schema::table( 'audit' );
		$rows  = $wpdb->get_results( $wpdb->prepare( "SELECT id, created_at, user_id, user_login, action, target, details FROM $table ORDER BY id DESC LIMIT %d OFFSET %d", $per_page, ( $page - 1 ) * $per_page ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$items = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$items[] = array(
				'id'         => (int) $row['id'],
				'created_at' => (string) $row['created_at'],
				'user_id'    => (int) $row['user_id'],
				'user_login' => (string) $row['user_login'],
				'action'     => (string) $row['action'],
				'target'     => $row['target'],
				'details'    => null === $row['details'] ? null : json_decode( (string) $row['details'], true ),
			);
		}
		return array(
			'items' => $items,
			'total' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $table" ), // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		);
	}

	/**
	 * Every dotted key whose value differs between two documents, with the old and new value.
	 * Lists and the status mapping count as one value each.
	 *
	 * @param array<string, mixed> $before Before.
	 * @param array<string, mixed> $after  After.
	 * @param string               $prefix Dotted prefix.
	 * @return array<string, array{old: mixed, new: mixed}>
	 */
	public static function diff( array $before, array $after, string $prefix = '' ): array {
		$changes = array();
		foreach ( array_unique( array_merge( array_keys( $before ), array_keys( $after ) ) ) as $key ) {
			$path = $prefix . $key;
			$old  = $before[ $key ] ?? null;
			$new  = $after[ $key ] ?? null;
			if ( 'mapping' !== $path && is_array( $old ) && is_array( $new ) && ! Settings::is_list( $old ) && ! Settings::is_list( $new ) ) {
				$changes += self::diff( $old, $new, $path . '.' );
			} elseif ( $old !== $new ) {
				$changes[ $path ] = array(
					'old' => $old,
					'new' => $new,
				);
			}
		}
		return $changes;
	}
}
