<?php
/**
 * GET crm-bridge/v1/admin/log: the sync log, newest first, filtered, with keyset pagination (pass
 * before_id from the last page) so it stays fast on millions of rows.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Rest\Args;
use CrmBridge\SyncLogReader;

defined( 'ABSPATH' ) || exit;

/**
 * One page of the sync log.
 */
final class ListLog extends ViewRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/log';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * Filters and paging.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'before_id'    => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
			'per_page'     => Args::per_page( 50 ),
			'order_id'     => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
			'crm_order_id' => Args::identifier(),
			'event_id'     => Args::identifier(),
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
		);
	}

	/**
	 * One page of the log.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$exact = array();
		foreach ( array_keys( SyncLogReader::EXACT ) as $column ) {
			if ( null !== $request[ $column ] ) {
				$exact[ $column ] = $request[ $column ];
			}
		}
		$per_page = (int) $request['per_page'];
		$rows     = SyncLogReader::page(
			$exact,
			null === $request['before_id'] ? null : (int) $request['before_id'],
			self::utc( $request['from'] ),
			self::utc( $request['to'] ),
			$per_page + 1
		);
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

	/**
	 * A date-time argument as the log's UTC column form, or null when absent.
	 *
	 * @param mixed $value RFC 3339 date-time.
	 */
	private static function utc( $value ): ?string {
		return null === $value ? null : gmdate( 'Y-m-d H:i:s', (int) strtotime( (string) $value ) );
	}
}
