<?php
/**
 * Mirrors: plugins/woocommerce/includes/class-wc-order.php and
 * plugins/woocommerce/includes/abstracts/abstract-wc-order.php (woocommerce/woocommerce):
 * set_status( $new_status, $note = '', $manual_update = false ) records a transition; save() persists,
 * then status_transition() fires `woocommerce_order_status_{to}` ($id, $order, $transition), adds the
 * "Order status changed from %1$s to %2$s." note (with the caller's note in front), then fires
 * `woocommerce_order_status_{from}_to_{to}` ($id, $order) and `woocommerce_order_status_changed`
 * ($id, $from, $to, $order). update_status( $new_status, $note = '', $manual = false ) is set_status + save.
 * Notes: plugins/woocommerce/includes/abstracts/abstract-wc-order.php add_order_note() (a comment of
 * type `order_note`, the `is_customer_note` comment meta). Items: class-wc-order-item-product.php.
 *
 * @package WooCommerceStandin
 */

defined( 'ABSPATH' ) || exit;

/**
 * A line item, reduced to what the stand-in stores.
 */
class WC_Order_Item_Product {
	/** @var int */
	private $id = 0;
	/** @var string */
	private $name = '';
	/** @var int */
	private $quantity = 1;
	/** @var string */
	private $total = '0';
	/** @var int */
	private $product_id = 0;

	/** @param int $id Item id. */
	public function set_id( int $id ): void {
		$this->id = $id;
	}
	/** @return int */
	public function get_id() {
		return $this->id;
	}
	/** @param string $name Name. */
	public function set_name( $name ): void {
		$this->name = (string) $name;
	}
	/** @return string */
	public function get_name() {
		return $this->name;
	}
	/** @param int $quantity Quantity. */
	public function set_quantity( $quantity ): void {
		$this->quantity = (int) $quantity;
	}
	/** @return int */
	public function get_quantity() {
		return $this->quantity;
	}
	/** @param string|float $total Line total. */
	public function set_total( $total ): void {
		$this->total = wc_format_decimal( $total );
	}
	/** @return string */
	public function get_total() {
		return $this->total;
	}
	/** @param int $product_id Product id. */
	public function set_product_id( $product_id ): void {
		$this->product_id = (int) $product_id;
	}
	/** @return int */
	public function get_product_id() {
		return $this->product_id;
	}
}

/**
 * An order: the public methods CRM Bridge and its tests use, with WooCommerce's names and semantics.
 */
class WC_Order {

	/** @var int */
	protected $id = 0;

	/** @var array<string,mixed> */
	protected $data = array(
		'status'        => 'pending',
		'currency'      => 'USD',
		'total'         => '0.00',
		'total_tax'     => '0',
		'billing_email' => '',
		'customer_note' => '',
		'date_created'  => null,
		'date_modified' => null,
	);

	/** @var array<string, array<int, mixed>> Meta key => values. */
	protected $meta = array();

	/** @var array<string, true> Meta keys changed since the last save. */
	protected $meta_changes = array();

	/** @var WC_Order_Item_Product[] */
	protected $items = array();

	/** @var WC_Order_Item_Product[] Items added since the last save. */
	protected $new_items = array();

	/** @var bool True once the order has been read from the store, as in WC_Data. */
	protected $object_read = false;

	/** @var array|false Pending status transition, as in WC_Order. */
	protected $status_transition = false;

	/**
	 * Loads the order with the given id, or starts a new one.
	 *
	 * @param int|WC_Order $order Order id or object.
	 * @throws Exception When the id does not exist, as WC_Order's constructor does.
	 */
	public function __construct( $order = 0 ) {
		$id = $order instanceof WC_Order ? $order->get_id() : absint( $order );
		if ( $id ) {
			$this->id = $id;
			if ( ! WC_Order_Store::read( $this ) ) {
				throw new Exception( 'Invalid order.' );
			}
		}
		$this->object_read = true;
	}

