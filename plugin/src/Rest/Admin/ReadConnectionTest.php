<?php
/**
 * GET crm-bridge/v1/admin/settings/test-connection/<id>: the sidecar's answer to a connection test,
 * once it wrote it into the request's row (see StartConnectionTest).
 *
 * @package CrmBridge\Rest\Admin
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\ConnectionTests;

defined( 'ABSPATH' ) || exit;

/**
 * Reads a connection test's outcome.
 */
final class ReadConnectionTest extends ConfigureRoute {

	/**
	 * Path: the id StartConnectionTest answered.
	 */
	public function path(): string {
		return '/admin/settings/test-connection/(?P<id>[a-f0-9-]{36})';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * `{done: false}` until the sidecar answered, then `{done: true, id, ok, message, latency_ms, at,
	 * detail}`: detail is what the sidecar read (the failing step, the URL, the HTTP status, the
	 * order's status and version and the WooCommerce status it maps to), or null.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$row = ConnectionTests::answer( (string) $request['id'] );
		if ( null === $row ) {
			return new \WP_REST_Response( array( 'done' => false ) );
		}
		return new \WP_REST_Response(
			array(
				'done'       => true,
				'id'         => (string) $row['id'],
				'ok'         => '1' === (string) $row['ok'],
				// The sidecar wrote it, quoting what the CRM said: plain text only.
				'message'    => sanitize_text_field( (string) $row['message'] ),
				'latency_ms' => null === $row['latency_ms'] ? null : (int) $row['latency_ms'],
				'at'         => gmdate( 'c', (int) strtotime( $row['answered_at'] . ' UTC' ) ),
				'detail'     => self::detail( $row['detail'] ),
			)
		);
	}

	/**
	 * The stored detail as an object of plain scalars (the sidecar wrote it, quoting what the CRM
	 * said), or null.
	 *
	 * @param string|null $json Stored detail.
	 * @return array<string, bool|int|float|string|null>|null
	 */
	private static function detail( ?string $json ): ?array {
		$detail = json_decode( (string) $json, true );
		if ( ! is_array( $detail ) ) {
			return null;
		}
		$detail = array_filter( $detail, static fn( $value ): bool => null === $value || is_scalar( $value ) );
		// Tags are stripped, but not percent-encoding or angle brackets in text, which sanitize_text_field()
		// would remove from an encoded order id or a value the CRM sent; the screen escapes what it shows.
		return array_map( static fn( $value ) => is_string( $value ) ? wp_strip_all_tags( $value ) : $value, $detail );
	}
}
