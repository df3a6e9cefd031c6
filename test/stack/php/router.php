<?php
/**
 * Router for PHP's built-in web server: serves existing files and directories as they are and sends
 * every other path to WordPress's index.php, as the rewrite rules of Apache or nginx would.
 *
 * @package CrmBridgeStack
 */

$crm_bridge_path = (string) parse_url( $_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH );
$crm_bridge_file = $_SERVER['DOCUMENT_ROOT'] . $crm_bridge_path;

if ( '/' !== $crm_bridge_path && ( is_file( $crm_bridge_file ) || is_dir( $crm_bridge_file ) ) ) {
	return false;
}

$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
