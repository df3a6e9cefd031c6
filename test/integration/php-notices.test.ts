// With WP_DEBUG on, the plugin raises no PHP warning, notice or deprecation on any path we exercise.
import { expect, it } from 'vitest';
import { adminSession, describeEachWordPress, rest, site, wpEval } from '../support/stack.ts';
import { createOrder, createProduct } from '../support/shop.ts';
import { debugLogMark, debugLogSince, problemsInOurCode } from '../support/debugLog.ts';

describeEachWordPress('PHP notices', (version) => {
  it('admin pages, REST routes, order changes and re-activation log no PHP problem from our code', async () => {
    const s = site(version);
    const mark = debugLogMark(s);
    const session = await adminSession(s);
    for (const path of ['/wp-admin/', '/wp-admin/admin.php?page=crm-bridge', '/wp-admin/plugins.php']) {
      const res = await fetch(s.url + path, { headers: { cookie: session.cookie } });
      expect(res.status, path).toBe(200);
      await res.text();
    }
    expect((await rest('/crm-bridge/v1/admin/health', { session }, s)).status).toBe(200);
    expect((await rest('/crm-bridge/v1/admin/health', {}, s)).status).toBe(401);
    const tea = await createProduct('Tea', '4.50', s, session);
    const order = await createOrder({ status: 'pending', line_items: [{ product_id: tea.id, quantity: 1 }] }, s, session);
    wpEval(`$o = wc_get_order( ${order.id} ); $o->update_status( 'processing' ); $o->delete();`, s);
    wpEval(`\\CrmBridge\\Plugin::activate();`, s);

    const log = debugLogSince(s, mark);
    expect(problemsInOurCode(log)).toEqual([]);
  });
});
