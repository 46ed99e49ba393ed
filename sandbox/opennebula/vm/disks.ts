// A sandbox VM's disks: real qcow2 files in its host's system-datastore folder, written with
// qemu-io. "Guest activity" changes a deterministic region between backups.
import { chownSync, mkdirSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { runOk } from '../../common/process';
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';

export function vmDir(systemDsBasePath: string, vmId: number): string {
  return posix.join(posix.normalize(systemDsBasePath), String(vmId));
}

export function own(paths: FrontendPaths, path: string): void {
  const cfg = readConfig(paths);
  if (cfg.switchUser) chownSync(path, cfg.account.uid, cfg.account.gid);
}

/** Creates disk.N with some first data (pattern bytes, so runs are reproducible). */
export async function createDisk(
  paths: FrontendPaths,
  dir: string,
  vmId: number,
  diskId: number,
  sizeMb: number,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  own(paths, dir);
  const file = join(dir, `disk.${diskId}`);
  await runOk('qemu-img', ['create', '-q', '-f', 'qcow2', file, `${sizeMb}M`]);
  const writes = [0, 1, 2].flatMap((k) => [
    '-c',
    `write -P ${(vmId * 31 + diskId * 7 + k * 13 + 1) % 256} ${k * 3}M 1M`,
  ]);
  await runOk('qemu-io', ['-f', 'qcow2', ...writes, file]);
  own(paths, file);
}

/** One burst of guest writes: 256 KiB at an offset that moves with `seq`. */
export async function guestWrite(
  dir: string,
  vmId: number,
  diskId: number,
  sizeMb: number,
  seq: number,
): Promise<void> {
  const slots = Math.max(1, sizeMb * 4 - 1);
  const offsetKb = ((vmId * 17 + diskId * 5 + seq * 11) % slots) * 256;
  const pattern = (vmId * 7 + diskId * 3 + seq * 29 + 2) % 256;
  await runOk('qemu-io', ['-f', 'qcow2', '-c', `write -P ${pattern} ${offsetKb}K 256K`, join(dir, `disk.${diskId}`)]);
}

export function diskFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^disk\.\d+$/.test(f));
}
