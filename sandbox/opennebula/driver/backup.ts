// A backup run as OpenNebula's VMM driver makes it: TM prebackup on the host, DS backup (repo
// creation `stats || init` on the front-end, `restic backup` on the host), TM postbackup.
import { shq } from '../../common/shell-quote';
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import { fail, localScript, sshScript } from './remote';
import { restic, resticEnv, type ResticDs } from './restic-command';
import { remoteRepoUrl, sftpCommand } from './datastore-context';
import { cheapenNewRepoKey, writeNewRepo } from './repo-shortcuts';

export type BackupRun = {
  host: string;
  vmId: number;
  vmDir: string;
  diskIds: number[];
  /** the increment being written: 0 for FULL and chain starts */
  incrementId: number;
  incremental: boolean;
  vmXmlBase64: string;
  repoId: string;
  /** restic --time for a pinned sandbox clock */
  time?: string;
};

/** Base64.encode64: 60-column lines, each ending in a newline. */
export function encode64(s: string): string {
  const b = Buffer.from(s, 'utf8').toString('base64');
  return (b.match(/.{1,60}/g) ?? []).map((l) => `${l}\n`).join('');
}

function prebackupScript(r: BackupRun): string {
  const bdir = `${r.vmDir}/backup`;
  const ckpt = `${r.vmDir}/.backup-checkpoint`;
  const lines = ['set -e -o pipefail', `rm -rf ${shq(bdir)}`, `mkdir -p ${shq(bdir)} ${shq(ckpt)}`];
  for (const d of r.diskIds) {
    const disk = shq(`${r.vmDir}/disk.${d}`);
    const out = shq(`${bdir}/disk.${d}.${r.incrementId}`);
    if (r.incrementId === 0) {
      lines.push(`qemu-img convert -m 4 -O qcow2 ${disk} ${out}`);
    } else {
      // Only the clusters that differ from the last backed-up state: an overlay on the current
      // disk, safely rebased onto the checkpoint, then cut loose (SNAPSHOT-mode increments have
      // no backing file).
      const tmp = shq(`${bdir}/disk.${d}.${r.incrementId}.tmp`);
      lines.push(
        `qemu-img create -q -f qcow2 -F qcow2 -b ${disk} ${tmp}`,
        `qemu-img rebase -q -f qcow2 -F qcow2 -b ${shq(`${ckpt}/disk.${d}`)} ${tmp}`,
        `qemu-img rebase -q -u -f qcow2 -b '' ${tmp}`,
        `mv ${tmp} ${out}`,
      );
    }
  }
  // `echo "#{Base64.encode64(vm_xml)}" > vm.xml`: one more newline than encode64 gives.
  lines.push(`echo ${shq(r.vmXmlBase64)} > ${shq(`${bdir}/vm.xml`)}`);
  return `${lines.join('\n')}\n`;
}

function postbackupScript(r: BackupRun): string {
  const ckpt = `${r.vmDir}/.backup-checkpoint`;
  const lines = ['set -e -o pipefail'];
  if (r.incremental) {
    for (const d of r.diskIds)
      lines.push(`qemu-img convert -O qcow2 ${shq(`${r.vmDir}/disk.${d}`)} ${shq(`${ckpt}/disk.${d}`)}`);
  }
  lines.push(`rm -rf ${shq(`${r.vmDir}/backup`)}`);
  return `${lines.join('\n')}\n`;
}

/** restic's exit code (0.17 and later) for "repository does not exist". */
const NO_REPOSITORY = 10;

/**
 * `stats || init` on the front-end with the sftp (or S3) URL; the first stats' "does not exist" is
 * ignored. The sandbox writes a repository restic says does not exist itself (repo-shortcuts.ts);
 * for any other failure of stats, the driver's script runs whole, so its errors stay the driver's.
 */
async function createRepoIfNotExists(paths: FrontendPaths, ds: ResticDs, repoId: string): Promise<void> {
  const cfg = readConfig(paths);
  const url = remoteRepoUrl(ds, repoId);
  const sc = sftpCommand(paths, cfg.backupServer);
  const stats = `${resticEnv(cfg.restic, ds)}\n${restic(ds, url, 'stats', {}, sc)}`;
  const probe = await localScript(paths, `${stats}\n`);
  if (probe.code === 0) return;
  if (probe.code === NO_REPOSITORY && (await writeNewRepo(paths, ds, repoId))) return;
  const r = await localScript(paths, `${stats} || ${restic(ds, url, 'init', {}, sc)}\n`);
  if (r.code !== 0) throw fail('restic repository creation', r);
  if (/created restic repository/.test(r.stdout)) await cheapenNewRepoKey(paths, ds, repoId);
}

export type BackupResult = { snapshot: string; sizeMb: number; format: 'raw' };

function backupScript(paths: FrontendPaths, ds: ResticDs, r: BackupRun): string {
  const cfg = readConfig(paths);
  const bdir = shq(`${r.vmDir}/backup`);
  const opts: Record<string, string | null> = { force: null, json: null, tag: `one-${r.vmId}` };
  if (r.time) opts.time = r.time;
  const url = remoteRepoUrl(ds, r.repoId);
  const cmd = restic(ds, url, `backup ${bdir}/disk.* ${bdir}/vm.xml`, opts, sftpCommand(paths, cfg.backupServer));
  const jq = `jq -r '.snapshot_id + " " + (.total_bytes_processed|tostring) | select ( . != " null" )'`;
  return `set -e -o pipefail\n${resticEnv(cfg.restic, ds)}\n${cmd} | ${jq}\n`;
}

export async function runBackup(paths: FrontendPaths, ds: ResticDs, r: BackupRun): Promise<BackupResult> {
  const pre = await sshScript(paths, r.host, prebackupScript(r));
  if (pre.code !== 0) throw fail('prebackup', pre);
  try {
    await createRepoIfNotExists(paths, ds, r.repoId);
    const out = await sshScript(paths, r.host, backupScript(paths, ds, r));
    if (out.code !== 0) throw fail('restic backup', out);
    const last = out.stdout.trim().split('\n').pop() ?? '';
    const m = /^([0-9a-f]{8,64}) (\d+)$/.exec(last);
    if (!m) throw new Error(`unexpected restic backup output: ${out.stdout.trim()}`);
    const result: BackupResult = {
      snapshot: m[1]!.slice(0, 8),
      sizeMb: Math.floor(Number(m[2]) / 1048576),
      format: 'raw',
    };
    const post = await sshScript(paths, r.host, postbackupScript(r));
    if (post.code !== 0) throw fail('postbackup', post);
    return result;
  } catch (err) {
    await sshScript(paths, r.host, `rm -rf ${shq(`${r.vmDir}/backup`)}\n`);
    throw err;
  }
}
