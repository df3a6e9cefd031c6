// Which WooCommerce a site runs: the stand-in under test/ (the default, and all CI uses), or a real
// release given as an extracted folder or a zip (never committed, never needed by `npm test`).
// A release is copied into the stack once and the known quirks of the mirrored builds are fixed there.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './paths.ts';
import { run, StackError } from './system.ts';

export interface WooCommerceChoice {
  /** 'standin' or the real release's version (from its plugin header). */
  version: string;
  /** High-performance order storage on (true) or the posts tables (false); the stand-in has one storage. */
  hpos: boolean;
  /** The folder linked as wp-content/plugins/woocommerce. */
  dir: string;
  /** The lowest WordPress version the release supports ("Requires at least"). */
  requiresWp: string;
}

export const STANDIN: WooCommerceChoice = { version: 'standin', hpos: true, dir: join(ROOT, 'test', 'woocommerce-standin'), requiresWp: '6.1' };

/** Reads a plugin header field from woocommerce.php. */
function header(file: string, field: string): string | undefined {
  const match = new RegExp(`^[ \\t/*#@]*${field}:(.*)$`, 'mi').exec(readFileSync(file, 'utf8').slice(0, 8192));
  return match?.[1]?.trim();
}

/**
 * Resolves a release given as a folder holding woocommerce.php (or its parent) or a wordpress.org zip,
 * copies it under the stack once (per version) and applies the quirk fixes. Throws a StackError that
 * says what was expected when the path is not a WooCommerce release.
 */
export function prepareRelease(source: string, stackDir: string, hpos: boolean): WooCommerceChoice {
  const path = resolve(source);
  if (!existsSync(path)) throw new StackError(`WooCommerce release not found: ${path}`, 2);
  let from = path;
  let unpacked: string | undefined;
  if (statSync(path).isFile()) {
    if (!path.endsWith('.zip')) throw new StackError(`not a WooCommerce release: ${path} (give an extracted folder or a .zip)`, 2);
    unpacked = join(stackDir, 'woocommerce-unzip');
    rmSync(unpacked, { recursive: true, force: true });
    mkdirSync(unpacked, { recursive: true });
    run('unzip', ['-q', '-o', path, '-d', unpacked]);
    from = unpacked;
  }
  if (!existsSync(join(from, 'woocommerce.php')) && existsSync(join(from, 'woocommerce', 'woocommerce.php'))) from = join(from, 'woocommerce');
  const main = join(from, 'woocommerce.php');
  if (!existsSync(main)) throw new StackError(`not a WooCommerce release: no woocommerce.php in ${path}`, 2);
  const version = header(main, 'Version');
  if (!version || !/^\d+\.\d+(\.\d+)?$/.test(version)) throw new StackError(`not a WooCommerce release: ${main} has no Version header`, 2);

  const requiresWp = header(main, 'Requires at least') ?? '6.1';
  const dir = join(stackDir, 'woocommerce', version);
  if (!existsSync(join(dir, 'woocommerce.php'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(from, dir, { recursive: true });
    fixQuirks(dir);
  }
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
  return { version, hpos, dir, requiresWp };
}

/**
 * The mirrored builds store src/Caching/WPCacheEngine.php as WpCacheEngine.php; on a case-sensitive
 * file system the autoloader then fails with a fatal class-not-found. Link the name it looks for.
 */
function fixQuirks(dir: string): void {
  const caching = join(dir, 'src', 'Caching');
  if (!existsSync(caching)) return;
  const names = readdirSync(caching);
  if (names.includes('WpCacheEngine.php') && !names.includes('WPCacheEngine.php')) {
    symlinkSync('WpCacheEngine.php', join(caching, 'WPCacheEngine.php'));
  }
}

/** The choice named by the command line or CRM_BRIDGE_WOOCOMMERCE / CRM_BRIDGE_HPOS; the stand-in otherwise. */
export function chooseWooCommerce(stackDir: string, given: { woocommerce?: string; hpos?: string } = {}): WooCommerceChoice {
  const source = given.woocommerce ?? (process.env.CRM_BRIDGE_WOOCOMMERCE || undefined);
  const hposText = (given.hpos ?? (process.env.CRM_BRIDGE_HPOS || 'on')).toLowerCase();
  if (!['on', 'off'].includes(hposText)) throw new StackError(`HPOS must be on or off, not ${hposText}`, 2);
  if (!source) {
    if (hposText === 'off') throw new StackError('HPOS off needs a real WooCommerce release (--woocommerce <dir|zip>): the stand-in has one order storage', 2);
    return STANDIN;
  }
  return prepareRelease(source, stackDir, hposText === 'on');
}

/** A short, database-safe tag for site names: '' for the stand-in, '-wc943-hpos' for a release. */
export function siteTag(choice: WooCommerceChoice): string {
  if (choice.version === 'standin') return '';
  return `_wc${choice.version.replaceAll('.', '')}_${choice.hpos ? 'hpos' : 'posts'}`;
}

/** True when WordPress version a (like '6.5') is at least b (like '6.2' or '6.5.0'). */
export function wpAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}
