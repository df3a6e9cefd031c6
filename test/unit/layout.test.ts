// The sidecar's layout, read from its sources with TypeScript's own parser: which folder may import
// which, where SQL and HTTP calls to the plugin may be written, and where time and randomness come
// from. A rule broken here is a seam that will be cut twice.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../stack/paths.ts';

const SRC = join(ROOT, 'sidecar', 'src');

interface Source {
  /** Path under sidecar/src, with forward slashes: "outgoing/worker.ts". */
  path: string;
  file: ts.SourceFile;
}

function sources(dir = SRC): Source[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) return [];
    return [{ path: relative(SRC, full).split(sep).join('/'), file: ts.createSourceFile(full, readFileSync(full, 'utf8'), ts.ScriptTarget.Latest, true) }];
  });
}

const all = sources();
const under = (folder: string) => (s: { path: string }) => s.path.startsWith(`${folder}/`);

/** Every node of a file, depth first. */
function nodes(file: ts.SourceFile): ts.Node[] {
  const out: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    out.push(node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** The sidecar files a file imports (static, re-exports and dynamic), as paths under sidecar/src. */
function importsOf(source: Source): string[] {
  const specifiers = nodes(source.file).flatMap((node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) return [node.moduleSpecifier.text];
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) return [node.arguments[0].text];
    return [];
  });
  return specifiers.filter((s) => s.startsWith('.')).map((s) => posix.normalize(posix.join(dirname(source.path), s)).replace(/\.js$/, '.ts'));
}

/** "file → import" for each import of `from` files that lands in one of the `forbidden` folders. */
function importsInto(from: Source[], forbidden: string[]): string[] {
  return from.flatMap((s) => importsOf(s).filter((target) => forbidden.some((f) => target.startsWith(`${f}/`))).map((target) => `${s.path} → ${target}`));
}

const QUERY_BUILDERS = new Set(['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'replaceInto', 'mergeInto', 'selectNoFrom']);

/** "file:line what" for each call or template a predicate picks out. */
function findings(files: Source[], pick: (node: ts.Node) => string | null): string[] {
  return files.flatMap((s) =>
    nodes(s.file).flatMap((node) => {
      const what = pick(node);
      return what === null ? [] : [`${s.path}:${s.file.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${what}`];
    }),
  );
}

/** A kysely query builder call (db.selectFrom(…)) or an sql`…` template. */
function sqlOf(node: ts.Node): string | null {
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && QUERY_BUILDERS.has(node.expression.name.text)) return `.${node.expression.name.text}(`;
  if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'sql') return 'sql`';
  return null;
}

/** A call of the global fetch. */
function fetchOf(node: ts.Node): string | null {
  if (!ts.isCallExpression(node)) return null;
  const callee = node.expression;
  const named = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'globalThis' ? callee.name.text : '';
  return named === 'fetch' ? 'fetch(' : null;
}

/** Reading the wall clock or the global random source instead of the injected ones. */
function ambientTimeOf(node: ts.Node): string | null {
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date' && (node.arguments?.length ?? 0) === 0) return 'new Date()';
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression)) {
    const call = `${node.expression.expression.text}.${node.expression.name.text}`;
    if (call === 'Date.now' || call === 'Math.random') return `${call}()`;
  }
  return null;
}

describe('sidecar layout', () => {
  it('reads the sources it judges', () => {
    expect(all.map((s) => s.path)).toEqual(expect.arrayContaining(['main.ts', 'incoming/worker.ts', 'outgoing/worker.ts', 'queue/claim.ts', 'db/schema.ts']));
  });

  it('db/ and queue/ import nothing from incoming/ or outgoing/', () => {
    expect(importsInto(all.filter((s) => under('db')(s) || under('queue')(s)), ['incoming', 'outgoing'])).toEqual([]);
  });

  it('outgoing/ imports nothing from incoming/', () => {
    expect(importsInto(all.filter(under('outgoing')), ['incoming'])).toEqual([]);
  });

  it('SQL is written only in the db/ and queue/ verbs', () => {
    expect(findings(all.filter((s) => !under('db')(s) && !under('queue')(s)), sqlOf)).toEqual([]);
    // The rule sees SQL where it is allowed, so it is not blind.
    expect(findings(all.filter(under('queue')), sqlOf).length).toBeGreaterThan(0);
  });

  it('only wordpress/request.ts and net/ make HTTP requests with fetch', () => {
    expect(findings(all.filter((s) => s.path !== 'wordpress/request.ts' && !under('net')(s)), fetchOf)).toEqual([]);
    expect(findings(all.filter((s) => s.path === 'wordpress/request.ts'), fetchOf)).toHaveLength(1);
  });

  it('the workers take time and randomness from what they are given', () => {
    // reconcile/cli.ts is a process entry point like main.ts: wiring, where the system clock is chosen.
    const workers = all.filter((s) => ['incoming', 'outgoing', 'queue', 'reconcile'].some((f) => under(f)(s)) && s.path !== 'reconcile/cli.ts');
    expect(findings(workers, ambientTimeOf)).toEqual([]);
    expect(findings(all.filter((s) => s.path === 'clock.ts'), ambientTimeOf)).toEqual([expect.stringMatching(/^clock\.ts:\d+ new Date\(\)$/)]);
  });
});
