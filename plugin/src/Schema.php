<?php
/**
 * Owns the plugin's tables: creates and migrates them with dbDelta and records the schema version
 * in wp_options, which the sidecar reads before it touches anything. All times are UTC.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Table definitions and migrations.
 */
final class Schema {

	/**
	 * The schema this code writes. The sidecar refuses to run against a version it does not know.
	 * Version 3 added the audit table, 4 the connection tests table, 5 its request (the settings a
	 * test uses) and detail (what the sidecar read) columns.
	 */
	public const VERSION = 5;

	/** Option holding the installed schema version. */
	public const VERSION_OPTION = 'crm_bridge_schema_version';

	/** Table names without the WordPress prefix. */
	public const TABLES = array(
		'inbox'            => 'crm_bridge_inbox',
		'outbox'           => 'crm_bridge_outbox',
		'subscriptions'    => 'crm_bridge_subscriptions',
		'log'              => 'crm_bridge_log',
		'links'            => 'crm_bridge_links',
		'sidecars'         => 'crm_bridge_sidecars',
		'refusals'         => 'crm_bridge_refusals',
		'audit'            => 'crm_bridge_audit',
		'connection_tests' => 'crm_bridge_connection_tests',
	);

	/**
	 * Full name of one of the plugin's tables.
	 *
	 * @param string $key Key of Schema::TABLES.
	 */
	public static function table( string $key ): string {
		global $wpdb;
		return $wpdb->prefix . self::TABLES[ $key ];
	}

	/**
	 * Creates or migrates every table, then records the version. Safe to run again.
	 */
	public static function install(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta( self::definitions( $wpdb->get_charset_collate() ) );
		// Before version 4 a connection test travelled through these two options; its table replaces them.
		delete_option( 'crm_bridge_connection_test' );
		delete_option( 'crm_bridge_connection_test_result' );
		update_option( self::VERSION_OPTION, self::VERSION, true );
	}

	/**
	 * Runs install() after a plugin update raised the schema version. A newer schema (the plugin
	 * was downgraded) is left alone: the sidecar refuses versions it does not know.
	 */
	public static function maybe_upgrade(): void {
		if ( (int) get_option( self::VERSION_OPTION, 0 ) < self::VERSION ) {
			self::install();
		}
	}

