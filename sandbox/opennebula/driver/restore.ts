// restic/restore and the restic downloader. restore reads the snapshot's file list and vm.xml (fast,
// oned waits for it); the downloader later dumps every file of the chain into RESTIC_TMP_DIR on
// the backup server (on the front-end for S3), rebases and converts it, and streams it to the
// image datastore.
import { posix } from 'node:path';
import { randomUUID } from 'node:crypto';
import { shq } from '../../common/shell-quote';
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import { getValue } from '../template/template';
import { fail, repoHostCat, repoHostScript } from './remote';
import { repoUrl, restic, resticEnv, type ResticDs } from './restic-command';
import { snapshotInfo } from './snapshots';
import { withLockRetry } from './lock-retry';
import { passHold } from '../ops/holds';

export type ChainLink = { id: number; snap: string };

export type RestoreInfo = { dir: string; diskIds: number[]; vmXml: string };

export async function readRestoreInfo(
  paths: FrontendPaths,
  ds: ResticDs,
  repoId: string,
  snap: string,
): Promise<RestoreInfo> {
  const cfg = readConfig(paths);
  const info = await snapshotInfo(paths, ds, repoId, snap);
  const vmXmlPath = info.paths.find((p) => p.endsWith('/vm.xml')) ?? '';
  const diskIds = info.paths
    .map((p) => /\/disk\.(\d+)\.\d+$/.exec(p)?.[1])
    .filter((d): d is string => !!d)
    .map(Number);
  const cmd = restic(ds, repoUrl(ds, repoId), `dump ${shq(snap)} ${shq(vmXmlPath)}`, { quiet: null });
  const r = await withLockRetry(() =>
    repoHostScript(paths, ds, `set -e -o pipefail\n${resticEnv(cfg.restic, ds)}\n${cmd} | base64 -d\n`),
  );
  if (r.code !== 0) throw fail('restic dump vm.xml', r);
  return { dir: posix.dirname(vmXmlPath), diskIds: diskIds.sort((a, b) => a - b), vmXml: r.stdout };
}

/** restic://<ds>/<bj or empty>/<id:snap,...>/<file>: the PATH of a restored image. */
export function resticUrl(dsId: number, bjId: number | undefined, chain: readonly ChainLink[], file: string): string {
  return `restic://${dsId}/${bjId ?? ''}/${chain.map((c) => `${c.id}:${c.snap}`).join(',')}${file}`;
}

/** Downloads one disk of a chain into `dest` (a qcow2 file on the front-end). */
export async function downloadDisk(
  paths: FrontendPaths,
  ds: ResticDs,
  repoId: string,
  chain: readonly ChainLink[],
  dir: string,
  diskId: number,
  dest: string,
): Promise<void> {
  const cfg = readConfig(paths);
  const tmpBase = getValue(ds.template, 'RESTIC_TMP_DIR') ?? '/var/tmp';
  const tmp = posix.join(paths.root, tmpBase, randomUUID());
  const repo = repoUrl(ds, repoId);
  const files = chain.map((c) => `${tmp}/disk.${diskId}.${c.id}`);
  const dumps = chain.map(
    (c, i) =>
      `${restic(ds, repo, `dump --quiet ${shq(c.snap)} ${shq(`${dir}/disk.${diskId}.${c.id}`)}`)} > ${shq(files[i]!)}`,
  );
  const rebases = files.slice(1).map((f, i) => `qemu-img rebase -q -u -F qcow2 -b ${shq(files[i]!)} ${shq(f)}`);
  const last = files[files.length - 1]!;
  const script = [
    'set -e -o pipefail',
    resticEnv(cfg.restic, ds),
    `install -d ${shq(`${tmp}/`)}`,
    ...dumps,
    ...rebases,
    `qemu-img convert -q -O qcow2 ${shq(last)} ${shq(`${last}.img`)}`,
  ].join('\n');
  try {
    const r = await withLockRetry(() => repoHostScript(paths, ds, `${script}\n`));
    if (r.code !== 0) throw fail('restic downloader', r);
    // Staged on the backup server, not yet in the image datastore: the middle of the copy.
    await passHold(paths, 'copy');
    await repoHostCat(paths, ds, `${last}.img`, dest, shq(`${last}.img`));
  } finally {
    await repoHostScript(paths, ds, `rm -rf ${shq(`${tmp}/`)}\n`);
  }
}
