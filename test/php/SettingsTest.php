<?php
/**
 * The settings schema's validator and defaults, and the merge of a partial document: pure rules,
 * no database.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

use CrmBridge\Settings;
use CrmBridge\Settings\Schema;
use PHPUnit\Framework\TestCase;

/**
 * Settings schema and merge.
 */
final class SettingsTest extends TestCase {

	/**
	 * The defaults, with a few settings changed.
	 *
	 * @param array<string, mixed> $patch Changes.
	 * @return array<string, mixed>
	 */
	private static function document( array $patch ): array {
		return Settings::merge( Settings::defaults(), $patch );
	}

	public function test_the_defaults_come_from_the_schema_and_pass_it(): void {
		$defaults = Settings::defaults();
		$this->assertSame( 'data.version', $defaults['incoming']['paths']['version'] );
		$this->assertSame( 262144, $defaults['incoming']['max_body_bytes'] );
		$this->assertSame( 'processing', $defaults['mapping']['paid'] );
		$this->assertSame( array(), Schema::errors( $defaults ) );
	}

	public function test_an_optional_setting_has_no_default_and_is_left_out(): void {
		$defaults = Settings::defaults();
		$this->assertArrayNotHasKey( 'event_id_path', $defaults['incoming'] );
		$this->assertArrayNotHasKey( 'client_ip_header', $defaults['incoming'] );
		$this->assertArrayNotHasKey( 'base_url', $defaults['crm'] );
		$this->assertArrayNotHasKey( 'basic_user', $defaults['crm'] );
	}

	/**
	 * Each invalid document names its setting.
	 *
	 * @return array<string, array{0: array<string, mixed>, 1: string}>
	 */
	public static function invalid_documents(): array {
		return array(
			'a section that is not an object' => array( array( 'incoming' => 'x' ), 'incoming' ),
			'an empty incoming path'          => array( array( 'incoming' => array( 'paths' => array( 'version' => '' ) ) ), 'incoming.paths.version' ),
			'an empty CRM path'               => array( array( 'crm' => array( 'paths' => array( 'status' => '' ) ) ), 'crm.paths.status' ),
			'a bracketed path'                => array( array( 'crm' => array( 'paths' => array( 'status' => '$.data[0].status' ) ) ), 'crm.paths.status' ),
			'a path with an empty step'       => array( array( 'incoming' => array( 'paths' => array( 'type' => 'data..type' ) ) ), 'incoming.paths.type' ),
			'an unknown nested key'           => array( array( 'crm' => array( 'paths' => array( 'colour' => 'blue' ) ) ), 'crm.paths.colour' ),
			'an unknown top-level key'        => array( array( 'colour' => 'blue' ), 'colour' ),
			'a number out of range'           => array( array( 'outgoing' => array( 'max_attempts' => 100000 ) ), 'outgoing.max_attempts' ),
			'a number sent as text'           => array( array( 'outgoing' => array( 'base_delay_ms' => '100' ) ), 'outgoing.base_delay_ms' ),
			'a value outside the enum'        => array( array( 'crm' => array( 'auth_mode' => 'digest' ) ), 'crm.auth_mode' ),
			'a template off the CRM host'     => array( array( 'crm' => array( 'order_url_template' => '@evil.example/{crm_order_id}' ) ), 'crm.order_url_template' ),
			'a pair that is not two statuses' => array( array( 'lifecycle' => array( 'allowed_transitions' => array( array( 'completed' ) ) ) ), 'lifecycle.allowed_transitions' ),
			'a list that is a string'         => array( array( 'incoming' => array( 'trusted_proxies' => 'everyone' ) ), 'incoming.trusted_proxies' ),
			'a boolean sent as text'          => array( array( 'delete_data_on_uninstall' => 'yes' ), 'delete_data_on_uninstall' ),
			'a required setting removed'      => array( array( 'crm' => array( 'paths' => array( 'version' => null ) ) ), 'crm.paths.version' ),
		);
	}

	/**
	 * @dataProvider invalid_documents
	 *
	 * @param array<string, mixed> $patch Changes.
	 * @param string               $path  The setting named.
	 */
	public function test_an_invalid_document_names_the_setting( array $patch, string $path ): void {
		$this->assertSame( array( $path ), array_keys( Schema::errors( self::document( $patch ) ) ) );
	}

	public function test_every_error_is_reported_not_only_the_first(): void {
		$errors = Schema::errors(
			self::document(
				array(
					'incoming'       => array( 'paths' => array( 'version' => '' ) ),
					'crm'            => array( 'timeout_ms' => 5 ),
					'retention_days' => 0,
				)
			)
		);
		$this->assertSame( array( 'crm.timeout_ms', 'incoming.paths.version', 'retention_days' ), self::sorted( array_keys( $errors ) ) );
	}

	public function test_a_document_that_is_not_an_object_is_one_error(): void {
		$this->assertSame( array( '' ), array_keys( Schema::errors( array( 1, 2 ) ) ) );
	}

	public function test_sections_merge_key_by_key(): void {
		$merged = self::document( array( 'crm' => array( 'paths' => array( 'status' => 'data.state' ) ) ) );
		$this->assertSame( 'data.state', $merged['crm']['paths']['status'] );
		$this->assertSame( 'version', $merged['crm']['paths']['version'] );
		$this->assertSame( 5000, $merged['crm']['timeout_ms'] );
	}

	public function test_the_mapping_and_lists_are_replaced_as_a_whole(): void {
		$merged = self::document(
			array(
				'mapping'   => array( 'won' => 'completed' ),
				'lifecycle' => array( 'final_statuses' => array( 'completed' ) ),
			)
		);
		$this->assertSame( array( 'won' => 'completed' ), $merged['mapping'] );
		$this->assertSame( array( 'completed' ), $merged['lifecycle']['final_statuses'] );
		$this->assertSame( array( array( 'completed', 'refunded' ) ), $merged['lifecycle']['allowed_transitions'] );
	}

	public function test_an_empty_or_null_optional_setting_is_removed_not_stored(): void {
		$set     = self::document( array( 'incoming' => array( 'event_id_path' => 'id', 'client_ip_header' => 'X-Forwarded-For' ) ) );
		$cleared = Settings::merge( $set, array( 'incoming' => array( 'event_id_path' => '', 'client_ip_header' => null ) ) );
		$this->assertSame( 'id', $set['incoming']['event_id_path'] );
		$this->assertArrayNotHasKey( 'event_id_path', $cleared['incoming'] );
		$this->assertArrayNotHasKey( 'client_ip_header', $cleared['incoming'] );
		$this->assertSame( array(), Schema::errors( $cleared ) );
	}

	public function test_an_empty_required_setting_is_kept_and_refused(): void {
		$merged = self::document( array( 'incoming' => array( 'paths' => array( 'version' => '' ) ) ) );
		$this->assertSame( '', $merged['incoming']['paths']['version'] );
		$this->assertArrayHasKey( 'incoming.paths.version', Schema::errors( $merged ) );
	}

	/**
	 * Sorted copy.
	 *
	 * @param list<string> $values Values.
	 * @return list<string>
	 */
	private static function sorted( array $values ): array {
		sort( $values );
		return $values;
	}
}
