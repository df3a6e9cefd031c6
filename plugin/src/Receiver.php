<?php
/**
 * POST /wp-json/crm-bridge/v1/crm/events: checks size, content type, signature and timestamp, then the
 * minimal schema, records the event once per event id and answers at once. No CRM call and no order
 * write happen here. The plugin's main file serves this route before the other plugins (WooCommerce
 * among them) load; the registered REST route is the fallback for any other way in.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * The incoming webhook receiver.
 */
final class Receiver {

	public const NAMESPACE = 'crm-bridge/v1';
	public const ROUTE     = '/crm/events';

	/**
	 * Serves the request now and exits when it is for the receiver; returns otherwise.
	 * Runs while plugins load, so only WordPress core and $wpdb are used. Any other form of the
	 * receiver's address (another case, a trailing slash, another method or a method override) is
	 * refused here, before its body is read, so WordPress never reads or parses it.
	 */
	public static function maybe_handle_early(): void {
		if ( ! self::targets_receiver() ) {
			return;
		}
		$forbidden = self::refuse_address();
		if ( null !== $forbidden ) {
			self::respond( $forbidden, 'early' );
		}
		if ( ! self::is_exact_request() ) {
			self::respond( self::refuse_inexact(), 'early' );
		}
		$length = isset( $_SERVER['CONTENT_LENGTH'] ) ? (int) $_SERVER['CONTENT_LENGTH'] : null;
		$read   = static function ( int $limit ): string {
			$in = fopen( 'php://input', 'rb' );
			// Read one byte past the limit, never the rest of an oversized body.
			$body = false === $in ? '' : (string) stream_get_contents( $in, $limit + 1 );
			if ( false !== $in ) {
				fclose( $in );
			}
			return $body;
		};
		self::respond( self::handle( $read, array( self::class, 'server_header' ), $length ), 'early' );
	}

	/**
	 * Refuses, on `parse_request` and before the REST server reads the body, any request routed to the
	 * receiver that the early path did not serve: a form of the address it does not accept (the route
	 * given in a form field, an encoded or doubled slash, …).
	 *
	 * @param \WP $wp The request being parsed.
	 */
	public static function guard_rest_route( $wp ): void {
		$route = is_object( $wp ) && isset( $wp->query_vars['rest_route'] ) && is_string( $wp->query_vars['rest_route'] ) ? $wp->query_vars['rest_route'] : '';
		if ( '' === $route || self::loose( $route ) !== self::loose( '/' . self::NAMESPACE . self::ROUTE ) ) {
			return;
		}
		$forbidden = self::refuse_address();
		self::respond( $forbidden ?? self::refuse_inexact(), 'guard' );
	}

	/**
	 * Sends a decision as the JSON answer and ends the request.
	 *
	 * @param array{0: int, 1: array<string, mixed>} $decision Status and body.
	 * @param string                                 $via      Which path answered.
	 * @return never
	 */
	private static function respond( array $decision, string $via ): void {
		status_header( $decision[0] );
		header( 'Content-Type: application/json; charset=utf-8' );
		header( 'X-CRM-Bridge-Receiver: ' . $via );
		header( 'Cache-Control: no-store' );
		echo wp_json_encode( $decision[1] );
		exit;
	}

