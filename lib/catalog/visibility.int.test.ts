// Issue 22 §5: a VM owner sees exactly what OpenNebula shows them, counts and sums included. Two
// owners (alice, bob) have one VM each in one Backup Job, so their backups share the repository
// job_<ID>; bob also has a VM of his own, and one of bob's job snapshots lost its image (an orphan,
// a problem about bob's VM only). Real front-end simulator, real backup server, real restic. The
// expected figures come from OpenNebula as each person (their own credential) and from restic.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
  resticDatastoreTemplate,
} from '@/scripts/test-support/backstone-world';
import { resticOnRepo } from '@/sandbox/backup-server/test-faults';
import { type BackupServerInfo } from '@/sandbox/common/info';
import { waitFor } from '@/sandbox/common/process';
import { type FrontendInfo } from '@/sandbox/opennebula/frontend';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { forgetImage } from '@/sandbox/opennebula/ops/delete-image';
import { inBackup } from '@/sandbox/opennebula/ops/states';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { readDb } from '@/sandbox/opennebula/store/db';
import { cliRunner } from '@/sandbox/seed/cli-runner';
import { listBackupImages, listVms, type Image } from '@/lib/opennebula';
import {
  capacityReport,
  datastoreOverview,
  readOverview,
  recordCapacitySample,
  repositoryDetail,
  resolveSnapshot,
  RepositoryNotFound,
  SnapshotNotVisible,
  type Reader,
} from './index';
import { samples } from './capacity';

const PASSWORD = 'visibility-restic-pw';
const MiB = 1024 * 1024;
const DAY = 86_400;
/** Backups in the past (pinned clock): the orphan is older than the safety window. */
const EPOCH = Date.UTC(2026, 9, 1, 8, 0, 0) / 1000;

const reader = (username: string, isAdmin = false): Reader => ({
  username,
  isAdmin,
  credential: { kind: 'user', username, secret: `sandbox-${username}` },
});
const ADMIN = reader('oneadmin', true);
const ALICE = reader('alice');
const BOB = reader('bob');

let world: BackstoneWorld | undefined;
let stateDir: string;
let info: FrontendInfo;
let server: BackupServerInfo;
let dsId: number;
let jobRepo: string;
const vm = { alice: -1, bob: -1, bobSolo: -1 };
let orphan: string;

type Snap = { id: string; short_id: string; tags: string[] | null };