	/**
	 * Store callback: fills the object from a row.
	 *
	 * @param array $row   wc_orders row.
	 * @param array $meta  Meta rows.
	 * @param array $items Line items.
	 * @internal
	 */
	public function hydrate( array $row, array $meta, array $items ): void {
		$this->data['status']        = 'wc-' === substr( (string) $row['status'], 0, 3 ) ? substr( (string) $row['status'], 3 ) : (string) $row['status'];
		$this->data['currency']      = (string) $row['currency'];
		$this->set_total( $row['total_amount'] );
		$this->set_total_tax( $row['tax_amount'] );
		$this->data['billing_email'] = (string) $row['billing_email'];
		$this->data['customer_note'] = (string) $row['customer_note'];
		$this->data['date_created']  = $row['date_created_gmt'] ? new WC_DateTime( $row['date_created_gmt'], new DateTimeZone( 'UTC' ) ) : null;
		$this->data['date_modified'] = $row['date_updated_gmt'] ? new WC_DateTime( $row['date_updated_gmt'], new DateTimeZone( 'UTC' ) ) : null;
		foreach ( $meta as $m ) {
			$this->meta[ $m['meta_key'] ][] = maybe_unserialize( $m['meta_value'] );
		}
		$this->items = $items;
	}

	/** @return int */
	public function get_id() {
		return $this->id;
	}

	/** @return string The order number (the id, as WooCommerce returns it without a numbering plugin). */
	public function get_order_number() {
		return (string) $this->id;
	}

	/**
	 * Status without the `wc-` prefix.
	 *
	 * @param string $context Unused, kept for the signature.
	 * @return string
	 */
	public function get_status( $context = 'view' ) {
		return $this->data['status'];
	}

	/**
	 * True when the order has one of the statuses.
	 *
	 * @param string|string[] $status Status(es).
	 */
	public function has_status( $status ) {
		return in_array( $this->get_status(), (array) $status, true );
	}

	/**
	 * Sets the status and records the transition for save(), as WC_Order::set_status() does.
	 *
	 * @param string $new_status    Status, with or without `wc-`.
	 * @param string $note          Note to add with the transition.
	 * @param bool   $manual_update Whether a person changed it.
	 * @return array{from:string,to:string}
	 */
	public function set_status( $new_status, $note = '', $manual_update = false ) {
		$old_status = $this->data['status'];
		$new_status = 'wc-' === substr( (string) $new_status, 0, 3 ) ? substr( (string) $new_status, 3 ) : (string) $new_status;
		// WC_Abstract_Order::set_status(): an unknown status becomes pending once the object was read.
		if ( $this->object_read && ! array_key_exists( 'wc-' . $new_status, wc_get_order_statuses() ) && 'trash' !== $new_status ) {
			$new_status = 'pending';
		}
		$this->data['status'] = $new_status;
		$result               = array(
			'from' => $old_status,
			'to'   => $new_status,
		);
		if ( $this->object_read && $this->id && ! empty( $result['from'] ) && $result['from'] !== $result['to'] ) {
			$this->status_transition = array(
				'from'   => ! empty( $this->status_transition['from'] ) ? $this->status_transition['from'] : $result['from'],
				'to'     => $result['to'],
				'note'   => $note,
				'manual' => (bool) $manual_update,
			);
			if ( $manual_update ) {
				do_action( 'woocommerce_order_edit_status', $this->id, $result['to'] );
			}
		} elseif ( ! $this->id ) {
			$this->status_transition = array(
				'from'   => '',
				'to'     => $new_status,
				'note'   => $note,
				'manual' => (bool) $manual_update,
			);
		}
		return $result;
	}

	/**
	 * Changes the status and saves at once.
	 *
	 * @param string $new_status Status.
	 * @param string $note       Note.
	 * @param bool   $manual     Whether a person changed it.
	 */
	public function update_status( $new_status, $note = '', $manual = false ) {
		if ( ! $this->id ) {
			return false;
		}
		$this->set_status( $new_status, $note, $manual );
		$this->save();
		return true;
	}

