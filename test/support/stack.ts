// The one shared fixture of the integration tests: the stack started by globalSetup, and helpers to
// reach its WordPress sites as a browser, as PHP and as the database.
import { describe, inject } from 'vitest';
import { createPool, type Pool } from 'mysql2/promise';
import type { StackState } from '../stack/stack.ts';
import { evalPhp, evalPhpAsync, WP_VERSIONS, type SiteState, type WpVersion } from '../stack/wordpress.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackState;
  }
}

export function stack(): StackState {
  return inject('stack');
}

/** True when the stack runs this WordPress version (a real WooCommerce release runs on 6.5 only). */
export function hasSite(version: WpVersion): boolean {
  return stack().sites[version] !== undefined;
}

/**
 * The WordPress version the whole suite runs on; the contract, notice and browser tests also run on
 * the other. 6.1 unless CRM_BRIDGE_WP says 6.5 or the stack has no 6.1 site (real WooCommerce).
 */
export const PRIMARY_WP: WpVersion = process.env.CRM_BRIDGE_WP === '6.5' || !hasSite('6.1') ? '6.5' : '6.1';

/** The WooCommerce the primary site runs: 'standin' or a real release's version, and its order storage. */
export function woocommerce(): { version: string; hpos: boolean } {
  return site().woocommerce ?? { version: 'standin', hpos: true };
}

/** True when the suite runs on the stand-in, false on a real WooCommerce release (`npm run test:woo`). */
export function onStandin(): boolean {
  return woocommerce().version === 'standin';
}

/**
 * A describe block for each WordPress version of WP_VERSIONS: run on the versions the stack has,
 * skipped (with the reason in its title) on the others, so `npm test` runs them all.
 */
export function describeEachWordPress(title: string, body: (version: WpVersion) => void): void {
  for (const version of WP_VERSIONS) {
    const present = hasSite(version);
    const name = `${title} on WordPress ${version}${present ? '' : ' (skipped: not in this stack; real WooCommerce releases run on 6.5 only)'}`;
    describe.skipIf(!present)(name, () => body(version));
  }
}

export function site(version: WpVersion = PRIMARY_WP): SiteState {
  const s = stack().sites[version];
  if (!s) throw new Error(`WordPress ${version} is not part of the test stack`);
  return s;
}

export function databaseUrl(s: SiteState = site()): string {
  const db = stack().mariadb;
  return `mysql://${db.user}:${encodeURIComponent(db.password)}@127.0.0.1:${db.port}/${s.database}`;
}

const pools = new Map<string, Pool>();
/** A pool on the site's database, for assertions on the plugin's own tables. */
export function dbPool(s: SiteState = site()): Pool {
  let pool = pools.get(s.database);
  if (!pool) {
    const db = stack().mariadb;
    pool = createPool({ host: '127.0.0.1', port: db.port, user: db.user, password: db.password, database: s.database, timezone: 'Z', connectionLimit: 4 });
    pools.set(s.database, pool);
  }
  return pool;
}

export async function closePools(): Promise<void> {
  await Promise.all([...pools.values()].map((p) => p.end()));
  pools.clear();
}

/** Runs PHP inside the loaded WordPress (like `wp eval`) and returns what it printed. */
export function wpEval(code: string, s: SiteState = site()): string {
  return evalPhp(s, code);
}

/** wpEval() without blocking the event loop (for servers running in the test process). */
export function wpEvalAsync(code: string, s: SiteState = site()): Promise<string> {
  return evalPhpAsync(s, code);
}

/** Same, for code that prints JSON. */
export function wpEvalJson<T>(code: string, s: SiteState = site()): T {
  return JSON.parse(wpEval(code, s)) as T;
}

export interface Session {
  cookie: string;
  nonce: string;
}

/** Logs in through wp-login.php like a browser and fetches a REST nonce. */
export async function login(user: string, password: string, s: SiteState = site()): Promise<Session> {
  const res = await fetch(`${s.url}/wp-login.php`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'wordpress_test_cookie=WP%20Cookie%20check' },
    body: new URLSearchParams({ log: user, pwd: password, 'wp-submit': 'Log In', testcookie: '1', redirect_to: `${s.url}/wp-admin/` }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .filter((c) => c && !c.endsWith('=deleted'))
    .join('; ');
  if (!cookie.includes('wordpress_logged_in')) throw new Error(`login as ${user} failed (HTTP ${res.status})`);
  const nonceRes = await fetch(`${s.url}/wp-admin/admin-ajax.php?action=rest-nonce`, { headers: { cookie } });
  const nonce = (await nonceRes.text()).trim();
  return { cookie, nonce };
}

export async function adminSession(s: SiteState = site()): Promise<Session> {
  return login(s.adminUser, s.adminPassword, s);
}

/** Creates (or resets) a user with the given role and password. */
export function ensureUser(login: string, role: string, password: string, s: SiteState = site()): void {
  wpEval(
    `$u = get_user_by( 'login', ${JSON.stringify(login)} );
     $id = $u ? $u->ID : wp_insert_user( array( 'user_login' => ${JSON.stringify(login)}, 'user_pass' => ${JSON.stringify(password)}, 'user_email' => ${JSON.stringify(`${login}@shop.test`)}, 'role' => ${JSON.stringify(role)} ) );
     wp_set_password( ${JSON.stringify(password)}, $id );
     ( new WP_User( $id ) )->set_role( ${JSON.stringify(role)} );`,
    s,
  );
}

/** A REST call to the site, optionally as a logged-in session (cookie + nonce). */
export async function rest(path: string, init: RequestInit & { session?: Session | undefined; nonce?: boolean } = {}, s: SiteState = site()): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.session) {
    headers.set('cookie', init.session.cookie);
    if (init.nonce !== false) headers.set('x-wp-nonce', init.session.nonce);
  }
  return fetch(`${s.url}/wp-json${path}`, { ...init, headers });
}
