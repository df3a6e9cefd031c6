// Translation: the build writes plugin/languages/crm-bridge.pot with the plugin's PHP strings and the
// admin screen's strings, the plugin zip carries it, and a JSON translation for the admin script
// (crm-bridge-<locale>-<md5 of build/index.js>.json in languages/) reaches the page WordPress serves.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import PO from 'pofile';
import { POT_PATH, makePot } from '../../release/make-pot.ts';
import { buildPluginZip } from '../../release/plugin-zip.ts';
import { run } from '../stack/system.ts';
import { ROOT } from '../stack/paths.ts';
import { closePools, ensureUser, login, site, wpEval } from '../support/stack.ts';

const out = mkdtempSync(join(tmpdir(), 'crm-bridge-pot-'));
afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await closePools();
});

const entry = (pot: PO, msgid: string) => pot.items.find((i) => i.msgid === msgid);

describe('translations', () => {
  it('the .pot holds a PHP string and a JavaScript string of the admin screen, with where each is used', () => {
    const pot = PO.parse(makePot());
    expect(entry(pot, 'The connection test could not be requested: the database refused the write.')?.references).toEqual([expect.stringMatching(/^plugin\/src\/Rest\/Admin\/StartConnectionTest\.php:\d+$/)]);
    expect(entry(pot, 'Test connection')?.references).toEqual([expect.stringMatching(/^admin-ui\/src\/views\/Settings\/SettingsView\.tsx:\d+$/)]);
    // Plurals and translator comments come through from both languages.
    expect(entry(pot, 'Nothing was saved: %d setting needs attention (marked in red).')?.msgid_plural).toBe('Nothing was saved: %d settings need attention (marked in red).');
    expect(entry(pot, '"%s" is not a WooCommerce order status.')?.extractedComments).toEqual(['translators: %s: status']);
  });

  it('the plugin zip carries the .pot it generated', async () => {
    const zip = await buildPluginZip(out);
    expect(run('unzip', ['-Z1', zip]).split('\n')).toContain('crm-bridge/languages/crm-bridge.pot');
    expect(run('unzip', ['-p', zip, 'crm-bridge/languages/crm-bridge.pot'])).toBe(readFileSync(POT_PATH, 'utf8'));
  });

  it('WordPress serves a JSON translation of the admin script to a user of that locale', async () => {
    // The name WordPress looks for: the script's path inside the plugin, hashed (load_script_textdomain()).
    const file = join(ROOT, 'plugin', 'languages', `crm-bridge-de_DE-${createHash('md5').update('build/index.js').digest('hex')}.json`);
    writeFileSync(file, JSON.stringify({ domain: 'messages', locale_data: { messages: { '': { domain: 'messages', lang: 'de_DE' }, 'Test connection': ['Verbindung testen'] } } }));
    try {
      ensureUser('crm-bridge-translated', 'administrator', 'translated-password-1');
      wpEval(`update_user_meta( get_user_by( 'login', 'crm-bridge-translated' )->ID, 'locale', 'de_DE' );`);
      const session = await login('crm-bridge-translated', 'translated-password-1');
      const html = await (await fetch(`${site().url}/wp-admin/admin.php?page=crm-bridge&tab=settings`, { headers: { cookie: session.cookie } })).text();
      const inline = /<script[^>]*id=['"]crm-bridge-admin-js-translations['"][^>]*>([\s\S]*?)<\/script>/.exec(html);
      expect(inline?.[1]).toContain('"Test connection":["Verbindung testen"]');
      expect(inline?.[1]).toContain('setLocaleData');
    } finally {
      rmSync(file, { force: true });
    }
  });
});