async function resticSnapshots(repo: string): Promise<Snap[]> {
  const r = await resticOnRepo(server, join(server.datastoresRoot, String(dsId), repo), PASSWORD, [
    'snapshots',
    '--json',
    '--no-lock',
  ]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Snap[];
}
const ofVm = (s: Snap, id: number) => (s.tags ?? []).includes(`one-${id}`);
const inDs = (images: Image[]) => images.filter((i) => i.datastoreId === dsId);
const bytes = (images: Image[]) => images.reduce((s, i) => s + i.sizeMb * MiB, 0);
const ids = (xs: { id: number }[]) => xs.map((x) => x.id).sort((a, b) => a - b);

beforeAll(async () => {
  world = await startBackstoneWorld('visibility');
  ({ stateDir, info, server } = world);

  const paths = frontendPaths(stateDir);
  const cli = cliRunner(info);
  const file = join(stateDir, 'visibility.tpl');
  writeFileSync(file, resticDatastoreTemplate({ server }, { name: 'Shared', password: PASSWORD }), { mode: 0o600 });
  dsId = Number((await cli('oneadmin', 'onedatastore', ['create', file], EPOCH - DAY)).replace(/\D/g, ''));
  vm.alice = await createVm(paths, { name: 'alice-shop', uid: 2, disksMb: [8] });
  vm.bob = await createVm(paths, { name: 'bob-ledger', uid: 3, disksMb: [8] });
  vm.bobSolo = await createVm(paths, { name: 'bob-private', uid: 3, disksMb: [8] });
  const idle = (vmIds: number[]) => () =>
    readDb(paths)
      .vms.filter((v) => vmIds.includes(v.id))
      .every((v) => !inBackup(v.lcmState));

  await cli('oneadmin', 'onevm', ['backup', String(vm.bobSolo), '-d', String(dsId)], EPOCH);
  expect(await waitFor(idle([vm.bobSolo]), 120_000, 100)).toBe(true);

  writeFileSync(
    file,
    `NAME = "shared-nightly"\nBACKUP_VMS = "${vm.alice},${vm.bob}"\nDATASTORE_ID = "${dsId}"\n` +
      `FS_FREEZE = "NONE"\nKEEP_LAST = "4"\nMODE = "FULL"\n`,
  );
  const jobId = Number((await cli('oneadmin', 'onebackupjob', ['create', file], EPOCH)).replace(/\D/g, ''));
  jobRepo = `job_${jobId}`;
  for (const d of [1, 2]) {
    await cli('oneadmin', 'onebackupjob', ['backup', String(jobId)], EPOCH + d * DAY);
    const done = () => readDb(paths).backupjobs.find((b) => b.id === jobId)!.backingUpVms.length === 0;
    expect(await waitFor(done, 120_000, 100)).toBe(true);
    expect(await waitFor(idle([vm.alice, vm.bob]), 120_000, 100)).toBe(true);
  }
  rmSync(file);
  // One of bob's job images loses its record: its snapshot becomes an orphan (a problem of bob's).
  const bobImage = readDb(paths)
    .images.filter((i) => i.vms.includes(vm.bob))
    .sort((a, b) => a.id - b.id)[0]!;
  orphan = bobImage.source;
  forgetImage(paths, bobImage.id);
}, 300_000);

afterAll(async () => {
  await stopBackstoneWorld(world);
});

describe('two VM owners sharing one Backup Job', () => {
  it('the world holds what the test needs', async () => {
    const snaps = await resticSnapshots(jobRepo);
    expect(snaps.filter((s) => ofVm(s, vm.alice)).length).toBe(2);
    expect(snaps.filter((s) => ofVm(s, vm.bob)).length).toBe(2);
    expect(snaps.some((s) => s.id.startsWith(orphan))).toBe(true);
    expect(ids(await listVms(ALICE.credential))).toEqual([vm.alice]);
    expect(ids(await listVms(BOB.credential))).toEqual([vm.bob, vm.bobSolo].sort((a, b) => a - b));
  });

  it('the overview shows each owner only their own VMs, images, counts and sums', async () => {
    const snaps = await resticSnapshots(jobRepo);
    for (const [who, mine, theirs] of [
      [ALICE, [vm.alice], [vm.bob, vm.bobSolo]],
      [BOB, [vm.bob, vm.bobSolo], [vm.alice]],
    ] as const) {
      const o = await datastoreOverview(who, dsId);
      const text = JSON.stringify(o);
      const myImages = inDs(await listBackupImages(who.credential, dsId));
      const theirImageIds = inDs(await listBackupImages(ADMIN.credential, dsId))
        .filter((i) => !myImages.some((m) => m.id === i.id))
        .map((i) => i.id);
      for (const name of ['alice-shop', 'bob-ledger', 'bob-private'].filter(
        (n) => n.startsWith(who.username) === false,
      ))
        expect(text, `${who.username} sees ${name}`).not.toContain(name);
      expect(text).not.toContain('shared-nightly');

      const job = o.repositories.find((r) => r.name === jobRepo)!;
      const myVm = mine[0];
      expect(job.jobVms).toEqual([{ id: myVm, name: myVm === vm.alice ? 'alice-shop' : 'bob-ledger' }]);
      expect(job.jobName).toBeUndefined();
      const myJobImages = myImages.filter((i) => i.backupJobId !== undefined);
      expect([...job.imageIds].sort((a, b) => a - b)).toEqual(ids(myJobImages));
      expect(job.snapshotCount).toBe(snaps.filter((s) => ofVm(s, myVm)).length);
      expect(job.logicalBytes).toBe(bytes(myJobImages));
      expect(job.storedBytes).toBeUndefined();
      expect(job.locks).toBeUndefined();
      // bob's orphan is bob's problem: alice's view of the job is consistent.
      if (who === ALICE) {
        expect(job.problems).toEqual([]);
        expect(job.consistency).toBe('ok');
      } else {
        expect(job.problems.map((p) => [p.kind, p.snapshotId?.slice(0, 8)])).toEqual([['orphan-snapshot', orphan]]);
      }
      for (const r of o.repositories) {
        expect(theirs).not.toContain(r.vmId);
        expect(r.imageIds.filter((id) => theirImageIds.includes(id))).toEqual([]);
        for (const v of r.jobVms ?? []) expect(theirs).not.toContain(v.id);
      }
      expect(o.repositories.map((r) => r.name).sort()).toEqual(
        who === ALICE ? [jobRepo] : [String(vm.bobSolo), jobRepo].sort(),
      );
      expect(o.totals.repositories).toBe(o.repositories.length);
      expect(o.totals.snapshots).toBe(o.repositories.reduce((s, r) => s + r.snapshotCount, 0));
      expect(o.totals.logicalBytes).toBe(bytes(myImages));
      expect(o.totals.storedBytes).toBeUndefined();
      expect(o.problems).toEqual(o.repositories.flatMap((r) => r.problems));
    }
    // A per-VM repository holds one VM's data only: its owner sees its size on disk.
    const bobs = await datastoreOverview(BOB, dsId);
    expect(bobs.repositories.find((r) => r.name === String(vm.bobSolo))!.storedBytes).toBeGreaterThan(0);
  });

  it('an admin still sees everything', async () => {
    const o = await datastoreOverview(ADMIN, dsId);
    const job = o.repositories.find((r) => r.name === jobRepo)!;
    expect(job.jobName).toBe('shared-nightly');
    expect(job.jobVms?.map((v) => v.id)).toEqual([vm.alice, vm.bob]);
    expect(job.snapshotCount).toBe((await resticSnapshots(jobRepo)).length);
    expect(job.storedBytes).toBeGreaterThan(0);
    expect(job.locks).toBe(0);
    expect(o.totals.storedBytes).toBeGreaterThan(0);
    expect(o.totals.logicalBytes).toBe(bytes(inDs(await listBackupImages(ADMIN.credential, dsId))));
  });

  it("the job repository shows each owner only their own snapshots and chains; the other's are 404", async () => {
    const snaps = await resticSnapshots(jobRepo);
    for (const [who, myVm, otherVm] of [
      [ALICE, vm.alice, vm.bob],
      [BOB, vm.bob, vm.alice],
    ] as const) {
      const d = await repositoryDetail(who, dsId, jobRepo);
      const overviewRow = (await datastoreOverview(who, dsId)).repositories.find((r) => r.name === jobRepo);
      expect(d.repository).toEqual(overviewRow);
      const mine = snaps.filter((s) => ofVm(s, myVm));
      expect(d.snapshots.map((s) => s.id).sort()).toEqual(mine.map((s) => s.id).sort());
      const myImages = inDs(await listBackupImages(who.credential, dsId)).filter((i) => i.backupJobId !== undefined);
      expect(d.chains.map((c) => c.imageId).sort((a, b) => a - b)).toEqual(ids(myImages));
      expect(JSON.stringify(d)).not.toContain(otherVm === vm.bob ? 'bob-ledger' : 'alice-shop');
      for (const s of snaps.filter((x) => ofVm(x, otherVm))) {
        expect(JSON.stringify(d)).not.toContain(s.short_id);
        await expect(resolveSnapshot(who, dsId, jobRepo, s.id)).rejects.toBeInstanceOf(SnapshotNotVisible);
      }
      await expect(resolveSnapshot(who, dsId, jobRepo, mine[0]!.id)).resolves.toBeDefined();
    }
    await expect(repositoryDetail(ALICE, dsId, String(vm.bobSolo))).rejects.toBeInstanceOf(RepositoryNotFound);
  });

  it('an overview writes nothing; the capacity reading it hands back counts every repository', async () => {
    const kept = () => samples(dsId).length;
    const before = kept();
    const plain = await datastoreOverview(ALICE, dsId);
    expect(kept()).toBe(before);
    const { overview, capacity } = await readOverview(ALICE, dsId);
    expect(kept()).toBe(before);
    // Alice's share of the job repository cannot be told: her total is withheld, the reading is not.
    expect(overview.totals.storedBytes).toBeUndefined();
    expect(plain.totals.storedBytes).toBeUndefined();
    const all = await datastoreOverview(ADMIN, dsId);
    expect(capacity?.storedBytes).toBe(all.totals.storedBytes);
    expect(capacity?.filesystem).toEqual(overview.filesystem);
    // Kept when the caller asks: once, then not again within SAMPLE_EVERY_MS.
    expect(recordCapacitySample(dsId, capacity)).toBe(before === 0);
    expect(kept()).toBe(Math.max(before, 1));
    expect(recordCapacitySample(dsId, capacity)).toBe(false);
  });

  it('the capacity history keeps the stored total (all repositories) for admins', async () => {
    const mine = await capacityReport(ALICE, dsId);
    expect(mine.history.length).toBeGreaterThan(0);
    for (const s of mine.history) expect(s.storedBytes).toBeUndefined();
    const all = await capacityReport(ADMIN, dsId);
    expect(all.history.every((s) => typeof s.storedBytes === 'number')).toBe(true);
  });
});
