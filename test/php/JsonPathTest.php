<?php
/**
 * Dotted JSON paths into a decoded CRM event, as a table: the value at the path, or null when any
 * step is missing or is not an object or list.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

use CrmBridge\JsonPath;
use PHPUnit\Framework\TestCase;

/**
 * JSON path lookup.
 */
final class JsonPathTest extends TestCase {

	private const EVENT = '{
		"type": "order.updated",
		"data": {
			"crm_order_id": "CRM-1001",
			"version": 0,
			"status": null,
			"paid": false,
			"note": "",
			"items": [ { "sku": "A-1" }, { "sku": "B-2" } ],
			"meta": { "a.b": "dotted key", "": "empty key", "0": "zero key" },
			"empty": {}
		}
	}';

	/**
	 * Rows: path → the value found (null when there is none).
	 *
	 * @return array<string, array{0: string, 1: mixed}>
	 */
	public static function paths(): array {
		return array(
			'one step'                             => array( 'type', 'order.updated' ),
			'two steps'                            => array( 'data.crm_order_id', 'CRM-1001' ),
			'an object'                            => array( 'data.empty', array() ),
			'zero is a value'                      => array( 'data.version', 0 ),
			'false is a value'                     => array( 'data.paid', false ),
			'an empty string is a value'           => array( 'data.note', '' ),
			'null is null'                         => array( 'data.status', null ),
			'a list index'                         => array( 'data.items.1.sku', 'B-2' ),
			'a key named 0'                        => array( 'data.meta.0', 'zero key' ),
			'a missing key'                        => array( 'data.missing', null ),
			'a missing first step'                 => array( 'missing.version', null ),
			'an index past the end'                => array( 'data.items.2.sku', null ),
			'a step into a string'                 => array( 'type.length', null ),
			'a step into a number'                 => array( 'data.version.value', null ),
			'a step into null'                     => array( 'data.status.code', null ),
			'a step into false'                    => array( 'data.paid.0', null ),
			'a key with a dot is not reachable'    => array( 'data.meta.a.b', null ),
			'keys are case-sensitive'              => array( 'data.CRM_ORDER_ID', null ),
			'no trimming of spaces'                => array( 'data. crm_order_id', null ),
			'a trailing dot is an empty last step' => array( 'data.', null ),
			'a leading dot is an empty first step' => array( '.data', null ),
			'two dots, an empty middle step'       => array( 'data..crm_order_id', null ),
			'an empty step finds an empty key'     => array( 'data.meta.', 'empty key' ),
		);
	}

	/**
	 * @dataProvider paths
	 *
	 * @param string $path     Dotted path.
	 * @param mixed  $expected Value.
	 */
	public function test_reads_the_value_at_a_path( string $path, $expected ): void {
		$this->assertSame( $expected, JsonPath::get( json_decode( self::EVENT, true ), $path ) );
	}

	public function test_the_empty_path_is_the_whole_document(): void {
		// Why an empty JSON path must never be a setting: it reads the whole event as one value.
		$event = json_decode( self::EVENT, true );
		$this->assertSame( $event, JsonPath::get( $event, '' ) );
	}

	public function test_a_document_that_is_not_an_object_has_no_paths(): void {
		$this->assertNull( JsonPath::get( 'CRM-1001', 'data' ) );
		$this->assertNull( JsonPath::get( 42, 'data' ) );
		$this->assertNull( JsonPath::get( null, 'data' ) );
	}
}
