<?php
/**
 * GET crm-bridge/v1/admin/health: the schema version, the sidecars' heartbeats, the queues, the
 * recent success rate, dedup hits and traffic per bucket, the receiver's refusals, and the first-run
 * checklist, for the admin screen.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest\Admin;

use CrmBridge\ConnectionTests;
use CrmBridge\Heartbeats;
use CrmBridge\Plugin;
use CrmBridge\Queue\Store;
use CrmBridge\Receiver;
use CrmBridge\Refusals;
use CrmBridge\Schema;
use CrmBridge\Secrets;
use CrmBridge\Subscriptions;
use CrmBridge\SyncLogReader;

defined( 'ABSPATH' ) || exit;

/**
 * The health document.
 */
final class ReadHealth extends ViewRoute {

	/** Per range of the traffic chart: the seconds it covers and the seconds per bucket. */
	private const RANGES = array(
		'hour' => array( HOUR_IN_SECONDS, MINUTE_IN_SECONDS ),
		'day'  => array( DAY_IN_SECONDS, 15 * MINUTE_IN_SECONDS ),
		'week' => array( WEEK_IN_SECONDS, HOUR_IN_SECONDS ),
	);

	/**
	 * Path.
	 */
	public function path(): string {
		return '/admin/health';
	}

	/**
	 * Method.
	 */
	public function methods(): string {
		return \WP_REST_Server::READABLE;
	}

	/**
	 * The range of the traffic chart.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array(
			'range' => array(
				'type'    => 'string',
				'enum'    => array_keys( self::RANGES ),
				'default' => 'hour',
			),
		);
	}

	/**
	 * The health document.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$now               = time();
		$sidecars          = Heartbeats::replicas( $now );
		$online            = (bool) array_filter( array_column( $sidecars, 'online' ) );
		[ $span, $bucket ] = self::RANGES[ (string) $request['range'] ];
		return new \WP_REST_Response(
			array(
				'plugin_version'     => CRM_BRIDGE_VERSION,
				'schema_version'     => (int) get_option( Schema::VERSION_OPTION, 0 ),
				'woocommerce_active' => Plugin::woocommerce_active(),
				'sidecars'           => $sidecars,
				'sidecar_online'     => $online,
				'queues'             => array(
					'inbox'  => Store::stats( Store::INBOX, $now ),
					'outbox' => Store::stats( Store::OUTBOX, $now ),
				),
				'last_hour'          => SyncLogReader::window( $now - HOUR_IN_SECONDS ),
				'last_day'           => SyncLogReader::window( $now - DAY_IN_SECONDS ),
				'throughput'         => SyncLogReader::throughput( $now ),
				'traffic'            => array(
					'range'          => (string) $request['range'],
					'bucket_seconds' => $bucket,
					'site_timezone'  => wp_timezone_string(),
					'buckets'        => SyncLogReader::traffic( $now, $span, $bucket ),
				),
				'refusals'           => Refusals::summary(),
				'checklist'          => self::checklist( $online ),
			)
		);
	}

	/**
	 * What a new site still has to do before the bridge runs: each step done or not, and the
	 * receiver URL to give the CRM. No secret, and no connection-test message (it may name the CRM).
	 *
	 * @param bool $sidecar_online Whether a sidecar beat recently.
	 * @return array<string, mixed>
	 */
	private static function checklist( bool $sidecar_online ): array {
		$secret   = Secrets::describe( Secrets::INCOMING );
		$test     = ConnectionTests::latest();
		$accepted = SyncLogReader::last_accepted_at();
		$usable   = $secret['set'] && null === $secret['problem'];
		return array(
			'receiver_url'         => rest_url( Receiver::NAMESPACE . Receiver::ROUTE ),
			'sidecar_online'       => $sidecar_online,
			'crm_connected'        => null !== $test && $test['ok'],
			'last_connection_test' => $test,
			'signing_secret_set'   => $usable,
			// The CRM has the secret once an event signed with it was stored after it was set.
			'signing_secret_used'  => $usable && null !== $accepted && $accepted >= (int) strtotime( (string) $secret['rotated_at'] ),
			'subscription'         => (bool) Subscriptions::active(),
			'first_event_received' => null !== $accepted,
		);
	}
}
