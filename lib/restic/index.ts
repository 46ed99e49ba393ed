import 'server-only';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { getConfig } from '@/lib/config';
import { processWide } from '@/lib/config/process-wide';
import {
  Canceled,
  exec,
  serverKey,
  stream,
  Unreachable,
  type Capacity,
  type ExecOptions,
  type ExecResult,
  type ExecStream,
  type SshTarget,
  type Target,
} from '@/lib/exec';
import type { ExpectedError } from '@/lib/errors/expected-error';
import { checkBucket } from '@/lib/s3';
import { resticRepositoryUrl, s3LimitTarget, s3ResticOptions, type S3Settings } from '@/lib/s3/settings';
import { logger } from '@/lib/log';
import { registerSecret } from '@/lib/log/redact';
import { hasModernExitCodes, resticBinary, type ResticBinary } from './binary';
import { classifyFailure, NoRepository, ResticFailed, SnapshotNotFound, type ResticError } from './errors';
import { serverLimit } from './limit';
import { withS3Credentials, type S3Secrets } from './s3-credentials';
import { PASSWORD_ON_STDIN, resticArgv, type RepoOptions } from './options';
import {
  parseCheck,
  parseConfig,
  parseDiff,
  parseIdList,
  parseLock,
  parseLs,
  parsePrunePlan,
  parseRestoreLine,
  parseSnapshots,
  parseStats,
} from './parse';
import type {
  CheckResult,
  FileNode,
  Lock,
  PrunePlan,
  RepositoryStats,
  RestoreProgress,
  Snapshot,
  SnapshotDiff,
} from './types';

// restic as typed verbs, run ON the backup server (as OpenNebula's rm/restore/flatten do) through
// lib/exec; for an S3 datastore, run where Backstone runs (as the driver runs it on the
// front-end), with the bucket's keys in a 0600 credentials file. The password reaches restic on
// stdin only.

export * from './types';
export * from './errors';
export { repoOptionsFromTemplate, DEFAULT_REPO_OPTIONS, type RepoOptions } from './options';
export { resticBinary, localResticBinary, type ResticBinary } from './binary';

type RepoCommon = { password: string; options: RepoOptions };

/** A repository on a backup server; restic runs there over SSH. */
export type SftpResticRepo = RepoCommon & {
  backend?: 'sftp';
  server: SshTarget;
  /** Absolute path of the repository on the backup server: <BASE_PATH>/<VM_ID or job_N>. */
  path: string;
};

type LocalTarget = Extract<Target, { kind: 'local' }>;
const HERE: LocalTarget = { kind: 'local' };

/** A repository in an S3 bucket; restic runs on Backstone's machine. */
export type S3ResticRepo = RepoCommon & {
  backend: 's3';
  server: LocalTarget;
  s3: S3Settings;
  /** The repository's name in the bucket: a VM ID or job_<N>. */
  name: string;
  /** restic's --repo: s3:<endpoint>/<bucket>/<name>, exactly the driver's. */
  path: string;
};

export type ResticRepo = SftpResticRepo | S3ResticRepo;

export function s3Repo(s3: S3Settings, name: string, password: string, options: RepoOptions): S3ResticRepo {
  return { backend: 's3', server: HERE, s3, name, path: resticRepositoryUrl(s3, name), password, options };
}

/** Which slots a repository's restic calls share: its backup server's, or its S3 endpoint's. */
function limitOf(repo: ResticRepo, capacity: Capacity) {
  return serverLimit(repo.backend === 's3' ? s3LimitTarget(repo.s3) : repo.server, capacity);
}

function repoKey(repo: ResticRepo): string {
  return repo.backend === 's3' ? repo.path : `${serverKey(repo.server)}:${repo.path}`;
}

function argvFor(
  repo: ResticRepo,
  bin: ResticBinary,
  r: Omit<Parameters<typeof resticArgv>[0], 'binary' | 'repository' | 'options'>,
) {
  return resticArgv({
    ...r,
    binary: bin.path,
    repository: repo.path,
    options: repo.options,
    backend: repo.backend ?? 'sftp',
    backendOptions: repo.backend === 's3' ? s3ResticOptions(repo.s3) : undefined,
  });
}

// restic retries an S3 endpoint that refuses its keys, lacks the bucket, is unreachable or is not
// trusted for about 15 minutes, printing "retrying after ..." and never failing. A call still
// running after this long has the bucket checked with an S3 client; when that check names a
// failure, restic is ended and the check's typed error (with its fix) is what the caller gets.
const S3_CHECK_AFTER_MS = 2_000;
const S3_CHECK_TIMEOUT_MS = 10_000;

