// The CLI is bundled once per front-end start, so each command starts as a plain `node` process
// (no TypeScript compile on every call).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { repoRoot } from '../common/state';

export async function bundleCli(outfile: string): Promise<void> {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(repoRoot, 'sandbox', 'opennebula', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
    // common/state.ts finds the repository from its own URL; in a CJS bundle import.meta is empty.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(repoRoot, 'sandbox', 'common', 'state.ts')).href) },
  });
}
