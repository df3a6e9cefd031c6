<?php
/**
 * The write endpoint's guard, row by row: version (newer, equal, older, none), lifecycle (forward,
 * backward, same status, final statuses, an allowed pair) and enforce.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

use CrmBridge\Outcome\Guard;
use CrmBridge\Outcome\Outcome;
use PHPUnit\Framework\TestCase;

/**
 * Guard table.
 */
final class GuardTest extends TestCase {

	private const LIFECYCLE = array(
		'final_statuses'      => array( 'completed', 'cancelled', 'refunded' ),
		'allowed_transitions' => array( array( 'cancelled', 'pending' ) ),
	);

	/**
	 * Rows: from, applied version, to, version, enforce → outcome, reason.
	 *
	 * @return array<string, array{0: string, 1: int|null, 2: string, 3: int, 4: bool, 5: string, 6: string}>
	 */
	public static function rows(): array {
		return array(
			'newer version, forward'                    => array( 'pending', 1, 'processing', 2, false, Outcome::APPLIED, Outcome::REASON_NEWER ),
			'equal version'                             => array( 'pending', 2, 'processing', 2, false, Outcome::STALE, Outcome::REASON_NOT_NEWER ),
			'older version'                             => array( 'pending', 3, 'processing', 2, false, Outcome::STALE, Outcome::REASON_NOT_NEWER ),
			'no version known: any version is newer'    => array( 'pending', null, 'processing', 0, false, Outcome::APPLIED, Outcome::REASON_NEWER ),
			'newer version, same status'                => array( 'processing', 1, 'processing', 2, false, Outcome::UNCHANGED, Outcome::REASON_CURRENT ),
			'newer version, backward out of completed'  => array( 'completed', 1, 'processing', 2, false, Outcome::REFUSED, Outcome::REASON_BACKWARD ),
			'newer version, out of refunded'            => array( 'refunded', null, 'pending', 2, false, Outcome::REFUSED, Outcome::REASON_BACKWARD ),
			'an allowed pair out of a final status'     => array( 'cancelled', 1, 'pending', 2, false, Outcome::APPLIED, Outcome::REASON_NEWER ),
			'a pair allowed only the other way'         => array( 'pending', 1, 'cancelled', 2, false, Outcome::APPLIED, Outcome::REASON_NEWER ),
			'into a final status'                       => array( 'processing', 1, 'completed', 2, false, Outcome::APPLIED, Outcome::REASON_NEWER ),
			'final to the same final status'            => array( 'completed', 1, 'completed', 2, false, Outcome::UNCHANGED, Outcome::REASON_CURRENT ),
			'stale comes before backward'               => array( 'completed', 3, 'processing', 2, false, Outcome::STALE, Outcome::REASON_NOT_NEWER ),
			'enforce: equal version reverts'            => array( 'processing', 2, 'pending', 2, true, Outcome::APPLIED, Outcome::REASON_ENFORCED ),
			'enforce: newer version'                    => array( 'processing', 2, 'on-hold', 3, true, Outcome::APPLIED, Outcome::REASON_ENFORCED ),
			'enforce: no version known'                 => array( 'processing', null, 'pending', 0, true, Outcome::APPLIED, Outcome::REASON_ENFORCED ),
			'enforce: older version is still stale'     => array( 'processing', 3, 'pending', 2, true, Outcome::STALE, Outcome::REASON_OLDER ),
			'enforce: backward out of a final status'   => array( 'completed', 2, 'processing', 2, true, Outcome::APPLIED, Outcome::REASON_ENFORCED ),
			'enforce: same status'                      => array( 'pending', 2, 'pending', 2, true, Outcome::UNCHANGED, Outcome::REASON_CURRENT ),
		);
	}

	/**
	 * @dataProvider rows
	 *
	 * @param string   $from    Current status.
	 * @param int|null $applied Applied version.
	 * @param string   $to      Target status.
	 * @param int      $version Transition's version.
	 * @param bool     $enforce Enforced.
	 * @param string   $outcome Expected outcome.
	 * @param string   $reason  Expected reason.
	 */
	public function test_guard_row( string $from, ?int $applied, string $to, int $version, bool $enforce, string $outcome, string $reason ): void {
		$answer = Guard::check( $from, $applied, $to, $version, $enforce, self::LIFECYCLE );
		$this->assertSame( array( $outcome, $reason ), array( $answer['outcome'], $answer['reason'] ) );
		$this->assertContains( $answer['outcome'], Outcome::GUARD );
		$this->assertNotSame( '', $answer['message'] );
	}

	/**
	 * Without lifecycle settings nothing is final.
	 */
	public function test_no_final_statuses_means_no_backward_move(): void {
		$this->assertFalse( Guard::is_backward( 'completed', 'pending', array() ) );
		$this->assertTrue( Guard::is_backward( 'completed', 'pending', self::LIFECYCLE ) );
	}

	/**
	 * The log never shows "unchanged": a status already current with its version recorded is applied.
	 */
	public function test_log_decision_of_each_outcome(): void {
		$this->assertSame( array( 'applied', 'applied', 'stale', 'refused' ), array_map( array( Outcome::class, 'decision' ), Outcome::GUARD ) );
	}
}
