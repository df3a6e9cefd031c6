<?php
/**
 * The write endpoint's vocabulary, in one place: the outcome of a transition, the source of a
 * transition that has no inbox row, and the sync log decisions the endpoint writes. The sidecar's
 * zod enums are pinned to these lists by a contract test.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Outcome;

defined( 'ABSPATH' ) || exit;

/**
 * Outcome, source and decision names.
 */
final class Outcome {

	/** The order now shows the transition's status and version. */
	public const APPLIED = 'applied';
	/** The order already showed the status; the version is recorded. */
	public const UNCHANGED = 'unchanged';
	/** The version is not newer than the one applied or agreed: nothing is written. */
	public const STALE = 'stale';
	/** The lifecycle settings, or the order's link, forbid the write. */
	public const REFUSED = 'refused';
	/** No order is linked, or the linked order is gone. */
	public const NOT_FOUND = 'not_found';
	/** The transition cannot be applied as sent (unknown status, a fence without its claim). */
	public const INVALID = 'invalid';
	/** Another writer holds the order: try again. */
	public const BUSY = 'busy';
	/** The claim named by the transition no longer holds its inbox row: nothing is written. */
	public const LEASE_LOST = 'lease_lost';

	/** What the guard answers. */
	public const GUARD = array( self::APPLIED, self::UNCHANGED, self::STALE, self::REFUSED );

	/** Every outcome the endpoint answers, in the order of the sidecar's enum. */
	public const ALL = array( self::APPLIED, self::UNCHANGED, self::STALE, self::REFUSED, self::NOT_FOUND, self::INVALID, self::BUSY, self::LEASE_LOST );

	/** A transition reconcile found missing: the CRM changed after shop and CRM last agreed. */
	public const SOURCE_RECONCILE = 'reconcile';
	/** A deliberate revert of a shop's own change to the CRM's state (reconcile --enforce). */
	public const SOURCE_RECONCILE_ENFORCE = 'reconcile_enforce';

	/** The sources a transition without an inbox row may name. */
	public const SOURCES = array( self::SOURCE_RECONCILE, self::SOURCE_RECONCILE_ENFORCE );

	/** Why the guard answered as it did. */
	public const REASON_NEWER        = 'newer_version';
	public const REASON_CURRENT      = 'already_current';
	public const REASON_NOT_NEWER    = 'not_newer';
	public const REASON_OLDER        = 'older_version';
	public const REASON_BACKWARD     = 'backward';
	public const REASON_ENFORCED     = 'enforced';
	public const REASON_FOREIGN      = 'foreign_order';

	/** The sync log decisions the endpoint writes: the CRM's answer, then the guard's outcome. */
	public const DECISION_VERIFIED = 'verified';
	public const DECISIONS         = array( self::DECISION_VERIFIED, self::APPLIED, self::STALE, self::REFUSED );

	/**
	 * The log decision for a guard outcome: an unchanged status with its version recorded counts as applied.
	 *
	 * @param string $outcome One of GUARD.
	 */
	public static function decision( string $outcome ): string {
		return self::UNCHANGED === $outcome ? self::APPLIED : $outcome;
	}
}
