import 'server-only';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { diskParts, newestVmXml } from './chain-files';
import { chainBytes } from './chain-progress';
import { restoreServerTitle } from './job-titles';
import { ExpectedError } from '@/lib/errors/expected-error';
import { exec, execOk, ExecError, joinArgv, type Target } from '@/lib/exec';
import { restore, RepositoryLocked, ResticError, type ResticRepo } from '@/lib/restic';
import {
  accessServerKey,
  datastoreAccess,
  diskWorkPlace,
  repositoryDetail,
  RepositoryNotFound,
  type BackupChain,
  type DiskWorkPlace,
  type Reader,
} from '@/lib/catalog';
import { leftText } from './cancel-report';
import { JobCanceled, JobFailed, submitJob, type JobContext } from './runner';

// Restore onto disk: the chain's snapshots restored into a staging folder inside a NEW target
// folder under an allowed base, increments flattened with qemu-img as OpenNebula's downloader does,
// then `disk.N.qcow2` and `vm.xml` left in the target. Where restic runs: on the backup server under
// the datastore's RESTIC_TMP_DIR (SFTP), on Backstone's machine under BACKSTONE_LOCAL_RESTORE_DIR
// (S3: restic runs here, as the driver runs it on the front-end). Nothing that exists is ever
// written over; on failure or cancel the target is removed whole, and when it cannot be, the job's
// record names it with the command that removes it.

export type ServerRestoreRequest = {
  datastoreId: number;
  repository: string;
  imageId: number;
  /** Restore up to this increment (default: the last). */
  incrementId?: number;
  /** A new folder name under the allowed base. */
  folder: string;
};

export class RestoreRefused extends ExpectedError {
  override name = 'RestoreRefused';
  readonly kind = 'conflict';
}

/** A repository the person may not see, or that is not there, in a restore's words. */
class BackupNotVisible extends RepositoryNotFound {
  override name = 'BackupNotVisible';
  override get userMessage(): string {
    return 'There is no such backup you may restore.';
  }
}

const FOLDER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function chainFor(chains: BackupChain[], imageId: number, incrementId?: number) {
  const chain = chains.find((c) => c.imageId === imageId);
  if (!chain) throw new RestoreRefused(`Backup image ${imageId} is not in this repository.`);
  const upto = incrementId ?? chain.links.at(-1)?.incrementId;
  const links = chain.links.filter((l) => upto !== undefined && l.incrementId <= upto);
  if (links.length === 0 || links.at(-1)?.incrementId !== upto)
    throw new RestoreRefused(`Backup image ${imageId} has no increment ${incrementId}.`);
  const missing = links.find((l) => !l.snapshotId);
  if (missing)
    throw new RestoreRefused(
      `Increment ${missing.incrementId} names snapshot ${missing.source}, which is missing: this chain cannot be restored.`,
    );
  return links as (BackupChain['links'][number] & { snapshotId: string })[];
}

function explain(err: unknown, place: DiskWorkPlace): Error {
  const tail = err instanceof Error && 'stderrTail' in err ? String((err as { stderrTail: unknown }).stderrTail) : '';
  const text = `${err instanceof Error ? err.message : String(err)}\n${tail}`;
  if (/no space left on device|disk quota exceeded/i.test(text)) {
    return new JobFailed(
      place.target.kind === 'local'
        ? `The filesystem under ${place.base} on Backstone's machine is full. Nothing was kept; free space there or set BACKSTONE_LOCAL_RESTORE_DIR to a larger one.`
        : `The backup server's filesystem under ${place.base} is full. Nothing was kept; free space there or restore into another datastore's RESTIC_TMP_DIR.`,
    );
  }
  if (err instanceof RepositoryLocked) return new JobFailed(`${err.message}`);
  if (err instanceof ResticError || err instanceof ExecError || err instanceof JobFailed) return err;
  return err instanceof Error ? err : new Error(text);
}

