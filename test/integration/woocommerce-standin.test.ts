// The stand-in must behave like WooCommerce where the plugin listens: same hooks, same arguments,
// same order. These tests pin that behaviour (see the source citations in test/woocommerce-standin/).
import { describe, expect, it } from 'vitest';
import { adminSession, rest, wpEvalJson } from '../support/stack.ts';
import { createOrder, createProduct } from '../support/shop.ts';

const RECORD_HOOKS = `
  $GLOBALS['seen'] = array();
  foreach ( array( 'woocommerce_new_order', 'woocommerce_update_order', 'woocommerce_order_status_changed', 'woocommerce_order_status_processing_to_completed', 'woocommerce_order_status_completed', 'woocommerce_order_note_added', 'woocommerce_before_trash_order', 'woocommerce_trash_order', 'woocommerce_before_delete_order', 'woocommerce_delete_order' ) as $hook ) {
    add_action( $hook, function ( ...$args ) use ( $hook ) {
      // WooCommerce hands out a subclass of WC_Order (Automattic\\WooCommerce\\Admin\\Overrides\\Order): what counts is the type.
      $GLOBALS['seen'][] = array( $hook, array_map( fn( $a ) => $a instanceof WC_Order ? 'WC_Order' : ( is_object( $a ) ? get_class( $a ) : $a ), $args ) );
    }, 10, 5 );
  }
`;

describe('WooCommerce stand-in', () => {
  it('creates orders over /wc/v3/orders with items and totals', async () => {
    const mug = await createProduct('Mug', '9.95');
    const order = await createOrder({ status: 'processing', currency: 'EUR', billing: { email: 'ann@shop.test' }, line_items: [{ product_id: mug.id, quantity: 2 }] });
    expect(order.status).toBe('processing');
    expect(Number(order.total)).toBe(19.9);
    expect(order.line_items).toMatchObject([{ name: 'Mug', quantity: 2, product_id: mug.id }]);
  });

  it('answers an order with its links, even when _fields names only some fields, as WooCommerce does', async () => {
    const order = await createOrder({ status: 'pending' });
    const res = await rest(`/wc/v3/orders/${order.id}?_fields=id,status`, { session: await adminSession() });
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['id', 'status', '_links']);
    expect(body._links).toMatchObject({ self: [{ href: expect.stringMatching(new RegExp(`/wc/v3/orders/${order.id}$`)) }], collection: [{ href: expect.stringMatching(/\/wc\/v3\/orders$/) }] });
  });

  it('refuses a line item that names no product, as WooCommerce does', async () => {
    const res = await rest('/wc/v3/orders', { method: 'POST', session: await adminSession(), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ line_items: [{ name: 'Mug', quantity: 1, total: '9.95' }] }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('woocommerce_rest_required_product_reference');
  });

  it('fires update, status and transition hooks with WooCommerce’s arguments and order', async () => {
    const order = await createOrder({ status: 'processing' });
    const seen = wpEvalJson<[string, unknown[]][]>(`${RECORD_HOOKS}
      $o = wc_get_order( ${order.id} );
      $o->update_status( 'completed', 'Done in the CRM.' );
      echo wp_json_encode( $GLOBALS['seen'] );`);
    expect(seen.map(([hook]) => hook)).toEqual([
      'woocommerce_update_order',
      'woocommerce_order_status_completed',
      'woocommerce_order_note_added',
      'woocommerce_order_status_processing_to_completed',
      'woocommerce_order_status_changed',
    ]);
    expect(seen[0]![1]).toEqual([order.id, 'WC_Order']);
    // The transition argument came with WooCommerce 9 (8.2 passes the id and the order only).
    expect(seen[1]![1].slice(0, 2)).toEqual([order.id, 'WC_Order']);
    expect(seen[1]![1].slice(2)).toEqual(seen[1]![1].length > 2 ? [{ from: 'processing', to: 'completed', note: 'Done in the CRM.', manual: false }] : []);
    expect(seen[3]![1]).toEqual([order.id, 'WC_Order']);
    expect(seen[4]![1]).toEqual([order.id, 'processing', 'completed', 'WC_Order']);
  });

  it('adds the transition note with the caller’s note in front', async () => {
    const order = await createOrder({ status: 'on-hold' });
    const notes = wpEvalJson<{ content: string }[]>(`
      wc_get_order( ${order.id} )->update_status( 'processing', 'Paid in the CRM.' );
      echo wp_json_encode( wc_get_order_notes( array( 'order_id' => ${order.id} ) ) );`);
    expect(notes[0]!.content).toBe('Paid in the CRM. Order status changed from On hold to Processing.');
  });

  it('fires woocommerce_new_order for a new order and keeps meta through save', () => {
    const result = wpEvalJson<{ seen: [string, unknown[]][]; meta: string }>(`${RECORD_HOOKS}
      $o = new WC_Order();
      $o->set_status( 'pending' );
      $o->update_meta_data( '_crm_order_id', 'CRM-1' );
      $id = $o->save();
      echo wp_json_encode( array( 'seen' => $GLOBALS['seen'], 'meta' => wc_get_order( $id )->get_meta( '_crm_order_id' ) ) );`);
    expect(result.seen[0]![0]).toBe('woocommerce_new_order');
    expect(result.seen[0]![1]).toEqual([expect.any(Number), 'WC_Order']);
    expect(result.meta).toBe('CRM-1');
  });

  it('fires the trash and delete hooks', async () => {
    const a = await createOrder({ status: 'pending' });
    const b = await createOrder({ status: 'pending' });
    const seen = wpEvalJson<[[string, unknown[]][], string, boolean]>(`${RECORD_HOOKS}
      wc_get_order( ${a.id} )->delete();
      wc_get_order( ${b.id} )->delete( true );
      echo wp_json_encode( array( $GLOBALS['seen'], wc_get_order( ${a.id} )->get_status(), wc_get_order( ${b.id} ) ) );`);
    expect(seen[0]).toEqual([
      ['woocommerce_before_trash_order', [a.id, 'WC_Order']],
      ['woocommerce_trash_order', [a.id]],
      ['woocommerce_before_delete_order', [b.id, 'WC_Order']],
      ['woocommerce_delete_order', [b.id]],
    ]);
    expect(seen[1]).toBe('trash');
    expect(seen[2]).toBe(false);
  });

  it('lists WooCommerce’s seven order statuses and the block checkout’s draft', () => {
    const statuses = wpEvalJson<Record<string, string>>(`echo wp_json_encode( wc_get_order_statuses() );`);
    expect(Object.keys(statuses)).toEqual(['wc-pending', 'wc-processing', 'wc-on-hold', 'wc-completed', 'wc-cancelled', 'wc-refunded', 'wc-failed', 'wc-checkout-draft']);
    expect(statuses['wc-checkout-draft']).toBe('Draft');
  });
});