function watchS3(repo: S3ResticRepo, signal: AbortSignal, stop: () => void) {
  let found: ExpectedError | undefined;
  const timer = setTimeout(() => {
    void checkBucket(repo.s3, { signal, timeoutMs: S3_CHECK_TIMEOUT_MS }).then(
      (e) => {
        if (e && !signal.aborted) {
          found = e;
          stop();
        }
      },
      () => undefined,
    );
  }, S3_CHECK_AFTER_MS);
  timer.unref();
  return {
    /** The check's error instead of the cancel it caused. */
    explain: (err: unknown): unknown => (found && err instanceof Canceled ? found : err),
    end: () => clearTimeout(timer),
  };
}

/**
 * The argv and options of a local S3 run: the keys' file in env, the password still on stdin. A
 * local child's stdin is a socket that restic cannot open as /dev/stdin, so the run names no
 * password file at all: restic then reads the password from its stdin, which is not a terminal.
 * restic's cache goes in Backstone's data folder: under the systemd unit the rest of the file
 * system, the service account's home included, is read-only, and without a cache every command
 * would fetch the repository's index from the bucket again.
 */
function locally(argv: string[], opts: ExecOptions, x: S3Secrets): [string[], ExecOptions] {
  const [bin, ...rest] = argv.filter((a) => a !== PASSWORD_ON_STDIN);
  const cache = `--cache-dir=${join(getConfig().dataDir, 'restic-cache')}`;
  return [[bin!, cache, ...rest], { ...opts, env: { ...opts.env, ...x.env } }];
}

/**
 * restic reports an S3 endpoint that refuses the keys at once as "repository does not exist":
 * before saying there is no repository, the bucket is checked, and its failure (with its fix)
 * is the answer when there is one.
 */
async function explainS3(repo: ResticRepo, err: ResticError): Promise<ExpectedError> {
  if (repo.backend !== 's3' || !(err instanceof NoRepository)) return err;
  const found = await checkBucket(repo.s3, { timeoutMs: S3_CHECK_TIMEOUT_MS }).catch(() => undefined);
  return found ?? err;
}

/** Runs one restic argv where the repository's restic runs, with S3 keys in a credentials file. */
async function run(repo: ResticRepo, argv: string[], opts: ExecOptions): Promise<ExecResult> {
  if (repo.backend !== 's3') return exec(repo.server, argv, opts);
  const s3 = repo;
  registerSecret(s3.password);
  return withS3Credentials(s3.s3, async (x) => {
    const own = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, own.signal]) : own.signal;
    const watch = watchS3(s3, signal, () => own.abort());
    const [localArgv, localOpts] = locally(argv, opts, x);
    try {
      return await exec(s3.server, localArgv, { ...localOpts, signal });
    } catch (err) {
      throw watch.explain(err);
    } finally {
      watch.end();
      own.abort();
    }
  });
}

/** Like lib/exec's stream(), where the repository's restic runs; the credentials file lives until it ends. */
async function runStream(repo: ResticRepo, argv: string[], opts: ExecOptions): Promise<ExecStream> {
  if (repo.backend !== 's3') return stream(repo.server, argv, opts);
  const s3 = repo;
  let started!: (s: Pick<ExecStream, 'stdout' | 'cancel'>) => void;
  let failed!: (err: unknown) => void;
  const ready = new Promise<Pick<ExecStream, 'stdout' | 'cancel'>>((res, rej) => {
    started = res;
    failed = rej;
  });
  registerSecret(s3.password);
  const done = withS3Credentials(s3.s3, async (x) => {
    const s = stream(s3.server, ...locally(argv, opts, x));
    const own = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, own.signal]) : own.signal;
    const watch = watchS3(s3, signal, () => s.cancel());
    started({ stdout: s.stdout, cancel: s.cancel });
    try {
      return await s.done;
    } catch (err) {
      throw watch.explain(err);
    } finally {
      watch.end();
      own.abort();
    }
  });
  done.catch(failed);
  const { stdout, cancel } = await ready;
  return { stdout, cancel, done };
}

type CallOptions = Pick<ExecOptions, 'signal' | 'timeoutMs' | 'onLine' | 'capacity'> & {
  noLock?: boolean;
  json?: boolean;
  quiet?: boolean;
  env?: Record<string, string>;
  snapshot?: string;
};

const HEX = /^[0-9a-f]{4,64}$/;

