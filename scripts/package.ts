// npm run package: the release archive dist/backstone-<version>.tar.gz, what an admin unpacks on an
// OpenNebula front-end and runs with `node server.js` (Node 20, nothing to build or install).
// Inside, one folder backstone-<version>/ holding:
//   - Next's standalone build (.next/standalone: the server bundles and only the node_modules they
//     load, native better-sqlite3 included, built for this machine's Node ABI and platform),
//   - Backstone's own server.js and the next.config.js it reads, in place of Next's generated server
//     (Content-Length for downloads, the HTTP edge: see server.js),
//   - the browser assets (.next/static, public/),
//   - deploy/ (the systemd unit, an example configuration, Nginx and Apache examples) and
//     docs/install.md: text an admin copies into place, no code.
// Builds first when .next is missing or older than the sources.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp, buildIsFresh } from './app-server';
import { repoRoot } from '../sandbox/common/state';

type PackageJson = {
  name: string;
  version: string;
  type?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

const NEXT_DIR = join(repoRoot, '.next');
const STANDALONE = join(NEXT_DIR, 'standalone');

function readPackageJson(): PackageJson {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
}

/** The archive's file name for this version of package.json. */
export function archiveName(): string {
  return `backstone-${readPackageJson().version}.tar.gz`;
}

/** True when .next/standalone was written by the build now in .next (and that build is fresh). */
export function standaloneIsFresh(): boolean {
  const ours = join(NEXT_DIR, 'BUILD_ID');
  const theirs = join(STANDALONE, '.next', 'BUILD_ID');
  return (
    buildIsFresh() &&
    existsSync(theirs) &&
    existsSync(join(STANDALONE, 'server.js')) &&
    readFileSync(ours, 'utf8') === readFileSync(theirs, 'utf8')
  );
}

/** Every file under `dir`, relative to it (symbolic links listed, not followed). */
function filesUnder(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, base));
    else out.push(relative(base, path));
  }
  return out;
}

// Names that would be a secret or someone's data: none may reach an archive, whatever traced them.
const FORBIDDEN = [
  /(^|\/)\.env(\.|$)/,
  /(^|\/)(id_rsa|id_ed25519|id_ecdsa)(\.pub)?$/,
  /\.(pem|key|sqlite|sqlite-wal|sqlite-shm)$/,
  /(^|\/)(session-secret|one_auth|known_hosts)$/,
  /(^|\/)\.(data|sandbox|git)\//,
];

/** What must hold of an unpacked archive folder; throws with every broken rule. */
export function checkArchiveTree(top: string, pkg: PackageJson = readPackageJson()): void {
  const problems: string[] = [];
  const files = filesUnder(top);
  for (const f of files) if (FORBIDDEN.some((re) => re.test(f))) problems.push(`must not ship ${f}`);
  for (const dev of Object.keys(pkg.devDependencies ?? {}))
    if (existsSync(join(top, 'node_modules', dev))) problems.push(`holds the dev dependency ${dev}`);
  for (const need of [
    'server.js',
    'next.config.js',
    'package.json',
    '.next/BUILD_ID',
    '.next/required-server-files.json',
    'node_modules/next/package.json',
    'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    'deploy/backstone.service',
  ])
    if (!existsSync(join(top, need))) problems.push(`lacks ${need}`);
  if (!files.some((f) => f.startsWith('.next/static/'))) problems.push('lacks the browser assets (.next/static)');
  const sources = files.filter((f) => /\.(tsx?|mts|cts)$/.test(f) && !/\.d\.[mc]?ts$/.test(f));
  if (sources.length > 0) problems.push(`holds TypeScript sources to compile: ${sources.slice(0, 5).join(', ')}`);
  if (problems.length > 0) throw new Error(`the release archive is not right:\n- ${problems.join('\n- ')}`);
}

/** Copies the build and Backstone's own files into `top` (a new folder). */
function stage(top: string, pkg: PackageJson): void {
  // verbatimSymlinks: Turbopack's .next/node_modules links name packages by relative paths.
  cpSync(STANDALONE, top, { recursive: true, verbatimSymlinks: true });
  for (const file of ['server.js', 'next.config.js']) cpSync(join(repoRoot, file), join(top, file));
  cpSync(join(NEXT_DIR, 'static'), join(top, '.next', 'static'), { recursive: true });
  if (existsSync(join(repoRoot, 'public'))) cpSync(join(repoRoot, 'public'), join(top, 'public'), { recursive: true });
  cpSync(join(repoRoot, 'deploy'), join(top, 'deploy'), {
    recursive: true,
    filter: (src) => !/\.test\.ts$/.test(src),
  });
  mkdirSync(join(top, 'docs'), { recursive: true });
  cpSync(join(repoRoot, 'docs', 'install.md'), join(top, 'docs', 'install.md'));
  // The repository's package.json names scripts and dev tools that are not there: only what Node needs.
  const shipped = {
    name: pkg.name,
    version: pkg.version,
    private: true,
    type: pkg.type,
    engines: pkg.engines,
    scripts: { start: 'node server.js --hostname 127.0.0.1 --port 3000' },
  };
  writeFileSync(join(top, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);
}

export type PackageResult = { archive: string; bytes: number; built: boolean };

/** Builds when needed, stages, checks and packs the archive into `outDir` (default dist/). */
export async function packageRelease(outDir = join(repoRoot, 'dist')): Promise<PackageResult> {
  let built = false;
  if (!standaloneIsFresh()) {
    await buildApp('ignore');
    built = true;
  }
  const pkg = readPackageJson();
  const folder = `backstone-${pkg.version}`;
  const staging = mkdtempSync(join(tmpdir(), 'backstone-package-'));
  try {
    const top = join(staging, folder);
    stage(top, pkg);
    checkArchiveTree(top, pkg);
    mkdirSync(outDir, { recursive: true });
    const archive = join(outDir, archiveName());
    const tar = spawnSync(
      'tar',
      [
        '--create',
        '--gzip',
        '--file',
        archive,
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--sort=name',
        '-C',
        staging,
        folder,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
    );
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    return { archive, bytes: statSync(archive).size, built };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  packageRelease().then(
    (r) => console.log(`${relative(process.cwd(), r.archive)} (${(r.bytes / 1024 / 1024).toFixed(1)} MiB)`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