async function run(server: Target, argv: string[], signal: AbortSignal, ctx: JobContext): Promise<void> {
  ctx.log(`$ ${argv.join(' ')}`);
  // qemu-img on whole disks: bulk capacity, so it never holds a channel an interactive read needs.
  const r = await exec(server, argv, { signal, timeoutMs: 6 * 3600_000, capacity: 'bulk' });
  if (r.exitCode !== 0)
    throw new JobFailed(`${argv[0]} failed: ${r.stderr.trim().split('\n').pop() ?? `exit code ${r.exitCode}`}`);
}

const REMOVE_ATTEMPTS = 5;
const REMOVE_RETRY_MS = 3_000;

/**
 * Removes a partial target. When the connection to the backup server was lost (sshd restarted, a
 * network glitch), it is tried again for a bounded time (about 12 s) before the job ends.
 */
async function removeTarget(server: Target, target: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  for (let attempt = 1; ; attempt++) {
    const r = await exec(server, ['rm', '-rf', '--', target]).catch(() => undefined);
    if (r?.exitCode === 0) return { ok: true };
    if (r) return { ok: false, reason: r.stderr.trim().split('\n').pop() || `rm exited with code ${r.exitCode}` };
    if (attempt === REMOVE_ATTEMPTS) return { ok: false, reason: 'the backup server did not answer' };
    await sleep(REMOVE_RETRY_MS);
  }
}

export async function submitServerRestore(reader: Reader, req: ServerRestoreRequest): Promise<number> {
  if (!FOLDER.test(req.folder))
    throw new RestoreRefused('The folder name may use letters, digits, dot, dash and underscore only.');
  // The reader's view decides: a person can only restore what they may see.
  const detail = await repositoryDetail(reader, req.datastoreId, req.repository).catch((err: unknown) => {
    throw err instanceof RepositoryNotFound ? new BackupNotVisible(err.message, { cause: err }) : err;
  });
  const links = chainFor(detail.chains, req.imageId, req.incrementId);
  const access = await datastoreAccess(req.datastoreId);
  const place = diskWorkPlace(access);
  const target = posix.join(place.base, req.folder);
  if (posix.dirname(target) !== place.base)
    throw new RestoreRefused('The target must be a new folder directly under the allowed base.');
  // Refused up front when it exists (empty or not): nothing is ever restored over existing files.
  const exists = await exec(place.target, ['test', '-e', target]);
  if (exists.exitCode === 0)
    throw new RestoreRefused(`${target} already exists on ${place.where}; choose a new folder name.`);
  const repo = access.repo(req.repository);
  // Each link's size known up front (restic's summary, else the image's SIZE), so the job's total
  // is the whole chain's from the first link on.
  const sizes = new Map(detail.snapshots.map((s) => [s.id, s.logicalBytes]));
  const expected = links.map((l) => sizes.get(l.snapshotId));
  return submitJob({
    kind: 'restore-server',
    // Named as the person sees the datastore (repositoryDetail read it as them).
    title: restoreServerTitle(req, { id: req.datastoreId, name: detail.datastore.name }, target),
    actor: reader.username,
    serverKey: accessServerKey(access),
    params: { ...req, target },
    run: (ctx) => restoreChain(ctx, repo, place, target, links, expected),
  });
}

