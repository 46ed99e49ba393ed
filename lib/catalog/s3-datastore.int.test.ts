// Issue 27: an S3 restic datastore as the simulator makes one (the demo seed's RBackups-S3: two
// VMs backed up into the sandbox's real S3 server, one with a stale exclusive lock), used by
// Backstone as it uses an SFTP one: the overview (repositories and snapshots from the bucket's
// listing, restic run here for the snapshots' facts, linked with OpenNebula's images), the
// explorer, downloads and restores onto disk (restic and qemu-img run on Backstone's machine,
// under BACKSTONE_LOCAL_RESTORE_DIR), locks, prune, check and the schedules' runs.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jobEnded,
  SANDBOX_ADMIN,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import { waitFor } from '@/sandbox/common/process';
import { resticBinary } from '@/sandbox/common/restic-binaries';
import { readDb } from '@/sandbox/opennebula/store/db';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { seedS3Datastore, type S3SeedReport } from '@/sandbox/seed/seed-s3';
import { execOk, LOCAL } from '@/lib/exec';
import { submitServerRestore } from '@/lib/jobs';
import { inspectLocks, orphanPreview, removeStaleLocks, submitCheck, submitPrune } from '@/lib/maintenance';
import { lastRun, submitCapacitySample, submitLockWatch, submitPruneAll, submitVerify } from '@/lib/schedules';
import {
  capacityReport,
  datastoreOverview,
  repositoryDetail,
  resolveSnapshot,
  samples,
  snapshotDiff,
  snapshotFiles,
} from './index';
import { downloadFlattenedDisk, downloadStoredFile } from './snapshot-download';
import { datastoreAccess } from './access';
import { sharedInventory } from './inventory-reads';
import { snapshotVmXml } from './snapshot-dump-head';

const EPOCH = Date.UTC(2026, 9, 1, 8, 0, 0) / 1000;

const JOB_MS = 180_000;

let world: BackstoneWorld | undefined;
let seed: S3SeedReport;

const restores = () => join(world!.dataDir, 'restores');

async function readAll(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(body).arrayBuffer());
}

async function webSnapshot() {
  const web = String(seed.vms.web);
  const { value: inv } = await sharedInventory(await datastoreAccess(seed.datastoreId), web, undefined);
  return resolveSnapshot(SANDBOX_ADMIN, seed.datastoreId, web, inv!.repositories[0]!.snapshotIds[0]!);
}

beforeAll(async () => {
  world = await startBackstoneWorld('s3-overview', { BACKSTONE_LOCAL_RESTIC: resticBinary('0.18') });
  seed = await seedS3Datastore(world.stateDir, EPOCH);
}, 300_000);

afterAll(async () => {
  await stopBackstoneWorld(world);
});

