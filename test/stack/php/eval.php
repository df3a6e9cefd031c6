<?php
/**
 * Runs PHP code read from standard input inside a loaded WordPress (like `wp eval`), for tests.
 * Usage: php eval.php <wordpress dir> <site url> < code.php
 *
 * @package CrmBridgeStack
 */

[ , $crm_bridge_dir, $crm_bridge_url ] = $argv;
$_SERVER['HTTP_HOST']   = (string) parse_url( $crm_bridge_url, PHP_URL_HOST ) . ':' . (string) parse_url( $crm_bridge_url, PHP_URL_PORT );
$_SERVER['SERVER_NAME'] = (string) parse_url( $crm_bridge_url, PHP_URL_HOST );
$_SERVER['REQUEST_URI'] = '/';
require $crm_bridge_dir . '/wp-load.php';
eval( '?>' . stream_get_contents( STDIN ) ); // phpcs:ignore Squiz.PHP.Eval -- test helper by design.
