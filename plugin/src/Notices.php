<?php
/**
 * Tells the site owner when deliveries stop: an admin notice for every disabled subscription and for
 * dead letters, and one alert per disabled subscription or given-up delivery (sent when the sidecar
 * reports it) by e-mail through wp_mail and, when one is set, to the alert webhook.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Admin notices and e-mails.
 */
final class Notices {

	/** Option remembering which disabled subscriptions were already mailed about. */
	public const MAILED_OPTION = 'crm_bridge_mailed_disabled';

	/**
	 * Admin notices for shop managers, on every admin page.
	 */
	public static function render(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			return;
		}
		$link = admin_url( 'admin.php?page=crm-bridge' );
		foreach ( Subscriptions::disabled( 5 ) as $row ) {
			printf(
				'<div class="notice notice-error"><p>%s <a href="%s">%s</a></p></div>',
				/* translators: 1: subscription name, 2: reason */
				esc_html( sprintf( __( 'CRM Bridge disabled the webhook subscription "%1$s": %2$s.', 'crm-bridge' ), $row['name'], $row['disabled_reason'] ) ),
				esc_url( $link ),
				esc_html__( 'Review it', 'crm-bridge' )
			);
		}
		$now     = time();
		$inbox   = Queue\Store::stats( Queue\Store::INBOX, $now );
		$outbox  = Queue\Store::stats( Queue\Store::OUTBOX, $now );
		$waiting = $inbox['oldest_pending_age_seconds'] ?? $outbox['oldest_pending_age_seconds'];
		if ( null !== $waiting && ! Heartbeats::any_online( $now ) ) {
			printf( '<div class="notice notice-error"><p>%s <a href="%s">%s</a></p></div>', esc_html__( 'The CRM Bridge sidecar is offline: events are waiting and nothing processes them.', 'crm-bridge' ), esc_url( $link ), esc_html__( 'See the health view', 'crm-bridge' ) );
		} elseif ( null !== $waiting && $waiting > 300 ) {
			/* translators: %d: minutes */
			printf( '<div class="notice notice-warning"><p>%s <a href="%s">%s</a></p></div>', esc_html( sprintf( __( 'CRM Bridge: the oldest waiting event has waited %d minutes.', 'crm-bridge' ), intdiv( $waiting, 60 ) ) ), esc_url( $link ), esc_html__( 'See the health view', 'crm-bridge' ) );
		}
		$dead = $inbox['dead'] + $outbox['dead'];
		if ( $dead > 0 ) {
			printf(
				'<div class="notice notice-warning"><p>%s <a href="%s">%s</a></p></div>',
				/* translators: %d: number of dead letters */
				esc_html( sprintf( _n( 'CRM Bridge has %d event that could not be processed.', 'CRM Bridge has %d events that could not be processed.', $dead, 'crm-bridge' ), $dead ) ),
				esc_url( $link ),
				esc_html__( 'See the dead letters', 'crm-bridge' )
			);
		}
	}

	/**
	 * E-mails the site admin that a subscription was disabled, once per disabling.
	 *
	 * @param int $subscription_id Subscription.
	 * @return bool True when a mail was sent now.
	 */
	public static function mail_disabled( int $subscription_id ): bool {
		$sub = Subscriptions::find( $subscription_id );
		if ( ! $sub || $sub['active'] || ! $sub['disabled_reason'] ) {
			return false;
		}
		$mailed = get_option( self::MAILED_OPTION, array() );
		$mailed = is_array( $mailed ) ? $mailed : array();
		$key    = $subscription_id . '@' . (string) $sub['failing_since'] . '#' . (string) $sub['disabled_reason'];
		if ( in_array( $key, $mailed, true ) ) {
			return false;
		}
		$mailed[] = $key;
		update_option( self::MAILED_OPTION, array_slice( $mailed, -100 ), false );
		return self::alert(
			/* translators: %s: subscription name */
			sprintf( __( '[CRM Bridge] Webhook subscription "%s" was disabled', 'crm-bridge' ), $sub['name'] ),
			sprintf(
				/* translators: 1: subscription name, 2: its endpoint's host, 3: reason, 4: admin link */
				__( "CRM Bridge stopped delivering to the subscription \"%1\$s\" (%2\$s): %3\$s.\n\nEvents for it are kept as dead letters. Fix the endpoint, activate the subscription again and replay them here:\n%4\$s", 'crm-bridge' ),
				$sub['name'],
				self::host( $sub['url'] ),
				$sub['disabled_reason'],
				admin_url( 'admin.php?page=crm-bridge' )
			)
		);
	}

	/**
	 * E-mails the site admin that deliveries to a subscription were given up, at most once an hour
	 * per subscription.
	 *
	 * @param int $subscription_id Subscription.
	 * @return bool True when a mail was sent now.
	 */
	public static function mail_exhausted( int $subscription_id ): bool {
		$sub = Subscriptions::find( $subscription_id );
		$key = 'crm_bridge_mailed_exhausted_' . $subscription_id;
		if ( ! $sub || get_transient( $key ) ) {
			return false;
		}
		set_transient( $key, 1, HOUR_IN_SECONDS );
		return self::alert(
			/* translators: %s: subscription name */
			sprintf( __( '[CRM Bridge] Deliveries to "%s" were given up', 'crm-bridge' ), $sub['name'] ),
			sprintf(
				/* translators: 1: subscription name, 2: its endpoint's host, 3: admin link */
				__( "CRM Bridge retried a delivery to the subscription \"%1\$s\" (%2\$s) until its attempts ran out; it is kept as a dead letter. Replay it once the endpoint works again:\n%3\$s", 'crm-bridge' ),
				$sub['name'],
				self::host( $sub['url'] ),
				admin_url( 'admin.php?page=crm-bridge' )
			)
		);
	}

	/**
	 * The host of a subscription's endpoint: an alert goes to a mailbox or a chat channel, and a webhook
	 * URL often carries its credential in the path or the query.
	 *
	 * @param string $url Endpoint URL.
	 */
	private static function host( string $url ): string {
		return (string) wp_parse_url( $url, PHP_URL_HOST );
	}

	/**
	 * Sends an alert to the site admin's e-mail and to the alert webhook when one is set.
	 *
	 * @param string $subject Subject.
	 * @param string $body    Plain text.
	 * @return bool True when the mail was sent.
	 */
	public static function alert( string $subject, string $body ): bool {
		Alerts::send( $subject . "\n\n" . $body );
		return wp_mail( (string) get_option( 'admin_email' ), $subject, $body );
	}
}
