// Snapshot reads against a real backup server: a disk header from the first 64 KiB of a dump, a
// file byte for byte, an increment chain flattened in RESTIC_TMP_DIR (equal to the chain's last
// state), and an abandoned flattened download that leaves nothing behind.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsolatedBackupServer } from '@/sandbox/backup-server/test-server';
import {
  backupOnServer,
  startServerRepository,
  stopServerRepository,
  type ServerRepository,
} from '@/scripts/test-support/server-repository';
import { execOk, LOCAL, type SshTarget } from '@/lib/exec';
import type { ResticRepo } from '@/lib/restic';
import { runningDownloads, TooManyDownloads } from './download-slots';
import { diskHeader } from './snapshot-dump-head';
import { snapshotFiles } from './snapshot-files';
import type { SnapshotRef } from './snapshot-resolve';
import { downloadFlattenedDisk, downloadStoredFile } from './snapshot-download';
import type { SnapshotRow } from './types';

const PW = 'explorer-int-pw';
let server: IsolatedBackupServer;
let target: SshTarget;
let repo: ResticRepo;
let backupDir: string;
let world: ServerRepository | undefined;
let local: string;
const ids: string[] = [];

async function onServer(...argv: string[]): Promise<string> {
  return (await execOk(target, argv, { timeoutMs: 120_000 })).stdout;
}

const resticBackup = (...paths: string[]) => backupOnServer(world!, paths);

function row(id: string, inc: number, paths: string[]): SnapshotRow {
  return {
    id,
    shortId: id.slice(0, 8),
    time: new Date(Date.UTC(2026, 0, 1 + inc)).toISOString(),
    hostname: 'kvm',
    tags: ['one-42'],
    paths,
    disks: paths.flatMap((path) => {
      const m = /disk\.(\d+)\.(\d+)$/.exec(path);
      return m ? [{ diskId: Number(m[1]), increment: Number(m[2]), path }] : [];
    }),
    vmId: 42,
    imageId: 7,
    incrementId: inc,
    incrementType: inc === 0 ? 'FULL' : 'INCREMENT',
    orphan: false,
    orphanFlagged: false,
  };
}

/** What the catalog would hand over for snapshot `index` of the two-link chain. */
function refOf(index: number): SnapshotRef {
  const rows = ids.map((id, i) => row(id, i, [`${backupDir}/disk.0.${i}`, `${backupDir}/vm.xml`]));
  return {
    detail: {
      datastore: { id: 100 },
      repository: { name: '42' },
      snapshots: rows,
      chains: [
        {
          imageId: 7,
          imageName: '42 01-Jan',
          vmId: 42,
          mode: 'INCREMENT',
          intact: true,
          links: rows.map((r, i) => ({
            incrementId: i,
            type: i === 0 ? 'FULL' : 'INCREMENT',
            source: r.shortId,
            snapshotId: r.id,
            date: 0,
            sizeMb: 1,
          })),
        },
      ],
    },
    snapshot: rows[index]!,
    access: { server: target, datastore: { template: {} }, basePath: '', repo: () => repo },
    repo,
  } as unknown as SnapshotRef;
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body as unknown as AsyncIterable<Uint8Array>) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

const tempLeft = () => readdirSync(join(server.info.root, 'var/tmp')).filter((f) => f.startsWith('backstone-flatten.'));
const resticRunning = () =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .some((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.includes(repo.path) || cmd.includes('backstone-flatten.');
      } catch {
        return false;
      }
    });

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

