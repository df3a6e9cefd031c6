<?php
/**
 * Argument schemas several routes share, so a page size or an id list means the same everywhere.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest;

defined( 'ABSPATH' ) || exit;

/**
 * Shared argument schemas.
 */
final class Args {

	/** Largest page any listing serves. */
	public const MAX_PER_PAGE = 200;

	/** Most rows one request may name. */
	public const MAX_IDS = 1000;

	/**
	 * A page number, from 1.
	 *
	 * @return array<string, mixed>
	 */
	public static function page(): array {
		return array(
			'type'    => 'integer',
			'minimum' => 1,
			'default' => 1,
		);
	}

	/**
	 * A page size.
	 *
	 * @param int $default Size when none is asked.
	 * @return array<string, mixed>
	 */
	public static function per_page( int $default ): array {
		return array(
			'type'    => 'integer',
			'minimum' => 1,
			'maximum' => self::MAX_PER_PAGE,
			'default' => $default,
		);
	}

	/**
	 * Row ids.
	 *
	 * @return array<string, mixed>
	 */
	public static function ids(): array {
		return array(
			'type'     => 'array',
			'items'    => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
			'maxItems' => self::MAX_IDS,
		);
	}

	/**
	 * An identifier as the tables store it (event ids, CRM order ids: up to 191 characters).
	 *
	 * @return array<string, mixed>
	 */
	public static function identifier(): array {
		return array(
			'type'      => 'string',
			'maxLength' => 191,
		);
	}
}
