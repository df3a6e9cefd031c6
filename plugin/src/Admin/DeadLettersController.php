<?php
/**
 * Dead letters of the incoming queue: list them, and replay one, some, or all matching a filter.
 * A replayed event goes back to pending with its attempts reset; the sidecar verifies it against the
 * CRM's current state, so replaying an old event can never move an order backwards.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Admin;

use CrmBridge\Audit;
use CrmBridge\Requeue;
use CrmBridge\Roles;
use CrmBridge\Schema;
use CrmBridge\SyncLog;

defined( 'ABSPATH' ) || exit;

/**
 * GET crm-bridge/v1/admin/dead-letters, POST crm-bridge/v1/admin/dead-letters/replay.
 */
final class DeadLettersController {

	/**
	 * Registers the routes.
	 */
	public static function register(): void {
		register_rest_route(
			'crm-bridge/v1',
			'/admin/dead-letters',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( self::class, 'list' ),
				'permission_callback' => array( Roles::class, 'can_view' ),
				'args'                => array(
					'crm_order_id' => array(
						'type'      => 'string',
						'maxLength' => 191,
					),
					'per_page'     => array(
						'type'    => 'integer',
						'minimum' => 1,
						'maximum' => 200,
						'default' => 50,
					),
				),
			)
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/dead-letters/discard',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'discard' ),
				'permission_callback' => array( Roles::class, 'can_view' ),
				'args'                => array(
					'ids' => array(
						'type'     => 'array',
						'required' => true,
						'minItems' => 1,
						'maxItems' => 1000,
						'items'    => array(
							'type'    => 'integer',
							'minimum' => 1,
						),
					),
				),
			)
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/dead-letters/replay',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'replay' ),
				'permission_callback' => array( Roles::class, 'can_view' ),
				'args'                => array(
					'ids'          => array(
						'type'     => 'array',
						'items'    => array(
							'type'    => 'integer',
							'minimum' => 1,
						),
						'maxItems' => 1000,
					),
					'crm_order_id' => array(
						'type'      => 'string',
						'maxLength' => 191,
					),
					'all'          => array(
						'type'    => 'boolean',
						'default' => false,
					),
				),
			)
		);
	}

	/**
	 * POST /admin/dead-letters/discard: deletes the chosen dead letters for good.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function discard( \WP_REST_Request $request ) {
		global $wpdb;
		$ids = array_map( 'intval', (array) $request['ids'] );
		$table = Schema::table( 'inbox' );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table, placeholders built here.
		$deleted = $wpdb->query( $wpdb->prepare( "DELETE FROM $table WHERE status = 'dead' AND id IN (" . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')', $ids ) );
		if ( false === $deleted ) {
			return new \WP_Error( 'crm_bridge_unavailable', __( 'The dead letters could not be discarded; try again.', 'crm-bridge' ), array( 'status' => 503 ) );
		}
		Audit::record(
			'dead_letters.discarded',
			null,
			array(
				'ids'       => $ids,
				'discarded' => (int) $deleted,
			)
		);
		SyncLog::record(
			array(
				'direction' => 'in',
				'decision'  => 'discarded',
				'message'   => sprintf( '%d dead letter(s) discarded by user %d', $deleted, get_current_user_id() ),
				'detail'    => array( 'ids' => $ids ),
			)
		);
		return new \WP_REST_Response( array( 'discarded' => (int) $deleted ) );
	}

	/**
	 * Newest dead letters first.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function list( \WP_REST_Request $request ): \WP_REST_Response {
		global $wpdb;
		$table = Schema::table( 'inbox' );
		$where = "status = 'dead'";
		$args  = array();
		if ( null !== $request['crm_order_id'] ) {
			$where .= ' AND crm_order_id = %s';
			$args[] = (string) $request['crm_order_id'];
		}
		$args[] = (int) $request['per_page'];
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table and clauses, values prepared.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT id, event_id, event_type, crm_order_id, attempts, last_error_class, last_error, received_at, finished_at FROM $table WHERE $where ORDER BY id DESC LIMIT %d", $args ), ARRAY_A );
		return new \WP_REST_Response( array( 'items' => is_array( $rows ) ? $rows : array() ) );
	}

	/**
	 * Puts the chosen dead letters back in the queue.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function replay( \WP_REST_Request $request ) {
		$where = array( "status = 'dead'" );
		$args  = array();
		if ( ! empty( $request['ids'] ) ) {
			$ids     = array_map( 'intval', (array) $request['ids'] );
			$where[] = 'id IN (' . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')';
			$args    = array_merge( $args, $ids );
		}
		if ( null !== $request['crm_order_id'] ) {
			$where[] = 'crm_order_id = %s';
			$args[]  = (string) $request['crm_order_id'];
		}
		if ( ! $args && ! $request['all'] ) {
			return new \WP_Error( 'crm_bridge_replay_scope', __( 'Say which dead letters to replay: ids, crm_order_id, or all=true.', 'crm-bridge' ), array( 'status' => 400 ) );
		}
		$replayed = Requeue::rows( 'inbox', $where, $args );
		if ( null === $replayed ) {
			return new \WP_Error( 'crm_bridge_unavailable', __( 'The dead letters could not be replayed; try again.', 'crm-bridge' ), array( 'status' => 503 ) );
		}
		Audit::record(
			'dead_letters.replayed',
			null === $request['crm_order_id'] ? null : (string) $request['crm_order_id'],
			array(
				'ids'      => $request['ids'],
				'all'      => (bool) $request['all'],
				'replayed' => (int) $replayed,
			)
		);
		SyncLog::record(
			array(
				'direction' => 'in',
				'decision'  => 'replayed',
				'message'   => sprintf( '%d dead letter(s) replayed by user %d', $replayed, get_current_user_id() ),
				'detail'    => array(
					'ids'          => $request['ids'],
					'crm_order_id' => $request['crm_order_id'],
					'all'          => (bool) $request['all'],
				),
			)
		);
		return new \WP_REST_Response( array( 'replayed' => (int) $replayed ) );
	}
}