beforeAll(async () => {
  world = await startServerRepository('explorer', PW);
  ({ server, target, repo, local } = world);
  // A VM disk, a FULL copy of it, guest writes, then an increment holding only what changed
  // (the way SNAPSHOT-mode increments are made: no backing file left).
  const vmDir = join(server.info.root, 'var/lib/one/datastores/0/42');
  backupDir = `${vmDir}/backup`;
  const disk = `${vmDir}/disk.0`;
  const ckpt = `${vmDir}/ckpt.0`;
  await onServer('mkdir', '-p', backupDir, join(server.info.root, 'var/tmp'));
  await onServer('qemu-img', 'create', '-q', '-f', 'qcow2', disk, '64M');
  await onServer('qemu-io', '-f', 'qcow2', '-c', 'write -P 17 0 24M', disk);
  await onServer('qemu-img', 'convert', '-O', 'qcow2', disk, `${backupDir}/disk.0.0`);
  await onServer('qemu-img', 'convert', '-O', 'qcow2', disk, ckpt);
  await onServer(
    'sh',
    '-c',
    'printf %s "$1" | base64 -w 60 > "$2"',
    'sh',
    '<VM><ID>42</ID></VM>',
    `${backupDir}/vm.xml`,
  );
  ids.push(await resticBackup(`${backupDir}/disk.0.0`, `${backupDir}/vm.xml`));
  await onServer('rm', '-f', `${backupDir}/disk.0.0`);
  await onServer('qemu-io', '-f', 'qcow2', '-c', 'write -P 99 8M 1M', '-c', 'write -P 5 40M 2M', disk);
  const tmp = `${backupDir}/disk.0.1.tmp`;
  await onServer('qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', disk, tmp);
  await onServer('qemu-img', 'rebase', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', ckpt, tmp);
  await onServer('qemu-img', 'rebase', '-q', '-u', '-f', 'qcow2', '-b', '', tmp);
  await onServer('mv', tmp, `${backupDir}/disk.0.1`);
  ids.push(await resticBackup(`${backupDir}/disk.0.1`, `${backupDir}/vm.xml`));
});

afterAll(async () => {
  await stopServerRepository(world);
});

describe('snapshot reads on a real backup server', () => {
  it('reads a disk header from the first 64 KiB of a dump and stops restic', async () => {
    const ref = refOf(0);
    const file = (await snapshotFiles(ref)).find((f) => f.name === 'disk.0.0')!;
    expect(file.size).toBeGreaterThan(24 * 1024 * 1024);
    expect(await diskHeader(ref, file)).toMatchObject({ format: 'qcow2', version: 3, virtualSize: 64 * 1024 * 1024 });
    expect(await until(() => !resticRunning(), 5_000)).toBe(true);
  });

  it('downloads a file byte for byte with the size of the listing', async () => {
    const ref = refOf(0);
    const d = await downloadStoredFile(ref, 'disk.0.0', { holder: 'oneadmin' });
    const body = await readAll(d.body);
    expect(body.length).toBe(d.size);
    writeFileSync(join(local, 'full.qcow2'), body);
    const disk = join(server.info.root, 'var/lib/one/datastores/0/42/ckpt.0');
    // The FULL backup is the disk at backup time (the checkpoint taken with it).
    expect((await execOk(LOCAL, ['qemu-img', 'compare', join(local, 'full.qcow2'), disk])).stdout).toContain(
      'identical',
    );
    const sha = createHash('sha256').update(body).digest('hex');
    const dumped = await execOk(
      target,
      [
        'sh',
        '-c',
        '"$1" --password-file=/dev/stdin --repo="$2" dump "$3" "$4" | sha256sum',
        'sh',
        'restic',
        repo.path,
        ids[0]!,
        `${backupDir}/disk.0.0`,
      ],
      { stdin: PW },
    );
    expect(dumped.stdout.split(' ')[0]).toBe(sha);
  });

  it('flattens the chain into a standalone disk equal to its last state, and cleans up', async () => {
    const d = await downloadFlattenedDisk(refOf(1), 0, { holder: 'oneadmin' });
    const body = await readAll(d.body);
    expect(body.length).toBe(d.size);
    const out = join(local, 'flat.qcow2');
    writeFileSync(out, body);
    const info = JSON.parse((await execOk(LOCAL, ['qemu-img', 'info', '--output=json', out])).stdout) as {
      'backing-filename'?: string;
    };
    expect(info['backing-filename']).toBeUndefined();
    const disk = join(server.info.root, 'var/lib/one/datastores/0/42/disk.0');
    expect((await execOk(LOCAL, ['qemu-img', 'compare', out, disk])).stdout).toContain('identical');
    expect(await until(() => tempLeft().length === 0, 5_000)).toBe(true);
  });

  it('an abandoned flattened download stops the remote work and removes its folder', async () => {
    const ac = new AbortController();
    const d = await downloadFlattenedDisk(refOf(1), 0, { holder: 'oneadmin', signal: ac.signal });
    const reader = d.body.getReader();
    await reader.read();
    expect(tempLeft()).toHaveLength(1);
    await reader.cancel();
    ac.abort();
    expect(await until(() => tempLeft().length === 0 && !resticRunning(), 5_000)).toBe(true);
  });

  it('flattened and stored-file downloads share the per-user limit; a refused one runs nothing', async () => {
    const held = [
      await downloadStoredFile(refOf(0), 'disk.0.0', { holder: 'eve' }),
      await downloadStoredFile(refOf(0), 'disk.0.0', { holder: 'eve' }),
    ];
    await expect(downloadFlattenedDisk(refOf(1), 0, { holder: 'eve' })).rejects.toBeInstanceOf(TooManyDownloads);
    expect(tempLeft()).toEqual([]);
    expect(runningDownloads().byUser).toEqual({ eve: 2 });
    for (const d of held) await d.body.cancel();
    expect(await until(() => runningDownloads().byUser.eve === undefined && !resticRunning(), 5_000)).toBe(true);
  });

  it('an aborted flattened download before streaming removes its folder too', async () => {
    const ac = new AbortController();
    const p = downloadFlattenedDisk(refOf(1), 0, { holder: 'oneadmin', signal: ac.signal });
    await until(() => tempLeft().length === 1, 10_000);
    ac.abort();
    await expect(p).rejects.toThrow(/cancel/i);
    expect(tempLeft()).toEqual([]);
  });
});
