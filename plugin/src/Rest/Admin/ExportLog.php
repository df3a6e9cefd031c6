<?php
/**
 * GET crm-bridge/v1/admin/log.csv: the sync log rows the filters of the log screen select, newest
 * first, as CSV (text/csv), streamed page by page and bounded at ROW_LIMIT rows. Cells a spreadsheet
 * would read as a formula are prefixed with an apostrophe.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\SyncLogReader;

defined( 'ABSPATH' ) || exit;

/**
 * The sync log as CSV.
 */
final class ExportLog extends ViewRoute {

	/** At most this many rows in one file; the answer says so in the X-CRM-Bridge-Row-Limit header. */
	public const ROW_LIMIT = 50000;

	/** Rows read from the database at a time. */
	private const PAGE = 1000;

	/** The file's columns: header => key of a row of ListLog::item(). */
	private const COLUMNS = array(
		'id'             => 'id',
		'time_utc'       => 'created_at',
		'direction'      => 'direction',
		'decision'       => 'decision',
		'order_id'       => 'order_id',
		'crm_order_id'   => 'crm_order_id',
		'event_id'       => 'event_id',
		'subscription'   => 'subscription_name',
		'topic'          => 'topic',
		'attempt'        => 'attempt',
		'from_status'    => 'from_status',
		'to_status'      => 'to_status',
		'latency_ms'     => 'latency_ms',
		'error_class'    => 'error_class',
		'message'        => 'message',
		'status_code'    => 'status_code',
	);

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/log\.csv';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * The log screen's filters.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return ListLog::filter_args();
	}

	/**
	 * Answers the headers now and writes the body when WordPress serves the answer (rather than its JSON).
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$filter = ListLog::filter( $request );
		add_filter(
			'rest_pre_serve_request',
			static function ( $served, $result, $served_request ) use ( $request, $filter ) {
				if ( $served_request !== $request ) {
					return $served;
				}
				self::stream( $filter, fopen( 'php://output', 'w' ) );
				return true;
			},
			10,
			3
		);
		$response = new \WP_REST_Response( null, 200 );
		$response->header( 'Content-Type', 'text/csv; charset=utf-8' );
		$response->header( 'Content-Disposition', 'attachment; filename="crm-bridge-sync-log-' . gmdate( 'Ymd-His' ) . '.csv"' );
		$response->header( 'X-CRM-Bridge-Row-Limit', (string) self::ROW_LIMIT );
		$response->header( 'X-Content-Type-Options', 'nosniff' );
		return $response;
	}

	/**
	 * Writes the header line and the rows, a page at a time.
	 *
	 * @param array<string, int|string> $filter Filter of SyncLogReader::page().
	 * @param resource                  $out    Where to write.
	 */
	private static function stream( array $filter, $out ): void {
		fputcsv( $out, array_keys( self::COLUMNS ), ',', '"', '' );
		$before  = null;
		$written = 0;
		do {
			$rows = SyncLogReader::page( $filter, $before, min( self::PAGE, self::ROW_LIMIT - $written ) );
			foreach ( $rows as $row ) {
				$item                = ListLog::item( $row );
				$item['status_code'] = is_array( $item['detail'] ) ? ( $item['detail']['status_code'] ?? null ) : null;
				$cells               = array();
				foreach ( self::COLUMNS as $key ) {
					$cells[] = self::cell( $item[ $key ] );
				}
				fputcsv( $out, $cells, ',', '"', '' );
				$before = (int) $item['id'];
			}
			$written += count( $rows );
		} while ( count( $rows ) === self::PAGE && $written < self::ROW_LIMIT );
		fclose( $out );
	}

	/**
	 * A value as a cell. Text starting with =, +, -, @, a tab or a carriage return is what a
	 * spreadsheet runs as a formula (CSV injection): it gets a leading apostrophe.
	 *
	 * @param mixed $value Value.
	 */
	public static function cell( $value ): string {
		if ( null === $value ) {
			return '';
		}
		$text = is_scalar( $value ) ? (string) $value : (string) wp_json_encode( $value );
		return preg_match( '/^[=+\-@\t\r]/', $text ) ? "'" . $text : $text;
	}
}
