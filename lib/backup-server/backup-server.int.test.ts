// lib/backup-server against a real backup server: the one-round-trip inventory and the preflight.
import { chownSync, mkdirSync, renameSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startIsolatedBackupServer, type IsolatedBackupServer } from '@/sandbox/backup-server/test-server';
import { holdExclusiveLock } from '@/sandbox/backup-server/test-locks';
import { hideTool, showTool } from '@/sandbox/backup-server/tools';
import { closeSshConnections, execOk, type SshTarget } from '@/lib/exec';
import { resetConfigCache } from '@/lib/config';
import { cheapenKeyOn } from '@/scripts/test-support/cheap-key';
import { inventory, preflight, type PreflightCheck } from './index';
import { FULL_LISTING_EVERY_MS, forgetListings, INVENTORY_SCRIPT, parseInventory, parseListingSum } from './inventory';

let server: IsolatedBackupServer;
let target: SshTarget;
const PW = 'inventory-test-pw';

beforeAll(async () => {
  server = await startIsolatedBackupServer();
  process.env.BACKSTONE_SSH_CONFIG = server.info.sshConfig;
  process.env.BACKSTONE_SSH_IDENTITY = server.info.identity;
  process.env.BACKSTONE_SSH_KNOWN_HOSTS = server.info.knownHosts;
  process.env.BACKSTONE_REMOTE_ROOT = server.info.root;
  resetConfigCache();
  target = { kind: 'ssh', host: server.info.name };
  const base = join(server.info.datastoresRoot, '100');
  for (const repo of ['42', '43', 'job_7']) {
    await execOk(target, ['restic', '--password-file=/dev/stdin', `--repo=${base}/${repo}`, 'init'], { stdin: PW });
    await cheapenKeyOn(target, `${base}/${repo}`, PW);
  }
  await execOk(target, ['mkdir', '-p', `${base}/not-a-repo`, `${base}/44`]);
  for (const repo of ['42', '42', 'job_7']) {
    await execOk(
      target,
      [
        'restic',
        '--password-file=/dev/stdin',
        `--repo=${base}/${repo}`,
        'backup',
        '--quiet',
        '--tag=one-42',
        '/etc/hostname',
      ],
      { stdin: PW },
    );
  }
});

afterAll(async () => {
  await closeSshConnections();
  await server?.stop();
});