	/**
	 * Persists the order, fires the data-store hook, then the status transition hooks.
	 *
	 * @return int Order id.
	 */
	public function save() {
		$is_new = ! $this->id;
		$now    = time();
		if ( ! $this->data['date_created'] ) {
			$this->data['date_created'] = new WC_DateTime( '@' . $now );
		}
		$this->data['date_modified'] = new WC_DateTime( '@' . $now );
		$row                         = array(
			'status'           => 'wc-' . $this->data['status'],
			'currency'         => $this->data['currency'],
			'total_amount'     => $this->data['total'],
			'tax_amount'       => $this->data['total_tax'],
			'billing_email'    => $this->data['billing_email'],
			'customer_note'    => $this->data['customer_note'],
			'date_created_gmt' => gmdate( 'Y-m-d H:i:s', $this->data['date_created']->getTimestamp() ),
			'date_updated_gmt' => gmdate( 'Y-m-d H:i:s', $now ),
		);
		$meta                        = array();
		foreach ( array_keys( $this->meta_changes ) as $key ) {
			$meta[ $key ] = isset( $this->meta[ $key ] ) ? $this->meta[ $key ][0] : null;
		}
		$this->id           = WC_Order_Store::write( $this, $row, $meta, $this->new_items );
		$this->items        = array_merge( $this->items, $this->new_items );
		$this->new_items    = array();
		$this->meta_changes = array();

		if ( $is_new ) {
			do_action( 'woocommerce_new_order', $this->id, $this );
		} else {
			do_action( 'woocommerce_update_order', $this->id, $this );
		}
		$this->status_transition();
		return $this->id;
	}

	/**
	 * Fires the transition hooks, as WC_Order::status_transition() does.
	 */
	protected function status_transition() {
		$transition              = $this->status_transition;
		$this->status_transition = false;
		if ( ! $transition ) {
			return;
		}
		do_action( 'woocommerce_order_status_' . $transition['to'], $this->id, $this, $transition );
		if ( ! empty( $transition['from'] ) ) {
			/* translators: 1: old order status 2: new order status */
			$transition_note = sprintf( __( 'Order status changed from %1$s to %2$s.', 'woocommerce' ), wc_get_order_status_name( $transition['from'] ), wc_get_order_status_name( $transition['to'] ) );
			$this->add_order_note( trim( $transition['note'] . ' ' . $transition_note ), 0, $transition['manual'] );
			do_action( 'woocommerce_order_status_' . $transition['from'] . '_to_' . $transition['to'], $this->id, $this );
			do_action( 'woocommerce_order_status_changed', $this->id, $transition['from'], $transition['to'], $this );
		} else {
			/* translators: %s: new order status */
			$transition_note = sprintf( __( 'Order status set to %s.', 'woocommerce' ), wc_get_order_status_name( $transition['to'] ) );
			$this->add_order_note( trim( $transition['note'] . ' ' . $transition_note ), 0, $transition['manual'] );
		}
	}

	/**
	 * Adds a note (a comment of type order_note), as WC_Abstract_Order::add_order_note() does.
	 *
	 * @param string $note              Note text.
	 * @param int    $is_customer_note  1 when the customer sees it.
	 * @param bool   $added_by_user     Whether a person added it.
	 * @return int Comment id.
	 */
	public function add_order_note( $note, $is_customer_note = 0, $added_by_user = false ) {
		if ( ! $this->id ) {
			return 0;
		}
		$user             = wp_get_current_user();
		$comment_id       = wp_insert_comment(
			array(
				'comment_post_ID'      => $this->id,
				'comment_author'       => $added_by_user && $user->exists() ? $user->display_name : __( 'WooCommerce', 'woocommerce' ),
				'comment_author_email' => $added_by_user && $user->exists() ? $user->user_email : 'woocommerce@localhost',
				'comment_content'      => $note,
				'comment_agent'        => 'WooCommerce',
				'comment_type'         => 'order_note',
				'comment_approved'     => 1,
			)
		);
		if ( $is_customer_note ) {
			add_comment_meta( $comment_id, 'is_customer_note', 1 );
		}
		do_action( 'woocommerce_order_note_added', $comment_id, $this );
		return (int) $comment_id;
	}

	/**
	 * Meta value(s), as WC_Data::get_meta() returns them.
	 *
	 * @param string $key     Meta key; '' for all.
	 * @param bool   $single  First value only.
	 * @param string $context Unused.
	 * @return mixed
	 */
	public function get_meta( $key = '', $single = true, $context = 'view' ) {
		if ( '' === $key ) {
			return $this->meta;
		}
		if ( ! isset( $this->meta[ $key ] ) ) {
			return $single ? '' : array();
		}
		return $single ? $this->meta[ $key ][0] : $this->meta[ $key ];
	}

