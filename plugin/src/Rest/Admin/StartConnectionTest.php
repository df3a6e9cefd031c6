<?php
/**
 * POST crm-bridge/v1/admin/settings/test-connection: asks the sidecar to fetch one real CRM order with
 * the connection settings on the screen, saved or not ({"settings": {"crm": …, "mapping": …},
 * "crm_token": "…" or blank for the saved one, "crm_order_id": "…" or blank for the CRM id of the
 * newest linked order}). They pass the rules a save passes. The request is a row in the connection tests table,
 * which a sidecar replica polls, takes and answers in place; ReadConnectionTest reads the answer.
 *
 * @package CrmBridge\Rest\Admin
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\ConnectionTests;
use CrmBridge\Links;
use CrmBridge\Secrets;
use CrmBridge\Settings;
use CrmBridge\Settings\Rules;
use CrmBridge\Settings\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Starts a connection test.
 */
final class StartConnectionTest extends ConfigureRoute {

	/** The settings sections a connection test reads: the CRM's API and the status mapping. */
	private const SECTIONS = array( 'crm', 'mapping' );

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/settings/test-connection';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * Validates the settings to test, records the request and answers its id (202: the sidecar
	 * answers it within a few seconds), the CRM order it fetches and whose token it sends.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$params   = $request->get_json_params();
		$params   = is_array( $params ) ? $params : array();
		$settings = is_array( $params['settings'] ?? null ) ? $params['settings'] : array();
		$patch    = array_intersect_key( $settings, array_flip( self::SECTIONS ) );
		$merged   = Settings::merged( $patch );
		$errors   = Schema::errors( $merged ) + Rules::errors( $patch, $merged );
		$order_id = trim( is_string( $params['crm_order_id'] ?? null ) ? $params['crm_order_id'] : '' );
		$order_id = '' === $order_id ? self::latest_linked_crm_order() : $order_id;
		if ( '' === $order_id ) {
			$errors['crm_order_id'] = __( 'No order is linked to the CRM yet: type the id of an order in your CRM to fetch it.', 'crm-bridge' );
		} elseif ( ! Links::is_valid_crm_order_id( $order_id ) ) {
			$errors['crm_order_id'] = __( 'Enter a CRM order id of at most 191 characters, without control characters, angle brackets or quotes.', 'crm-bridge' );
		}
		$token = trim( is_string( $params['crm_token'] ?? null ) ? $params['crm_token'] : '' );
		if ( '' !== $token && null !== Secrets::storage_problem() ) {
			$errors['crm_token'] = (string) Secrets::storage_problem();
		}
		if ( $errors ) {
			return UpdateSettings::invalid( $errors );
		}
		$id     = ConnectionTests::new_id();
		$source = '' !== $token ? 'typed' : self::saved_token_source( $merged );
		$stored = ConnectionTests::request(
			$id,
			array(
				'crm'          => $merged['crm'],
				'mapping'      => (object) $merged['mapping'],
				'crm_order_id' => $order_id,
				'token_source' => $source,
				// Encrypted and bound to this request; the sidecar clears it when it answers.
				'token'        => 'typed' === $source ? Secrets::encrypt( $token, ConnectionTests::token_name( $id ) ) : null,
			)
		);
		if ( ! $stored ) {
			return new \WP_Error( 'crm_bridge_db_error', __( 'The connection test could not be requested: the database refused the write.', 'crm-bridge' ), array( 'status' => 500 ) );
		}
		return new \WP_REST_Response(
			array(
				'id'           => $id,
				'crm_order_id' => $order_id,
				'token_source' => $source,
			),
			202
		);
	}

	/**
	 * Whether the saved token goes with the test: 'saved', or 'none' when there is none or the
	 * address on the screen is another host than the saved one, or none is saved (a token is never
	 * sent to a host it was not entered for, as a save clears it then).
	 *
	 * @param array<string, mixed> $merged The settings tested.
	 */
	private static function saved_token_source( array $merged ): string {
		$saved = UpdateSettings::origin( (string) ( Settings::document()['crm']['base_url'] ?? '' ) );
		$same  = '' !== $saved && UpdateSettings::origin( (string) ( $merged['crm']['base_url'] ?? '' ) ) === $saved;
		return $same && Secrets::describe( Secrets::CRM_TOKEN )['set'] ? 'saved' : 'none';
	}

	/** How many of the newest orders are looked at for one linked to the CRM. */
	private const RECENT_ORDERS = 20;

	/**
	 * The CRM id of the newest order linked to the CRM among the latest few, or '' when none is.
	 */
	private static function latest_linked_crm_order(): string {
		$ids = wc_get_orders(
			array(
				'limit'   => self::RECENT_ORDERS,
				'orderby' => 'ID',
				'order'   => 'DESC',
				'return'  => 'ids',
			)
		);
		foreach ( is_array( $ids ) ? $ids : array() as $id ) {
			$crm_order_id = Links::crm_order_for( (int) $id );
			if ( '' !== $crm_order_id ) {
				return $crm_order_id;
			}
		}
		return '';
	}
}
