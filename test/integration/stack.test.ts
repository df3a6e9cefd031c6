// The local stack starts twice without harm and comes back after its processes were killed.
import { describe, expect, it } from 'vitest';
import { down, up } from '../stack/stack.ts';
import { ownsProcess } from '../stack/system.ts';

describe('local stack', () => {
  it('reuses a running stack, recovers after SIGKILL, and stops only its own processes', async () => {
    // The stack's own machinery, so the stand-in even under npm run test:woo (an empty woocommerce
    // does not read CRM_BRIDGE_WOOCOMMERCE).
    const first = await up({ name: 'stack-test', versions: ['6.1'], woocommerce: '', hpos: 'on' });
    try {
      const again = await up({ name: 'stack-test', versions: ['6.1'], woocommerce: '', hpos: 'on' });
      expect(again.mariadb.pid).toBe(first.mariadb.pid);
      expect(again.sites['6.1']!.pid).toBe(first.sites['6.1']!.pid);

      // A crash: both processes die without cleaning up their pid and socket files.
      process.kill(-first.sites['6.1']!.pid, 'SIGKILL');
      process.kill(first.mariadb.pid, 'SIGKILL');
      const recovered = await up({ name: 'stack-test', versions: ['6.1'], woocommerce: '', hpos: 'on' });
      expect(recovered.mariadb.pid).not.toBe(first.mariadb.pid);
      const res = await fetch(`${recovered.sites['6.1']!.url}/wp-json/crm-bridge/v1/admin/health`);
      expect(res.status).toBe(401);
      const db = recovered.mariadb;
      expect(db.port).toBeGreaterThan(0);

      await down('stack-test');
      expect(ownsProcess(recovered.mariadb.pid, recovered.mariadb.datadir)).toBe(false);
      expect(ownsProcess(recovered.sites['6.1']!.pid, recovered.sites['6.1']!.dir)).toBe(false);
    } finally {
      await down('stack-test');
    }
  });
});
