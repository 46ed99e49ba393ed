// restic/increment_flatten, on the backup server (on the front-end for S3): pull the first N-KEEP_LAST+1 increments to their
// original paths, rebase and commit them into one qcow2 named as the last of them, back it up
// with the original time, prune the merged snapshots, and answer `<MB> <id:snap,...>`.
import { posix } from 'node:path';
import { shq } from '../../common/shell-quote';
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import type { Increment } from '../store/types';
import { fail, repoHostScript } from './remote';
import { repoUrl, restic, resticEnv, type ResticDs } from './restic-command';
import { removeSnapshots } from './rm';
import { resticTimeArg, snapshotInfo } from './snapshots';
import { withLockRetry } from './lock-retry';

export type FlattenResult = { sizeMb: number; merged: Increment[]; keptId: number; snapshot: string };

export async function flattenIncrements(
  paths: FrontendPaths,
  ds: ResticDs,
  repoId: string,
  vmId: number,
  increments: readonly Increment[],
  keepLast: number,
): Promise<FlattenResult> {
  const cfg = readConfig(paths);
  const merged = increments.slice(0, increments.length - keepLast + 1);
  const last = merged[merged.length - 1]!;
  const info = await snapshotInfo(paths, ds, repoId, last.source);
  const dir = posix.dirname(info.paths.find((p) => /\/disk\.\d+\.\d+$/.test(p)) ?? '');
  const diskIds = [
    ...new Set(info.paths.map((p) => /\/disk\.(\d+)\.\d+$/.exec(p)?.[1]).filter((d): d is string => !!d)),
  ];
  const repo = repoUrl(ds, repoId);
  const files = (k: number) => diskIds.map((d) => `${dir}/disk.${d}.${k}`);

  const pull = merged.flatMap((inc) =>
    files(inc.id).map((f) => `${restic(ds, repo, `dump --quiet ${shq(inc.source)} ${shq(f)}`)} > ${shq(f)}`),
  );
  const merge = diskIds.flatMap((d) => {
    const chain = merged.map((inc) => `${dir}/disk.${d}.${inc.id}`);
    const lines = chain.slice(1).map((f, i) => `qemu-img rebase -q -u -F qcow2 -b ${shq(chain[i]!)} ${shq(f)}`);
    if (chain.length > 1)
      lines.push(
        `qemu-img commit -q -b ${shq(chain[0]!)} ${shq(chain[chain.length - 1]!)}`,
        `mv ${shq(chain[0]!)} ${shq(chain[chain.length - 1]!)}`,
      );
    return lines;
  });
  const vmXml = `${dir}/vm.xml`;
  const outFiles = [...files(last.id), vmXml];
  const opts = { force: null, json: null, tag: `one-${vmId}`, time: resticTimeArg(Date.parse(info.time) / 1000) };
  const jq = `jq -r '.snapshot_id + " " + (.total_bytes_processed|tostring) | select ( . != " null" )'`;
  const size = files(last.id)
    .map((f) => `qemu-img info --output=json ${shq(f)} | jq '."actual-size"'`)
    .join('\n');
  const script = [
    'set -e -o pipefail',
    resticEnv(cfg.restic, ds),
    `mkdir -p ${shq(dir)}`,
    ...pull,
    `${restic(ds, repo, `dump --quiet ${shq(last.source)} ${shq(vmXml)}`)} > ${shq(vmXml)}`,
    ...merge,
    `${restic(ds, repo, `backup ${outFiles.map(shq).join(' ')}`, opts)} | ${jq}`,
    size,
    // The driver removes the files but leaves the folders behind.
    `rm -f ${[...merged.flatMap((i) => files(i.id)), vmXml].map(shq).join(' ')}`,
  ].join('\n');
  const r = await withLockRetry(() => repoHostScript(paths, ds, `${script}\n`));
  if (r.code !== 0) throw fail('increment flatten', r);
  const lines = r.stdout.trim().split('\n');
  const snapLine = lines.find((l) => /^[0-9a-f]{8,64} \d+$/.test(l));
  if (!snapLine) throw new Error(`unexpected flatten output: ${r.stdout}`);
  const bytes = lines.slice(lines.indexOf(snapLine) + 1).reduce((a, l) => a + (Number(l) || 0), 0);
  await removeSnapshots(
    paths,
    ds,
    repoId,
    merged.map((m) => m.source),
  );
  return { sizeMb: Math.ceil(bytes / 1048576), merged, keptId: last.id, snapshot: snapLine.slice(0, 8) };
}
