// The benchmark's dataset, in its own sandbox state folder (.bench/state), built once and reused:
// a restic datastore with 200 VM repositories of 10 snapshots each, one repository with 1,000
// snapshots, and one with a 1 GiB disk; and a second restic datastore (so the overview figures stay
// those of 200 repositories) with one repository of 10,000 snapshots for the browser figures.
// The S3 datastore of the same sandbox is s3-dataset.ts's.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { masterKey, snapshotFile } from './restic-files';
import { startFrontend } from '../sandbox/opennebula/frontend';
import { repoRoot } from '../sandbox/common/state';
import { readInfo } from '../sandbox/common/info';
import { sandboxPaths } from '../sandbox/common/state';

export const STATE = join(repoRoot, '.bench', 'state');
export const PASSWORD = 'bench-restic-pw';
export const VM_REPOS = 200;
export const SNAPSHOTS_PER_REPO = 10;
export const BIG_REPO = '9000';
export const BIG_REPO_SNAPSHOTS = 1_000;
export const DISK_REPO = '9001';
export const UI_REPO = '9100';
export const UI_REPO_SNAPSHOTS = 10_000;
/** The S3 datastore's repositories (s3-dataset.ts), each with as many snapshots. */
export const S3_VM_REPOS = 200;
export const S3_SNAPSHOTS_PER_REPO = 10;
/**
 * The home page's and /vms's own sandbox state folder (bench/pages.ts): the seeded demo cloud and
 * MANY_VMS more VMs, apart from the dataset so that neither changes the other's figures.
 */
export const VMS_STATE = join(repoRoot, '.bench', 'vms-state');
export const MANY_VMS = 2_000;

/** The dataset's sandbox: its OpenNebula front-end and backup server, and how to reach them. */
export type BenchSandbox = {
  commandDir: string;
  adminAuth: string;
  sshConfig: string;
  /** The backup server's name (in sshConfig). */
  server: string;
  /** The backup account on it. */
  account: string;
  uid: number;
  datastoresRoot: string;
  /** The sandbox's restic (the backup server's; Backstone runs it here for S3 datastores). */
  restic: string;
};

export type Info = BenchSandbox & {
  datastoreId: number;
  /** The second datastore, holding UI_REPO. */
  uiDatastoreId: number;
  basePath: string;
};

/**
 * Runs a script on the backup server as the backup account. Values are positional arguments; the
 * restic password arrives on stdin and the script reads it into $pw (printf is a shell builtin, so
 * it never shows in a command line).
 */
function onServer(info: Info, script: string, ...args: string[]): string {
  const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const withPw = `IFS= read -r pw; ${script}`;
  return execFileSync(
    'ssh',
    ['-F', info.sshConfig, info.server, ['sh', '-c', q(withPw), 'sh', ...args.map(q)].join(' ')],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      input: `${PASSWORD}\n`,
    },
  );
}

function snapshotCount(repo: string): number {
  try {
    return readdirSync(join(repo, 'snapshots')).length;
  } catch {
    return 0;
  }
}

/** Starts the dataset's sandbox (front-end and backup server) when it is not running. */
export async function benchSandbox(): Promise<BenchSandbox> {
  mkdirSync(STATE, { recursive: true });
  chmodSync(join(repoRoot, '.bench'), 0o755);
  chmodSync(STATE, 0o755);
  const fe = await startFrontend(STATE);
  const server = readInfo(sandboxPaths(STATE)).backupServer!;
  const admin = fe.accounts.find((a) => a.role === 'admin')!;
  return {
    commandDir: fe.commandDir,
    adminAuth: admin.oneAuth,
    sshConfig: server.sshConfig,
    server: server.name,
    account: server.account,
    uid: server.uid,
    datastoresRoot: server.datastoresRoot,
    restic: server.restic.path,
  };
}

