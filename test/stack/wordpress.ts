// A WordPress site of the stack: a private copy of a real release (Debian's 6.1 package, or 6.5 from
// the Playground builds), its wp-config.php, PHP's built-in server on loopback, and the plugins activated.
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync, lstatSync, readlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT } from './paths.ts';
import type { MariaDbState } from './mariadb.ts';
import { createDatabase } from './mariadb.ts';
import { freePort, ownsProcess, run, startDaemon, stopProcess, waitFor, StackError, runAsync } from './system.ts';
import { STANDIN, siteTag, wpAtLeast, type WooCommerceChoice } from './woocommerce.ts';

export const WP_VERSIONS = ['6.1', '6.5'] as const;
export type WpVersion = (typeof WP_VERSIONS)[number];

export interface SiteState {
  version: WpVersion;
  pid: number;
  port: number;
  url: string;
  dir: string;
  database: string;
  tablePrefix: string;
  adminUser: string;
  adminPassword: string;
  sidecarUser: string;
  sidecarAppPassword: string;
  /** CRM_BRIDGE_ENCRYPTION_KEY in wp-config.php; the sidecar gets the same value. */
  encryptionKey: string;
  debugLog: string;
  mailDir: string;
  /** The WooCommerce the site runs: 'standin' or a real release's version, and its order storage. */
  woocommerce: { version: string; hpos: boolean };
}

export const PLUGINS = ['woocommerce/woocommerce.php', 'crm-bridge/crm-bridge.php'];

/** Copies the WordPress release into dir, once. */
function installCode(version: WpVersion, dir: string): void {
  if (existsSync(join(dir, 'wp-includes', 'version.php'))) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (version === '6.1') {
    // Debian's package keeps a few files as symlinks into /usr/share/javascript and friends: copy their targets.
    cpSync('/usr/share/wordpress', dir, { recursive: true, dereference: true });
  } else {
    const require = createRequire(import.meta.url);
    const pkg = dirname(require.resolve('@wp-playground/wordpress-builds/package.json'));
    run('unzip', ['-q', '-o', join(pkg, 'src', 'wordpress', 'wp-6.5.zip'), '-d', dir]);
    cpSync(join(pkg, 'public', 'wp-6.5'), dir, { recursive: true });
  }
  rmSync(join(dir, 'wp-config.php'), { force: true });
}

/**
 * Links WooCommerce (the stand-in or a prepared release) and the plugin under test into wp-content (or unpacks the plugin
 * from its release zip, as wp-admin's upload would), and adds the mail catcher.
 */
