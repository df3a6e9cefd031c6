// With WP_DEBUG on, the plugin raises no PHP warning, notice or deprecation on any path we exercise.
import { describe, expect, it } from 'vitest';
import { adminSession, rest, site, wpEval } from '../support/stack.ts';
import { debugLogMark, debugLogSince, problemsInOurCode } from '../support/debugLog.ts';
import { WP_VERSIONS } from '../stack/wordpress.ts';

describe.each(WP_VERSIONS)('PHP notices on WordPress %s', (version) => {
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
    const created = await rest('/wc/v3/orders', { method: 'POST', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'pending', line_items: [{ name: 'Tea', quantity: 1, total: '4.50' }] }) }, s);
    const order = (await created.json()) as { id: number };
    wpEval(`$o = wc_get_order( ${order.id} ); $o->update_status( 'processing' ); $o->delete();`, s);
    wpEval(`\\CrmBridge\\Plugin::activate();`, s);

    const log = debugLogSince(s, mark);
    expect(problemsInOurCode(log)).toEqual([]);
  });
});
