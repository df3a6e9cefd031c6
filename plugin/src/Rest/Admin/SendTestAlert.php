<?php
/**
 * POST crm-bridge/v1/admin/alerts/test: sends a test alert to the alert webhook now, and answers
 * whether it arrived (the webhook's HTTP status, or why it was not sent). The URL is never answered.
 *
 * @package CrmBridge\Rest\Admin
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\Alerts;
use CrmBridge\Secrets;

defined( 'ABSPATH' ) || exit;

/**
 * Test alert.
 */
final class SendTestAlert extends ConfigureRoute {

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/alerts/test';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::CREATABLE;
	}

	/**
	 * Sends it: `{sent, status, error}`, or 400 when no webhook is set.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		if ( ! Secrets::describe( Secrets::ALERT_WEBHOOK )['set'] ) {
			return new \WP_Error( 'crm_bridge_no_alert_webhook', __( 'Set the alert webhook URL first.', 'crm-bridge' ), array( 'status' => 400 ) );
		}
		/* translators: %s: site name */
		$result = Alerts::send( sprintf( __( '[CRM Bridge] Test alert from %s: alerts reach this channel.', 'crm-bridge' ), wp_specialchars_decode( (string) get_bloginfo( 'name' ), ENT_QUOTES ) ) );
		return new \WP_REST_Response( $result );
	}
}
