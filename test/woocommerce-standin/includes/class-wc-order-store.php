<?php
/**
 * Mirrors: plugins/woocommerce/src/Internal/DataStores/Orders/OrdersTableDataStore.php
 * (HPOS): the `wc_orders` / `wc_orders_meta` tables (a subset of their columns), statuses stored with
 * the `wc-` prefix, `date_updated_gmt` set to the current time on every update, and the hooks
 * `woocommerce_new_order` ($id, $order) from create(), `woocommerce_update_order` ($id, $order) from
 * update(), `woocommerce_before_trash_order` ($id, $order) / `woocommerce_trash_order` ($id) and
 * `woocommerce_before_delete_order` ($id, $order) / `woocommerce_delete_order` ($id) from delete().
 * Line items use the real `woocommerce_order_items` / `woocommerce_order_itemmeta` tables
 * (plugins/woocommerce/includes/class-wc-install.php).
 *
 * The SQL below is the stand-in's storage; CRM Bridge itself never reads these tables.
 *
 * @package WooCommerceStandin
 */

defined( 'ABSPATH' ) || exit;

/**
 * Order persistence for the stand-in.
 */
final class WC_Order_Store {

	/**
	 * Creates the tables (dbDelta).
	 */
	public static function create_tables(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$collate = $wpdb->get_charset_collate();
		dbDelta(
			"CREATE TABLE {$wpdb->prefix}wc_orders (
id bigint(20) unsigned NOT NULL auto_increment,
status varchar(20) NULL,
currency varchar(10) NULL,
type varchar(20) NULL,
tax_amount decimal(26,8) NULL,
total_amount decimal(26,8) NULL,
customer_id bigint(20) unsigned NULL,
billing_email varchar(320) NULL,
date_created_gmt datetime NULL,
date_updated_gmt datetime NULL,
customer_note text NULL,
PRIMARY KEY  (id),
KEY status (status),
KEY date_updated (date_updated_gmt)
) $collate;
CREATE TABLE {$wpdb->prefix}wc_orders_meta (
id bigint(20) unsigned NOT NULL auto_increment,
order_id bigint(20) unsigned NULL,
meta_key varchar(255) NULL,
meta_value text NULL,
PRIMARY KEY  (id),
KEY meta_key_value (meta_key(100),meta_value(100)),
KEY order_id_meta_key_meta_value (order_id,meta_key(100),meta_value(100))
) $collate;
CREATE TABLE {$wpdb->prefix}woocommerce_order_items (
order_item_id bigint(20) unsigned NOT NULL auto_increment,
order_item_name text NOT NULL,
order_item_type varchar(200) NOT NULL DEFAULT '',
order_id bigint(20) unsigned NOT NULL,
PRIMARY KEY  (order_item_id),
KEY order_id (order_id)
) $collate;
CREATE TABLE {$wpdb->prefix}woocommerce_order_itemmeta (
meta_id bigint(20) unsigned NOT NULL auto_increment,
order_item_id bigint(20) unsigned NOT NULL,
meta_key varchar(255) default NULL,
meta_value longtext NULL,
PRIMARY KEY  (meta_id),
KEY order_item_id (order_item_id),
KEY meta_key (meta_key(32))
) $collate;"
		);
	}

	/**
	 * Loads an order's row, meta and items into the object; false when missing.
	 *
	 * @param WC_Order $order Order with its id set.
	 */
	public static function read( WC_Order $order ): bool {
		global $wpdb;
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$wpdb->prefix}wc_orders WHERE id = %d AND type = 'shop_order'", $order->get_id() ), ARRAY_A );
		if ( ! $row ) {
			return false;
		}
		$meta  = $wpdb->get_results( $wpdb->prepare( "SELECT meta_key, meta_value FROM {$wpdb->prefix}wc_orders_meta WHERE order_id = %d ORDER BY id", $order->get_id() ), ARRAY_A );
		$items = array();
		foreach ( $wpdb->get_results( $wpdb->prepare( "SELECT order_item_id, order_item_name FROM {$wpdb->prefix}woocommerce_order_items WHERE order_id = %d AND order_item_type = 'line_item' ORDER BY order_item_id", $order->get_id() ), ARRAY_A ) as $item_row ) {
			$item = new WC_Order_Item_Product();
			$item->set_id( (int) $item_row['order_item_id'] );
			$item->set_name( $item_row['order_item_name'] );
			$item_meta = $wpdb->get_results( $wpdb->prepare( "SELECT meta_key, meta_value FROM {$wpdb->prefix}woocommerce_order_itemmeta WHERE order_item_id = %d", $item_row['order_item_id'] ), OBJECT_K );
			$item->set_quantity( (int) ( $item_meta['_qty']->meta_value ?? 1 ) );
			$item->set_total( (string) ( $item_meta['_line_total']->meta_value ?? '0' ) );
			$item->set_product_id( (int) ( $item_meta['_product_id']->meta_value ?? 0 ) );
			$items[] = $item;
		}
		$order->hydrate( $row, $meta, $items );
		return true;
	}

	/**
	 * Inserts or updates the order row, its meta and new items.
	 *
	 * @param WC_Order $order    Order.
	 * @param array    $row      Column values.
	 * @param array    $meta     Meta key => value (null deletes).
	 * @param array    $new_items Items without an id yet.
	 */
	public static function write( WC_Order $order, array $row, array $meta, array $new_items ): int {
		global $wpdb;
		$id = $order->get_id();
		if ( $id ) {
			$wpdb->update( "{$wpdb->prefix}wc_orders", $row, array( 'id' => $id ) );
		} else {
			$wpdb->insert( "{$wpdb->prefix}wc_orders", $row + array( 'type' => 'shop_order' ) );
			$id = (int) $wpdb->insert_id;
		}
		foreach ( $meta as $key => $value ) {
			$wpdb->delete( "{$wpdb->prefix}wc_orders_meta", array( 'order_id' => $id, 'meta_key' => $key ) ); // phpcs:ignore WordPress.DB.SlowDBQuery
			if ( null !== $value ) {
				$wpdb->insert( "{$wpdb->prefix}wc_orders_meta", array( 'order_id' => $id, 'meta_key' => $key, 'meta_value' => maybe_serialize( $value ) ) ); // phpcs:ignore WordPress.DB.SlowDBQuery
			}
		}
		foreach ( $new_items as $item ) {
			$wpdb->insert( "{$wpdb->prefix}woocommerce_order_items", array( 'order_item_name' => $item->get_name(), 'order_item_type' => 'line_item', 'order_id' => $id ) );
			$item_id = (int) $wpdb->insert_id;
			$item->set_id( $item_id );
			foreach ( array( '_qty' => $item->get_quantity(), '_line_total' => $item->get_total(), '_product_id' => $item->get_product_id() ) as $key => $value ) {
				$wpdb->insert( "{$wpdb->prefix}woocommerce_order_itemmeta", array( 'order_item_id' => $item_id, 'meta_key' => $key, 'meta_value' => (string) $value ) ); // phpcs:ignore WordPress.DB.SlowDBQuery
			}
		}
		return $id;
	}

	/**
	 * Removes an order and everything it owns.
	 *
	 * @param int $id Order id.
	 */
	public static function delete( int $id ): void {
		global $wpdb;
		$item_ids = $wpdb->get_col( $wpdb->prepare( "SELECT order_item_id FROM {$wpdb->prefix}woocommerce_order_items WHERE order_id = %d", $id ) );
		foreach ( $item_ids as $item_id ) {
			$wpdb->delete( "{$wpdb->prefix}woocommerce_order_itemmeta", array( 'order_item_id' => (int) $item_id ) );
		}
		$wpdb->delete( "{$wpdb->prefix}woocommerce_order_items", array( 'order_id' => $id ) );
		$wpdb->delete( "{$wpdb->prefix}wc_orders_meta", array( 'order_id' => $id ) );
		$wpdb->delete( "{$wpdb->prefix}wc_orders", array( 'id' => $id ) );
	}

	/**
	 * Order ids matching the subset of WC_Order_Query arguments the stand-in supports.
	 *
	 * @param array $args status, meta_key, meta_value, limit, offset, orderby (id|date_created|date_modified), order.
	 * @return int[]
	 */
	public static function query_ids( array $args ): array {
		return self::query( $args )[0];
	}

	/**
	 * Order ids of one page and the number of all matching orders.
	 *
	 * @param array $args As query_ids().
	 * @return array{0: int[], 1: int}
	 */
	public static function query( array $args ): array {
		global $wpdb;
		$where  = array( "o.type = 'shop_order'" );
		$params = array();
		if ( ! empty( $args['status'] ) ) {
			$statuses = array_map( static fn( $s ) => 'wc-' === substr( $s, 0, 3 ) ? $s : 'wc-' . $s, (array) $args['status'] );
			$where[]  = 'o.status IN (' . implode( ',', array_fill( 0, count( $statuses ), '%s' ) ) . ')';
			$params   = array_merge( $params, $statuses );
		} else {
			$where[] = "o.status <> 'trash'";
		}
		if ( ! empty( $args['date_created'] ) ) {
			// WC_Order_Query's date syntax, as far as the plugin uses it: "A...B" with Unix times or
			// Y-m-d dates, both ends inclusive (a date end covers its whole day).
			$range = explode( '...', (string) $args['date_created'] );
			if ( 2 === count( $range ) ) {
				$from     = is_numeric( $range[0] ) ? (int) $range[0] : strtotime( $range[0] . ' 00:00:00 UTC' );
				$to       = is_numeric( $range[1] ) ? (int) $range[1] : strtotime( $range[1] . ' 23:59:59 UTC' );
				$where[]  = 'o.date_created_gmt BETWEEN %s AND %s';
				$params[] = gmdate( 'Y-m-d H:i:s', $from );
				$params[] = gmdate( 'Y-m-d H:i:s', $to );
			}
		}
		if ( isset( $args['meta_key'] ) ) {
			$where[]  = "EXISTS (SELECT 1 FROM {$wpdb->prefix}wc_orders_meta m WHERE m.order_id = o.id AND m.meta_key = %s AND m.meta_value = %s)";
			$params[] = (string) $args['meta_key'];
			$params[] = (string) ( $args['meta_value'] ?? '' );
		}
		$columns = array(
			'id'            => 'o.id',
			'date_created'  => 'o.date_created_gmt',
			'date_modified' => 'o.date_updated_gmt',
		);
		$orderby = $columns[ strtolower( (string) ( $args['orderby'] ?? 'date_created' ) ) ] ?? 'o.date_created_gmt';
		$order   = 'ASC' === strtoupper( (string) ( $args['order'] ?? 'DESC' ) ) ? 'ASC' : 'DESC';
		$limit   = (int) ( $args['limit'] ?? get_option( 'posts_per_page', 10 ) );
		$sql     = "SELECT o.id FROM {$wpdb->prefix}wc_orders o WHERE " . implode( ' AND ', $where ) . " ORDER BY $orderby $order, o.id $order";
		if ( $limit > 0 ) {
			$sql     .= ' LIMIT %d OFFSET %d';
			$params[] = $limit;
			$params[] = isset( $args['offset'] ) ? (int) $args['offset'] : $limit * ( max( 1, (int) ( $args['paged'] ?? 1 ) ) - 1 );
		}
		$count_params = array_slice( $params, 0, $limit > 0 ? count( $params ) - 2 : count( $params ) );
		$count_sql    = "SELECT COUNT(*) FROM {$wpdb->prefix}wc_orders o WHERE " . implode( ' AND ', $where );
		// phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders built above.
		$ids = array_map( 'intval', $wpdb->get_col( $params ? $wpdb->prepare( $sql, $params ) : $sql ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders built above.
		$total = (int) $wpdb->get_var( $count_params ? $wpdb->prepare( $count_sql, $count_params ) : $count_sql );
		return array( $ids, $total );
	}
}
