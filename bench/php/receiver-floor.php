<?php
/**
 * Plugin Name: CRM Bridge benchmark floor
 * Description: The least a webhook receiver can do inside WordPress, for the receiver benchmark only:
 * answered from a must-use plugin, before the regular plugins load, with the same Standard Webhooks
 * check (HMAC-SHA256, constant-time, timestamp tolerance) and one prepared insert. The benchmark copies
 * it into its own site's wp-content/mu-plugins; the product never installs it.
 *
 * @package CrmBridgeBench
 */

declare( strict_types=1 );

defined( 'ABSPATH' ) || exit;

( static function (): void {
	$path = (string) parse_url( (string) ( $_SERVER['REQUEST_URI'] ?? '' ), PHP_URL_PATH ); // phpcs:ignore WordPress.WP.AlternativeFunctions.parse_url_parse_url
	if ( '/crm-bridge-floor' !== $path || 'POST' !== ( $_SERVER['REQUEST_METHOD'] ?? '' ) ) {
		return;
	}
	$answer = static function ( int $status ): void {
		status_header( $status );
		header( 'Content-Type: application/json; charset=utf-8' );
		echo 202 === $status ? '{"accepted":true}' : '{"accepted":false}';
		exit;
	};
	$limit = 1048576;
	$in    = fopen( 'php://input', 'rb' );
	$body  = false === $in ? '' : (string) stream_get_contents( $in, $limit + 1 );
	if ( strlen( $body ) > $limit ) {
		$answer( 413 );
	}
	$id        = (string) ( $_SERVER['HTTP_WEBHOOK_ID'] ?? '' );
	$timestamp = (string) ( $_SERVER['HTTP_WEBHOOK_TIMESTAMP'] ?? '' );
	$signature = (string) ( $_SERVER['HTTP_WEBHOOK_SIGNATURE'] ?? '' );
	// The bench stores the signing secret in plain, autoloaded: the floor decrypts nothing.
	$secret = (string) get_option( 'crm_bridge_floor_secret', '' );
	if ( '' === $id || '' === $signature || '' === $secret || ! preg_match( '/^\d{1,12}$/', $timestamp ) || abs( time() - (int) $timestamp ) > 300 ) {
		$answer( 401 );
	}
	$key      = 0 === strpos( $secret, 'whsec_' ) ? (string) base64_decode( substr( $secret, 6 ), true ) : $secret; // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode
	$expected = 'v1,' . base64_encode( hash_hmac( 'sha256', $id . '.' . $timestamp . '.' . $body, $key, true ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
	$valid    = false;
	foreach ( preg_split( '/\s+/', trim( $signature ) ) as $candidate ) {
		$valid = hash_equals( $expected, $candidate ) || $valid;
	}
	if ( ! $valid ) {
		$answer( 401 );
	}
	global $wpdb;
	$table = $wpdb->prefix . 'crm_bridge_floor';
	// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- the table name is the bench's own.
	$stored = $wpdb->query( $wpdb->prepare( "INSERT INTO $table (event_id, body, received_at) VALUES (%s, %s, UTC_TIMESTAMP(3))", $id, $body ) );
	$answer( false === $stored ? 503 : 202 );
} )();
