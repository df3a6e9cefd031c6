<?php
/**
 * The list of the plugin's REST routes, registered together. The CRM's receiver is not here: it is
 * answered before WordPress routes anything (see Receiver), and its REST route is only a fallback.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest;

defined( 'ABSPATH' ) || exit;

/**
 * Route registry.
 */
final class Routes {

	/**
	 * Every route class.
	 *
	 * @return list<class-string<Route>>
	 */
	public static function all(): array {
		return array(
			Admin\ListAudit::class,
			Admin\StartConnectionTest::class,
			Admin\ReadConnectionTest::class,
			Admin\ReadHealth::class,
			Admin\ListLog::class,
			Admin\ReadLogEntry::class,
			Admin\ExportLog::class,
			Admin\ListDeadLetters::class,
			Admin\ReplayDeadLetters::class,
			Admin\DiscardDeadLetters::class,
			Admin\ReplayDeliveries::class,
			Admin\ListDeliveries::class,
			Admin\ReadDelivery::class,
			Admin\DiscardDeliveries::class,
			Admin\ListSubscriptions::class,
			Admin\CreateSubscription::class,
			Admin\ReadSubscription::class,
			Admin\UpdateSubscription::class,
			Admin\DeleteSubscription::class,
			Admin\RotateSubscriptionSecret::class,
			Admin\SendTestEvent::class,
			Admin\ReadSettings::class,
			Admin\UpdateSettings::class,
			Admin\ChangeSecret::class,
			Admin\SendTestAlert::class,
			Admin\ListChoices::class,
			Sidecar\LinkOrder::class,
			Sidecar\ListOrders::class,
			Sidecar\NotifyAdmin::class,
			Sidecar\ApplyTransitions::class,
		);
	}

	/**
	 * Registers every route (on rest_api_init).
	 */
	public static function register(): void {
		foreach ( self::all() as $route ) {
			( new $route() )->register();
		}
	}
}
