<?php
/**
 * Webhook subscriptions: who hears of which order events, how (full or minimal payload) and with
 * which secret. Secrets are generated here, stored encrypted, and shown only once.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge;

defined( 'ABSPATH' ) || exit;

/**
 * Subscription storage and validation.
 */
final class Subscriptions {

	public const TOPICS = array( 'order.created', 'order.updated', 'order.status_changed', 'order.deleted' );

	/** The window of a subscription's success rate, in seconds. */
	public const HEALTH_WINDOW = 86400;

	/**
	 * Every active subscription, as arrays (secrets stay encrypted).
	 *
	 * @return array<int, array<string, mixed>>
	 */
	public static function active(): array {
		global $wpdb;
		$table = Schema::table( 'subscriptions' );
		$rows  = $wpdb->get_results( "SELECT id, topics, status_filter, payload_mode, is_crm FROM $table WHERE active = 1", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * Subscriptions the sidecar disabled (a 410, or failing too long), with the reason: the admin notices.
	 *
	 * @param int $limit At most this many.
	 * @return array<int, array{name: string, disabled_reason: string}>
	 */
	public static function disabled( int $limit ): array {
		global $wpdb;
		$table = Schema::table( 'subscriptions' );
		$rows  = $wpdb->get_results( $wpdb->prepare( "SELECT name, disabled_reason FROM $table WHERE active = 0 AND disabled_reason IS NOT NULL ORDER BY id LIMIT %d", $limit ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * One subscription without its secrets, or null.
	 *
	 * @param int $id Id.
	 * @return array<string, mixed>|null
	 */
	public static function find( int $id ): ?array {
		global $wpdb;
		$table = Schema::table( 'subscriptions' );
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM $table WHERE id = %d", $id ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return is_array( $row ) ? self::public_view( $row ) : null;
	}

	/**
	 * All subscriptions without their secrets.
	 *
	 * @return array<int, array<string, mixed>>
	 */
	public static function all(): array {
		global $wpdb;
		$table = Schema::table( 'subscriptions' );
		$rows  = $wpdb->get_results( "SELECT * FROM $table ORDER BY id", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return array_map( array( self::class, 'public_view' ), is_array( $rows ) ? $rows : array() );
	}

	/**
	 * Every subscription's name by id: for the screens that name a subscription to users who may not
	 * read subscriptions (shop managers), and nothing else of it.
	 *
	 * @return array<int, string> Id => name, by name.
	 */
	public static function names(): array {
		global $wpdb;
		$table = Schema::table( 'subscriptions' );
		$rows  = $wpdb->get_results( "SELECT id, name FROM $table ORDER BY name, id", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- constant table name, no input.
		$names = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$names[ (int) $row['id'] ] = (string) $row['name'];
		}
		return $names;
	}

	/**
	 * How each subscription's deliveries fare: the share delivered of its attempts over the last
	 * HEALTH_WINDOW seconds, its latest attempt with the answer's status code, and since when it fails.
	 *
	 * @param array<int, array<string, mixed>> $subscriptions Subscriptions as all() gives them.
	 * @param int                              $now           Unix time.
	 * @return array<int, array<string, mixed>> The subscriptions, each with a health member.
	 */
	public static function with_health( array $subscriptions, int $now ): array {
		$counts = SyncLogReader::delivery_counts( $now - self::HEALTH_WINDOW );
		return array_map(
			static function ( array $sub ) use ( $counts ): array {
				$count         = $counts[ $sub['id'] ] ?? array( 'attempts' => 0, 'delivered' => 0 );
				$sub['health'] = array(
					'window_hours' => intdiv( self::HEALTH_WINDOW, HOUR_IN_SECONDS ),
					'attempts'     => $count['attempts'],
					'delivered'    => $count['delivered'],
					'success_rate' => $count['attempts'] ? round( $count['delivered'] / $count['attempts'], 4 ) : null,
					'last_attempt' => SyncLogReader::last_attempt( (int) $sub['id'] ),
				);
				return $sub;
			},
			$subscriptions
		);
	}

	/**
	 * Creates a subscription; returns it with its new secret (the only time the secret is shown).
	 *
	 * @param array<string, mixed> $fields Validated fields.
	 * @return array<string, mixed>
	 */
	public static function create( array $fields ): array {
		global $wpdb;
		$secret = Secrets::generate_signing_secret();
		$now    = Clock::mysql_now();
		$wpdb->insert(
			Schema::table( 'subscriptions' ),
			array(
				'name'                  => $fields['name'],
				'url'                   => $fields['url'],
				'topics'                => implode( ',', $fields['topics'] ),
				'status_filter'         => implode( ',', $fields['status_filter'] ),
				'payload_mode'          => $fields['payload_mode'],
				'secret'                => '',
				'secret_rotated_at'     => $now,
				'is_crm'                => $fields['is_crm'] ? 1 : 0,
				'active'                => $fields['active'] ? 1 : 0,
				'rate_limit_per_second' => $fields['rate_limit_per_second'],
				'created_at'            => $now,
				'updated_at'            => $now,
			)
		);
		// The ciphertext is bound to the row's id, which exists only after the insert.
		$id = (int) $wpdb->insert_id;
		$wpdb->update( Schema::table( 'subscriptions' ), array( 'secret' => Secrets::encrypt( $secret, self::secret_name( $id ) ) ), array( 'id' => $id ) );
		$created           = (array) self::find( $id );
		$created['secret'] = $secret;
		return $created;
	}

	/**
	 * Updates the given fields. Re-activating clears the failure state.
	 *
	 * @param int                  $id     Id.
	 * @param array<string, mixed> $fields Validated fields.
	 */
	public static function update( int $id, array $fields ): void {
		global $wpdb;
		$row = array( 'updated_at' => Clock::mysql_now() );
		foreach ( array( 'name', 'url', 'payload_mode', 'rate_limit_per_second' ) as $key ) {
			if ( array_key_exists( $key, $fields ) ) {
				$row[ $key ] = $fields[ $key ];
			}
		}
		foreach ( array( 'topics', 'status_filter' ) as $key ) {
			if ( array_key_exists( $key, $fields ) ) {
				$row[ $key ] = implode( ',', $fields[ $key ] );
			}
		}
		foreach ( array( 'is_crm', 'active' ) as $key ) {
			if ( array_key_exists( $key, $fields ) ) {
				$row[ $key ] = $fields[ $key ] ? 1 : 0;
			}
		}
		if ( ! empty( $fields['active'] ) ) {
			$row['disabled_reason'] = null;
			$row['failing_since']   = null;
		}
		$wpdb->update( Schema::table( 'subscriptions' ), $row, array( 'id' => $id ) );
	}

	/**
	 * Replaces the secret; the old one stays valid for the grace period. Returns the new secret.
	 *
	 * @param int $id            Id.
	 * @param int $grace_seconds Grace period.
	 */
	public static function rotate_secret( int $id, int $grace_seconds ): string {
		global $wpdb;
		$table   = Schema::table( 'subscriptions' );
		$current = $wpdb->get_var( $wpdb->prepare( "SELECT secret FROM $table WHERE id = %d", $id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$secret  = Secrets::generate_signing_secret();
		$now     = Clock::mysql_now();
		$wpdb->update(
			$table,
			array(
				'secret'                     => Secrets::encrypt( $secret, self::secret_name( $id ) ),
				'previous_secret'            => $grace_seconds > 0 ? $current : null,
				'previous_secret_expires_at' => $grace_seconds > 0 ? gmdate( 'Y-m-d H:i:s', time() + $grace_seconds ) : null,
				'secret_rotated_at'          => $now,
				'updated_at'                 => $now,
			),
			array( 'id' => $id )
		);
		return $secret;
	}

	/**
	 * The name a subscription's secrets are bound to (current and previous alike, so a rotation can
	 * move the current ciphertext to previous_secret). The sidecar uses the same name.
	 *
	 * @param int $id Subscription id.
	 */
	public static function secret_name( int $id ): string {
		return 'subscription:' . $id;
	}

	/**
	 * Rewrites the stored secrets that $rewrite returns a new form for (see Secrets::upgrade()).
	 *
	 * @param callable(string, string): ?string $rewrite Stored form and name to new form, or null.
	 */
	public static function upgrade_secrets( callable $rewrite ): void {
		global $wpdb;
		$table = Schema::table( 'subscriptions' );
		$rows  = $wpdb->get_results( "SELECT id, secret, previous_secret FROM $table", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$update = array();
			foreach ( array( 'secret', 'previous_secret' ) as $field ) {
				$new = null === $row[ $field ] ? null : $rewrite( (string) $row[ $field ], self::secret_name( (int) $row['id'] ) );
				if ( null !== $new ) {
					$update[ $field ] = $new;
				}
			}
			if ( $update ) {
				$wpdb->update( $table, $update, array( 'id' => (int) $row['id'] ) );
			}
		}
	}

	/**
	 * Deletes a subscription and its outbox rows.
	 *
	 * @param int $id Id.
	 */
	public static function delete( int $id ): void {
		global $wpdb;
		Queue\Store::delete_deliveries( $id );
		$wpdb->delete( Schema::table( 'subscriptions' ), array( 'id' => $id ) );
	}

	/**
	 * Validates and normalises input; field => message for what is wrong.
	 *
	 * @param array<string, mixed> $input   Request fields.
	 * @param bool                 $partial True for an update (absent fields are kept).
	 * @return array{0: array<string, mixed>, 1: array<string, string>}
	 */
	public static function validate( array $input, bool $partial ): array {
		$fields = array();
		$errors = array();
		if ( ! $partial || array_key_exists( 'name', $input ) ) {
			$name = trim( (string) ( $input['name'] ?? '' ) );
			if ( '' === $name || strlen( $name ) > 191 ) {
				$errors['name'] = __( 'Give the subscription a name of at most 191 characters.', 'crm-bridge' );
			}
			$fields['name'] = sanitize_text_field( $name );
		}
		if ( ! $partial || array_key_exists( 'url', $input ) ) {
			$url     = trim( (string) ( $input['url'] ?? '' ) );
			$problem = UrlGuard::problem( $url );
			if ( null !== $problem ) {
				$errors['url'] = $problem;
			}
			$fields['url'] = $url;
		}
		if ( ! $partial || array_key_exists( 'topics', $input ) ) {
			$topics = array_values( array_unique( array_map( 'strval', (array) ( $input['topics'] ?? array() ) ) ) );
			if ( in_array( 'all', $topics, true ) ) {
				$topics = self::TOPICS;
			}
			if ( ! $topics || array_diff( $topics, self::TOPICS ) ) {
				/* translators: %s: list of topics */
				$errors['topics'] = sprintf( __( 'Choose topics among %s, or all.', 'crm-bridge' ), implode( ', ', self::TOPICS ) );
			}
			$fields['topics'] = $topics;
		}
		if ( ! $partial || array_key_exists( 'status_filter', $input ) ) {
			$statuses = array_values( array_filter( array_map( 'strval', (array) ( $input['status_filter'] ?? array() ) ) ) );
			$known    = array_map( 'strval', array_keys( Settings\Rules::statuses() ) );
			if ( array_diff( $statuses, $known ) ) {
				/* translators: %s: list of statuses */
				$errors['status_filter'] = sprintf( __( 'Unknown order status; use %s.', 'crm-bridge' ), implode( ', ', $known ) );
			}
			$fields['status_filter'] = $statuses;
		}
		if ( ! $partial || array_key_exists( 'payload_mode', $input ) ) {
			$mode = (string) ( $input['payload_mode'] ?? 'full' );
			if ( ! in_array( $mode, array( 'full', 'minimal' ), true ) ) {
				$errors['payload_mode'] = __( 'The payload mode is full or minimal.', 'crm-bridge' );
			}
			$fields['payload_mode'] = $mode;
		}
		if ( ! $partial || array_key_exists( 'rate_limit_per_second', $input ) ) {
			$limit = $input['rate_limit_per_second'] ?? null;
			if ( null !== $limit && ( ! is_numeric( $limit ) || (int) $limit < 1 || (int) $limit > 1000 ) ) {
				$errors['rate_limit_per_second'] = __( 'The rate limit is a whole number of messages per second from 1 to 1000, or empty.', 'crm-bridge' );
			}
			$fields['rate_limit_per_second'] = null === $limit ? null : (int) $limit;
		}
		foreach ( array( 'is_crm' => false, 'active' => true ) as $key => $default ) {
			if ( ! $partial || array_key_exists( $key, $input ) ) {
				$fields[ $key ] = (bool) rest_sanitize_boolean( $input[ $key ] ?? $default );
			}
		}
		return array( $fields, $errors );
	}

	/**
	 * What an API may show: everything but the secrets, with the secret's state.
	 *
	 * @param array<string, mixed> $row Row.
	 * @return array<string, mixed>
	 */
	private static function public_view( array $row ): array {
		return array(
			'id'                    => (int) $row['id'],
			'name'                  => (string) $row['name'],
			'url'                   => (string) $row['url'],
			'topics'                => array_values( array_filter( explode( ',', (string) $row['topics'] ) ) ),
			'status_filter'         => array_values( array_filter( explode( ',', (string) $row['status_filter'] ) ) ),
			'payload_mode'          => (string) $row['payload_mode'],
			'is_crm'                => (bool) (int) $row['is_crm'],
			'active'                => (bool) (int) $row['active'],
			'disabled_reason'       => $row['disabled_reason'],
			'failing_since'         => $row['failing_since'],
			'rate_limit_per_second' => null === $row['rate_limit_per_second'] ? null : (int) $row['rate_limit_per_second'],
			'secret_set'            => '' !== (string) $row['secret'],
			'secret_rotated_at'     => $row['secret_rotated_at'],
			'previous_secret_valid_until' => $row['previous_secret_expires_at'] && strtotime( $row['previous_secret_expires_at'] . ' UTC' ) > time() ? $row['previous_secret_expires_at'] : null,
		);
	}
}
