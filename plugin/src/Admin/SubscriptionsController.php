<?php
/**
 * Admin REST API for webhook subscriptions: list, create (the secret is shown once), read, update,
 * delete, rotate the secret (the old one stays valid for a grace period), send a test event, and
 * replay deliveries. Validation errors name the field they belong to.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Admin;

use CrmBridge\Audit;
use CrmBridge\Outbox;
use CrmBridge\Requeue;
use CrmBridge\Roles;
use CrmBridge\Secrets;
use CrmBridge\Settings;
use CrmBridge\Subscriptions;
use CrmBridge\SyncLog;

defined( 'ABSPATH' ) || exit;

/**
 * crm-bridge/v1/admin/subscriptions…
 */
final class SubscriptionsController {

	/**
	 * Registers the routes.
	 */
	public static function register(): void {
		$can = array( Roles::class, 'can_configure' );
		$id  = array(
			'id' => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/subscriptions',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => static fn() => new \WP_REST_Response( array( 'items' => Subscriptions::all() ) ),
					'permission_callback' => $can,
				),
				array(
					'methods'             => \WP_REST_Server::CREATABLE,
					'callback'            => array( self::class, 'create' ),
					'permission_callback' => $can,
				),
			)
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/subscriptions/(?P<id>\d+)',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( self::class, 'get' ),
					'permission_callback' => $can,
					'args'                => $id,
				),
				array(
					'methods'             => \WP_REST_Server::EDITABLE,
					'callback'            => array( self::class, 'update' ),
					'permission_callback' => $can,
					'args'                => $id,
				),
				array(
					'methods'             => \WP_REST_Server::DELETABLE,
					'callback'            => array( self::class, 'delete' ),
					'permission_callback' => $can,
					'args'                => $id,
				),
			)
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/subscriptions/(?P<id>\d+)/rotate-secret',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'rotate' ),
				'permission_callback' => $can,
				'args'                => $id,
			)
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/subscriptions/(?P<id>\d+)/test',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'test' ),
				'permission_callback' => $can,
				'args'                => $id,
			)
		);
		register_rest_route(
			'crm-bridge/v1',
			'/admin/deliveries/replay',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'replay' ),
				'permission_callback' => array( Roles::class, 'can_view' ),
				'args'                => array(
					'ids'             => array(
						'type'     => 'array',
						'items'    => array(
							'type'    => 'integer',
							'minimum' => 1,
						),
						'maxItems' => 1000,
					),
					'subscription_id' => array(
						'type'    => 'integer',
						'minimum' => 1,
					),
					'status'          => array(
						'type'    => 'string',
						'enum'    => array( 'dead', 'done' ),
						'default' => 'dead',
					),
				),
			)
		);
	}

	/**
	 * POST /admin/subscriptions.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function create( \WP_REST_Request $request ) {
		[ $fields, $errors ] = Subscriptions::validate( (array) $request->get_json_params(), false );
		$problem             = Secrets::storage_problem();
		if ( null !== $problem ) {
			$errors['secret'] = $problem;
		}
		if ( $errors ) {
			return self::invalid( $errors );
		}
		$created = Subscriptions::create( $fields );
		Audit::record( 'subscription.created', (string) $created['id'], array( 'fields' => $fields ) );
		return new \WP_REST_Response( $created, 201 );
	}

	/**
	 * GET /admin/subscriptions/<id>.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function get( \WP_REST_Request $request ) {
		$sub = Subscriptions::find( (int) $request['id'] );
		return $sub ? new \WP_REST_Response( $sub ) : self::not_found();
	}

	/**
	 * PUT/PATCH /admin/subscriptions/<id>.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function update( \WP_REST_Request $request ) {
		$before = Subscriptions::find( (int) $request['id'] );
		if ( ! $before ) {
			return self::not_found();
		}
		[ $fields, $errors ] = Subscriptions::validate( (array) $request->get_json_params(), true );
		if ( $errors ) {
			return self::invalid( $errors );
		}
		Subscriptions::update( (int) $request['id'], $fields );
		$after = (array) Subscriptions::find( (int) $request['id'] );
		Audit::record( 'subscription.updated', (string) $request['id'], array( 'changes' => Audit::diff( array_intersect_key( $before, $fields ), array_intersect_key( $after, $fields ) ) ) );
		return new \WP_REST_Response( $after );
	}

	/**
	 * DELETE /admin/subscriptions/<id>.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function delete( \WP_REST_Request $request ) {
		if ( ! Subscriptions::find( (int) $request['id'] ) ) {
			return self::not_found();
		}
		Subscriptions::delete( (int) $request['id'] );
		Audit::record( 'subscription.deleted', (string) $request['id'] );
		return new \WP_REST_Response( array( 'deleted' => true ) );
	}

	/**
	 * POST /admin/subscriptions/<id>/rotate-secret: the new secret, shown once.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function rotate( \WP_REST_Request $request ) {
		if ( ! Subscriptions::find( (int) $request['id'] ) ) {
			return self::not_found();
		}
		$problem = Secrets::storage_problem();
		if ( null !== $problem ) {
			return self::invalid( array( 'secret' => $problem ) );
		}
		$grace  = (int) Settings::get( 'outgoing.secret_grace_hours' ) * HOUR_IN_SECONDS;
		$secret = Subscriptions::rotate_secret( (int) $request['id'], $grace );
		Audit::record( 'subscription.secret_rotated', (string) $request['id'], array( 'grace_seconds' => $grace ) );
		return new \WP_REST_Response( array( 'secret' => $secret ) + (array) Subscriptions::find( (int) $request['id'] ) );
	}

	/**
	 * POST /admin/subscriptions/<id>/test: queues a test event for this subscription only.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function test( \WP_REST_Request $request ) {
		$id = (int) $request['id'];
		if ( ! Subscriptions::find( $id ) ) {
			return self::not_found();
		}
		$webhook_id = Outbox::enqueue(
			$id,
			0,
			'test',
			array(
				'id'      => 0,
				'status'  => 'test',
				'message' => 'A test event from CRM Bridge for WooCommerce.',
			)
		);
		SyncLog::record(
			array(
				'direction'       => 'out',
				'decision'        => 'test',
				'subscription_id' => $id,
				'event_id'        => $webhook_id,
				'message'         => sprintf( 'test event queued by user %d', get_current_user_id() ),
			)
		);
		return new \WP_REST_Response( array( 'queued' => true, 'webhook_id' => $webhook_id ), 202 );
	}

	/**
	 * POST /admin/deliveries/replay: dead (or delivered) deliveries go back to the queue, with the
	 * same webhook id so receivers can recognise them.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function replay( \WP_REST_Request $request ) {
		$where = array( 'status = %s' );
		$args  = array( (string) $request['status'] );
		if ( ! empty( $request['ids'] ) ) {
			$ids     = array_map( 'intval', (array) $request['ids'] );
			$where[] = 'id IN (' . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')';
			$args    = array_merge( $args, $ids );
		}
		if ( null !== $request['subscription_id'] ) {
			$where[] = 'subscription_id = %d';
			$args[]  = (int) $request['subscription_id'];
		}
		if ( 1 === count( $args ) ) {
			return new \WP_Error( 'crm_bridge_replay_scope', __( 'Say which deliveries to replay: ids or subscription_id.', 'crm-bridge' ), array( 'status' => 400 ) );
		}
		$replayed = Requeue::rows( 'outbox', $where, $args );
		if ( null === $replayed ) {
			return new \WP_Error( 'crm_bridge_unavailable', __( 'The deliveries could not be replayed; try again.', 'crm-bridge' ), array( 'status' => 503 ) );
		}
		Audit::record(
			'deliveries.replayed',
			null === $request['subscription_id'] ? null : (string) $request['subscription_id'],
			array(
				'ids'      => $request['ids'],
				'status'   => (string) $request['status'],
				'replayed' => (int) $replayed,
			)
		);
		SyncLog::record(
			array(
				'direction'       => 'out',
				'decision'        => 'replayed',
				'subscription_id' => null === $request['subscription_id'] ? null : (int) $request['subscription_id'],
				'message'         => sprintf( '%d deliveries replayed by user %d', $replayed, get_current_user_id() ),
			)
		);
		return new \WP_REST_Response( array( 'replayed' => (int) $replayed ) );
	}

	/**
	 * 400 with field-level messages.
	 *
	 * @param array<string, string> $errors Field => message.
	 */
	private static function invalid( array $errors ): \WP_Error {
		return new \WP_Error( 'crm_bridge_invalid_subscription', __( 'Some fields need attention.', 'crm-bridge' ), array( 'status' => 400, 'errors' => $errors ) );
	}

	/**
	 * 404.
	 */
	private static function not_found(): \WP_Error {
		return new \WP_Error( 'crm_bridge_not_found', __( 'No such subscription.', 'crm-bridge' ), array( 'status' => 404 ) );
	}
}
