// Running driver scripts where OpenNebula runs them: `bash -s` over SSH on a hypervisor or on the
// backup server (script on stdin, so secrets never reach an argv), or locally as oneadmin.
import { spawn } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { run, type RunResult } from '../../common/process';
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import { controlOptions, ensureControlDir, NO_CONTROL } from '../ssh-control';

/**
 * The front-end's SSH client config: the sandbox's own (root's) client files, or, when the CLI runs
 * as the oneadmin account itself (e.g. `ssh oneadmin@frontend oneimage restore ...`), that account's
 * copy, which reaches the same hosts with the same key and pinned host key.
 */
function frontendSshConfig(paths: FrontendPaths): string {
  const cfg = readConfig(paths);
  return cfg.switchUser && process.getuid?.() === cfg.account.uid ? paths.hvSshConfig : paths.sshConfig;
}

export function sshScript(paths: FrontendPaths, host: string, script: string, timeoutMs = 600_000): Promise<RunResult> {
  // Again at each call: ssh gives up when the socket folder is gone (a cleaned /tmp, a stop racing a
  // job that still runs), where it would only have connected without sharing.
  ensureControlDir(paths, readConfig(paths));
  return run('ssh', ['-F', frontendSshConfig(paths), ...controlOptions(paths), host, 'bash -s'], {
    input: script,
    timeoutMs,
  });
}

/**
 * A script on the front-end itself, as its oneadmin. restic keeps its cache in the front-end's own
 * folder: the account's real home is shared by every sandbox run on the machine, and restic looks
 * through its whole cache folder at each start.
 */
export function localScript(paths: FrontendPaths, script: string, timeoutMs = 600_000): Promise<RunResult> {
  const cfg = readConfig(paths);
  const ids = cfg.switchUser ? { uid: cfg.account.uid, gid: cfg.account.gid } : {};
  return run('bash', ['-s'], {
    input: script,
    ...ids,
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
      HOME: cfg.account.home,
      XDG_CACHE_HOME: join(paths.one, '.cache'),
      LANG: 'C.UTF-8',
      TZ: process.env.TZ,
    },
    cwd: '/',
    timeoutMs,
  });
}

/** Streams a remote file to a local one (the restic downloader's `ssh ... cat`). */
export function sshCat(
  paths: FrontendPaths,
  host: string,
  remotePath: string,
  localPath: string,
  quoted: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(localPath, { mode: 0o644 });
    const child = spawn('ssh', ['-q', '-F', frontendSshConfig(paths), ...NO_CONTROL, host, `cat ${quoted}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.pipe(out);
    child.on('error', reject);
    child.on('close', (code) => {
      out.close(() =>
        code === 0 ? resolve() : reject(new Error(`ssh cat ${remotePath} exited ${code}: ${err.trim()}`)),
      );
    });
  });
}

/**
 * Runs a script where the driver runs restic against a datastore's repositories: on the backup
 * server over SSH for SFTP, on the front-end itself for S3 (Restic::S3 uses LocalCommand).
 */
export function repoHostScript(
  paths: FrontendPaths,
  ds: { s3?: unknown },
  script: string,
  timeoutMs = 600_000,
): Promise<RunResult> {
  return ds.s3
    ? localScript(paths, script, timeoutMs)
    : sshScript(paths, readConfig(paths).backupServer, script, timeoutMs);
}

/** The downloader's `command`: `ssh ... cat FILE` for SFTP, a local `cat` for S3. */
export async function repoHostCat(
  paths: FrontendPaths,
  ds: { s3?: unknown },
  remotePath: string,
  localPath: string,
  quoted: string,
): Promise<void> {
  if (ds.s3) await copyFile(remotePath, localPath);
  else await sshCat(paths, readConfig(paths).backupServer, remotePath, localPath, quoted);
}

export function fail(what: string, r: RunResult): Error {
  return new Error(
    `${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim()}`,
  );
}
