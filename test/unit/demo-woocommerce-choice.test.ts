// Which WooCommerce the demo runs: a release named by CRM_BRIDGE_WOOCOMMERCE (a folder or a zip, which
// the stack then prepares), the pinned download, or the stand-in (asked for, or as a loud fallback).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chooseDemoWooCommerce, DemoEnv, standinWarning } from '../../demo/woocommerce-choice.ts';
import { DownloadRefused, pinnedReleaseZip } from '../../demo/woocommerce-download.ts';
import { prepareRelease } from '../stack/woocommerce.ts';

const temps: string[] = [];
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crm-bridge-demo-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const env = (vars: Record<string, string>): DemoEnv => DemoEnv.parse(vars);
const noDownload = vi.fn(async (): Promise<string> => {
  throw new Error('must not download');
});

describe('the demo’s choice of WooCommerce', () => {
  it('uses a release folder or zip named by CRM_BRIDGE_WOOCOMMERCE, with the HPOS asked for, and the stack installs it', async () => {
    const parent = temp();
    mkdirSync(join(parent, 'woocommerce'));
    writeFileSync(join(parent, 'woocommerce', 'woocommerce.php'), '<?php\n/**\n * Plugin Name: WooCommerce\n * Version: 9.4.3\n * Requires at least: 6.5\n */\n');
    const zip = join(temp(), 'woocommerce.9.4.3.zip');
    execFileSync('python3', ['-m', 'zipfile', '-c', zip, 'woocommerce'], { cwd: parent });

    const fromDir = await chooseDemoWooCommerce(env({ CRM_BRIDGE_WOOCOMMERCE: join(parent, 'woocommerce'), CRM_BRIDGE_HPOS: 'OFF' }), noDownload);
    expect(fromDir).toEqual({ kind: 'release', source: join(parent, 'woocommerce'), origin: 'given', hpos: 'off' });
    const fromZip = await chooseDemoWooCommerce(env({ CRM_BRIDGE_WOOCOMMERCE: zip }), noDownload);
    expect(fromZip).toMatchObject({ kind: 'release', source: zip, origin: 'given', hpos: 'on' });
    expect(noDownload).not.toHaveBeenCalled();
    for (const choice of [fromDir, fromZip]) {
      if (choice.kind !== 'release') throw new Error('a release was expected');
      expect(prepareRelease(choice.source, temp(), choice.hpos === 'on')).toMatchObject({ version: '9.4.3', requiresWp: '6.5' });
    }
  }, 60_000); // child processes and copies: slow on a loaded machine

  it('runs the stand-in on purpose when asked, without trying the download', async () => {
    const choice = await chooseDemoWooCommerce(env({ CRM_BRIDGE_WOOCOMMERCE: 'standin' }), noDownload);
    expect(choice).toMatchObject({ kind: 'standin', onPurpose: true });
    expect(noDownload).not.toHaveBeenCalled();
    if (choice.kind !== 'standin') throw new Error('the stand-in was expected');
    expect(standinWarning(choice)).toMatch(/WooCommerce stand-in.*CRM_BRIDGE_WOOCOMMERCE=standin asks for it.*set CRM_BRIDGE_WOOCOMMERCE to an extracted release folder or a wordpress\.org zip/);
  });

  it('uses the downloaded release when nothing is named', async () => {
    expect(await chooseDemoWooCommerce(env({}), async () => '/cache/woocommerce.9.4.3.zip')).toEqual({
      kind: 'release',
      source: '/cache/woocommerce.9.4.3.zip',
      origin: 'downloaded',
      hpos: 'on',
    });
  });

  it('falls back to the stand-in when the download is refused, with the refusal and the way to real WooCommerce in its warning', async () => {
    const refused = await chooseDemoWooCommerce(env({ CRM_BRIDGE_WOOCOMMERCE: '' }), async () => {
      throw new DownloadRefused('https://downloads.wordpress.org/plugin/woocommerce.9.4.3.zip answered HTTP 404');
    });
    expect(refused).toMatchObject({ kind: 'standin', onPurpose: false });
    if (refused.kind !== 'standin') throw new Error('the stand-in was expected');
    expect(standinWarning(refused)).toMatch(/download was refused: .*answered HTTP 404\).*For real WooCommerce, set CRM_BRIDGE_WOOCOMMERCE/);

    // As shipped, the pinned release has no checksum yet: the demo refuses it and says so.
    const shipped = await chooseDemoWooCommerce(env({}), () => pinnedReleaseZip(temp()));
    expect(shipped).toMatchObject({ kind: 'standin', onPurpose: false, why: expect.stringMatching(/SHA-256 of WooCommerce 9\.4\.3's zip is not pinned yet/) });
  });

  it('lets any other failure of the download through instead of hiding it behind the stand-in', async () => {
    await expect(chooseDemoWooCommerce(env({}), async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
  });

  it('reads its environment strictly: HPOS on or off, a stack name that is a short slug', () => {
    expect(env({})).toEqual({ CRM_BRIDGE_WOOCOMMERCE: undefined, CRM_BRIDGE_HPOS: 'on', CRM_BRIDGE_DEMO_STACK: 'demo' });
    expect(env({ CRM_BRIDGE_DEMO_STACK: 'demo-test' }).CRM_BRIDGE_DEMO_STACK).toBe('demo-test');
    expect(DemoEnv.safeParse({ CRM_BRIDGE_HPOS: 'maybe' }).error?.issues[0]?.message).toBe('CRM_BRIDGE_HPOS must be on or off');
    expect(DemoEnv.safeParse({ CRM_BRIDGE_DEMO_STACK: '../test' }).success).toBe(false);
  });
});
