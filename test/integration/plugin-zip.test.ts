// The release zip installs into a fresh WordPress and activates, with the admin UI inside.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPluginZip } from '../../release/plugin-zip.ts';
import { run } from '../stack/system.ts';
import { startSite, stopSite, type SiteState } from '../stack/wordpress.ts';
import { stack, wpEvalJson } from '../support/stack.ts';

let zipSite: SiteState | undefined;
const out = mkdtempSync(join(tmpdir(), 'crm-bridge-zip-'));

afterAll(async () => {
  await stopSite(zipSite);
  rmSync(out, { recursive: true, force: true });
});

describe('plugin zip', () => {
  it('holds the built admin UI and no development files', async () => {
    const zip = await buildPluginZip(out);
    const listing = run('unzip', ['-Z1', zip]).split('\n').filter(Boolean);
    expect(listing).toContain('crm-bridge/crm-bridge.php');
    expect(listing).toContain('crm-bridge/build/index.js');
    expect(listing).toContain('crm-bridge/build/index.asset.php');
    expect(listing.every((f) => f.startsWith('crm-bridge/'))).toBe(true);
    expect(listing.filter((f) => /node_modules|\.map$|\.tsx?$|\/\.|\.gitkeep/.test(f))).toEqual([]);
  });

  it('unpacks into a fresh WordPress and activates', async () => {
    const zip = await buildPluginZip(out);
    zipSite = await startSite(stack().dir, '6.1', stack().mariadb, undefined, { name: 'wpzip', pluginZip: zip });
    expect(wpEvalJson<string[]>(`echo wp_json_encode( get_option( 'active_plugins' ) );`, zipSite)).toContain('crm-bridge/crm-bridge.php');
    const res = await fetch(`${zipSite.url}/wp-json/crm-bridge/v1/admin/health`);
    expect(res.status).toBe(401);
  });
});
