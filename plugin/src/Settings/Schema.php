<?php
/**
 * The settings document's JSON Schema (plugin/settings.schema.json): its defaults, and a validator for
 * the subset of keywords it uses, reporting every error by dotted path. The sidecar and the admin
 * screen validate with the same file.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Settings schema.
 */
final class Schema {

	/**
	 * The decoded schema, loaded once a request.
	 *
	 * @var array<string, mixed>|null
	 */
	private static ?array $schema = null;

	/**
	 * The whole schema.
	 *
	 * @return array<string, mixed>
	 */
	public static function get(): array {
		if ( null === self::$schema ) {
			$decoded      = json_decode( (string) file_get_contents( dirname( __DIR__, 2 ) . '/settings.schema.json' ), true ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents -- a file of the plugin.
			if ( ! is_array( $decoded ) || ! isset( $decoded['properties'] ) || ! is_array( $decoded['properties'] ) ) {
				// Never judge (and rewrite) the stored settings against an empty schema: that would erase them.
				throw new \RuntimeException( 'CRM Bridge: plugin/settings.schema.json is missing or unreadable; reinstall the plugin.' );
			}
			self::$schema = $decoded;
		}
		return self::$schema;
	}

	/**
	 * The defaults the schema gives, at every level (optional settings have none: they are left out).
	 *
	 * @param array<string, mixed>|null $node Schema node; the whole schema when null.
	 * @return mixed
	 */
	public static function defaults( ?array $node = null ) {
		$node = $node ?? self::get();
		if ( 'object' === ( $node['type'] ?? '' ) && isset( $node['properties'] ) ) {
			$values = (array) ( $node['default'] ?? array() );
			foreach ( $node['properties'] as $key => $child ) {
				if ( array_key_exists( 'default', $child ) ) {
					$values[ $key ] = self::defaults( $child );
				}
			}
			return $values;
		}
		return $node['default'] ?? null;
	}

	/**
	 * The schema node at a dotted path (e.g. "crm.paths"), or null when the schema has none.
	 *
	 * @param string $path Dotted path; '' is the root.
	 * @return array<string, mixed>|null
	 */
	public static function node( string $path ): ?array {
		$node = self::get();
		foreach ( '' === $path ? array() : explode( '.', $path ) as $step ) {
			$child = $node['properties'][ $step ] ?? ( is_array( $node['additionalProperties'] ?? null ) ? $node['additionalProperties'] : null );
			if ( ! is_array( $child ) ) {
				return null;
			}
			$node = $child;
		}
		return $node;
	}

	/**
	 * Every error of a document, keyed by the dotted path of the setting. An error inside a list is
	 * reported at the list's path, where the form shows it.
	 *
	 * @param mixed                     $value Decoded JSON (arrays).
	 * @param array<string, mixed>|null $node  Schema node; the whole schema when null.
	 * @param string                    $path  Dotted path of $value.
	 * @return array<string, string>
	 */
	public static function errors( $value, ?array $node = null, string $path = '' ): array {
		$node    = $node ?? self::get();
		$problem = self::type_problem( $value, (string) ( $node['type'] ?? '' ), $path );
		if ( null !== $problem ) {
			return array( $path => $problem );
		}
		if ( is_array( $value ) && 'object' === $node['type'] ) {
			return self::object_errors( $value, $node, $path );
		}
		if ( is_array( $value ) ) {
			return self::list_errors( $value, $node, $path );
		}
		$problem = self::scalar_problem( $value, $node );
		return null === $problem ? array() : array( $path => $problem );
	}

	/**
	 * The errors of an object's keys: required ones, unknown ones, and each value.
	 *
	 * @param array<string, mixed> $value Object.
	 * @param array<string, mixed> $node  Schema node.
	 * @param string               $path  Dotted path.
	 * @return array<string, string>
	 */
	private static function object_errors( array $value, array $node, string $path ): array {
		$prefix = '' === $path ? '' : $path . '.';
		$errors = array();
		foreach ( (array) ( $node['required'] ?? array() ) as $key ) {
			if ( ! array_key_exists( $key, $value ) ) {
				$errors[ $prefix . $key ] = __( 'This setting is required.', 'crm-bridge' );
			}
		}
		foreach ( $value as $key => $child ) {
			$child_node = $node['properties'][ $key ] ?? ( is_array( $node['additionalProperties'] ?? null ) ? $node['additionalProperties'] : null );
			if ( null === $child_node ) {
				/* translators: %s: setting name */
				$errors[ $prefix . $key ] = sprintf( __( 'Unknown setting "%s".', 'crm-bridge' ), $prefix . $key );
			} else {
				$errors += self::errors( $child, $child_node, $prefix . $key );
			}
		}
		return $errors;
	}

	/**
	 * The first error of a list: its length, then its items.
	 *
	 * @param array<int, mixed>    $value List.
	 * @param array<string, mixed> $node  Schema node.
	 * @param string               $path  Dotted path.
	 * @return array<string, string>
	 */
	private static function list_errors( array $value, array $node, string $path ): array {
		$count = count( $value );
		if ( $count < (int) ( $node['minItems'] ?? 0 ) || ( isset( $node['maxItems'] ) && $count > $node['maxItems'] ) ) {
			/* translators: 1: minimum, 2: maximum */
			return array( $path => sprintf( __( 'Enter a list of %1$d to %2$d entries.', 'crm-bridge' ), (int) ( $node['minItems'] ?? 0 ), (int) ( $node['maxItems'] ?? PHP_INT_MAX ) ) );
		}
		foreach ( $value as $item ) {
			$item_errors = self::errors( $item, (array) ( $node['items'] ?? array() ), $path );
			if ( $item_errors ) {
				// One message for the list: the form has one field for it.
				return array( $path => (string) reset( $item_errors ) );
			}
		}
		return array();
	}

	/**
	 * Why a value is not of the node's type, or null.
	 *
	 * @param mixed  $value Value.
	 * @param string $type  JSON Schema type.
	 * @param string $path  Dotted path, for the message.
	 */
	private static function type_problem( $value, string $type, string $path ): ?string {
		switch ( $type ) {
			case 'object':
				/* translators: %s: setting name */
				return is_array( $value ) && ( array() === $value || ! \CrmBridge\Settings::is_list( $value ) ) ? null : ( '' === $path ? __( 'Send the settings as an object.', 'crm-bridge' ) : sprintf( __( '"%s" is a group of settings: send an object.', 'crm-bridge' ), $path ) );
			case 'array':
				return is_array( $value ) && \CrmBridge\Settings::is_list( $value ) ? null : __( 'Enter a list.', 'crm-bridge' );
			case 'integer':
				return is_int( $value ) ? null : __( 'Enter a whole number.', 'crm-bridge' );
			case 'boolean':
				return is_bool( $value ) ? null : __( 'Enter true or false.', 'crm-bridge' );
			case 'string':
				return is_string( $value ) ? null : __( 'Enter text.', 'crm-bridge' );
		}
		return null;
	}

	/**
	 * Why a scalar breaks the node's enum, range, length or pattern, or null.
	 *
	 * @param mixed                $value Value (already of the node's type).
	 * @param array<string, mixed> $node  Schema node.
	 */
	private static function scalar_problem( $value, array $node ): ?string {
		if ( isset( $node['enum'] ) && ! in_array( $value, $node['enum'], true ) ) {
			/* translators: %s: allowed values */
			return sprintf( __( 'Choose one of: %s.', 'crm-bridge' ), implode( ', ', $node['enum'] ) );
		}
		if ( is_int( $value ) && ( $value < ( $node['minimum'] ?? PHP_INT_MIN ) || $value > ( $node['maximum'] ?? PHP_INT_MAX ) ) ) {
			/* translators: 1: minimum, 2: maximum */
			return sprintf( __( 'Enter a whole number from %1$d to %2$d.', 'crm-bridge' ), $node['minimum'] ?? PHP_INT_MIN, $node['maximum'] ?? PHP_INT_MAX );
		}
		if ( ! is_string( $value ) ) {
			return null;
		}
		if ( '' === $value && ( $node['minLength'] ?? 0 ) > 0 ) {
			return __( 'Enter a value, or leave the setting out.', 'crm-bridge' );
		}
		// Counted in characters (code points), as JSON Schema and the sidecar's zod count.
		$length = mb_strlen( $value );
		if ( $length < ( $node['minLength'] ?? 0 ) || $length > ( $node['maxLength'] ?? PHP_INT_MAX ) ) {
			/* translators: %d: maximum length */
			return sprintf( __( 'Enter text of at most %d characters.', 'crm-bridge' ), (int) ( $node['maxLength'] ?? PHP_INT_MAX ) );
		}
		// JSON Schema patterns are ECMA-262; the ones the schema uses mean the same in PCRE (whitespace is
		// spelled out in ASCII: \s differs between the two).
		if ( isset( $node['pattern'] ) && 1 !== preg_match( '#' . str_replace( '#', '\\#', $node['pattern'] ) . '#u', $value ) ) {
			/* translators: %s: the expected form, from the schema */
			return '' === $value ? __( 'Enter a value.', 'crm-bridge' ) : sprintf( __( 'Enter %s.', 'crm-bridge' ), $node['description'] ?? __( 'a value of the expected form', 'crm-bridge' ) );
		}
		return null;
	}
}
