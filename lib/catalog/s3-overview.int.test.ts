// Issue 27: the datastore overview of an S3 restic datastore, as the simulator makes one (the
// demo seed's RBackups-S3: two VMs backed up into the sandbox's real S3 server, one with a stale
// exclusive lock), read by Backstone as it reads an SFTP one: repositories and snapshots from the
// bucket's listing, restic run here for the snapshots' facts, linked with OpenNebula's images.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SANDBOX_ADMIN,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import { resticBinary } from '@/sandbox/common/restic-binaries';
import { readDb } from '@/sandbox/opennebula/store/db';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { seedS3Datastore, type S3SeedReport } from '@/sandbox/seed/seed-s3';
import { inspectLocks } from '@/lib/maintenance';
import { datastoreOverview, resolveSnapshot, snapshotFiles } from './index';
import { datastoreAccess } from './access';
import { sharedInventory } from './inventory-reads';
import { snapshotVmXml } from './snapshot-dump-head';

const EPOCH = Date.UTC(2026, 9, 1, 8, 0, 0) / 1000;

let world: BackstoneWorld | undefined;
let seed: S3SeedReport;

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
    // Every backup image OpenNebula lists is linked to a repository of the bucket.
    const linked = new Set(overview.repositories.flatMap((r) => r.imageIds));
    expect(backupImages.every((i) => linked.has(i.id))).toBe(true);
  }, 120_000);

  it("explores a snapshot: its files and the VM's vm.xml, read by restic here from the bucket", async () => {
    const web = String(seed.vms.web);
    const { value: inv } = await sharedInventory(await datastoreAccess(seed.datastoreId), web, undefined);
    const snapshotId = inv!.repositories[0]!.snapshotIds[0]!;
    const ref = await resolveSnapshot(SANDBOX_ADMIN, seed.datastoreId, web, snapshotId);
    const files = await snapshotFiles(ref);
    expect(files.map((f) => f.name)).toContain('vm.xml');
    expect(await snapshotVmXml(ref)).toContain(`<ID>${web}</ID>`);
  }, 120_000);

  it('judges the seeded lock stale: its restic was killed on this machine, where restic runs for S3', async () => {
    const inspection = await inspectLocks(seed.datastoreId, String(seed.vms.web));
    expect(inspection.locks).toHaveLength(1);
    expect(inspection.locks[0]).toMatchObject({ exclusive: true, checkedOn: 'backup-server', verdict: 'stale' });
  }, 120_000);
});
