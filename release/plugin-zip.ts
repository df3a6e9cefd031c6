// npm run plugin-zip: packs plugin/ (with the built admin UI and a fresh translation template, without
// development files) into dist/crm-bridge-<version>.zip, the file users upload in wp-admin. It stands alone: the release
// needs nothing from test/, and test/ checks the zip it builds.
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yazl from 'yazl';
import { writePot } from './make-pot.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const EXCLUDE = [/(^|\/)\./, /\.map$/, /(^|\/)node_modules\//, /^phpcs\.xml/, /^tests?\//];

/** The Version header of the plugin's main file. */
export function pluginVersion(): string {
  const header = readFileSync(join(ROOT, 'plugin', 'crm-bridge.php'), 'utf8').slice(0, 4096);
  const m = /^\s*\*\s*Version:\s*(\S+)/m.exec(header);
  if (!m?.[1]) throw new Error('plugin/crm-bridge.php has no Version header');
  return m[1];
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Writes the zip and resolves with its path. */
export async function buildPluginZip(outDir = join(ROOT, 'dist')): Promise<string> {
  const src = join(ROOT, 'plugin');
  if (!existsSync(join(src, 'build', 'index.asset.php'))) throw new Error('plugin/build is empty: run `npm run build --workspace admin-ui` first');
  writePot();
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `crm-bridge-${pluginVersion()}.zip`);
  const zip = new yazl.ZipFile();
  for (const file of files(src)) {
    const rel = relative(src, file);
    if (EXCLUDE.some((re) => re.test(rel))) continue;
    zip.addFile(file, `crm-bridge/${rel}`);
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(out)).on('close', resolve).on('error', reject);
  });
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildPluginZip().then(
    (path) => console.log(path),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