async function restoreChain(
  ctx: JobContext,
  repo: ResticRepo,
  place: DiskWorkPlace,
  target: string,
  links: (BackupChain['links'][number] & { snapshotId: string })[],
  expected: (number | undefined)[],
) {
  const server = place.target;
  const staging = posix.join(target, '.staging');
  let created = false;
  try {
    // The allowed base itself may be made (Backstone's own folder on its machine); the target is
    // made without -p: it fails if the folder appeared meanwhile, so nothing existing is reused.
    if (server.kind === 'local') await execOk(server, ['mkdir', '-p', '-m', '0700', '--', place.base]);
    await execOk(server, ['mkdir', '--', target]);
    created = true;
    await execOk(server, ['mkdir', '--', staging]);
    const finished: number[] = [];
    for (const [i, link] of links.entries()) {
      const into = posix.join(staging, String(link.incrementId));
      ctx.log(`restic restore ${link.snapshotId.slice(0, 8)} (increment ${link.incrementId}) into ${into}`);
      const last = await restore(repo, {
        snapshot: link.snapshotId,
        target: into,
        signal: ctx.signal,
        expectedBytes: expected[i],
        onProgress: (p) => {
          // restic counts this link only; the job shows the whole chain's bytes.
          const whole = chainBytes(expected, finished, p);
          ctx.progress({
            percent: Math.round(
              (whole.bytesTotal ? whole.bytesDone / whole.bytesTotal : (i + (p.percent ?? 0) / 100) / links.length) *
                90,
            ),
            bytesDone: whole.bytesDone,
            bytesTotal: whole.bytesTotal,
            message: `Restoring increment ${link.incrementId} (${i + 1} of ${links.length})`,
          });
        },
      });
      // restic's own total of the link once it ended: what that link put on disk.
      finished.push(last.bytesTotal ?? last.bytesDone);
    }
    const found = await execOk(server, [
      'find',
      staging,
      '-type',
      'f',
      '-name',
      'disk.*',
      '-o',
      '-type',
      'f',
      '-name',
      'vm.xml',
    ]);
    const files = found.stdout.split('\n').filter(Boolean);
    ctx.progress({ percent: 90, message: 'Flattening with qemu-img' });
    const results: Record<string, unknown>[] = [];
    for (const [diskId, parts] of diskParts(files)) {
      // Re-link the chain (the overlays' backing pointers are not usable after a restore).
      for (let k = 1; k < parts.length; k++) {
        await run(
          server,
          ['qemu-img', 'rebase', '-u', '-F', 'qcow2', '-b', parts[k - 1]!.path, parts[k]!.path],
          ctx.signal,
          ctx,
        );
      }
      const out = posix.join(target, `disk.${diskId}.qcow2`);
      await run(server, ['qemu-img', 'convert', '-O', 'qcow2', parts.at(-1)!.path, out], ctx.signal, ctx);
      const info = await execOk(server, ['qemu-img', 'info', '--output=json', out]);
      results.push({ disk: diskId, path: out, info: JSON.parse(info.stdout) as unknown });
    }
    const vmXml = newestVmXml(staging, files);
    if (vmXml)
      await execOk(server, ['sh', '-c', 'base64 -d -- "$1" > "$2"', 'sh', vmXml, posix.join(target, 'vm.xml')]);
    await execOk(server, ['rm', '-rf', '--', staging]);
    ctx.log(`Done: ${results.map((r) => r.path).join(', ')}`);
    return {
      message: `Restored to ${target}.`,
      result: { target, disks: results, vmXml: vmXml ? posix.join(target, 'vm.xml') : undefined },
    };
  } catch (err) {
    // Read now: whatever failed after a cancel failed because of it.
    const canceled = ctx.signal.aborted;
    const explained = explain(err, place);
    if (created) {
      ctx.log(`Removing the partial target ${target}.`);
      const removal = await removeTarget(server, target);
      if (!removal.ok) {
        // The admin must know what is left on the server, and how to remove it.
        ctx.log(`Could not remove the partial target ${target}: ${removal.reason}`);
        const remove = joinArgv(['rm', '-rf', '--', target]);
        const command =
          server.kind === 'local'
            ? remove
            : joinArgv([
                'ssh',
                ...(server.port ? ['-p', String(server.port)] : []),
                `${server.user ? `${server.user}@` : ''}${server.host}`,
                remove,
              ]);
        if (canceled) {
          const left = [{ what: `the partial target ${target}`, reason: removal.reason, command }];
          throw new JobCanceled(`Canceled. ${leftText(`on ${place.where}`, left)}`, { removed: [], left });
        }
        throw new JobFailed(
          `${explained.message} The partial target ${target} could not be removed (${removal.reason}) and is left on ${place.where}; remove it with: ${command}`,
        );
      }
      if (canceled)
        throw new JobCanceled(`Canceled. Removed the partial target ${target}; nothing is left on ${place.where}.`, {
          removed: [target],
          left: [],
        });
    }
    if (canceled)
      throw new JobCanceled(`Canceled before anything was written on ${place.where}; nothing is left there.`, {
        removed: [],
        left: [],
      });
    throw explained;
  }
}
