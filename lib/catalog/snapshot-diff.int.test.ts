// Diffs shared by concurrent viewers against a real backup server: a viewer who leaves (the diff
// route passes request.signal) stops only their own wait; the one restic diff every viewer shares
// goes on and answers the others.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsolatedBackupServer } from '@/sandbox/backup-server/test-server';
import {
  backupOnServer,
  startServerRepository,
  stopServerRepository,
  type ServerRepository,
} from '@/scripts/test-support/server-repository';
import { execOk, type SshTarget } from '@/lib/exec';
import type { ResticRepo } from '@/lib/restic';
import { diffOf, vmXmlDiff } from './snapshot-diff';
import type { SnapshotRef } from './snapshot-resolve';
import type { SnapshotRow } from './types';

const PW = 'diff-int-pw';
let server: IsolatedBackupServer;
let target: SshTarget;
let repo: ResticRepo;
let dir: string;
let world: ServerRepository | undefined;
const rows: SnapshotRow[] = [];

async function onServer(...argv: string[]): Promise<void> {
  await execOk(target, argv, { timeoutMs: 120_000 });
}

async function writeOnServer(path: string, text: string): Promise<void> {
  await onServer('sh', '-c', 'printf %s "$1" > "$2"', 'sh', text, path);
}

const resticBackup = () => backupOnServer(world!, [dir]);

function row(id: string, day: number): SnapshotRow {
  return {
    id,
    shortId: id.slice(0, 8),
    time: new Date(Date.UTC(2026, 0, 1 + day)).toISOString(),
    hostname: 'kvm',
    tags: ['one-42'],
    paths: [dir],
    disks: [],
    vmId: 42,
    orphan: false,
    orphanFlagged: false,
  };
}

/** What the catalog would hand over for the older snapshot, both rows visible. */
function refOf(snapshot: SnapshotRow): SnapshotRef {
  return {
    detail: { datastore: { id: 100 }, repository: { name: '42' }, snapshots: rows, chains: [] },
    snapshot,
    access: { server: target, datastore: { template: {} }, basePath: '', repo: () => repo },
    repo,
  } as unknown as SnapshotRef;
}

const vmXml = (name: string) => Buffer.from(`<VM><ID>42</ID><NAME>${name}</NAME></VM>`).toString('base64');

beforeAll(async () => {
  world = await startServerRepository('diff', PW);
  ({ server, target, repo } = world);
  dir = join(server.info.root, 'var/lib/one/datastores/0/42/backup');
  await onServer('mkdir', '-p', dir);
  await writeOnServer(`${dir}/disk.0.0`, 'first disk');
  await writeOnServer(`${dir}/vm.xml`, vmXml('before'));
  rows.push(row(await resticBackup(), 0));
  await onServer('rm', '-f', `${dir}/disk.0.0`);
  await writeOnServer(`${dir}/disk.0.1`, 'the second disk, longer');
  await writeOnServer(`${dir}/vm.xml`, vmXml('after'));
  rows.push(row(await resticBackup(), 1));
});

afterAll(async () => {
  await stopServerRepository(world);
});

describe('concurrent diffs of the same pair', () => {
  it('the first viewer leaves, the second gets the diff', async () => {
    const [older, newer] = [rows[0]!, rows[1]!];
    const leaving = new AbortController();
    const first = diffOf(refOf(older), newer, leaving.signal);
    const second = diffOf(refOf(older), newer, new AbortController().signal);
    leaving.abort(new DOMException('the viewer left', 'AbortError'));
    await expect(first).rejects.toThrow('the viewer left');
    const d = await second;
    const byName = Object.fromEntries(d.rows.map((r) => [r.name, r]));
    expect(byName['disk.0.0']).toMatchObject({ change: 'removed', sizeBefore: 'first disk'.length });
    expect(byName['disk.0.1']).toMatchObject({ change: 'added', sizeAfter: 'the second disk, longer'.length });
    expect(byName['vm.xml']).toMatchObject({ change: 'changed' });
    expect(d.from.id).toBe(older.id);
    expect(d.to.id).toBe(newer.id);
  });

  it('the first viewer of a vm.xml diff leaves, the second gets it', async () => {
    const [older, newer] = [rows[0]!, rows[1]!];
    const leaving = new AbortController();
    const first = vmXmlDiff(refOf(older), newer, leaving.signal);
    const second = vmXmlDiff(refOf(older), newer);
    leaving.abort(new DOMException('the viewer left', 'AbortError'));
    await expect(first).rejects.toThrow('the viewer left');
    const text = JSON.stringify(await second);
    expect(text).toContain('before');
    expect(text).toContain('after');
  });
});