describe('the overview of an S3 datastore', () => {
  it('shows its repositories, snapshots, the stale lock and the bucket, from the bucket and restic run here', async () => {
    const overview = await datastoreOverview(SANDBOX_ADMIN, seed.datastoreId);
    const backupImages = readDb(frontendPaths(world!.stateDir)).images.filter(
      (i) => i.datastoreId === seed.datastoreId,
    );
    expect(overview.server).toMatchObject({ reachable: true, resticVersion: '0.18.0' });
    expect(overview.bucket?.location).toMatch(/^s3:http:\/\/127\.0\.0\.1:\d+\/one-backups$/);
    expect(overview.bucket?.usage?.bytes).toBeGreaterThan(0);
    expect(overview.bucket?.monitor.totalMb).toBeGreaterThan(0);
    const names = overview.repositories.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining([String(seed.vms.web), String(seed.vms.app)]));
    const web = overview.repositories.find((r) => r.name === String(seed.vms.web))!;
    expect(web.snapshotCount).toBeGreaterThan(0);
    expect(web.storedBytes).toBeGreaterThan(0);
    expect(web.locks).toBe(1);
    expect(web.consistency).not.toBe('pending');
    // restic's cache is kept in the data folder (the only one the systemd unit lets Backstone write).
    expect(readdirSync(join(world!.dataDir, 'restic-cache')).length).toBeGreaterThan(0);
    // The Capacity tab's "now" is OpenNebula's S3 monitor (a bucket has no df).
    const capacity = await capacityReport(SANDBOX_ADMIN, seed.datastoreId);
    expect(capacity.source).toBe('s3-monitor');
    expect(capacity.filesystem).toMatchObject({
      totalBytes: 512_000 * 1024 * 1024,
      mountPoint: overview.bucket!.location,
    });
    // Every backup image OpenNebula lists is linked to a repository of the bucket.
    const linked = new Set(overview.repositories.flatMap((r) => r.imageIds));
    expect(backupImages.every((i) => linked.has(i.id))).toBe(true);
  }, 120_000);

  it("explores a snapshot: its files and the VM's vm.xml, read by restic here from the bucket", async () => {
    const ref = await webSnapshot();
    const files = await snapshotFiles(ref);
    expect(files.map((f) => f.name)).toContain('vm.xml');
    expect(await snapshotVmXml(ref)).toContain(`<ID>${seed.vms.web}</ID>`);
  }, 120_000);

  it('judges the seeded lock stale: its restic was killed on this machine, where restic runs for S3', async () => {
    const inspection = await inspectLocks(seed.datastoreId, String(seed.vms.web));
    expect(inspection.locks).toHaveLength(1);
    expect(inspection.locks[0]).toMatchObject({ exclusive: true, checkedOn: 'backup-server', verdict: 'stale' });
  }, 120_000);

  it(
    'removes the stale lock with restic unlock, then prunes and checks the repository as jobs',
    async () => {
      const web = String(seed.vms.web);
      const unlocked = await removeStaleLocks(seed.datastoreId, web);
      expect(unlocked.removed).toHaveLength(1);
      expect(unlocked.remaining).toEqual([]);
      const pruned = await jobEnded(SANDBOX_ADMIN, await submitPrune('oneadmin', seed.datastoreId, web), JOB_MS);
      expect(pruned.status, pruned.message).toBe('succeeded');
      const checked = await jobEnded(SANDBOX_ADMIN, await submitCheck('oneadmin', seed.datastoreId, web, 100), JOB_MS);
      expect(checked.status, checked.message).toBe('succeeded');
    },
    2 * JOB_MS,
  );

  it('downloads a disk as stored and flattened, with restic and qemu-img run here, and leaves no folder', async () => {
    const ref = await webSnapshot();
    const disk = (await snapshotFiles(ref)).find((f) => f.kind === 'disk')!;
    const stored = await downloadStoredFile(ref, disk.name, { holder: 'oneadmin' });
    const storedBytes = await readAll(stored.body);
    expect(storedBytes.length).toBe(stored.size);
    expect(storedBytes.subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
    const flat = await downloadFlattenedDisk(ref, disk.diskId!, { holder: 'oneadmin' });
    const flatBytes = await readAll(flat.body);
    expect(flatBytes.length).toBe(flat.size);
    expect(flatBytes.subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
    // The temporary folder under BACKSTONE_LOCAL_RESTORE_DIR is gone once the stream ended.
    const flattening = () => readdirSync(restores()).filter((n) => n.startsWith('backstone-flatten.'));
    expect(await waitFor(() => flattening().length === 0, 10_000, 100)).toBe(true);
  }, 120_000);

  it(
    "restores an image onto a new folder on Backstone's machine, never over an existing one",
    async () => {
      const web = String(seed.vms.web);
      const detail = await repositoryDetail(SANDBOX_ADMIN, seed.datastoreId, web);
      const imageId = detail.chains[0]!.imageId;
      const request = { datastoreId: seed.datastoreId, repository: web, imageId, folder: 's3-restore' };
      const jobId = await submitServerRestore(SANDBOX_ADMIN, request);
      const job = await jobEnded(SANDBOX_ADMIN, jobId, JOB_MS);
      expect(job.status, job.message).toBe('succeeded');
      const target = join(restores(), 's3-restore');
      expect(readdirSync(target).sort()).toEqual(['disk.0.qcow2', 'vm.xml']);
      const info = await execOk(LOCAL, ['qemu-img', 'info', '--output=json', join(target, 'disk.0.qcow2')]);
      expect(JSON.parse(info.stdout)).toMatchObject({ format: 'qcow2' });
      await expect(submitServerRestore(SANDBOX_ADMIN, request)).rejects.toThrow(
        `${target} already exists on Backstone's machine; choose a new folder name.`,
      );
    },
    JOB_MS,
  );

  it('diffs two snapshots of a repository, and finds no orphan snapshot where every one has its image', async () => {
    const web = String(seed.vms.web);
    const { value: inv } = await sharedInventory(await datastoreAccess(seed.datastoreId), web, undefined);
    const ids = inv!.repositories[0]!.snapshotIds;
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const detail = await repositoryDetail(SANDBOX_ADMIN, seed.datastoreId, web);
    const [older, newer] = [...detail.snapshots].sort((a, b) => a.time.localeCompare(b.time));
    const d = await snapshotDiff(SANDBOX_ADMIN, seed.datastoreId, web, older!.id, newer!.id);
    expect(d.from.id).toBe(older!.id);
    expect(d.rows.map((r) => r.name)).toContain('vm.xml');
    expect(await orphanPreview(SANDBOX_ADMIN, seed.datastoreId, web)).toEqual([]);
  }, 120_000);

  it(
    "runs the schedules' verify, prune, lock watch and capacity sample over the bucket",
    async () => {
      for (const submit of [submitVerify, submitPruneAll, submitLockWatch, submitCapacitySample]) {
        const { jobId } = await submit(seed.datastoreId, 'manual', 'oneadmin');
        const job = await jobEnded(SANDBOX_ADMIN, jobId, JOB_MS);
        expect(job.status, job.message).toBe('succeeded');
      }
      expect(lastRun(seed.datastoreId, 'verify')).toMatchObject({ outcome: 'ok' });
      expect(lastRun(seed.datastoreId, 'verify')?.message).toMatch(/^2 of 2 repositories verified/);
      // The capacity sample of a bucket: OpenNebula's S3 monitor (TOTAL_MB 512000) and the bucket's bytes.
      const [sample] = samples(seed.datastoreId);
      expect(sample).toMatchObject({ totalBytes: 512_000 * 1024 * 1024 });
      expect(sample!.storedBytes).toBeGreaterThan(0);
    },
    3 * JOB_MS,
  );
});
