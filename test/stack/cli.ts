// npm run stack -- up|down|status [--name test] [--wp 6.1,6.5]
import { parseArgs } from 'node:util';
import { down, readState, up } from './stack.ts';
import { StackError } from './system.ts';
import type { WpVersion } from './wordpress.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string', default: 'dev' }, wp: { type: 'string', default: '6.1' } },
});
const command = positionals[0] ?? 'status';

try {
  if (command === 'up') {
    const state = await up({ name: values.name, versions: values.wp.split(',') as WpVersion[] });
    for (const site of Object.values(state.sites)) {
      console.log(`WordPress ${site.version}: ${site.url}/wp-admin/  (login ${site.adminUser} / ${site.adminPassword})`);
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
