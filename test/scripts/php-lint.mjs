// php -l on every PHP file of the plugin, the WooCommerce stand-in, the stack helpers, the PHP unit
// tests and the benchmark's workers.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './bootstrap.mjs';

const DIRS = ['plugin', 'test/woocommerce-standin', 'test/stack/php', 'test/php', 'bench/php', 'demo/php'];
const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' ? [] : e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.php') ? [join(dir, e.name)] : [],
  );

let failed = 0;
const all = DIRS.flatMap((d) => files(join(ROOT, d)));
for (const file of all) {
  const res = spawnSync('php', ['-l', file], { encoding: 'utf8' });
  if (res.status !== 0) {
    failed++;
    process.stderr.write(`${relative(ROOT, file)}: ${res.stdout}${res.stderr}`);
  }
}
console.log(`php-lint: ${all.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
