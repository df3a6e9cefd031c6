<?php
/**
 * The plugin's settings: one JSON document in wp_options (so the sidecar reads the same values with
 * one query), described by plugin/settings.schema.json (its defaults and constraints) and merged over
 * the defaults. Secrets live apart, in Secrets.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

use CrmBridge\Settings\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Settings document.
 */
final class Settings {

	public const OPTION = 'crm_bridge_settings';

	/**
	 * The last stored JSON read and the document it made, so a request reads and checks it once.
	 *
	 * @var array{0: mixed, 1: array<string, mixed>}|null
	 */
	private static ?array $read = null;

	/**
	 * The defaults, read from the schema; optional settings have none.
	 *
	 * @return array<string, mixed>
	 */
	public static function defaults(): array {
		return (array) Schema::defaults();
	}

	/**
	 * The stored document in the schema's form: defaults filled in, unknown keys dropped, an optional
	 * setting that is not set left out, and valid. A document stored in an older form is rewritten
	 * once, so the sidecar (which validates it with the same schema) reads the new form.
	 *
	 * @return array<string, mixed>
	 */
	public static function document(): array {
		$raw = get_option( self::OPTION, false );
		if ( null !== self::$read && $raw === self::$read[0] ) {
			return self::$read[1];
		}
		$stored   = json_decode( is_string( $raw ) ? $raw : '{}', true );
		$document = self::known( self::merge( self::defaults(), is_array( $stored ) ? $stored : array() ), Schema::get() );
		// A value the schema refuses (saved under older rules, or written around the settings API) is
		// reset to its default, or left out: the sidecar refuses a document that breaks the schema.
		foreach ( array_keys( Schema::errors( $document ) ) as $path ) {
			$document = self::reset( $document, explode( '.', $path ), self::defaults() );
		}
		$json = self::encode( $document );
		if ( is_string( $raw ) && $json !== $raw ) {
			update_option( self::OPTION, $json, true );
			$raw = $json;
		}
		self::$read = array( $raw, $document );
		return $document;
	}

	/**
	 * The document as JSON, a map (the status mapping) always an object, even when empty.
	 *
	 * @param array<string, mixed> $document Document.
	 */
	public static function encode( array $document ): string {
		return (string) wp_json_encode( self::for_json( $document ) );
	}

	/**
	 * The document ready for JSON: each map an object, so an empty one is {} rather than [].
	 *
	 * @param array<string, mixed> $document Document.
	 * @return array<string, mixed>
	 */
	public static function for_json( array $document ): array {
		foreach ( Schema::get()['properties'] as $key => $node ) {
			if ( is_array( $node['additionalProperties'] ?? null ) && is_array( $document[ $key ] ?? null ) ) {
				$document[ $key ] = (object) $document[ $key ];
			}
		}
		return $document;
	}

	/**
	 * The document with the setting at a path set back to its default, or removed when it has none.
	 *
	 * @param array<string, mixed> $values   Values at this level.
	 * @param list<string>         $steps    Path below this level.
	 * @param mixed                $defaults Defaults at this level.
	 * @return array<string, mixed>
	 */
	private static function reset( array $values, array $steps, $defaults ): array {
		$key      = (string) array_shift( $steps );
		$defaults = is_array( $defaults ) ? $defaults : array();
		if ( ! $steps || ! is_array( $values[ $key ] ?? null ) ) {
			unset( $values[ $key ] );
			if ( array_key_exists( $key, $defaults ) ) {
				$values[ $key ] = $defaults[ $key ];
			}
			return $values;
		}
		$values[ $key ] = self::reset( $values[ $key ], $steps, $defaults[ $key ] ?? null );
		return $values;
	}

	/**
	 * The current settings for the plugin's own readers: the document, with '' for an optional text
	 * setting that is not set.
	 *
	 * @return array<string, mixed>
	 */
	public static function all(): array {
		return self::with_blanks( self::document(), Schema::get() );
	}

	/**
	 * One value by dotted path, e.g. "incoming.max_body_bytes".
	 *
	 * @param string $path Dotted path.
	 * @return mixed
	 */
	public static function get( string $path ) {
		return JsonPath::get( self::all(), $path );
	}

	/**
	 * Merges a partial document over the current one and stores it (the caller validated merged()).
	 *
	 * @param array<string, mixed> $patch Partial document.
	 */
	public static function update( array $patch ): void {
		update_option( self::OPTION, self::encode( self::known( self::merged( $patch ), Schema::get() ) ), true );
	}

	/**
	 * The document a partial one would make, unknown keys included (for validation): sections merge
	 * key by key, while a list or a map (the status mapping, whose keys are the user's) is replaced
	 * as a whole, so rows can be removed. null, or '' for an optional setting, removes that setting.
	 *
	 * @param array<string, mixed> $patch Partial document.
	 * @return array<string, mixed>
	 */
	public static function merged( array $patch ): array {
		return self::merge( self::document(), $patch );
	}

	/**
	 * Deep merge of $over into $base along the schema.
	 *
	 * @param array<string, mixed> $base Base.
	 * @param array<string, mixed> $over Overrides.
	 * @param string               $path Dotted path of this level.
	 * @return array<string, mixed>
	 */
	public static function merge( array $base, array $over, string $path = '' ): array {
		$prefix   = '' === $path ? '' : $path . '.';
		$required = (array) ( Schema::node( $path )['required'] ?? array() );
		foreach ( $over as $key => $value ) {
			if ( null === $value || ( '' === $value && ! in_array( $key, $required, true ) ) ) {
				unset( $base[ $key ] );
			} elseif ( is_array( $value ) && is_array( $base[ $key ] ?? null ) && isset( Schema::node( $prefix . $key )['properties'] ) ) {
				$base[ $key ] = self::merge( $base[ $key ], $value, $prefix . $key );
			} else {
				$base[ $key ] = $value;
			}
		}
		return $base;
	}

	/**
	 * Drops the keys the schema does not know, at every level (a removed setting, such as
	 * outgoing.allow_private_urls, is ignored when stored). A map's keys are the user's.
	 *
	 * @param array<string, mixed> $values Values at this level.
	 * @param array<string, mixed> $node   Schema node of this level.
	 * @return array<string, mixed>
	 */
	private static function known( array $values, array $node ): array {
		foreach ( $values as $key => $value ) {
			if ( ! isset( $node['properties'][ $key ] ) ) {
				unset( $values[ $key ] );
			} elseif ( is_array( $value ) && isset( $node['properties'][ $key ]['properties'] ) ) {
				$values[ $key ] = self::known( $value, $node['properties'][ $key ] );
			}
		}
		return $values;
	}

	/**
	 * The document with '' for each optional text setting that is left out.
	 *
	 * @param array<string, mixed> $values Values at this level.
	 * @param array<string, mixed> $node   Schema node of this level.
	 * @return array<string, mixed>
	 */
	private static function with_blanks( array $values, array $node ): array {
		foreach ( (array) ( $node['properties'] ?? array() ) as $key => $child ) {
			if ( ! array_key_exists( $key, $values ) && 'string' === ( $child['type'] ?? '' ) ) {
				$values[ $key ] = '';
			} elseif ( is_array( $values[ $key ] ?? null ) ) {
				$values[ $key ] = self::with_blanks( $values[ $key ], $child );
			}
		}
		return $values;
	}

	/**
	 * True for a JSON array (list), false for an object (PHP 8.0 has no array_is_list()).
	 *
	 * @param array<mixed> $value Array.
	 */
	public static function is_list( array $value ): bool {
		return array() === $value || array_keys( $value ) === range( 0, count( $value ) - 1 );
	}
}
