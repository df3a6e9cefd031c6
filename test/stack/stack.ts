// The local stack as one unit: a private MariaDB and one or more WordPress sites with the plugin
// active. up() is idempotent and recovers after a crash; down() stops only the processes it started.
import { existsSync, mkdirSync, readFileSync, writeFileSync, openSync, closeSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { stackDir } from './paths.ts';
import { startMariaDb, stopMariaDb, type MariaDbState } from './mariadb.ts';
import { startSite, stopSite, type SiteState, type WpVersion, WP_VERSIONS } from './wordpress.ts';
import { ensureDebianPackages, ownsProcess, sleep, StackError } from './system.ts';
import { chooseWooCommerce, STANDIN } from './woocommerce.ts';

export const DEBIAN_PACKAGES = ['mariadb-server', 'mariadb-client', 'php-cli', 'php-mysql', 'php-curl', 'php-xml', 'php-mbstring', 'php-intl', 'wordpress', 'unzip'];

export interface StackState {
  name: string;
  dir: string;
  mariadb: MariaDbState;
  sites: Partial<Record<WpVersion, SiteState>>;
}

export interface UpOptions {
  name: string;
  versions: WpVersion[];
  /** Extra wp-config.php constants (for example the encryption key shared with the sidecar). */
  configExtra?: Record<string, string>;
  /**
   * A real WooCommerce release (an extracted folder or a zip) in place of the stand-in; defaults to
   * CRM_BRIDGE_WOOCOMMERCE. hpos is 'on' (default) or 'off' (CRM_BRIDGE_HPOS).
   */
  woocommerce?: string;
  hpos?: string;
  /** Called with one line per stage as the stack starts (the database, WooCommerce, each site and the plugin). */
  progress?: (line: string) => void;
}

const stateFile = (dir: string): string => join(dir, 'state.json');

export function readState(name: string): StackState | undefined {
  const file = stateFile(stackDir(name));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StackState) : undefined;
}

export async function up(opts: UpOptions): Promise<StackState> {
  for (const v of opts.versions) {
    if (!WP_VERSIONS.includes(v)) throw new StackError(`unknown WordPress version ${v}; known: ${WP_VERSIONS.join(', ')}`, 2);
  }
  ensureDebianPackages(DEBIAN_PACKAGES);
  const dir = stackDir(opts.name);
  mkdirSync(dir, { recursive: true });
  return withLock(dir, async () => {
    const progress = opts.progress ?? ((): void => {});
    const previous = readState(opts.name);
    const woocommerce = chooseWooCommerce(dir, { woocommerce: opts.woocommerce, hpos: opts.hpos });
    progress(`WooCommerce: ${describeWooCommerce(woocommerce)}`);
    progress('MariaDB: starting');
    const mariadb = await startMariaDb(join(dir, 'mariadb'), previous?.mariadb, previous?.mariadb.password ?? randomBytes(16).toString('hex'));
    progress(`MariaDB: ready on 127.0.0.1:${mariadb.port}`);
    const state: StackState = { name: opts.name, dir, mariadb, sites: { ...previous?.sites } };
    writeFileSync(stateFile(dir), JSON.stringify(state, null, 2));
    for (const version of opts.versions) {
      progress(`WordPress ${version}: installing (or reusing) the site, activating WooCommerce and the CRM Bridge plugin`);
      const site = await startSite(dir, version, mariadb, previous?.sites?.[version], { configExtra: opts.configExtra, woocommerce });
      state.sites[version] = site;
      writeFileSync(stateFile(dir), JSON.stringify(state, null, 2));
      progress(`WordPress ${version}: ready at ${site.url} with ${describeWooCommerce(site.woocommerce)} and the CRM Bridge plugin active`);
    }
    return state;
  });
}

/** 'WooCommerce 9.4.3 (HPOS)', 'WooCommerce 8.2.2 (posts storage)' or 'the WooCommerce stand-in'. */
export function describeWooCommerce(wc: { version: string; hpos: boolean }): string {
  if (wc.version === STANDIN.version) return 'the WooCommerce stand-in';
  return `WooCommerce ${wc.version} (${wc.hpos ? 'HPOS' : 'posts storage'})`;
}

export async function down(name: string): Promise<void> {
  const dir = stackDir(name);
  const state = readState(name);
  if (!state) return;
  await withLock(dir, async () => {
    for (const site of Object.values(state.sites)) await stopSite(site);
    await stopMariaDb(state.mariadb);
  });
}

/** Stops the stack's database server and nothing else (outage tests); startDatabase brings it back. */
export async function stopDatabase(name: string): Promise<void> {
  const state = readState(name);
  if (!state) throw new StackError(`stack ${name} is not up`);
  await stopMariaDb(state.mariadb);
}

/** Starts the stack's database server again, on the port everything already points at. */
export async function startDatabase(name: string): Promise<MariaDbState> {
  const dir = stackDir(name);
  return withLock(dir, async () => {
    const state = readState(name);
    if (!state) throw new StackError(`stack ${name} is not up`);
    const mariadb = await startMariaDb(join(dir, 'mariadb'), state.mariadb, state.mariadb.password);
    if (mariadb.port !== state.mariadb.port) throw new StackError(`MariaDB came back on port ${mariadb.port}, not ${state.mariadb.port}`);
    writeFileSync(stateFile(dir), JSON.stringify({ ...state, mariadb }, null, 2));
    return mariadb;
  });
}

/** One up/down at a time per stack directory; a lock left by a dead process is taken over. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, 'lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      writeFileSync(lock, String(process.pid));
      break;
    } catch {
      const holder = Number(readFileSync(lock, 'utf8') || 0);
      if (!holder || !ownsProcess(holder, 'node')) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new StackError(`stack ${dir} is locked by process ${holder}`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
