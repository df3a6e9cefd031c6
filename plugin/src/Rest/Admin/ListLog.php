<?php
/**
 * GET crm-bridge/v1/admin/log: the sync log, newest first, filtered, with keyset pagination (pass
 * before_id from the last page) so it stays fast on millions of rows. An order's filter shows its
 * incoming and outgoing rows together; a CRM order id matches by prefix.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Admin\OrderLink;
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
			'before_id' => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
			'per_page'  => Args::per_page( 50 ),
		) + self::filter_args();
	}

	/**
	 * The filters, shared with the CSV export: an order as 3 or #3, a CRM order id or its beginning.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public static function filter_args(): array {
		return array(
			'order_id'     => array(
				'type'    => 'string',
				'pattern' => '^\\s*#?[1-9][0-9]{0,18}\\s*$',
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
	 * The request's filters as SyncLogReader::page() takes them.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return array<string, int|string>
	 */
	public static function filter( \WP_REST_Request $request ): array {
		$filter = array();
		foreach ( array_merge( array_keys( SyncLogReader::EXACT ), array( 'crm_order_id' ) ) as $key ) {
			if ( null !== $request[ $key ] && '' !== $request[ $key ] ) {
				$filter[ $key ] = (string) $request[ $key ];
			}
		}
		if ( null !== $request['order_id'] ) {
			$filter['order_id'] = (int) ltrim( trim( (string) $request['order_id'] ), '#' );
		}
		foreach ( array( 'from', 'to' ) as $key ) {
			if ( null !== $request[ $key ] ) {
				$filter[ $key ] = self::utc( $request[ $key ] );
			}
		}
		return $filter;
	}

	/**
	 * One page of the log.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$per_page = (int) $request['per_page'];
		$rows     = SyncLogReader::page( self::filter( $request ), null === $request['before_id'] ? null : (int) $request['before_id'], $per_page + 1 );
		$more     = count( $rows ) > $per_page;
		$items    = array();
		$links    = array();
		foreach ( array_slice( $rows, 0, $per_page ) as $row ) {
			$items[] = self::item( $row ) + array( 'order_edit_url' => OrderLink::edit_url( $row['order_id'], $links ) );
		}
		return new \WP_REST_Response(
			array(
				'items'          => $items,
				'next_before_id' => $more ? (int) end( $items )['id'] : null,
				'site_timezone'  => wp_timezone_string(),
			)
		);
	}

	/**
	 * A row as the API and the CSV export show it: typed numbers, the detail decoded, and the topic
	 * (from the queue, or from the delivery's detail once the queue row is pruned). The page adds the
	 * order's edit link.
	 *
	 * @param array<string, string|null> $row Row of SyncLogReader::page().
	 * @return array<string, mixed>
	 */
	public static function item( array $row ): array {
		foreach ( array( 'id', 'order_id', 'subscription_id', 'attempt', 'latency_ms' ) as $int ) {
			$row[ $int ] = null === $row[ $int ] ? null : (int) $row[ $int ];
		}
		$row['detail'] = null === $row['detail'] ? null : json_decode( (string) $row['detail'], true );
		$row['topic']  = $row['topic'] ?? ( is_array( $row['detail'] ) && is_string( $row['detail']['topic'] ?? null ) ? $row['detail']['topic'] : null );
		return $row;
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
