// The house rules for imports (the layout README.md describes), checked over the whole tree so a new file cannot
// quietly break them: no two files import each other (types included), no path climbs four or more
// folders (the `@/` alias says where a module lives), a client component takes only lib/schemas
// at run time, the sandbox imports nothing from lib/, and nothing points at documents outside the
// repository.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@/sandbox/common/state';

const TOPS = ['app', 'lib', 'scripts', 'e2e', 'sandbox', 'bench'];
const SOURCE = /\.(ts|tsx|mts)$/;

type Import = { spec: string; typeOnly: boolean };
type SourceFile = { path: string; text: string; imports: Import[] };

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SOURCE.test(name)) out.push(p);
  }
}

// Static imports and re-exports (one or more lines), side-effect imports and dynamic imports.
const STATEMENT = /^\s*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]/gms;
const BARE = /^\s*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(text: string): Import[] {
  const found: Import[] = [];
  for (const m of text.matchAll(STATEMENT)) {
    const clause = m[3] ?? '';
    const names = /\{([^}]*)\}/.exec(clause)?.[1];
    const inlineTypesOnly =
      names !== undefined &&
      !/^[^{]*\w[^{]*\{/.test(clause) && // no default import beside the braces
      names
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .every((n) => n.startsWith('type '));
    found.push({ spec: m[4]!, typeOnly: Boolean(m[2]) || inlineTypesOnly });
  }
  for (const m of text.matchAll(BARE)) found.push({ spec: m[1]!, typeOnly: false });
  for (const m of text.matchAll(DYNAMIC)) found.push({ spec: m[1]!, typeOnly: false });
  return found;
}

function resolveImport(from: string, spec: string): string | undefined {
  let base: string;
  if (spec.startsWith('@/')) base = join(repoRoot, spec.slice(2));
  else if (spec.startsWith('.')) base = normalize(join(dirname(from), spec));
  else return undefined;
  for (const c of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx'), base]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return undefined;
}

const files: SourceFile[] = [];
for (const top of TOPS) {
  const paths: string[] = [];
  walk(join(repoRoot, top), paths);
  for (const path of paths) {
    const text = readFileSync(path, 'utf8');
    files.push({ path, text, imports: importsOf(text) });
  }
}
const rel = (p: string) => relative(repoRoot, p);

/** Strongly connected components with more than one file: each is an import cycle. */
function cycles(): string[][] {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    graph.set(
      f.path,
      f.imports.map((i) => resolveImport(f.path, i.spec)).filter((p): p is string => p !== undefined),
    );
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (;;) {
        const w = stack.pop()!;
        onStack.delete(w);
        component.push(rel(w));
        if (w === v) break;
      }
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import rules', () => {
  it('reads the tree (a sanity check on the scanner itself)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(importsOf('import { a, type B } from \'./x\';\nimport type { C } from "../y";')).toEqual([
      { spec: './x', typeOnly: false },
      { spec: '../y', typeOnly: true },
    ]);
    expect(importsOf("import {\n  type A,\n  type B,\n} from './z';")).toEqual([{ spec: './z', typeOnly: true }]);
  });

  it('no two files import each other, type imports included', () => {
    expect(cycles()).toEqual([]);
  });

  it('no import climbs four or more folders', () => {
    const deep = files.flatMap((f) =>
      f.imports.filter((i) => /^(\.\.\/){4,}/.test(i.spec)).map((i) => `${rel(f.path)}: ${i.spec}`),
    );
    expect(deep).toEqual([]);
  });

  it('a client component takes only lib/schemas from lib at run time', () => {
    const wrong = files
      .filter((f) => /^\s*['"]use client['"]/.test(f.text))
      .flatMap((f) =>
        f.imports
          .filter((i) => !i.typeOnly)
          .map((i) => ({ i, target: resolveImport(f.path, i.spec) }))
          .filter(({ target }) => target !== undefined && rel(target).startsWith('lib/'))
          .filter(({ target }) => !rel(target!).startsWith('lib/schemas/'))
          .map(({ i }) => `${rel(f.path)}: ${i.spec}`),
      );
    expect(wrong).toEqual([]);
  });

  it('the sandbox imports nothing from lib/', () => {
    const wrong = files
      .filter((f) => rel(f.path).startsWith('sandbox/'))
      .flatMap((f) =>
        f.imports
          .map((i) => resolveImport(f.path, i.spec))
          .filter((t): t is string => t !== undefined && rel(t).startsWith('lib/'))
          .map((t) => `${rel(f.path)}: ${rel(t)}`),
      );
    expect(wrong).toEqual([]);
  });

  it('no code compares error names as strings (the kind of an ExpectedError says what failed)', () => {
    const wrong = files
      .filter((f) => /^(lib|app)\//.test(rel(f.path)) && !/\.test\.tsx?$/.test(f.path))
      .flatMap((f) =>
        [
          ...f.text.matchAll(
            /\b(?:err|error|cause|reason)\.name\s*[!=]==|\.name\s*[!=]==\s*['"]\w*(?:Error|Refused|Failed)['"]/g,
          ),
        ].map((m) => `${rel(f.path)}: ${m[0]}`),
      );
    expect(wrong).toEqual([]);
  });

  it('app/ imports no error class from lib (it tells failures apart through lib/errors)', () => {
    // Every class of lib/ that is an Error, through however many subclasses.
    const bases = new Map<string, string>();
    for (const f of files.filter((f) => rel(f.path).startsWith('lib/')))
      for (const m of f.text.matchAll(/export (?:abstract )?class (\w+) extends (\w+)/g)) bases.set(m[1]!, m[2]!);
    const isError = (name: string, seen = new Set<string>()): boolean => {
      if (name === 'Error') return true;
      const base = bases.get(name);
      if (base === undefined || seen.has(name)) return false;
      seen.add(name);
      return isError(base, seen);
    };
    const errorClasses = new Set([...bases.keys()].filter((n) => isError(n)));
    expect(errorClasses).toContain('StillReading');
    expect(errorClasses).toContain('RepositoryLocked');

    const wrong = files
      .filter((f) => rel(f.path).startsWith('app/') && !/\.test\.tsx?$/.test(f.path))
      .flatMap((f) =>
        [...f.text.matchAll(STATEMENT)]
          .filter((m) => {
            const target = resolveImport(f.path, m[4]!);
            return target !== undefined && rel(target).startsWith('lib/') && !rel(target).startsWith('lib/errors/');
          })
          .flatMap((m) =>
            (/\{([^}]*)\}/.exec(m[3] ?? '')?.[1] ?? '')
              .split(',')
              .map(
                (n) =>
                  n
                    .trim()
                    .replace(/^type\s+/, '')
                    .split(/\s+as\s+/)[0]!,
              )
              .filter((n) => errorClasses.has(n))
              .map((n) => `${rel(f.path)}: ${n} from ${m[4]}`),
          ),
      );
    expect(wrong).toEqual([]);
  });

  it('no source file points at documents outside the repository', () => {
    // The design notes and references kept beside the repository, not in it: a comment states the
    // fact itself (README.md and docs/ may be cited).
    const OUTSIDE =
      /\.\.\/shared\/|DESIGN(\.md| §)|opennebula-restic-driver|stack-and-sandbox-notes|code-style-models|ux-anchors|\breference\/[\w-]+\.md|§7 target/;
    const outside = files
      .filter((f) => f.path !== import.meta.filename)
      .filter((f) => OUTSIDE.test(f.text))
      .map((f) => `${rel(f.path)}: ${OUTSIDE.exec(f.text)![0]}`);
    const texts = ['bench/report.md', 'docs']
      .flatMap((p) => {
        const full = join(repoRoot, p);
        if (!existsSync(full)) return [];
        if (statSync(full).isFile()) return [full];
        return readdirSync(full, { recursive: true })
          .map((n) => join(full, String(n)))
          .filter((n) => n.endsWith('.md'));
      })
      .filter((p) => OUTSIDE.test(readFileSync(p, 'utf8')))
      .map((p) => `${rel(p)}: ${OUTSIDE.exec(readFileSync(p, 'utf8'))![0]}`);
    expect([...outside, ...texts]).toEqual([]);
  });
});