/** An OpenNebula CLI command of the sandbox, as oneadmin. */
export function oneCli(sb: BenchSandbox, cmd: string, ...args: string[]): string {
  return execFileSync(join(sb.commandDir, cmd), args, {
    encoding: 'utf8',
    env: { ...process.env, ONE_AUTH: sb.adminAuth },
  });
}

/**
 * The datastore named `name`, created from `template()` when there is none. The template file is
 * 0600 (it holds the restic password) and removed once OpenNebula has read it.
 */
export function ensureDatastore(
  sb: BenchSandbox,
  name: string,
  template: () => string,
): { id: number; created: boolean } {
  const found = [...oneCli(sb, 'onedatastore', 'list', '-x').matchAll(/<DATASTORE>[\s\S]*?<\/DATASTORE>/g)].find(
    (m) => m[0].includes(`<NAME>${name}</NAME>`) || m[0].includes(`<NAME><![CDATA[${name}]]></NAME>`),
  );
  const id = /<ID>(\d+)<\/ID>/.exec(found?.[0] ?? '')?.[1];
  if (id) return { id: Number(id), created: false };
  const tpl = join(STATE, `${name}.tpl`);
  writeFileSync(tpl, template(), { mode: 0o600 });
  try {
    return { id: Number(/ID:\s*(\d+)/.exec(oneCli(sb, 'onedatastore', 'create', tpl))![1]), created: true };
  } finally {
    rmSync(tpl, { force: true });
  }
}

export async function dataset(log: (s: string) => void): Promise<Info> {
  const sb = await benchSandbox();
  const sftpTemplate = (name: string) => () =>
    `NAME = "${name}"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\nTM_MAD = "-"\nRESTIC_PASSWORD = "${PASSWORD}"\nRESTIC_SFTP_SERVER = "${sb.server}"\nRESTIC_SFTP_USER = "${sb.account}"\n`;
  const dsId = ensureDatastore(sb, 'BenchBackups', sftpTemplate('BenchBackups')).id;
  const uiDsId = ensureDatastore(sb, 'BenchTable', sftpTemplate('BenchTable')).id;
  const basePath = join(sb.datastoresRoot, String(dsId));
  const info: Info = { ...sb, datastoreId: dsId, uiDatastoreId: uiDsId, basePath };
  onServer(info, 'mkdir -p "$1"', basePath);
  const restic = sb.restic;

  // One repository with 10 snapshots, then 200 copies of it (restic repositories are folders).
  const template = join(basePath, '1');
  if (snapshotCount(template) < SNAPSHOTS_PER_REPO) {
    log('building the template repository (10 snapshots)');
    onServer(info, 'printf "%s\\n" "$pw" | "$2" --password-file=/dev/stdin --repo="$1" init -q', template, restic);
    for (let i = snapshotCount(template); i < SNAPSHOTS_PER_REPO; i++) {
      onServer(
        info,
        'head -c 1048576 /dev/urandom > "$3"; printf "%s\\n" "$pw" | "$2" --password-file=/dev/stdin --repo="$1" backup -q --tag=one-1 "$3"',
        template,
        restic,
        join(basePath, '.bench-data'),
      );
    }
  }
  const missing = Array.from({ length: VM_REPOS - 1 }, (_, i) => String(i + 2)).filter(
    (r) => snapshotCount(join(basePath, r)) < SNAPSHOTS_PER_REPO,
  );
  if (missing.length) {
    log(`copying the template into ${missing.length} more repositories`);
    onServer(
      info,
      // Copied under a hidden name, then renamed: a copy cut short by a stopped bench is never
      // taken for a whole repository by the next run.
      'base="$1"; shift; for r in "$@"; do rm -rf "$base/$r" "$base/.$r.copy"; cp -a "$base/1" "$base/.$r.copy" && mv "$base/.$r.copy" "$base/$r"; done',
      basePath,
      ...missing,
    );
  }

  // One repository with 1,000 snapshots, written as the 10,000 below (1,000 `restic backup` runs
  // took ~10 minutes of the first run, each spending ~0.5 s of CPU on scrypt).
  writtenSnapshots(info, join(basePath, BIG_REPO), restic, BIG_REPO_SNAPSHOTS, BIG_REPO, log);

  // A 1 GiB disk in one snapshot.
  const disk = join(basePath, DISK_REPO);
  if (snapshotCount(disk) < 1) {
    log('building the 1 GiB disk repository');
    onServer(
      info,
      'printf "%s\\n" "$pw" | "$2" --password-file=/dev/stdin --repo="$1" init -q; mkdir -p "$3"; head -c 1073741824 /dev/urandom > "$3/disk.0.0"; printf "%s\\n" "$pw" | "$2" --password-file=/dev/stdin --repo="$1" backup -q --tag=one-9001 "$3/disk.0.0"; rm -rf "$3"',
      disk,
      restic,
      join(basePath, '.bench-disk'),
    );
  }
  writtenSnapshots(info, join(sb.datastoresRoot, String(uiDsId), UI_REPO), restic, UI_REPO_SNAPSHOTS, UI_REPO, log);
  return info;
}

