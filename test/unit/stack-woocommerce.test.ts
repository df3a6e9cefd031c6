// Choosing WooCommerce for the stack: a release given as a folder or a zip is recognised by its plugin
// header, copied once with the mirror's file-name quirk fixed, and anything else is refused clearly.
import { mkdtempSync, mkdirSync, writeFileSync, readlinkSync, existsSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chooseWooCommerce, prepareRelease, siteTag, STANDIN, wpAtLeast } from '../stack/woocommerce.ts';
import { StackError } from '../stack/system.ts';

const temps: string[] = [];
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crm-bridge-wc-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  vi.unstubAllEnvs();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder shaped like a built release: the plugin header and the file the mirror names differently. */
function fakeRelease(version: string, requires = '6.5'): string {
  const dir = join(temp(), 'woocommerce');
  mkdirSync(join(dir, 'src', 'Caching'), { recursive: true });
  writeFileSync(join(dir, 'woocommerce.php'), `<?php\n/**\n * Plugin Name: WooCommerce\n * Version: ${version}\n * Requires at least: ${requires}\n */\n`);
  writeFileSync(join(dir, 'src', 'Caching', 'WpCacheEngine.php'), '<?php\n');
  return dir;
}

describe('the stack’s WooCommerce', () => {
  it('copies a release folder once, reads its version and needs, and links the class file the autoloader asks for', () => {
    const stack = temp();
    const choice = prepareRelease(fakeRelease('9.4.3'), stack, true);
    expect(choice).toMatchObject({ version: '9.4.3', hpos: true, requiresWp: '6.5', dir: join(stack, 'woocommerce', '9.4.3') });
    expect(readlinkSync(join(choice.dir, 'src', 'Caching', 'WPCacheEngine.php'))).toBe('WpCacheEngine.php');
    expect(siteTag(choice)).toBe('_wc943_hpos');
    expect(siteTag({ ...choice, hpos: false })).toBe('_wc943_posts');
  });

  it('takes the parent folder and a wordpress.org zip as well', () => {
    const release = fakeRelease('8.2.2', '6.2');
    const zip = join(temp(), 'woocommerce.8.2.2.zip');
    execFileSync('python3', ['-m', 'zipfile', '-c', zip, 'woocommerce'], { cwd: join(release, '..') });
    expect(prepareRelease(join(release, '..'), temp(), false).version).toBe('8.2.2');
    const fromZip = prepareRelease(zip, temp(), false);
    expect(fromZip).toMatchObject({ version: '8.2.2', requiresWp: '6.2', hpos: false });
    expect(existsSync(join(fromZip.dir, 'woocommerce.php'))).toBe(true);
  });

  it('refuses what is not a release, and HPOS off on the stand-in, with a message saying what it wanted', () => {
    vi.stubEnv('CRM_BRIDGE_WOOCOMMERCE', '');
    vi.stubEnv('CRM_BRIDGE_HPOS', '');
    const stack = temp();
    expect(() => prepareRelease(join(stack, 'missing'), stack, true)).toThrow(/not found/);
    expect(() => prepareRelease(stack, stack, true)).toThrow(/no woocommerce\.php/);
    const notZip = join(stack, 'release.tar');
    writeFileSync(notZip, '');
    expect(() => prepareRelease(notZip, stack, true)).toThrow(StackError);
    expect(() => chooseWooCommerce(stack, { hpos: 'off' })).toThrow(/stand-in has one order storage/);
    expect(() => chooseWooCommerce(stack, { hpos: 'maybe' })).toThrow(/on or off/);
    expect(chooseWooCommerce(stack, {})).toBe(STANDIN);
  });

  it('compares WordPress versions by number, not as text', () => {
    expect(wpAtLeast('6.5', '6.5')).toBe(true);
    expect(wpAtLeast('6.5', '6.10')).toBe(false);
    expect(wpAtLeast('6.1', '6.2')).toBe(false);
    expect(wpAtLeast('6.5', '6.2.0')).toBe(true);
  });
});