function checkId(id: string): string {
  if (!HEX.test(id)) throw new TypeError(`not a restic ID: ${id}`);
  return id;
}

const log = logger('restic');

// When the connection to the backup server drops while a restic that locks the repository runs
// there, that restic dies on its next write to the lost channel (SIGPIPE) without removing its
// lock. `restic unlock` without --remove-all removes only locks restic proves stale (made on that
// host by a PID that is gone), never a live one, so once the server answers again it is run, tried
// for a bounded time in the background, so Backstone leaves no lock of its own behind.
const UNLOCK_RETRY_MS = 3_000;
const UNLOCK_GIVE_UP_MS = 120_000;
const pendingUnlocks = processWide('restic.pendingUnlocks', () => new Set<string>());

function removeStaleLockLater(repo: ResticRepo): void {
  const key = repoKey(repo);
  if (pendingUnlocks.has(key)) return;
  pendingUnlocks.add(key);
  const giveUpAt = Date.now() + UNLOCK_GIVE_UP_MS;
  const attempt = () => {
    call(repo, 'unlock', [], { timeoutMs: 60_000 }).then(
      () => {
        pendingUnlocks.delete(key);
        log.info('removed the stale lock a lost connection may have left', { repository: repo.path });
      },
      (err: unknown) => {
        if (Date.now() < giveUpAt) return void setTimeout(attempt, UNLOCK_RETRY_MS).unref();
        pendingUnlocks.delete(key);
        log.warn('a lost connection may have left a stale lock', {
          repository: repo.path,
          error: err instanceof Error ? err.message : String(err),
        });
      },
    );
  };
  setTimeout(attempt, UNLOCK_RETRY_MS).unref();
}

async function call(repo: ResticRepo, command: string, args: readonly string[], o: CallOptions = {}) {
  registerSecret(repo.password);
  const bin = await resticBinary(repo.server);
  const { argv, env } = argvFor(repo, bin, { command, args, noLock: o.noLock, json: o.json, quiet: o.quiet });
  const capacity = o.capacity ?? 'interactive';
  const r = await limitOf(repo, capacity)
    .run(
      () =>
        run(repo, argv, {
          stdin: `${repo.password}\n`,
          secrets: [repo.password],
          env: { ...env, ...o.env },
          signal: o.signal,
          timeoutMs: o.timeoutMs ?? 120_000,
          onLine: o.onLine,
          capacity,
        }),
      `restic ${command}`,
      o.signal,
    )
    .catch((err: unknown) => {
      if (err instanceof Unreachable && !o.noLock && command !== 'unlock') removeStaleLockLater(repo);
      throw err;
    });
  if (r.exitCode !== 0)
    throw await explainS3(repo, classifyFailure(command, repo.path, r.exitCode, r.stdout, r.stderr, o.snapshot));
  return { ...r, binary: bin };
}

/** Every snapshot, or only the given IDs. A read: never takes a lock. */
export async function snapshots(
  repo: ResticRepo,
  ids: readonly string[] = [],
  signal?: AbortSignal,
): Promise<Snapshot[]> {
  const r = await call(repo, 'snapshots', ids.map(checkId), { noLock: true, json: true, signal });
  return parseSnapshots(r.stdout || '[]');
}

export async function ls(repo: ResticRepo, snapshot: string, signal?: AbortSignal): Promise<FileNode[]> {
  const r = await call(repo, 'ls', [checkId(snapshot)], { noLock: true, json: true, signal, snapshot });
  // restic 0.14 exits 0 and prints nothing for an unknown ID.
  if (!r.stdout.trim()) throw new SnapshotNotFound(repo.path, snapshot);
  return parseLs(r.stdout);
}

export async function stats(
  repo: ResticRepo,
  mode: RepositoryStats['mode'],
  ids: readonly string[] = [],
  signal?: AbortSignal,
): Promise<RepositoryStats> {
  const r = await call(repo, 'stats', ['--mode', mode, ...ids.map(checkId)], { noLock: true, json: true, signal });
  return parseStats(r.stdout, mode);
}

export async function diff(repo: ResticRepo, from: string, to: string, signal?: AbortSignal): Promise<SnapshotDiff> {
  const r = await call(repo, 'diff', [checkId(from), checkId(to)], {
    noLock: true,
    json: true,
    signal,
    snapshot: `${from}/${to}`,
  });
  return parseDiff(r.stdout);
}

/**
 * Makes a new repository (no init flags: the driver's `stats || init` passes none). The wizard's
 * S3 check uses it for a throwaway repository under Backstone's own prefix.
 */
