// info.json: what a person or a test needs to reach a sandbox. Never holds a secret's value, only
// where it lives.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import type { ResticVersion } from './restic-binaries';
import type { SandboxPaths } from './state';

export type BackupServerInfo = {
  name: string;
  host: string;
  port: number;
  account: string;
  uid: number;
  root: string;
  datastoresRoot: string;
  sshConfig: string;
  identity: string;
  knownHosts: string;
  hostKeyFingerprint: string;
  sshdLog: string;
  restic: { path: string; version: string; requested: ResticVersion };
};

export type AppInfo = { url: string; port: number; dataDir: string; log: string };

export type SandboxInfoFile = {
  backupServer?: BackupServerInfo;
  app?: AppInfo;
  [extra: string]: unknown;
};

export function readInfo(paths: SandboxPaths): SandboxInfoFile {
  try {
    return JSON.parse(readFileSync(paths.infoFile, 'utf8')) as SandboxInfoFile;
  } catch {
    return {};
  }
}

export function updateInfo(paths: SandboxPaths, patch: Partial<SandboxInfoFile>): SandboxInfoFile {
  const next = { ...readInfo(paths), ...patch };
  const tmp = `${paths.infoFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(tmp, paths.infoFile);
  return next;
}