describe('inventory', () => {
  it('lists repositories, snapshot IDs, locks, sizes and df in one round trip', async () => {
    const base = join(server.info.datastoresRoot, '100');
    const holder = await holdExclusiveLock(server.info, `${base}/43`, PW);
    await holder.kill9();
    const inv = await inventory(target, base);
    expect(inv.exists).toBe(true);
    expect(inv.repositories.map((r) => r.name)).toEqual(['42', '43', '44', 'job_7']);
    const byName = Object.fromEntries(inv.repositories.map((r) => [r.name, r]));
    expect(byName['42']).toMatchObject({ kind: 'vm', vmId: 42, initialized: true });
    expect(byName['42']!.snapshotIds).toHaveLength(2);
    expect(byName.job_7).toMatchObject({ kind: 'job', jobId: 7, initialized: true });
    expect(byName['44']).toMatchObject({ initialized: false, snapshotIds: [] });
    expect(byName['43']!.locks).toHaveLength(1);
    expect(byName['42']!.storedBytes).toBeGreaterThan(0);
    const snaps = await execOk(
      target,
      ['restic', '--password-file=/dev/stdin', `--repo=${base}/42`, 'snapshots', '--json', '--no-lock'],
      { stdin: PW },
    );
    expect(byName['42']!.snapshotIds).toEqual((JSON.parse(snaps.stdout) as { id: string }[]).map((s) => s.id).sort());
    // df of the filesystem holding BASE_PATH.
    const fs = statfsSync(base);
    expect(inv.filesystem!.totalBytes).toBe(fs.blocks * fs.bsize);
  });

  it('measures a repository size again only when its index, snapshots or locks say it may have changed', async () => {
    const base = join(server.info.datastoresRoot, '100');
    const sizeOf = async (name: string) =>
      (await inventory(target, base)).repositories.find((r) => r.name === name)!.storedBytes;
    const stray = (repo: string) => [
      'sh',
      '-c',
      'head -c 1048576 /dev/zero > "$1"',
      'sh',
      `${base}/${repo}/data/00/stray`,
    ];
    const before42 = await sizeOf('42');
    const before43 = await sizeOf('43');
    await execOk(target, stray('42'));
    await execOk(target, stray('43'));
    try {
      // 42 holds no lock and its index is unchanged: the size kept from the last measure stands.
      expect(await sizeOf('42')).toBe(before42);
      // 43 holds a (stale) lock: work may be under way, so it is measured every time.
      expect(await sizeOf('43')).toBeGreaterThanOrEqual(before43 + 1048576);
      // A backup writes an index file: 42 is measured again (and now counts the stray file too).
      await execOk(
        target,
        ['restic', '--password-file=/dev/stdin', `--repo=${base}/42`, 'backup', '--quiet', '/etc/hosts'],
        { stdin: PW },
      );
      expect(await sizeOf('42')).toBeGreaterThanOrEqual(before42 + 1048576);
    } finally {
      await execOk(target, ['rm', '-f', `${base}/42/data/00/stray`, `${base}/43/data/00/stray`]);
    }
  });

  it('lists only the one repository asked for, and refuses what is not a repository name', async () => {
    const base = join(server.info.datastoresRoot, '100');
    const all = await inventory(target, base);
    const one = await inventory(target, base, undefined, '42');
    expect(one.repositories).toEqual(all.repositories.filter((r) => r.name === '42'));
    expect(all.filesystem?.totalBytes).toBeGreaterThan(0);
    expect(one.filesystem).toBeUndefined(); // no df for one repository
    expect((await inventory(target, base, undefined, '45')).repositories).toEqual([]);
    await expect(inventory(target, base, undefined, '../100')).rejects.toThrow(TypeError);
  });

  // Folder times as a file system leaves them once nothing has happened for a while.
  // (The server's own clock: the tests below move this process's.)
  const settleFolders = (base: string) =>
    execOk(target, [
      'find',
      base,
      '-maxdepth',
      '2',
      '-type',
      'd',
      '-exec',
      'touch',
      '-m',
      '-d',
      '1 minute ago',
      '{}',
      '+',
    ]);

  // A file added while its folder's time is put back as it was: what a second change within the same
  // time step of the file system looks like, and what some network and FUSE mounts always do.
  const plantUnseen = (folder: string, name: string) =>
    execOk(target, [
      'sh',
      '-c',
      't=$(stat -c %.9Y "$1") && touch "$1/$2" && touch -m -d "@$t" "$1"',
      'sh',
      folder,
      name,
    ]);

  it('sends the listing only when the shape of the folders differs from the one held', async () => {
    const base = join(server.info.datastoresRoot, '100');
    await settleFolders(base);
    const script = (sum: string) => execOk(target, ['sh', '-c', INVENTORY_SCRIPT, 'sh', base, '', sum]);
    const first = await script('');
    const listed = parseListingSum(first.stdout);
    expect(listed).toMatchObject({ unchanged: false, settled: true });
    expect(first.stdout).toContain('\nF\t');
    expect(first.stdout).toContain('\nD\t');
    const again = await script(listed!.sum);
    expect(parseListingSum(again.stdout)).toEqual({ sum: listed!.sum, unchanged: true, settled: true });
    expect(again.stdout).not.toContain('\nF\t');
    expect(again.stdout).toContain('\nDF\t');
    // A folder changed within the last seconds: the listing is sent, and not to be held.
    await execOk(target, ['touch', '-m', `${base}/42/snapshots`]);
    const fresh = parseListingSum((await script(listed!.sum)).stdout);
    expect(fresh).toMatchObject({ unchanged: false, settled: false });
    expect(fresh!.sum).not.toBe(listed!.sum);
  });

  it('sees every change through a held listing, at once', async () => {
    const base = join(server.info.datastoresRoot, '100');
    forgetListings();
    await settleFolders(base);
    const before = await inventory(target, base);
    const kept = await inventory(target, base);
    // (df is read fresh each time: other processes write to the same filesystem meanwhile.)
    expect(kept.repositories).toEqual(before.repositories);
    await execOk(
      target,
      ['restic', '--password-file=/dev/stdin', `--repo=${base}/job_7`, 'backup', '--quiet', '/etc/hostname'],
      { stdin: PW },
    );
    const after = await inventory(target, base);
    const ids = (inv: typeof before) => inv.repositories.find((r) => r.name === 'job_7')!.snapshotIds;
    expect(ids(after)).toHaveLength(ids(before).length + 1);
    // Right after a change the listing is not held: a second change in the same time step of the
    // file system (the folder's time unchanged) is seen too.
    await settleFolders(base);
    const one = await inventory(target, base, undefined, '42');
    const idsOf42 = one.repositories[0]!.snapshotIds;
    await execOk(target, ['touch', '-m', `${base}/42/snapshots`]);
    expect((await inventory(target, base, undefined, '42')).repositories[0]!.snapshotIds).toEqual(idsOf42);
    try {
      await plantUnseen(`${base}/42/snapshots`, 'e'.repeat(64));
      expect((await inventory(target, base, undefined, '42')).repositories[0]!.snapshotIds).toContain('e'.repeat(64));
    } finally {
      await execOk(target, ['rm', '-f', `${base}/42/snapshots/${'e'.repeat(64)}`]);
    }
    // What one call is handed is its own: a size set on it does not reach the next call.
    after.repositories[0]!.storedBytes = -1;
    expect((await inventory(target, base)).repositories[0]!.storedBytes).toBeGreaterThan(0);
  });

  it('walks every file again after a while, and always once folder times proved unreliable', async () => {
    const base = join(server.info.datastoresRoot, '100');
    const snapshots = `${base}/43/snapshots`;
    const id = (c: string) => c.repeat(64);
    const idsOf43 = async () => (await inventory(target, base)).repositories.find((r) => r.name === '43')!.snapshotIds;
    forgetListings();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await settleFolders(base);
      const before = await idsOf43();
      await plantUnseen(snapshots, id('1'));
      expect(await idsOf43()).toEqual(before); // trusted within FULL_LISTING_EVERY_MS
      vi.setSystemTime(Date.now() + FULL_LISTING_EVERY_MS);
      expect(await idsOf43()).toContain(id('1'));
      // From now on this file system's listing is walked every time.
      await settleFolders(base);
      await idsOf43();
      await plantUnseen(snapshots, id('2'));
      expect(await idsOf43()).toContain(id('2'));
    } finally {
      vi.useRealTimers();
      await execOk(target, ['rm', '-f', `${snapshots}/${id('1')}`, `${snapshots}/${id('2')}`]);
      forgetListings();
    }
  });

  it('sends the listing every time when the server has no md5sum', async () => {
    const base = join(server.info.datastoresRoot, '100');
    const bin = join(server.info.root, 'var', 'tmp', 'bin-without-md5sum');
    await execOk(target, ['mkdir', '-p', bin]);
    for (const tool of ['sh', 'df', 'sed', 'find', 'date'])
      await execOk(target, ['sh', '-c', 'ln -sf "$(command -v "$1")" "$2/$1"', 'sh', tool, bin]);
    const r = await execOk(target, ['env', `PATH=${bin}`, 'sh', '-c', INVENTORY_SCRIPT, 'sh', base, '', '']);
    expect(parseListingSum(r.stdout)).toBeUndefined();
    expect(r.stdout).toMatch(/\nLIST\t\t\d+\n/);
    expect(parseInventory(base, r.stdout).repositories.map((x) => x.name)).toEqual(['42', '43', '44', 'job_7']);
  });

  it('says when BASE_PATH does not exist', async () => {
    expect(await inventory(target, join(server.info.datastoresRoot, '999'))).toMatchObject({
      exists: false,
      repositories: [],
    });
  });
});