	/**
	 * Registers the fallback REST route.
	 */
	public static function register_route(): void {
		register_rest_route(
			self::NAMESPACE,
			self::ROUTE,
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'rest_callback' ),
				// Public by design: the signature is the authentication, checked in the callback.
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * The REST fallback.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function rest_callback( \WP_REST_Request $request ): \WP_REST_Response {
		$forbidden = self::refuse_address();
		if ( null !== $forbidden ) {
			$rest = new \WP_REST_Response( $forbidden[1], $forbidden[0] );
			$rest->header( 'X-CRM-Bridge-Receiver', 'rest' );
			return $rest;
		}
		$length                = null !== $request->get_header( 'content_length' ) ? (int) $request->get_header( 'content_length' ) : null;
		[ $status, $response ] = self::handle(
			static fn( int $limit ) => $request->get_body(),
			static fn( string $name ) => (string) $request->get_header( $name ),
			$length
		);
		$rest = new \WP_REST_Response( $response, $status );
		$rest->header( 'X-CRM-Bridge-Receiver', 'rest' );
		return $rest;
	}

	/**
	 * The whole decision, independent of how the request arrived.
	 *
	 * @param callable $read_body      Given the size limit, returns the body (at most the limit + 1 bytes).
	 * @param callable $header         Header name → value ('' when absent).
	 * @param int|null $content_length Declared length, when sent.
	 * @return array{0: int, 1: array<string, mixed>}
	 */
	public static function handle( callable $read_body, callable $header, ?int $content_length ): array {
		$settings = Settings::all();
		$in       = $settings['incoming'];
		$limit    = (int) $in['max_body_bytes'];

		if ( null !== $content_length && $content_length > $limit ) {
			return self::refuse( 413, 'size', 'body_too_large', sprintf( 'The body is larger than %d bytes.', $limit ) );
		}
		$content_type = strtolower( trim( explode( ';', (string) $header( 'content-type' ) )[0] ) );
		if ( 'application/json' !== $content_type && ! preg_match( '#^application/[a-z0-9.+-]+\+json$#', $content_type ) ) {
			return self::refuse( 415, 'content_type', 'unsupported_media_type', 'Send the event as application/json.' );
		}
		$hmac = 'hmac' === $in['signature_mode'];
		// In HMAC mode only the body is signed, so the unsigned webhook-id header cannot name the event.
		if ( $hmac && '' === trim( (string) $in['event_id_path'] ) ) {
			return self::refuse( 400, 'config', 'event_id_path_required', 'In HMAC signature mode the event id must come from the signed body: set incoming.event_id_path (the event id path on the settings page).' );
		}
		$body = (string) $read_body( $limit );
		if ( strlen( $body ) > $limit ) {
			return self::refuse( 413, 'size', 'body_too_large', sprintf( 'The body is larger than %d bytes.', $limit ) );
		}

		$secrets = Secrets::valid_values( Secrets::INCOMING );
		if ( $hmac ) {
			$refusal = Signature::verify_hmac( $body, (string) $header( (string) $in['hmac_header'] ), $secrets, (string) $in['hmac_encoding'] );
		} else {
			$refusal = Signature::verify_standard( $body, (string) $header( 'webhook-id' ), (string) $header( 'webhook-timestamp' ), (string) $header( 'webhook-signature' ), $secrets, (int) $in['tolerance_seconds'], time() );
		}
		if ( null !== $refusal ) {
			$messages = array(
				'missing_signature' => 'The request is not signed.',
				'timestamp'         => 'The webhook-timestamp is missing, malformed or outside the allowed window.',
				'signature'         => 'The signature does not match.',
			);
			return self::refuse( 401, 'timestamp' === $refusal ? 'timestamp' : 'signature', 'timestamp' === $refusal ? 'invalid_timestamp' : 'invalid_signature', $messages[ $refusal ] );
		}

		$event = json_decode( $body, true, 64 );
		if ( ! is_array( $event ) || ( array() !== $event && array_keys( $event ) === range( 0, count( $event ) - 1 ) ) ) {
			return self::refuse( 400, 'schema', 'invalid_json', null === $event ? 'The body is not valid JSON: ' . json_last_error_msg() . '.' : 'The body must be a JSON object.' );
		}
		[ $fields, $errors ] = self::validate( $event, $in, $hmac ? '' : (string) $header( 'webhook-id' ) );
		if ( $errors ) {
			$response           = self::refuse( 400, 'schema', 'invalid_event', 'The event does not match the expected schema.' );
			$response[1]['errors'] = $errors;
			return $response;
		}

		// The event and its log row are committed together: one disk flush per request, not two.
		global $wpdb;
		$wpdb->query( 'START TRANSACTION' );
		$inserted = Queue\Store::insert_event( $fields['event_id'], $fields['type'], $fields['crm_order_id'], $body );
		if ( null === $inserted ) {
			$wpdb->query( 'ROLLBACK' );
			return self::refuse( 503, 'unavailable', 'unavailable', 'The event could not be stored; send it again.' );
		}
		$logged = SyncLog::record(
			array(
				'direction'    => 'in',
				'decision'     => $inserted ? 'accepted' : 'duplicate',
				'crm_order_id' => $fields['crm_order_id'],
				'event_id'     => $fields['event_id'],
				'to_status'    => $fields['status'],
			)
		);
		if ( ! $logged ) {
			$wpdb->query( 'ROLLBACK' );
			return self::refuse( 503, 'unavailable', 'unavailable', 'The event could not be stored; send it again.' );
		}
		if ( false === $wpdb->query( 'COMMIT' ) ) {
			return self::refuse( 503, 'unavailable', 'unavailable', 'The event could not be stored; send it again.' );
		}
		return array(
			$inserted ? 202 : 200,
			array(
				'accepted'  => true,
				'event_id'  => $fields['event_id'],
				'duplicate' => ! $inserted,
			),
		);
	}

	/**
	 * Reads the fields through the configured JSON paths; field-level errors for what is wrong.
	 *
	 * @param array<string, mixed> $event     Decoded body.
	 * @param array<string, mixed> $in        Incoming settings.
	 * @param string               $header_id webhook-id header.
	 * @return array{0: array<string, string>, 1: array<string, string>}
	 */
	private static function validate( array $event, array $in, string $header_id ): array {
		$paths  = $in['paths'];
		$errors = array();

		$event_id = '' !== (string) $in['event_id_path'] ? JsonPath::get( $event, (string) $in['event_id_path'] ) : $header_id;
		if ( ( ! is_string( $event_id ) && ! is_int( $event_id ) ) || '' === (string) $event_id || strlen( (string) $event_id ) > 191 ) {
			$errors[ '' !== (string) $in['event_id_path'] ? (string) $in['event_id_path'] : 'webhook-id' ] = 'must be a non-empty string of at most 191 characters';
		}
		$type = JsonPath::get( $event, (string) $paths['type'] );
		if ( ! is_string( $type ) || '' === $type || strlen( $type ) > 64 ) {
			$errors[ (string) $paths['type'] ] = 'must be a non-empty string of at most 64 characters';
		}
		$crm_order_id = JsonPath::get( $event, (string) $paths['crm_order_id'] );
		if ( ( ! is_string( $crm_order_id ) && ! is_int( $crm_order_id ) ) || ! Links::is_valid_crm_order_id( (string) $crm_order_id ) ) {
			$errors[ (string) $paths['crm_order_id'] ] = 'must be a string or integer of 1 to 191 printable characters, without < > " \'';
		}
		$status = JsonPath::get( $event, (string) $paths['status'] );
		if ( null !== $status && ( ! is_string( $status ) || strlen( $status ) > 64 ) ) {
			$errors[ (string) $paths['status'] ] = 'must be a string of at most 64 characters';
		}
		$version = JsonPath::get( $event, (string) $paths['version'] );
		if ( null !== $version && ( ! is_int( $version ) || $version < 0 ) ) {
			$errors[ (string) $paths['version'] ] = 'must be a non-negative integer';
		}
		$updated_at = JsonPath::get( $event, (string) $paths['updated_at'] );
		if ( null !== $updated_at && ( ! is_string( $updated_at ) || false === strtotime( $updated_at ) ) ) {
			$errors[ (string) $paths['updated_at'] ] = 'must be a date-time string';
		}
		return array(
			array(
				'event_id'     => (string) $event_id,
				'type'         => (string) $type,
				'crm_order_id' => (string) $crm_order_id,
				'status'       => is_string( $status ) ? $status : '',
			),
			$errors,
		);
	}

	/**
	 * Counts the refusal and shapes the error answer.
	 *
	 * @param int    $status        HTTP status.
	 * @param string $refusal_class Counter class.
	 * @param string $code          Error code.
	 * @param string $message       Message.
	 * @return array{0: int, 1: array<string, mixed>}
	 */
	private static function refuse( int $status, string $refusal_class, string $code, string $message ): array {
		Refusals::record( $refusal_class, $code . ': ' . $message );
		return array(
			$status,
			array(
				'code'    => $code,
				'message' => $message,
			),
		);
	}

	/**
	 * Whether the request is aimed at the receiver in any form: any method, any case, extra or
	 * trailing slashes, percent-encoding, the pretty path or ?rest_route=.
	 */
	private static function targets_receiver(): bool {
		$route = self::loose( '/' . self::NAMESPACE . self::ROUTE );
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a public, signed webhook.
		if ( isset( $_GET['rest_route'] ) && is_string( $_GET['rest_route'] ) && self::loose( $_GET['rest_route'] ) === $route ) {
			return true;
		}
		$path = self::loose( (string) wp_parse_url( (string) ( $_SERVER['REQUEST_URI'] ?? '' ), PHP_URL_PATH ) ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput
		return substr( $path, -strlen( $route ) ) === $route;
	}

	/**
	 * The one form the receiver serves: POST, no method override, and exactly the REST path, or
	 * exactly ?rest_route=/crm-bridge/v1/crm/events on a site without pretty permalinks.
	 */
	private static function is_exact_request(): bool {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended,WordPress.Security.ValidatedSanitizedInput -- compared, never used.
		if ( 'POST' !== ( $_SERVER['REQUEST_METHOD'] ?? '' ) || isset( $_GET['_method'] ) || isset( $_SERVER['HTTP_X_HTTP_METHOD_OVERRIDE'] ) ) {
			return false;
		}
		$route  = '/' . self::NAMESPACE . self::ROUTE;
		$path   = (string) wp_parse_url( (string) ( $_SERVER['REQUEST_URI'] ?? '' ), PHP_URL_PATH );
		$prefix = (string) wp_parse_url( home_url( '/' . rest_get_url_prefix() ), PHP_URL_PATH );
		if ( isset( $_GET['rest_route'] ) ) {
			return $route === $_GET['rest_route'] && 0 !== strpos( $path, untrailingslashit( $prefix ) . '/' );
		}
		// phpcs:enable
		return untrailingslashit( $prefix ) . $route === $path;
	}

	/**
	 * A route or path reduced to the form WordPress would route it by: decoded, lower case, without
	 * whitespace or control characters, single slashes, dot segments resolved, no trailing slash.
	 * It errs on the side of more forms: a form it wrongly counts as the receiver is refused, which
	 * costs nothing, while one it misses reaches the REST server's body parser.
	 *
	 * @param string $route Route or path.
	 */
	private static function loose( string $route ): string {
		$route = strtolower( rawurldecode( rawurldecode( $route ) ) );
		// The REST router matches with `$`, which also matches before a final newline; no route
		// holds whitespace or control characters anywhere, so all of them go.
		$route    = (string) preg_replace( '#[\x00-\x20\x7f]+#', '', $route );
		$segments = array();
		foreach ( explode( '/', str_replace( '\\', '/', $route ) ) as $segment ) {
			if ( '..' === $segment ) {
				array_pop( $segments );
			} elseif ( '' !== $segment && '.' !== $segment ) {
				$segments[] = $segment;
			}
		}
		return '/' . implode( '/', $segments );
	}

	/**
	 * The answer to a form of the receiver's address that it does not serve.
	 *
	 * @return array{0: int, 1: array<string, mixed>}
	 */
	private static function refuse_inexact(): array {
		$method = 'POST' !== ( $_SERVER['REQUEST_METHOD'] ?? '' ) || isset( $_GET['_method'] ) || isset( $_SERVER['HTTP_X_HTTP_METHOD_OVERRIDE'] ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended
		return $method
			? self::refuse( 405, 'route', 'method_not_allowed', 'The receiver accepts only POST, without a method override.' )
			: self::refuse( 404, 'route', 'not_the_receiver_url', 'Send events to exactly /wp-json/' . self::NAMESPACE . self::ROUTE . ' (this case, no trailing slash).' );
	}

	/**
	 * A 403 answer when the receiver's allow-list (incoming.allowed_ips) does not hold the client.
	 *
	 * @return array{0: int, 1: array<string, mixed>}|null Null when the client may go on.
	 */
	private static function refuse_address(): ?array {
		$in      = (array) Settings::get( 'incoming' );
		$allowed = ClientAddress::entries( $in['allowed_ips'] ?? null );
		if ( ! $allowed ) {
			return null;
		}
		$header    = trim( (string) ( $in['client_ip_header'] ?? '' ) );
		$forwarded = '' !== $header ? self::server_header( $header ) : '';
		$client    = ClientAddress::client( self::server_header( 'remote-addr' ), $forwarded, ClientAddress::entries( $in['trusted_proxies'] ?? null ) );
		if ( ClientAddress::allowed( $client, $allowed ) ) {
			return null;
		}
		return self::refuse( 403, 'address', 'address_not_allowed', 'This address may not send events to the receiver.' );
	}

	/**
	 * A request header from $_SERVER.
	 *
	 * @param string $name Header name.
	 */
	public static function server_header( string $name ): string {
		$key = strtoupper( str_replace( '-', '_', $name ) );
		if ( 'CONTENT_TYPE' === $key || 'CONTENT_LENGTH' === $key || 'REMOTE_ADDR' === $key ) {
			return isset( $_SERVER[ $key ] ) ? (string) $_SERVER[ $key ] : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput
		}
		return isset( $_SERVER[ 'HTTP_' . $key ] ) ? (string) $_SERVER[ 'HTTP_' . $key ] : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput
	}
}