function linkPlugins(dir: string, pluginZip: string | undefined, woocommerce: WooCommerceChoice): void {
  const plugins = join(dir, 'wp-content', 'plugins');
  mkdirSync(plugins, { recursive: true });
  const links: Record<string, string> = { woocommerce: woocommerce.dir };
  if (pluginZip) {
    rmSync(join(plugins, 'crm-bridge'), { recursive: true, force: true });
    run('unzip', ['-q', '-o', pluginZip, '-d', plugins]);
  } else {
    links['crm-bridge'] = join(ROOT, 'plugin');
  }
  for (const [name, target] of Object.entries(links)) {
    const link = join(plugins, name);
    if (existsSync(link) || isSymlink(link)) {
      if (isSymlink(link) && readlinkSync(link) === target) continue;
      rmSync(link, { recursive: true, force: true });
    }
    symlinkSync(target, link);
  }
  const mu = join(dir, 'wp-content', 'mu-plugins');
  mkdirSync(mu, { recursive: true });
  copyFileSync(join(ROOT, 'test', 'stack', 'php', 'stack-mail.php'), join(mu, 'crm-bridge-stack-mail.php'));
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function writeConfig(site: SiteState, db: MariaDbState, extra: Record<string, string>): void {
  const salt = (): string => randomBytes(32).toString('base64');
  const php = (v: string): string => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  const constants: Record<string, string | boolean> = {
    DB_NAME: site.database,
    DB_USER: db.user,
    DB_PASSWORD: db.password,
    DB_HOST: `127.0.0.1:${db.port}`,
    DB_CHARSET: 'utf8mb4',
    DB_COLLATE: '',
    WP_HOME: site.url,
    WP_SITEURL: site.url,
    WP_DEBUG: true,
    WP_DEBUG_LOG: site.debugLog,
    WP_DEBUG_DISPLAY: false,
    SCRIPT_DEBUG: false,
    DISABLE_WP_CRON: true,
    AUTOMATIC_UPDATER_DISABLED: true,
    WP_AUTO_UPDATE_CORE: false,
    WP_HTTP_BLOCK_EXTERNAL: true,
    FS_METHOD: 'direct',
    CRM_BRIDGE_STACK_MAIL_DIR: site.mailDir,
    ...extra,
  };
  for (const key of ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT']) {
    constants[key] = salt();
  }
  const lines = Object.entries(constants).map(([k, v]) => `define( '${k}', ${typeof v === 'boolean' ? String(v) : php(v)} );`);
  writeFileSync(
    join(site.dir, 'wp-config.php'),
    `<?php\n// Written by the CRM Bridge local stack; rewritten on every start.\n${lines.join('\n')}\n${switches(site.encryptionKey, php)}\n$table_prefix = ${php(site.tablePrefix)};\nif ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . '/' );\n}\nrequire_once ABSPATH . 'wp-settings.php';\n`,
  );
}

/** Flag files next to wp-config.php that a test creates to change how the next requests see the site. */
export const CONFIG_FLAGS = {
  /** WP_ENVIRONMENT_TYPE becomes 'production' instead of 'local'. */
  production: 'crm-bridge-production.flag',
  /** CRM_BRIDGE_ALLOW_PRIVATE_URLS becomes false instead of true. */
  noPrivateUrls: 'crm-bridge-no-private-urls.flag',
  /** CRM_BRIDGE_ENCRYPTION_KEY becomes the file's content (undefined when empty). */
  encryptionKey: 'crm-bridge-encryption-key.flag',
} as const;

/** The constants tests switch per request: local and private addresses allowed unless a flag file says otherwise. */
function switches(encryptionKey: string, php: (v: string) => string): string {
  const flag = (name: string): string => `__DIR__ . '/${name}'`;
  return [
    `define( 'WP_ENVIRONMENT_TYPE', file_exists( ${flag(CONFIG_FLAGS.production)} ) ? 'production' : 'local' );`,
    `define( 'CRM_BRIDGE_ALLOW_PRIVATE_URLS', ! file_exists( ${flag(CONFIG_FLAGS.noPrivateUrls)} ) );`,
    `$crm_bridge_key = file_exists( ${flag(CONFIG_FLAGS.encryptionKey)} ) ? trim( (string) file_get_contents( ${flag(CONFIG_FLAGS.encryptionKey)} ) ) : ${php(encryptionKey)};`,
    `if ( '' !== $crm_bridge_key ) {\n\tdefine( 'CRM_BRIDGE_ENCRYPTION_KEY', $crm_bridge_key );\n}`,
  ].join('\n');
}

/** Brings a site up (or adopts the running one) with the plugins active. */
export async function startSite(
  stackDir: string,
  version: WpVersion,
  db: MariaDbState,
  previous: SiteState | undefined,
  opts: { configExtra?: Record<string, string>; name?: string; pluginZip?: string; woocommerce?: WooCommerceChoice } = {},
): Promise<SiteState> {
  const woocommerce = opts.woocommerce ?? STANDIN;
  if (!wpAtLeast(version, woocommerce.requiresWp)) {
    throw new StackError(`WooCommerce ${woocommerce.version} needs WordPress ${woocommerce.requiresWp} or newer; this stack has ${WP_VERSIONS.filter((v) => wpAtLeast(v, woocommerce.requiresWp)).join(', ') || 'none'} for it (--wp)`, 2);
  }
  // Each WooCommerce and storage gets its own site and database: HPOS is chosen before the first order.
  const name = opts.name ?? `wp${version.replace('.', '')}${siteTag(woocommerce)}`;
  const dir = join(stackDir, name);
  if (previous && previous.dir === dir && ownsProcess(previous.pid, dir) && (await responds(previous.url))) {
    // A site started before the stack recorded its WooCommerce ran the stand-in.
    return { ...previous, woocommerce: previous.woocommerce ?? { version: STANDIN.version, hpos: STANDIN.hpos } };
  }
  if (previous) await stopProcess(previous.pid, previous.dir);

  installCode(version, dir);
  linkPlugins(dir, opts.pluginZip, woocommerce);
  const port = await freePort(previous?.port);
  const site: SiteState = {
    version,
    pid: 0,
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    database: name,
    tablePrefix: 'wp_',
    adminUser: 'admin',
    adminPassword: previous?.adminPassword ?? randomBytes(12).toString('base64url'),
    sidecarUser: '',
    sidecarAppPassword: '',
    encryptionKey: previous?.encryptionKey ?? randomBytes(32).toString('base64'),
    debugLog: join(stackDir, `${name}-debug.log`),
    mailDir: join(stackDir, `${name}-mail`),
    woocommerce: { version: woocommerce.version, hpos: woocommerce.hpos },
  };
  await createDatabase(db, site.database);
  writeConfig(site, db, opts.configExtra ?? {});

  const setup = run('php', [join(ROOT, 'test', 'stack', 'php', 'setup.php'), dir, site.url, site.adminPassword, ...PLUGINS]);
  const report = JSON.parse(setup.trim().split('\n').pop() ?? '{}') as { active_plugins?: string[]; sidecar_user: string; sidecar_app_password: string };
  site.sidecarUser = report.sidecar_user;
  site.sidecarAppPassword = report.sidecar_app_password;
  const inactive = PLUGINS.filter((p) => !report.active_plugins?.includes(p));
  if (inactive.length > 0) throw new StackError(`plugins not active after setup: ${inactive.join(', ')}\n${setup}`);
  if (woocommerce !== STANDIN) {
    // A second process, with WooCommerce loaded as on any request, does what its first wp-admin visit would.
    const wc = run('php', [join(ROOT, 'test', 'stack', 'php', 'woocommerce-setup.php'), dir, site.url, woocommerce.hpos ? 'on' : 'off']);
    const got = JSON.parse(wc.trim().split('\n').pop() ?? '{}') as { version?: string; hpos?: boolean };
    if (got.version !== woocommerce.version || got.hpos !== woocommerce.hpos) {
      throw new StackError(`WooCommerce ${woocommerce.version} with HPOS ${woocommerce.hpos ? 'on' : 'off'} expected, the site reports ${wc.trim()}`);
    }
  }

  site.pid = startDaemon(
    'php',
    // OPcache on, as under php-fpm in production; timestamps are checked on every request so edits show at once.
    ['-d', 'memory_limit=256M', '-d', 'display_errors=0', '-d', 'log_errors=1', '-d', 'opcache.enable_cli=1', '-d', 'opcache.revalidate_freq=0', '-S', `127.0.0.1:${port}`, '-t', dir, join(ROOT, 'test', 'stack', 'php', 'router.php')],
    join(stackDir, `${name}-server.log`),
    { env: { ...process.env, PHP_CLI_SERVER_WORKERS: '6' }, cwd: dir },
  );
  await waitFor(`WordPress ${version} at ${site.url}`, () => responds(site.url), 60_000);
  return site;
}

export async function stopSite(site: SiteState | undefined): Promise<void> {
  if (site) await stopProcess(site.pid, site.dir);
}

async function responds(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/wp-json/`, { signal: AbortSignal.timeout(5000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Runs PHP inside the site's loaded WordPress (like `wp eval`) and returns what it printed. */
export function evalPhp(site: SiteState, code: string): string {
  return run('php', [join(ROOT, 'test', 'stack', 'php', 'eval.php'), site.dir, site.url], { input: `<?php ${code}` });
}

/** evalPhp() without blocking the event loop. */
export function evalPhpAsync(site: SiteState, code: string): Promise<string> {
  return runAsync('php', [join(ROOT, 'test', 'stack', 'php', 'eval.php'), site.dir, site.url], { input: `<?php ${code}` });
}

/** Creates (with content) or removes one of CONFIG_FLAGS for the site; the next request sees it. */
export function setConfigFlag(site: SiteState, flag: keyof typeof CONFIG_FLAGS, on: boolean, content = ''): void {
  const file = join(site.dir, CONFIG_FLAGS[flag]);
  if (on) writeFileSync(file, content);
  else rmSync(file, { force: true });
}
