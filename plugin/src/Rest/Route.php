<?php
/**
 * One REST route of the plugin: its path, method, permission and argument schema in one class, so a
 * route is read in one place and every route is registered from the one list in Routes.
 *
 * @package CrmBridge
 */

declare( strict_types=1 );

namespace CrmBridge\Rest;

defined( 'ABSPATH' ) || exit;

/**
 * Base of every route. A path served with two methods is two classes: WordPress merges endpoints
 * registered on the same path.
 */
abstract class Route {

	public const NAMESPACE = 'crm-bridge/v1';

	/**
	 * The path under the namespace, in register_rest_route's syntax (e.g. `/admin/log/(?P<id>\d+)`).
	 */
	abstract public function path(): string;

	/**
	 * One of WP_REST_Server's method constants.
	 */
	abstract public function methods(): string;

	/**
	 * Whether the current user may call the route. The subclasses for each audience decide.
	 */
	abstract public function permitted(): bool;

	/**
	 * Answers the request.
	 *
	 * @param \WP_REST_Request $request Request, its arguments already validated against args().
	 * @return \WP_REST_Response|\WP_Error
	 */
	abstract public function handle( \WP_REST_Request $request );

	/**
	 * The argument schema WordPress validates and sanitizes before handle() runs.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public function args(): array {
		return array();
	}

	/**
	 * Registers the route with WordPress.
	 */
	final public function register(): void {
		register_rest_route(
			self::NAMESPACE,
			$this->path(),
			array(
				'methods'             => $this->methods(),
				'callback'            => array( $this, 'handle' ),
				'permission_callback' => array( $this, 'permitted' ),
				'args'                => $this->args(),
			)
		);
	}
}