	/**
	 * Sets a meta value, saved by save().
	 *
	 * @param string $key   Key.
	 * @param mixed  $value Value.
	 */
	public function update_meta_data( $key, $value ) {
		$this->meta[ $key ]         = array( $value );
		$this->meta_changes[ $key ] = true;
	}

	/**
	 * Adds a meta value (the stand-in keeps one value a key).
	 *
	 * @param string $key    Key.
	 * @param mixed  $value  Value.
	 * @param bool   $unique Unused.
	 */
	public function add_meta_data( $key, $value, $unique = false ) {
		$this->update_meta_data( $key, $value );
	}

	/**
	 * Deletes a meta key, saved by save().
	 *
	 * @param string $key Key.
	 */
	public function delete_meta_data( $key ) {
		unset( $this->meta[ $key ] );
		$this->meta_changes[ $key ] = true;
	}

	/**
	 * Trashes or deletes the order with WooCommerce's hooks.
	 *
	 * @param bool $force_delete Delete instead of trash.
	 */
	public function delete( $force_delete = false ) {
		if ( ! $this->id ) {
			return false;
		}
		$id = $this->id;
		if ( $force_delete ) {
			do_action( 'woocommerce_before_delete_order', $id, $this );
			WC_Order_Store::delete( $id );
			$this->id = 0;
			do_action( 'woocommerce_delete_order', $id );
		} else {
			do_action( 'woocommerce_before_trash_order', $id, $this );
			$this->data['status'] = 'trash';
			WC_Order_Store::write( $this, array( 'status' => 'trash' ), array(), array() );
			do_action( 'woocommerce_trash_order', $id );
		}
		return true;
	}

	/**
	 * Adds a line item, saved by save().
	 *
	 * @param WC_Order_Item_Product $item Item.
	 */
	public function add_item( $item ) {
		$this->new_items[] = $item;
	}

	/**
	 * Line items.
	 *
	 * @param string $types Only 'line_item' is stored.
	 * @return WC_Order_Item_Product[]
	 */
	public function get_items( $types = 'line_item' ) {
		return array_merge( $this->items, $this->new_items );
	}

	/** @return WC_DateTime|null */
	public function get_date_created() {
		return $this->data['date_created'];
	}
	/** @return WC_DateTime|null */
	public function get_date_modified() {
		return $this->data['date_modified'];
	}
	/** @return string */
	public function get_currency() {
		return $this->data['currency'];
	}
	/** @param string $currency ISO code. */
	public function set_currency( $currency ) {
		$this->data['currency'] = strtoupper( (string) $currency );
	}
	/** @return string */
	public function get_total() {
		return $this->data['total'];
	}
	/** @param string|float $total Total, kept with the shop's price decimals as WC_Abstract_Order::set_total() does. */
	public function set_total( $total ) {
		$this->data['total'] = wc_format_decimal( $total, wc_get_price_decimals() );
	}
	/** @return string */
	public function get_total_tax() {
		return $this->data['total_tax'];
	}
	/** @param string|float $total_tax Tax. */
	public function set_total_tax( $total_tax ) {
		$this->data['total_tax'] = wc_format_decimal( round( (float) $total_tax, wc_get_price_decimals() ) );
	}
	/** @return string */
	public function get_billing_email() {
		return $this->data['billing_email'];
	}
	/** @param string $email E-mail. */
	public function set_billing_email( $email ) {
		$this->data['billing_email'] = sanitize_email( (string) $email );
	}
	/** @return string */
	public function get_customer_note() {
		return $this->data['customer_note'];
	}
	/** @param string $note Note. */
	public function set_customer_note( $note ) {
		$this->data['customer_note'] = (string) $note;
	}

	/**
	 * Admin URL of the order edit screen (HPOS form: admin.php?page=wc-orders&action=edit&id=N), through
	 * WooCommerce's filter.
	 */
	public function get_edit_order_url() {
		return apply_filters( 'woocommerce_get_edit_order_url', admin_url( 'admin.php?page=wc-orders&action=edit&id=' . $this->id ), $this );
	}
}
