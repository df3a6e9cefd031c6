// npm run pot (and every build and plugin zip): writes plugin/languages/crm-bridge.pot, the template
// translators start from, with the plugin's PHP strings (wp-pot) and the admin screen's TypeScript
// strings (gettext-extractor), the same @wordpress/i18n calls wp_set_script_translations serves.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GettextExtractor, JsExtractors } from 'gettext-extractor';
import PO from 'pofile';
import { WP_Pot } from 'wp-pot';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DOMAIN = 'crm-bridge';
export const POT_PATH = join(ROOT, 'plugin', 'languages', `${DOMAIN}.pot`);

/** Translator comments ("translators: …") on the line before a call, as in the PHP. */
const withComments = { comments: { otherLineLeading: true, sameLineLeading: true } };

/** The .pot text: PHP strings first, then the admin screen's; one entry per string and context. */
export function makePot(): string {
  const extractor = new GettextExtractor();
  const phpPot = new WP_Pot({ globOpts: { cwd: ROOT, absolute: true }, pathsRelativeTo: ROOT, php: { textdomain: DOMAIN } }).parse(['plugin/**/*.php', '!plugin/build/**', '!plugin/vendor/**']).generatePot();
  const php = PO.parse(phpPot);
  for (const item of php.items) {
    extractor.addMessage({
      text: item.msgid,
      ...(item.msgid_plural ? { textPlural: item.msgid_plural } : {}),
      ...(item.msgctxt ? { context: item.msgctxt } : {}),
      references: item.references,
      comments: item.extractedComments,
    });
  }
  const js = extractor.createJsParser([
    JsExtractors.callExpression('__', { arguments: { text: 0 }, ...withComments }),
    JsExtractors.callExpression('_x', { arguments: { text: 0, context: 1 }, ...withComments }),
    JsExtractors.callExpression('_n', { arguments: { text: 0, textPlural: 1 }, ...withComments }),
    JsExtractors.callExpression('_nx', { arguments: { text: 0, textPlural: 1, context: 3 }, ...withComments }),
  ]);
  const ui = join(ROOT, 'admin-ui', 'src');
  for (const file of readdirSync(ui, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f)).sort()) {
    js.parseString(readFileSync(join(ui, file), 'utf8'), `admin-ui/src/${file.replaceAll('\\', '/')}`);
  }
  return extractor.getPotString({ 'Project-Id-Version': 'CRM Bridge for WooCommerce', 'Content-Type': 'text/plain; charset=UTF-8', 'Plural-Forms': 'nplurals=INTEGER; plural=EXPRESSION;' });
}

/** Writes the .pot where the plugin's Domain Path says translations live, and returns its path. */
export function writePot(): string {
  mkdirSync(dirname(POT_PATH), { recursive: true });
  writeFileSync(POT_PATH, makePot());
  return POT_PATH;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(writePot());
