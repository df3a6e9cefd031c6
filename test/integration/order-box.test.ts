// The sync history box on the order edit screen: the order's latest decisions, escaped.
import { afterAll, describe, expect, it } from 'vitest';
import { closePools, dbPool, wpEval } from '../support/stack.ts';
import { createOrders } from '../support/incoming.ts';

afterAll(closePools);

describe('order sync box', () => {
  it('lists the order’s decisions, newest first, with every value escaped', async () => {
    const [orderId] = createOrders(['pending']);
    await dbPool().query(
      `INSERT INTO wp_crm_bridge_log (created_at, direction, decision, order_id, to_status, attempt, message) VALUES
        (NOW(3) - INTERVAL 1 SECOND, 'out', 'delivered', ?, 'pending', 1, NULL),
        (NOW(3), 'in', 'refused', ?, 'processing', 1, '<script>alert(1)</script>')`,
      [orderId, orderId],
    );
    const html = wpEval(`wp_set_current_user( 1 ); \\CrmBridge\\Admin\\OrderBox::render( wc_get_order( ${orderId} ) );`);
    expect(html).toContain('Not linked to a CRM order yet.');
    expect(html.indexOf('← refused')).toBeLessThan(html.indexOf('→ delivered'));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('shows a CRM order id as text: a stored link or image never becomes markup', () => {
    const [orderId] = createOrders(['pending']);
    const markup = '<a href="https://evil.test/pay">Pay here</a><img src="https://evil.test/x.png">';
    // As an id stored before CRM order ids were restricted would be.
    wpEval(`$o = wc_get_order( ${orderId} ); $o->update_meta_data( '_crm_bridge_crm_order_id', ${JSON.stringify(markup)} ); $o->save();`);
    const html = wpEval(`wp_set_current_user( 1 ); \\CrmBridge\\Admin\\OrderBox::render( wc_get_order( ${orderId} ) );`);
    expect(html).not.toMatch(/<a href="https:\/\/evil|<img /);
    expect(html).toContain('&lt;a href=&quot;https://evil.test/pay&quot;&gt;');
  });
});