describe('preflight', () => {
  const byId = (checks: PreflightCheck[], id: string) => checks.find((c) => c.id === id);

  it('passes on a ready server', async () => {
    const r = await preflight(server.info.name, server.info.account);
    expect(r.kind).toBe('checked');
    const failing = r.checks.filter((c) => c.status === 'fail');
    expect(failing).toEqual([]);
    expect(byId(r.checks, 'restic')?.detail).toContain(server.info.restic.version);
  });

  it('fails with the fix for a missing datastores folder and for wrong ownership', async () => {
    const dir = server.info.datastoresRoot;
    renameSync(dir, `${dir}.moved`);
    try {
      const r = await preflight(server.info.name, server.info.account);
      expect(byId(r.checks, 'datastores-dir')).toMatchObject({
        status: 'fail',
        fix: expect.stringContaining(`mkdir -p ${dir}`),
      });
    } finally {
      renameSync(`${dir}.moved`, dir);
    }
    if (process.getuid?.() === 0) {
      mkdirSync(dir, { recursive: true });
      chownSync(dir, 0, 0);
      try {
        const r = await preflight(server.info.name, server.info.account);
        expect(byId(r.checks, 'datastores-dir')).toMatchObject({
          status: 'fail',
          fix: `chown -R ${server.info.account}:${server.info.account} ${dir}`,
        });
      } finally {
        chownSync(dir, server.info.uid, server.info.uid);
      }
    }
  });

  it('fails with the install command when qemu-img or jq is missing', async () => {
    hideTool(server.stateDir, 'qemu-img');
    hideTool(server.stateDir, 'jq');
    try {
      const r = await preflight(server.info.name, server.info.account);
      expect(byId(r.checks, 'tool-qemu-img')).toMatchObject({ status: 'fail', fix: 'apt-get install -y qemu-utils' });
      expect(byId(r.checks, 'tool-jq')).toMatchObject({ status: 'fail', fix: 'apt-get install -y jq' });
      expect(byId(r.checks, 'tool-rsync')).toMatchObject({ status: 'pass' });
    } finally {
      showTool(server.stateDir, 'qemu-img');
      showTool(server.stateDir, 'jq');
    }
  });

  it('fails clearly for a wrong account and an unreachable server', async () => {
    const wrong = await preflight(server.info.name, 'nobody');
    expect(byId(wrong.checks, 'login')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('authorized_keys'),
    });
    const down = await preflight('127.0.0.1', server.info.account).catch((e: unknown) => e);
    expect((down as { kind: string }).kind).toBeDefined();
  });
});
