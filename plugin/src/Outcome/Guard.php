<?php
/**
 * The rule of the write endpoint, pure: given the order's status, the CRM version last applied to it or
 * agreed with it, and a transition, whether the transition is applied, changes nothing, is stale or is
 * refused. It holds the version rule (only a newer CRM version writes) and the lifecycle rule (no move
 * out of a final status unless the settings allow that pair). No WordPress and no database here.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Outcome;

defined( 'ABSPATH' ) || exit;

/**
 * The guard.
 */
final class Guard {

	/**
	 * The answer for one transition.
	 *
	 * An enforced transition (reconcile --enforce) reverts a shop's own change to the CRM's state: the
	 * version it carries may equal the agreed one (the CRM did not change), and a move out of a final
	 * status is allowed. A version older than the agreed one is still stale: the CRM has moved on.
	 *
	 * @param string               $from      The order's current WooCommerce status.
	 * @param int|null             $applied   The CRM version last applied or agreed, null when none is known.
	 * @param string               $to        The status the transition sets.
	 * @param int                  $version   The CRM version the transition carries.
	 * @param bool                 $enforce   Whether the transition is a deliberate revert.
	 * @param array<string, mixed> $lifecycle The lifecycle settings (final_statuses, allowed_transitions).
	 * @return array{outcome: string, reason: string, message: string}
	 */
	public static function check( string $from, ?int $applied, string $to, int $version, bool $enforce, array $lifecycle ): array {
		if ( null !== $applied && ( $enforce ? $version < $applied : $version <= $applied ) ) {
			return $enforce
				? self::answer( Outcome::STALE, Outcome::REASON_OLDER, sprintf( 'Version %d is older than the applied version %d: the CRM has changed since, nothing is reverted.', $version, $applied ) )
				: self::answer( Outcome::STALE, Outcome::REASON_NOT_NEWER, sprintf( 'Version %d is not newer than the applied version %d.', $version, $applied ) );
		}
		if ( $from === $to ) {
			return self::answer( Outcome::UNCHANGED, Outcome::REASON_CURRENT, 'status already current; version recorded' );
		}
		if ( $enforce ) {
			return self::answer( Outcome::APPLIED, Outcome::REASON_ENFORCED, sprintf( 'enforced: the shop\'s change to %s is reverted to the CRM\'s state (%s, version %d).', $from, $to, $version ) );
		}
		if ( self::is_backward( $from, $to, $lifecycle ) ) {
			return self::answer( Outcome::REFUSED, Outcome::REASON_BACKWARD, sprintf( 'Moving from %s to %s goes backwards and is not allowed.', $from, $to ) );
		}
		return self::answer( Outcome::APPLIED, Outcome::REASON_NEWER, sprintf( 'CRM version %d applied.', $version ) );
	}

	/**
	 * True when moving from $from to $to leaves a final status (completed, cancelled, refunded by
	 * default) and the settings do not allow that pair explicitly.
	 *
	 * @param string               $from      Current WooCommerce status.
	 * @param string               $to        Target status.
	 * @param array<string, mixed> $lifecycle The lifecycle settings.
	 */
	public static function is_backward( string $from, string $to, array $lifecycle ): bool {
		if ( $from === $to || ! in_array( $from, (array) ( $lifecycle['final_statuses'] ?? array() ), true ) ) {
			return false;
		}
		foreach ( (array) ( $lifecycle['allowed_transitions'] ?? array() ) as $pair ) {
			if ( is_array( $pair ) && array( $from, $to ) === array_values( $pair ) ) {
				return false;
			}
		}
		return true;
	}

	/**
	 * One answer.
	 *
	 * @param string $outcome One of Outcome::GUARD.
	 * @param string $reason  One of Outcome's REASON_ codes.
	 * @param string $message For the log and the caller.
	 * @return array{outcome: string, reason: string, message: string}
	 */
	private static function answer( string $outcome, string $reason, string $message ): array {
		return array(
			'outcome' => $outcome,
			'reason'  => $reason,
			'message' => $message,
		);
	}
}