export async function init(repo: ResticRepo, signal?: AbortSignal): Promise<void> {
  await call(repo, 'init', [], { signal, timeoutMs: 60_000 });
}

export async function catConfig(repo: ResticRepo, signal?: AbortSignal) {
  const r = await call(repo, 'cat', ['config'], { noLock: true, signal });
  return parseConfig(r.stdout);
}

/** The repository's locks, each read. A lock removed meanwhile is left out. */
export async function locks(repo: ResticRepo, signal?: AbortSignal): Promise<Lock[]> {
  const ids = parseIdList((await call(repo, 'list', ['locks'], { noLock: true, signal })).stdout);
  const read = await Promise.all(
    ids.map((id) =>
      call(repo, 'cat', ['lock', id], { noLock: true, signal }).then(
        (r) => parseLock(id, r.stdout),
        () => undefined,
      ),
    ),
  );
  return read.filter((l): l is Lock => l !== undefined);
}

/** `unlock` removes only locks restic can prove stale; `removeAll` removes every lock. */
export async function unlock(
  repo: ResticRepo,
  opts: { removeAll?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  await call(repo, 'unlock', opts.removeAll ? ['--remove-all'] : [], { signal: opts.signal });
}

export type PruneOutcome = { plan: PrunePlan; log: string };

/** Prune with the datastore's RESTIC_PRUNE_MAX_UNUSED / _MAX_REPACK, as the driver passes them. */
export async function prune(
  repo: ResticRepo,
  opts: { dryRun?: boolean; signal?: AbortSignal; onLine?: (line: string) => void; timeoutMs?: number } = {},
): Promise<PruneOutcome> {
  const args = [`--max-unused=${repo.options.pruneMaxUnused}`];
  if (repo.options.pruneMaxRepack) args.push(`--max-repack-size=${repo.options.pruneMaxRepack}`);
  if (opts.dryRun) args.push('--dry-run');
  const lines: string[] = [];
  await call(repo, 'prune', args, {
    capacity: 'bulk',
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 6 * 3600_000,
    onLine: (l) => {
      lines.push(l);
      opts.onLine?.(l);
    },
  });
  const log = lines.join('\n');
  return { plan: parsePrunePlan(log), log };
}

/** Forgets the given snapshots (no prune: the caller prunes, after a preview). */
export async function forget(repo: ResticRepo, ids: readonly string[], signal?: AbortSignal): Promise<void> {
  if (ids.length === 0) return;
  await call(repo, 'forget', ids.map(checkId), { signal, capacity: 'bulk' });
}

export async function check(
  repo: ResticRepo,
  opts: {
    readDataSubsetPercent?: number;
    /** `--read-data-subset=n/N`: the n-th of N groups of packs (a rotation reads all of them in N runs). */
    readDataSubset?: { n: number; of: number };
    signal?: AbortSignal;
    onLine?: (line: string) => void;
    timeoutMs?: number;
  } = {},
): Promise<CheckResult> {
  const p = opts.readDataSubsetPercent;
  const g = opts.readDataSubset;
  const args = g
    ? [`--read-data-subset=${Math.trunc(g.n)}/${Math.trunc(g.of)}`]
    : p === undefined
      ? []
      : p >= 100
        ? ['--read-data']
        : [`--read-data-subset=${Math.max(0.1, p)}%`];
  const lines: string[] = [];
  try {
    await call(repo, 'check', args, {
      capacity: 'bulk',
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? 6 * 3600_000,
      onLine: (l) => {
        lines.push(l);
        opts.onLine?.(l);
      },
    });
    return parseCheck(0, lines.join('\n'), '');
  } catch (err) {
    if (err instanceof ResticFailed) return parseCheck(err.exitCode, lines.join('\n'), err.stderrTail);
    throw err;
  }
}

/**
 * `restic dump` of one file as a byte stream; `done` rejects with a typed error on failure. The
 * caller says what it is for: `interactive` for a few bytes a page shows (disk headers, vm.xml),
 * `bulk` for a download. The dump holds a restic slot of its server until it has ended.
 */
export async function dump(
  repo: ResticRepo,
  snapshot: string,
  path: string,
  opts: { capacity: Capacity; signal?: AbortSignal },
): Promise<{ stdout: Readable; done: Promise<void>; cancel: () => void }> {
  registerSecret(repo.password);
  const bin = await resticBinary(repo.server);
  const { argv, env } = argvFor(repo, bin, {
    command: 'dump',
    args: [checkId(snapshot), path],
    quiet: true,
    // A read: never takes a lock, so a stale lock or a running backup does not block it.
    noLock: true,
  });
  const release = await limitOf(repo, opts.capacity).acquire('restic dump', opts.signal);
  let s: ExecStream;
  try {
    s = await runStream(repo, argv, {
      stdin: `${repo.password}\n`,
      secrets: [repo.password],
      env,
      signal: opts.signal,
      timeoutMs: 24 * 3600_000,
      capacity: opts.capacity,
    });
  } catch (err) {
    release();
    throw err;
  }
  const done = s.done.then(
    async (r) => {
      release();
      if (r.exitCode !== 0)
        throw await explainS3(repo, classifyFailure('dump', repo.path, r.exitCode, '', r.stderr, snapshot));
    },
    (err: unknown) => {
      release();
      throw err;
    },
  );
  return { stdout: s.stdout, done, cancel: s.cancel };
}

export type RestoreRequest = {
  snapshot: string;
  /** Absolute target folder on the backup server. */
  target: string;
  /** Paths inside the snapshot to restore (all when empty). */
  include?: readonly string[];
  /** Expected bytes, for measured progress where restic has no --json restore. */
  expectedBytes?: number;
  onProgress?: (p: RestoreProgress) => void;
  signal?: AbortSignal;
};

/**
 * `restic restore` into a target on the backup server. restic >= 0.17 reports progress as JSON
 * lines; for older versions progress is measured from the target's size.
 */
export async function restore(repo: ResticRepo, req: RestoreRequest): Promise<RestoreProgress> {
  const bin = await resticBinary(repo.server);
  const args = [checkId(req.snapshot), '--target', req.target, ...(req.include ?? []).flatMap((p) => ['--include', p])];
  let last: RestoreProgress = { bytesDone: 0, bytesTotal: req.expectedBytes };
  const report = (p: RestoreProgress) => {
    last = p;
    req.onProgress?.(p);
  };
  if (hasModernExitCodes(bin)) {
    // With --json, restic reports each file it could not write as an "error" line on stdout.
    const errors: string[] = [];
    try {
      await call(repo, 'restore', args, {
        capacity: 'bulk',
        json: true,
        signal: req.signal,
        timeoutMs: 24 * 3600_000,
        env: { RESTIC_PROGRESS_FPS: '1' },
        snapshot: req.snapshot,
        onLine: (l) => {
          const p = parseRestoreLine(l);
          if (p) report(p);
          else if (errors.length < 20 && l.includes('"message_type":"error"')) errors.push(restoreErrorText(l));
        },
      });
    } catch (err) {
      if (err instanceof ResticFailed && errors.length > 0) {
        throw new ResticFailed('restore', err.exitCode, [...errors, err.stderrTail].join('\n'));
      }
      throw err;
    }
    return last;
  }
  const measuring = measureTarget(repo.server, req.target, req.expectedBytes, report);
  try {
    await call(repo, 'restore', args, {
      capacity: 'bulk',
      signal: req.signal,
      timeoutMs: 24 * 3600_000,
      snapshot: req.snapshot,
    });
  } finally {
    measuring.stop();
  }
  const final = await targetBytes(repo.server, req.target);
  report({ bytesDone: final, bytesTotal: req.expectedBytes ?? final, percent: 100 });
  return last;
}

function restoreErrorText(line: string): string {
  try {
    const o = JSON.parse(line) as { error?: { message?: string } | string; item?: string };
    const msg = typeof o.error === 'string' ? o.error : (o.error?.message ?? '');
    return o.item ? `${o.item}: ${msg}` : msg;
  } catch {
    return line.slice(0, 300);
  }
}

async function targetBytes(server: Target, target: string): Promise<number> {
  const r = await exec(server, ['du', '-sb', '--', target]).catch(() => undefined);
  return Number(r?.stdout.split(/\s/)[0] ?? 0) || 0;
}

function measureTarget(
  server: Target,
  target: string,
  total: number | undefined,
  report: (p: RestoreProgress) => void,
) {
  let stopped = false;
  const tick = async () => {
    while (!stopped) {
      await sleep(1_000);
      if (stopped) break;
      const done = await targetBytes(server, target);
      report({ bytesDone: done, bytesTotal: total, percent: total ? Math.min(99.9, (done / total) * 100) : undefined });
    }
  };
  void tick();
  return { stop: () => (stopped = true) };
}

/** `restic version` of the binary a backup server (or, for S3, Backstone's machine) runs. */
export function version(server: Target): Promise<ResticBinary> {
  return resticBinary(server);
}
