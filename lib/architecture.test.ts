// The house rules that a reader could miss, checked on every file: only lib/exec starts processes
// or opens SSH, only lib/config reads process.env, the sandbox and production code stay apart, and
// server modules of lib/ say so.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, entry);
    if (statSync(join(ROOT, rel)).isDirectory()) {
      if (entry !== '__fixtures__' && entry !== 'node_modules') out.push(...files(rel));
    } else if (/\.(ts|tsx|mts)$/.test(entry)) out.push(rel);
  }
  return out;
}

const code = [...files('lib'), ...files('app')];
const imports = (file: string) =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);

describe('architecture', () => {
  it('only lib/exec starts processes or opens SSH', () => {
    const offenders = code.filter(
      (f) => !f.startsWith('lib/exec/') && imports(f).some((i) => /^(node:)?child_process$|^node-ssh$|^ssh2$/.test(i)),
    );
    expect(offenders).toEqual([]);
  });

  it('only lib/config reads process.env', () => {
    const offenders = code.filter(
      (f) =>
        !f.startsWith('lib/config/') &&
        !f.endsWith('.test.ts') &&
        /process\.env/.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('production code never imports the sandbox', () => {
    const offenders = code.filter((f) => !/\.test\.tsx?$/.test(f) && imports(f).some((i) => /(^|\/)sandbox\//.test(i)));
    expect(offenders).toEqual([]);
  });

  it('the sandbox imports nothing from lib/', () => {
    const offenders = files('sandbox').filter((f) => imports(f).some((i) => /^@\/lib\/|(\.\.\/)+lib\//.test(i)));
    expect(offenders).toEqual([]);
  });

  it('server modules of lib/ are marked server-only', () => {
    const serverSide = code.filter(
      (f) =>
        f.startsWith('lib/') &&
        !f.startsWith('lib/schemas/') &&
        !/\.test\.tsx?$/.test(f) &&
        !f.includes('/test-support/') &&
        imports(f).some((i) =>
          /^(node:)?(child_process|fs|fs\/promises)$|^node-ssh$|^better-sqlite3$|^@\/lib\/exec$/.test(i),
        ),
    );
    const unmarked = serverSide.filter((f) => !readFileSync(join(ROOT, f), 'utf8').includes("import 'server-only'"));
    expect(unmarked.map((f) => relative('.', f))).toEqual([]);
  });
});
