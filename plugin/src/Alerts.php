<?php
/**
 * Alerts to a chat webhook (Slack-compatible JSON {"text": …}) besides the e-mail: sent from PHP,
 * where each alert is raised (Notices), to the write-only URL kept as a secret, through
 * wp_safe_remote_post once UrlGuard accepted the address: no redirect followed, a bounded answer.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Alert webhook.
 */
final class Alerts {

	/** Seconds an alert may take: it is sent while the sidecar waits for the notify answer. */
	private const TIMEOUT = 5;

	/** Bytes of the answer read at most: only its status matters. */
	private const MAX_ANSWER_BYTES = 4096;

	/**
	 * Why a URL cannot receive alerts, or null: the rules of the CRM's address (public and https
	 * outside a local environment, unless wp-config.php allows private addresses).
	 *
	 * @param string $url URL.
	 */
	public static function url_problem( string $url ): ?string {
		return UrlGuard::problem( $url, 'local' !== wp_get_environment_type() );
	}

	/**
	 * Posts an alert to the webhook, when one is set.
	 *
	 * @param string $text The alert, as plain text.
	 * @return array{sent: bool, status: int|null, error: string|null} Not sent with no error: no webhook is set.
	 */
	public static function send( string $text ): array {
		$url = Secrets::get( Secrets::ALERT_WEBHOOK );
		if ( null === $url ) {
			return array( 'sent' => false, 'status' => null, 'error' => null );
		}
		$problem = self::url_problem( $url );
		if ( null !== $problem ) {
			return array( 'sent' => false, 'status' => null, 'error' => $problem );
		}
		$args = array(
			'headers'             => array( 'Content-Type' => 'application/json' ),
			'body'                => (string) wp_json_encode( array( 'text' => $text ) ),
			'timeout'             => self::TIMEOUT,
			'redirection'         => 0,
			'limit_response_size' => self::MAX_ANSWER_BYTES,
		);
		// wp_safe_remote_post refuses private addresses and ports other than 80, 443 and 8080; where
		// wp-config.php allows private addresses (UrlGuard), the plain client reaches them.
		$response = UrlGuard::private_allowed() ? wp_remote_post( $url, $args ) : wp_safe_remote_post( $url, $args );
		if ( is_wp_error( $response ) ) {
			return array( 'sent' => false, 'status' => null, 'error' => $response->get_error_message() );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		return array(
			'sent'   => $status >= 200 && $status < 300,
			'status' => $status,
			/* translators: %d: HTTP status */
			'error'  => $status >= 200 && $status < 300 ? null : sprintf( __( 'The alert webhook answered HTTP %d.', 'crm-bridge' ), $status ),
		);
	}
}