/**
 * `count` real snapshots in one repository: one `restic backup` of a small file, then the rest
 * written as restic writes snapshot files (bench/restic-files.ts), each referring to that backup's
 * tree with its own time. restic lists, reads and checks them like any other; Backstone reads them
 * with `restic snapshots` as usual.
 */
function writtenSnapshots(
  info: Info,
  repo: string,
  restic: string,
  count: number,
  vmId: string,
  log: (s: string) => void,
): void {
  if (snapshotCount(repo) >= count) return;
  log(`building the ${count.toLocaleString('en')}-snapshot repository (once)`);
  if (!existsSync(join(repo, 'config'))) {
    onServer(
      info,
      'mkdir -p "$(dirname "$1")"; printf "%s\\n" "$pw" | "$2" --password-file=/dev/stdin --repo="$1" init -q',
      repo,
      restic,
    );
  }
  if (snapshotCount(repo) === 0) {
    onServer(
      info,
      'echo "<VM><ID>$4</ID></VM>" > "$3"; printf "%s\\n" "$pw" | "$2" --password-file=/dev/stdin --repo="$1" backup -q --tag="one-$4" "$3"; rm -f "$3"',
      repo,
      restic,
      join(repo, '..', `.bench-vm-${vmId}.xml`),
      vmId,
    );
  }
  const [first] = JSON.parse(
    onServer(
      info,
      'printf "%s\\n" "$pw" | "$2" --password-file=/dev/stdin --repo="$1" snapshots --json --no-lock',
      repo,
      restic,
    ),
  ) as {
    time: string;
    tree: string;
    paths: string[];
    hostname: string;
    username: string;
    tags?: string[];
    program_version?: string;
  }[];
  if (!first) throw new Error('the first snapshot of the UI repository is missing');
  // The key file is the backup account's (0400); it is read through SSH like everything else.
  const keyName = onServer(info, 'ls "$1/keys" | head -n 1', repo).trim();
  const key = masterKey(onServer(info, 'cat "$1/keys/$2"', repo, keyName), PASSWORD);
  const dir = mkdtempSync(join(tmpdir(), 'backstone-bench-snapshots-'));
  try {
    const start = Date.parse(first.time);
    for (let i = snapshotCount(repo); i < count; i++) {
      const f = snapshotFile(
        {
          time: new Date(start - i * 3_600_000).toISOString(),
          tree: first.tree,
          paths: first.paths,
          hostname: first.hostname,
          username: first.username,
          tags: first.tags ?? [],
          program_version: first.program_version,
        },
        key,
      );
      writeFileSync(join(dir, f.id), f.content, { mode: 0o400 });
    }
    // The backup account unpacks them (its files, 0400 like restic's own).
    const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    execFileSync('sh', [
      '-c',
      'tar -C "$1" -cf - . | ssh -F "$2" "$3" "$4"',
      'sh',
      dir,
      info.sshConfig,
      info.server,
      `tar --no-same-owner -xf - -C ${q(join(repo, 'snapshots'))}`,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
