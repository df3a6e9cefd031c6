<?php
/**
 * CRM Bridge for WooCommerce db-error drop-in: what the site answers while its database is down.
 *
 * WordPress loads wp-content/db-error.php when it cannot reach the database. Without it the answer is
 * a 500, which webhook senders and search engines take as a broken site. This one answers 503 with
 * Retry-After, so a CRM sends its event again later (the receiver never answers 2xx without storing
 * the event), and shows visitors a short page. Installed on activation only when the site has no
 * db-error.php of its own; removed on deactivation.
 *
 * @package CrmBridge
 */

// phpcs:disable WordPress.Security.EscapeOutput -- constant strings only.

if ( ! headers_sent() ) {
	http_response_code( 503 );
	header( 'Retry-After: 30' );
	header( 'Cache-Control: no-store' );
}
$crm_bridge_uri = isset( $_SERVER['REQUEST_URI'] ) ? (string) $_SERVER['REQUEST_URI'] : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput
if ( false !== strpos( $crm_bridge_uri, '/wp-json/' ) || false !== strpos( $crm_bridge_uri, 'rest_route=' ) ) {
	if ( ! headers_sent() ) {
		header( 'Content-Type: application/json; charset=utf-8' );
	}
	echo '{"code":"database_unavailable","message":"The shop\'s database is unavailable; nothing was stored. Send the request again later."}';
	return;
}
if ( ! headers_sent() ) {
	header( 'Content-Type: text/html; charset=utf-8' );
}
echo '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Back soon</title></head><body><h1>Back soon</h1><p>The site is briefly unavailable. Please try again in a minute.</p></body></html>';
