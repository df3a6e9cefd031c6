<?php
/**
 * GET crm-bridge/v1/admin/log/<id>: one log entry with every row of its event (its attempts) and the
 * stored event body, with secrets and personal data masked.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Queue\Store;
use CrmBridge\Settings;
use CrmBridge\SyncLogReader;

defined( 'ABSPATH' ) || exit;

/**
 * One log entry in detail.
 */
final class ReadLogEntry extends ViewRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/log/(?P<id>\d+)';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * The entry's id.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'id' => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
		);
	}

	/**
	 * The entry, its attempts and its payload.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$entry = SyncLogReader::entry( (int) $request['id'] );
		if ( ! $entry ) {
			return new \WP_Error( 'crm_bridge_not_found', __( 'No such log entry.', 'crm-bridge' ), array( 'status' => 404 ) );
		}
		$attempts = array();
		$payload  = null;
		if ( $entry['event_id'] ) {
			$attempts = SyncLogReader::attempts( (string) $entry['event_id'] );
			$raw      = Store::payload( 'in' === $entry['direction'] ? Store::INBOX : Store::OUTBOX, (string) $entry['event_id'] );
			$decoded  = null === $raw ? null : json_decode( $raw, true );
			$payload  = is_array( $decoded ) ? self::mask( $decoded ) : null;
		}
		$entry['detail'] = null === $entry['detail'] ? null : json_decode( (string) $entry['detail'], true );
		return new \WP_REST_Response(
			array(
				'entry'    => $entry,
				'attempts' => $attempts,
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
	private static function mask( array $data ): array {
		$fields = array_map( 'strtolower', (array) Settings::get( 'log.mask_fields' ) );
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
}