	/**
	 * Drops every table and option of the plugin (uninstall with "delete data" chosen).
	 */
	public static function drop(): void {
		global $wpdb;
		foreach ( array_keys( self::TABLES ) as $key ) {
			$wpdb->query( 'DROP TABLE IF EXISTS ' . self::table( $key ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- table names are constants.
		}
		delete_option( self::VERSION_OPTION );
	}

	/**
	 * The CREATE TABLE statements, written for dbDelta (one column a line, two spaces after PRIMARY KEY).
	 *
	 * @param string $collate Charset and collation clause.
	 */
	private static function definitions( string $collate ): string {
		$inbox         = self::table( 'inbox' );
		$outbox        = self::table( 'outbox' );
		$subscriptions = self::table( 'subscriptions' );
		$log           = self::table( 'log' );
		$links         = self::table( 'links' );
		$sidecars      = self::table( 'sidecars' );
		$refusals      = self::table( 'refusals' );
		$audit         = self::table( 'audit' );
		$tests         = self::table( 'connection_tests' );

		return "CREATE TABLE $inbox (
id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
event_id varchar(191) NOT NULL,
event_type varchar(64) NOT NULL,
crm_order_id varchar(191) NOT NULL,
payload longtext NOT NULL,
status varchar(16) NOT NULL DEFAULT 'pending',
attempts int(10) unsigned NOT NULL DEFAULT 0,
run_after datetime(3) NOT NULL,
locked_by varchar(64) NULL,
locked_until datetime(3) NULL,
last_error_class varchar(32) NULL,
last_error text NULL,
received_at datetime(3) NOT NULL,
finished_at datetime(3) NULL,
PRIMARY KEY  (id),
UNIQUE KEY event_id (event_id),
KEY claim (status,run_after,id),
KEY order_sequence (crm_order_id,status,id),
KEY finished (status,finished_at)
) $collate;
CREATE TABLE $outbox (
id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
webhook_id varchar(64) NOT NULL,
subscription_id bigint(20) unsigned NOT NULL,
order_id bigint(20) unsigned NOT NULL,
topic varchar(32) NOT NULL,
order_version varchar(32) NOT NULL,
payload longtext NOT NULL,
status varchar(16) NOT NULL DEFAULT 'pending',
attempts int(10) unsigned NOT NULL DEFAULT 0,
run_after datetime(3) NOT NULL,
locked_by varchar(64) NULL,
locked_until datetime(3) NULL,
last_status_code smallint(5) unsigned NULL,
last_error_class varchar(32) NULL,
last_error text NULL,
created_at datetime(3) NOT NULL,
finished_at datetime(3) NULL,
PRIMARY KEY  (id),
UNIQUE KEY webhook_id (webhook_id),
KEY claim (status,run_after,id),
KEY order_sequence (subscription_id,order_id,status,id),
KEY finished (status,finished_at)
) $collate;
CREATE TABLE $subscriptions (
id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
name varchar(191) NOT NULL,
url varchar(2048) NOT NULL,
topics varchar(255) NOT NULL,
status_filter varchar(255) NOT NULL DEFAULT '',
payload_mode varchar(16) NOT NULL DEFAULT 'full',
secret text NOT NULL,
previous_secret text NULL,
previous_secret_expires_at datetime(3) NULL,
secret_rotated_at datetime(3) NOT NULL,
is_crm tinyint(1) NOT NULL DEFAULT 0,
active tinyint(1) NOT NULL DEFAULT 1,
disabled_reason varchar(255) NULL,
failing_since datetime(3) NULL,
rate_limit_per_second int(10) unsigned NULL,
created_at datetime(3) NOT NULL,
updated_at datetime(3) NOT NULL,
PRIMARY KEY  (id),
KEY active (active)
) $collate;
CREATE TABLE $log (
id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
created_at datetime(3) NOT NULL,
direction varchar(8) NOT NULL,
decision varchar(16) NOT NULL,
order_id bigint(20) unsigned NULL,
crm_order_id varchar(191) NULL,
event_id varchar(191) NULL,
subscription_id bigint(20) unsigned NULL,
attempt int(10) unsigned NOT NULL DEFAULT 0,
from_status varchar(32) NULL,
to_status varchar(32) NULL,
latency_ms int(10) unsigned NULL,
error_class varchar(32) NULL,
message text NULL,
detail longtext NULL,
worker varchar(64) NULL,
PRIMARY KEY  (id),
KEY order_id (order_id,id),
KEY crm_order_id (crm_order_id,id),
KEY event_id (event_id,id),
KEY decision (decision,id),
KEY created_at (created_at)
) $collate;
CREATE TABLE $links (
crm_order_id varchar(191) NOT NULL,
order_id bigint(20) unsigned NOT NULL,
applied_version varchar(64) NULL,
applied_at datetime(3) NULL,
PRIMARY KEY  (crm_order_id),
UNIQUE KEY order_id (order_id)
) $collate;
CREATE TABLE $sidecars (
worker_id varchar(64) NOT NULL,
version varchar(32) NOT NULL,
hostname varchar(191) NOT NULL,
started_at datetime(3) NOT NULL,
heartbeat_at datetime(3) NOT NULL,
info text NULL,
PRIMARY KEY  (worker_id),
KEY heartbeat_at (heartbeat_at)
) $collate;
CREATE TABLE $refusals (
refusal_class varchar(32) NOT NULL,
refused_count bigint(20) unsigned NOT NULL DEFAULT 0,
last_refused_at datetime(3) NULL,
PRIMARY KEY  (refusal_class)
) $collate;
CREATE TABLE $audit (
id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
created_at datetime(3) NOT NULL,
user_id bigint(20) unsigned NOT NULL DEFAULT 0,
user_login varchar(60) NOT NULL DEFAULT '',
action varchar(64) NOT NULL,
target varchar(191) NULL,
details longtext NULL,
PRIMARY KEY  (id),
KEY created_at (created_at)
) $collate;
CREATE TABLE $tests (
id varchar(36) NOT NULL,
requested_at datetime(3) NOT NULL,
taken_by varchar(64) NULL,
taken_at datetime(3) NULL,
answered_at datetime(3) NULL,
ok tinyint(1) NULL,
message text NULL,
latency_ms int(10) unsigned NULL,
request text NULL,
detail longtext NULL,
PRIMARY KEY  (id),
KEY requested_at (requested_at)
) $collate;";
	}
}
