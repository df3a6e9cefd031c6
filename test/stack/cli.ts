// npm run stack -- up|down|status [--name test] [--wp 6.1,6.5] [--woocommerce <dir|zip>] [--hpos on|off]
import { parseArgs } from 'node:util';
import { describeWooCommerce, down, readState, up } from './stack.ts';
import { StackError } from './system.ts';
import type { WpVersion } from './wordpress.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string', default: 'dev' }, wp: { type: 'string' }, woocommerce: { type: 'string' }, hpos: { type: 'string' } },
});
const command = positionals[0] ?? 'status';

try {
  if (command === 'up') {
    const real = values.woocommerce ?? process.env.CRM_BRIDGE_WOOCOMMERCE;
    // A real release needs a newer WordPress than Debian's 6.1: it runs on 6.5 unless --wp says otherwise.
    const versions = (values.wp ?? (real ? '6.5' : '6.1')).split(',') as WpVersion[];
    const state = await up({ name: values.name, versions, woocommerce: values.woocommerce, hpos: values.hpos, progress: (line) => console.log(`▸ ${line}`) });
    // Only the sites this run started: the state also remembers sites of earlier runs, which may be stopped.
    for (const site of versions.map((v) => state.sites[v]!)) {
      console.log(`WordPress ${site.version} with ${describeWooCommerce(site.woocommerce)}: ${site.url}/wp-admin/  (login ${site.adminUser} / ${site.adminPassword})`);
    }
    console.log(`MariaDB: 127.0.0.1:${state.mariadb.port} (user ${state.mariadb.user})`);
  } else if (command === 'down') {
    await down(values.name);
    console.log(`stack ${values.name} stopped`);
  } else if (command === 'status') {
    console.log(JSON.stringify(readState(values.name) ?? null, null, 2));
  } else {
    throw new StackError(`unknown command ${command}: use up, down or status`, 2);
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(err instanceof StackError ? err.exitCode : 1);
}
