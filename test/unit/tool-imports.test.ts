// The tools beside the tests depend on them one way only: bench/ and demo/ are built on test/ (the
// stack, the CRM simulator, the fixtures), so test/ imports neither, but for a tool's own tests
// (test/*/demo-*.test.ts tests demo/); release/ stands alone.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../stack/paths.ts';

const SOURCE = /\.(c|m)?(t|j)sx?$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist') return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? sources(path) : SOURCE.test(e.name) ? [path] : [];
  });
}

/** Every module a file imports (static, dynamic, re-export, require), as a folder of the repository. */
function importedFolders(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(ROOT, resolve(dirname(file), name)).split(sep)[0]!);
}

/** "file → folder" for each import from `from` into any of `into`. */
function crossings(from: string, into: string[]): string[] {
  return sources(join(ROOT, from)).flatMap((file) => importedFolders(file).filter((folder) => into.includes(folder)).map((folder) => `${relative(ROOT, file)} → ${folder}/`));
}

describe('imports between test/ and the tools', () => {
  it('sees the imports it checks for', () => {
    // The check itself: this file's own import of test/stack is found, and the tools' imports of test/ are.
    expect(importedFolders(join(ROOT, 'test', 'unit', 'tool-imports.test.ts'))).toContain('test');
    expect(crossings('bench', ['test']).length).toBeGreaterThan(0);
    expect(crossings('demo', ['test']).length).toBeGreaterThan(0);
  });

  it('test/ imports nothing from bench/ or demo/, but for the tests of that tool', () => {
    const ownTests = (crossing: string) => /^test\/[^/]+\/(bench|demo)[^/]*\.test\.ts → \1\/$/.test(crossing);
    expect(crossings('test', ['bench', 'demo']).filter((c) => !ownTests(c))).toEqual([]);
    expect(ownTests('test/unit/demo-woocommerce-download.test.ts → demo/')).toBe(true);
    expect(ownTests('test/support/stack.ts → demo/')).toBe(false);
    expect(ownTests('test/unit/demo-x.test.ts → bench/')).toBe(false);
  });

  it('release/ imports nothing from test/, bench/ or demo/', () => {
    expect(crossings('release', ['test', 'bench', 'demo'])).toEqual([]);
  });
});
