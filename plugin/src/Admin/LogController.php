<?php
/**
 * GET crm-bridge/v1/admin/log: the sync log, newest first, filtered, with keyset pagination (pass
 * before_id from the last page) so it stays fast on millions of rows.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Admin;

use CrmBridge\Roles;
use CrmBridge\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Sync log endpoint.
 */
final class LogController {

	/**
	 * Registers the route.
	 */
	public static function register(): void {
		register_rest_route(
			'crm-bridge/v1',
			'/admin/log/(?P<id>\d+)',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( self::class, 'get' ),
				'permission_callback' => array( Roles::class, 'can_view' ),
				'args'                => array(
					'id' => array(
						'type'    => 'integer',
						'minimum' => 1,
					),
				),
			)
		);
		$string = array(
			'type'      => 'string',
			'maxLength' => 191,
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/log',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( self::class, 'list' ),
				'permission_callback' => array( Roles::class, 'can_view' ),
				'args'                => array(
					'before_id'    => array(
						'type'    => 'integer',
						'minimum' => 1,
					),
					'per_page'     => array(
						'type'    => 'integer',
						'minimum' => 1,
						'maximum' => 200,
						'default' => 50,
					),
					'order_id'     => array(
						'type'    => 'integer',
						'minimum' => 1,
					),
					'crm_order_id' => $string,
					'event_id'     => $string,
					'direction'    => array(
						'type' => 'string',
						'enum' => array( 'in', 'out' ),
					),
					'decision'     => array(
						'type'    => 'string',
						'pattern' => '^[a-z_]{1,16}$',
					),
					'error_class'  => array(
						'type'    => 'string',
						'pattern' => '^[a-z_]{1,32}$',
					),
					'from'         => array(
						'type'   => 'string',
						'format' => 'date-time',
					),
					'to'           => array(
						'type'   => 'string',
						'format' => 'date-time',
					),
				),
			)
		);
	}

	/**
	 * GET /admin/log/<id>: one entry with every row of its event (its attempts) and the stored event
	 * body, with secrets and personal data masked.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function get( \WP_REST_Request $request ) {
		global $wpdb;
		$log   = Schema::table( 'log' );
		$entry = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM $log WHERE id = %d", (int) $request['id'] ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		if ( ! $entry ) {
			return new \WP_Error( 'crm_bridge_not_found', __( 'No such log entry.', 'crm-bridge' ), array( 'status' => 404 ) );
		}
		$attempts = array();
		$payload  = null;
		if ( $entry['event_id'] ) {
			$attempts = $wpdb->get_results( $wpdb->prepare( "SELECT id, created_at, decision, attempt, latency_ms, error_class, message FROM $log WHERE event_id = %s ORDER BY id", $entry['event_id'] ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			$queue    = 'in' === $entry['direction'] ? Schema::table( 'inbox' ) : Schema::table( 'outbox' );
			$column   = 'in' === $entry['direction'] ? 'event_id' : 'webhook_id';
			$raw      = $wpdb->get_var( $wpdb->prepare( "SELECT payload FROM $queue WHERE $column = %s", $entry['event_id'] ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			$decoded  = null === $raw ? null : json_decode( (string) $raw, true );
			$payload  = is_array( $decoded ) ? self::mask( $decoded ) : null;
		}
		$entry['detail'] = null === $entry['detail'] ? null : json_decode( (string) $entry['detail'], true );
		return new \WP_REST_Response(
			array(
				'entry'    => $entry,
				'attempts' => is_array( $attempts ) ? $attempts : array(),
				'payload'  => $payload,
			)
		);
	}

	/**
	 * Replaces secrets and personal data (configured field names, and anything named like a secret).
	 *
	 * @param array<mixed> $data Decoded JSON.
	 * @return array<mixed>
	 */
	public static function mask( array $data ): array {
		$fields = array_map( 'strtolower', (array) \CrmBridge\Settings::get( 'log.mask_fields' ) );
		foreach ( $data as $key => $value ) {
			$name = strtolower( (string) $key );
			if ( is_array( $value ) ) {
				$data[ $key ] = self::mask( $value );
			} elseif ( in_array( $name, $fields, true ) || preg_match( '/secret|token|password|signature|authorization/', $name ) ) {
				$data[ $key ] = '••••';
			}
		}
		return $data;
	}

	/**
	 * One page of the log.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function list( \WP_REST_Request $request ): \WP_REST_Response {
		global $wpdb;
		$where = array( '1 = 1' );
		$args  = array();
		$exact = array(
			'order_id'     => '%d',
			'crm_order_id' => '%s',
			'event_id'     => '%s',
			'direction'    => '%s',
			'decision'     => '%s',
			'error_class'  => '%s',
		);
		foreach ( $exact as $column => $format ) {
			if ( null !== $request[ $column ] ) {
				$where[] = "$column = $format";
				$args[]  = $request[ $column ];
			}
		}
		if ( null !== $request['before_id'] ) {
			$where[] = 'id < %d';
			$args[]  = (int) $request['before_id'];
		}
		if ( null !== $request['from'] ) {
			$where[] = 'created_at >= %s';
			$args[]  = gmdate( 'Y-m-d H:i:s', (int) strtotime( (string) $request['from'] ) );
		}
		if ( null !== $request['to'] ) {
			$where[] = 'created_at <= %s';
			$args[]  = gmdate( 'Y-m-d H:i:s', (int) strtotime( (string) $request['to'] ) );
		}
		$per_page = (int) $request['per_page'];
		$args[]   = $per_page + 1;
		$table    = Schema::table( 'log' );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- constant table and clauses, values prepared.
		$rows  = $wpdb->get_results( $wpdb->prepare( "SELECT * FROM $table WHERE " . implode( ' AND ', $where ) . ' ORDER BY id DESC LIMIT %d', $args ), ARRAY_A );
		$rows  = is_array( $rows ) ? $rows : array();
		$more  = count( $rows ) > $per_page;
		$items = array_map(
			static function ( array $row ): array {
				foreach ( array( 'id', 'order_id', 'subscription_id', 'attempt', 'latency_ms' ) as $int ) {
					$row[ $int ] = null === $row[ $int ] ? null : (int) $row[ $int ];
				}
				$row['detail']         = null === $row['detail'] ? null : json_decode( (string) $row['detail'], true );
				$row['order_edit_url'] = $row['order_id'] ? admin_url( 'admin.php?page=wc-orders&action=edit&id=' . $row['order_id'] ) : null;
				return $row;
			},
			array_slice( $rows, 0, $per_page )
		);
		return new \WP_REST_Response(
			array(
				'items'          => $items,
				'next_before_id' => $more ? (int) end( $items )['id'] : null,
			)
		);
	}
}
