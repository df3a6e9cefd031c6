<?php
/**
 * Loads the benchmark site's WordPress for a CLI script, included at the script's top level (WordPress
 * is loaded in the global scope): $argv[1] is the site's directory, $argv[2] its URL. Not product code.
 *
 * @package CrmBridgeBench
 */

declare( strict_types=1 );

$_SERVER['HTTP_HOST']   = (string) parse_url( $argv[2], PHP_URL_HOST ) . ':' . (string) parse_url( $argv[2], PHP_URL_PORT );
$_SERVER['REQUEST_URI'] = '/';
require $argv[1] . '/wp-load.php';
