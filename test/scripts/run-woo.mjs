// npm run test:woo: the integration, end-to-end and browser suites against real WooCommerce releases,
// once per release and order storage, each on its own stack. Opt-in: without a release it fails and
// says how to get one, so it never passes having tested nothing.
//   npm run test:woo -- --release <dir|zip>[:hpos|:posts] [--release …] [vitest filters and options]
//   CRM_BRIDGE_WOOCOMMERCE_RELEASES="<dir|zip>[:hpos|:posts] …" npm run test:woo
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureNodeModules, step } from './bootstrap.mjs';

const HOW_TO_GET_ONE = `npm run test:woo needs at least one real WooCommerce release: --release <dir|zip>[:hpos|:posts]
(repeatable) or CRM_BRIDGE_WOOCOMMERCE_RELEASES="<dir|zip>[:hpos|:posts] …". The storage defaults to hpos.

Built releases are in two public GitHub repositories (never commit them):
  github:WP-a2z/woocommerce         the wordpress.org plugin, one commit per release (3.7.0 to 10.0.2)
  github:johnpbloch/wordpress-core  WordPress core, a tag per release (for WooCommerce 10, which needs 6.7)
Extract one from a clone of the first (9.4.3 is commit 65b6d7c5b, 8.2.2 is c559e422c):
  git --git-dir=<dir> log --oneline | grep 'woocommerce 9.4'
  mkdir -p ~/woo/9.4.3 && git --git-dir=<dir> archive 65b6d7c5b | tar -x -C ~/woo/9.4.3
The default set is 9.4.3 with HPOS and 8.2.2 with posts storage:
  npm run test:woo -- --release ~/woo/9.4.3:hpos --release ~/woo/8.2.2:posts
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  strict: false,
  options: { release: { type: 'string', multiple: true } },
});

/** "<path>[:hpos|:posts]" → { path, hpos } (a path may itself hold colons: only a known suffix counts). */
function parseRelease(text) {
  const match = /^(.*):(hpos|posts)$/.exec(text);
  const path = resolve(match ? match[1] : text);
  return { path, hpos: !match || match[2] === 'hpos' };
}

const given = [...(values.release ?? []), ...(process.env.CRM_BRIDGE_WOOCOMMERCE_RELEASES ?? '').split(/[\s,]+/).filter(Boolean)];
if (given.length === 0) {
  process.stderr.write(HOW_TO_GET_ONE);
  process.exit(2);
}
const releases = given.map((text) => (typeof text === 'string' ? parseRelease(text) : undefined));
if (releases.includes(undefined)) {
  process.stderr.write(`--release needs a value\n\n${HOW_TO_GET_ONE}`);
  process.exit(2);
}

// Everything not --release goes to vitest: file filters narrow the run, options pass through.
const passThrough = process.argv.slice(2).filter((arg, i, all) => !(arg === '--release' || arg.startsWith('--release=') || all[i - 1] === '--release'));
const filters = positionals.length > 0 ? [] : ['test/integration', 'test/e2e'];

ensureNodeModules();
step('system packages (MariaDB, PHP, WordPress, Chromium)', 'npx', ['tsx', 'test/scripts/system-packages.ts']);
step('build admin UI and sidecar', 'npm', ['run', 'build']);
for (const { path, hpos } of releases) {
  const storage = hpos ? 'hpos' : 'posts';
  // Its own stack per configuration: the run does not touch `npm test`'s stack or another release's.
  const name = `woo-${basename(path).replace(/[^A-Za-z0-9]+/g, '-')}-${storage}`;
  step(`suites on WooCommerce ${path} (${storage} storage), stack ${name}`, 'npx', ['vitest', 'run', '--project', 'integration', ...filters, ...passThrough], {
    env: { CRM_BRIDGE_WOOCOMMERCE: path, CRM_BRIDGE_HPOS: hpos ? 'on' : 'off', CRM_BRIDGE_STACK: name },
  });
}
