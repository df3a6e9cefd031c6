// The demo: the local stack (MariaDB + WordPress with the plugin and the WooCommerce stand-in) and the
// sidecar, started together; Ctrl-C stops all of it. With --detach it leaves everything running.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { down, up } from '../stack/stack.ts';
import { ROOT } from '../stack/paths.ts';
import { freePort, ownsProcess, startDaemon, stopProcess, waitFor, StackError } from '../stack/system.ts';

const { values } = parseArgs({ options: { detach: { type: 'boolean', default: false } } });

try {
  const state = await up({ name: 'demo', versions: ['6.1'] });
  const site = state.sites['6.1']!;
  const db = state.mariadb;
  const port = await freePort(9464);
  const env = {
    ...process.env,
    CRM_BRIDGE_DATABASE_URL: `mysql://${db.user}:${db.password}@127.0.0.1:${db.port}/${site.database}`,
    CRM_BRIDGE_TABLE_PREFIX: site.tablePrefix,
    CRM_BRIDGE_WORDPRESS_URL: site.url,
    CRM_BRIDGE_WP_USER: site.sidecarUser,
    CRM_BRIDGE_WP_APP_PASSWORD: site.sidecarAppPassword,
    CRM_BRIDGE_ENCRYPTION_KEY: site.encryptionKey,
    CRM_BRIDGE_HTTP_PORT: String(port),
    CRM_BRIDGE_WORKER_ID: 'demo-sidecar',
  };
  const main = join(ROOT, 'sidecar', 'dist', 'main.js');
  const sidecarLog = join(state.dir, 'sidecar.log');
  let sidecarPid: number;
  if (values.detach) {
    sidecarPid = startDaemon(process.execPath, [main], sidecarLog, { env });
  } else {
    const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    sidecarPid = child.pid!;
  }
  await waitFor('the sidecar', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 30_000);

  console.log(`
CRM Bridge demo is running.

  WordPress admin   ${site.url}/wp-admin/
  login             ${site.adminUser} / ${site.adminPassword}
  CRM Bridge screen ${site.url}/wp-admin/admin.php?page=crm-bridge
  sidecar           http://127.0.0.1:${port}/readyz  and  /metrics

Try:
  1. Open the CRM Bridge screen (WooCommerce → CRM Bridge): the sidecar shows as online.
  2. curl http://127.0.0.1:${port}/metrics to see the sidecar's Prometheus metrics.
  3. Stop the sidecar (kill ${sidecarPid}) and press Refresh on the Health view: within 30 s it shows offline.
${values.detach ? `\nLeft running. Stop it with: kill ${sidecarPid}; npm run stack -- down --name demo\n` : '\nPress Ctrl-C to stop everything.\n'}`);

  if (!values.detach) {
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    console.log('\nstopping…');
    try {
      process.kill(sidecarPid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await stopProcess(sidecarPid, main);
    await down('demo');
    console.log('stopped.');
  } else if (!ownsProcess(sidecarPid, main)) {
    throw new StackError(`the sidecar stopped; see ${sidecarLog}`);
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof StackError ? err.exitCode : 1);
}
