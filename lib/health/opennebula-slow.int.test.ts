// Pages built on OpenNebula's reads answer within the pages' bound when oned is slow (issue 22 §2),
// against the real front-end simulator: its 'list' hold makes every pool listing wait as a busy
// oned would, and nothing else. The data function of each such page (home, /datastores, /vms,
// /backup-jobs) then answers while the CLI is still held: with the last value read, marked stale
// with its age, or, for a reader nothing was read for yet, "still reading" — never a wait for the
// CLI. Once oned answers again, the next load is fresh.
// The pages built on reads of one object (/vms/[id], /backup-jobs/[id], a datastore's pages) are
// tried the same way under the 'show' hold (every `show`, `onedatastore show --decrypt` included):
// the last object read, stale with its age, or StillReading (503 with Retry-After from the API);
// an object OpenNebula says is not there stays "not found".
// A repository's page and its maintenance page read OpenNebula's pools beside the datastore (its
// backup images, the VMs and Backup Jobs): under the 'list' hold they answer with the last ones
// read, stale with their age, or StillReading for a reader nothing was read for yet.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  resticDatastoreTemplate,
  SANDBOX_ADMIN,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import { waitFor } from '@/sandbox/common/process';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { hold, isWaitingAt } from '@/sandbox/opennebula/ops/holds';
import { inBackup } from '@/sandbox/opennebula/ops/states';
import { readDb } from '@/sandbox/opennebula/store/db';
import { frontendPaths, type FrontendPaths } from '@/sandbox/opennebula/paths';
import { cliRunner } from '@/sandbox/seed/cli-runner';
import { backupJobDetailWithin, seenBackupJobsWithin } from '@/lib/backup-jobs';
import {
  ANSWER_WITHIN_MS,
  datastoreSummariesWithin,
  datastoreWithin,
  readOverview,
  repositoryDetail,
  StillReading,
  vmBackups,
  type Reader,
} from '@/lib/catalog';
import { isExpectedError, toResponse } from '@/lib/errors';
import { repositoryMaintenance } from '@/lib/maintenance';
import { readVmProtection } from '@/lib/protection';
import { readHealth } from './index';

const ADMIN = SANDBOX_ADMIN;
const BOB: Reader = {
  username: 'bob',
  isAdmin: false,
  credential: { kind: 'user', username: 'bob', secret: 'sandbox-bob' },
};
/** A warm read may take its time: the first part is about what is known, not how soon. */
const PATIENT = { answerWithinMs: 120_000 };
const BOUND = { answerWithinMs: ANSWER_WITHIN_MS };
/** Far above the bound, far below the hold (10 minutes): proves no page waits for the held CLI. */
const ANSWERED_WITHIN_MS = ANSWER_WITHIN_MS + 8_000;

let world: BackstoneWorld | undefined;
let paths: FrontendPaths;
let dsId: number;
let vmId: number;
let jobId: number;
const releases: (() => void)[] = [];

beforeAll(async () => {
  // The CLI's own short read cache off: every page load asks oned, as after the cache's few seconds.
  world = await startBackstoneWorld('one-slow', { BACKSTONE_ONE_READ_CACHE_SECONDS: '0' });
  paths = frontendPaths(world.stateDir);
  const file = join(world.stateDir, 'slow.tpl');
  writeFileSync(file, resticDatastoreTemplate({ server: world.server }, { name: 'Slow', password: 'slow-pw' }), {
    mode: 0o600,
  });
  dsId = Number((await cliRunner(world.info)('oneadmin', 'onedatastore', ['create', file])).replace(/\D/g, ''));
  vmId = await createVm(paths, { name: 'slow-web', uid: 0, disksMb: [8] });
  const jobFile = join(world.stateDir, 'slow-job.tpl');
  writeFileSync(jobFile, `NAME = "slow-job"\nBACKUP_VMS = "${vmId}"\nDATASTORE_ID = "${dsId}"\nMODE = "FULL"\n`);
  jobId = Number((await cliRunner(world.info)('oneadmin', 'onebackupjob', ['create', jobFile])).replace(/\D/g, ''));
}, 180_000);

afterEach(() => {
  for (const release of releases.splice(0)) release();
});

afterAll(async () => {
  await stopBackstoneWorld(world);
});

/** Every page's data at once, for `reader`, each within `opts`' bound; how long the slowest took. */
async function pagesData(reader: Reader, opts: { answerWithinMs: number }) {
  const started = Date.now();
  const settle = <T>(p: Promise<T>) =>
    p.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  const [datastores, vms, backupJobs, health] = await Promise.all([
    settle(datastoreSummariesWithin(reader, opts)),
    settle(readVmProtection(reader, opts)),
    settle(seenBackupJobsWithin(reader, opts)),
    settle(readHealth(reader, opts)),
  ]);
  return { datastores, vms, backupJobs, health, tookMs: Date.now() - started };
}

const valueOf = <T>(r: { value: T } | { error: unknown }): T => {
  if ('error' in r) throw r.error;
  return r.value;
};

describe('OpenNebula slow: the pages built on its reads answer within the bound', () => {
  it('with the last value read, marked stale with its age, while the CLI is still held', async () => {
    const warm = await pagesData(ADMIN, PATIENT);
    expect(valueOf(warm.datastores).freshness.state).toBe('fresh');
    expect(valueOf(warm.datastores).value.map((d) => d.id)).toContain(dsId);
    expect(valueOf(warm.vms).freshness.state).toBe('fresh');
    expect(valueOf(warm.vms).vms.map((v) => v.name)).toContain('slow-web');
    expect(valueOf(warm.backupJobs).freshness.state).toBe('fresh');
    expect(valueOf(warm.health).opennebula.state).toBe('fresh');

    const release = hold(paths, 'list');
    releases.push(release);
    const slow = await pagesData(ADMIN, BOUND);
    // Answered while every listing is still held: nothing waited for the CLI.
    expect(isWaitingAt(paths, 'list')).toBe(true);
    expect(slow.tookMs).toBeLessThan(ANSWERED_WITHIN_MS);

    const datastores = valueOf(slow.datastores);
    expect(datastores.freshness).toMatchObject({ state: 'stale', reason: 'slow' });
    expect(datastores.value).toEqual(valueOf(warm.datastores).value);
    const vms = valueOf(slow.vms);
    expect(vms.freshness).toMatchObject({ state: 'stale', reason: 'slow' });
    expect(vms.vms).toEqual(valueOf(warm.vms).vms);
    const backupJobs = valueOf(slow.backupJobs);
    expect(backupJobs.freshness).toMatchObject({ state: 'stale', reason: 'slow' });
    const health = valueOf(slow.health);
    expect(health.opennebula).toMatchObject({ state: 'stale', reason: 'slow' });
    expect(health.incomplete).toBe(true);
    expect(health.datastores.map((d) => d.id)).toContain(dsId);
    // Its age is that of the warm read (the page says "as read N s ago").
    const readAt = (datastores.freshness as { readAt: number }).readAt;
    expect(readAt).toBeLessThan(Date.now());
    expect(readAt).toBeGreaterThan(Date.now() - 10 * 60_000);

    release();
    // Once oned answers again, the next load is fresh.
    expect(
      await waitFor(
        async () => valueOf((await pagesData(ADMIN, PATIENT)).health).opennebula.state === 'fresh',
        120_000,
        200,
      ),
    ).toBe(true);
  });

  it('with "still reading" for a reader nothing was read for yet, never a blank wait', async () => {
    const release = hold(paths, 'list');
    releases.push(release);
    const slow = await pagesData(BOB, BOUND);
    expect(isWaitingAt(paths, 'list')).toBe(true);
    expect(slow.tookMs).toBeLessThan(ANSWERED_WITHIN_MS);
    for (const part of [slow.datastores, slow.vms, slow.backupJobs]) {
      expect('error' in part && part.error).toBeInstanceOf(StillReading);
    }
    const health = valueOf(slow.health);
    expect(health.opennebula).toEqual({ state: 'reading' });
    expect(health.incomplete).toBe(true);
    expect(health.datastores).toEqual([]);
    release();
  });
});

/** Every one-object page's data at once, for `reader`, each within `opts`' bound; how long the slowest took. */
async function objectPagesData(reader: Reader, opts: { answerWithinMs: number }) {
  const started = Date.now();
  const settle = <T>(p: Promise<T>) =>
    p.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  const [datastore, overview, vm, job] = await Promise.all([
    settle(datastoreWithin(reader, dsId, opts)),
    // As the overview API route reads it (no preloaded datastore).
    settle(readOverview(reader, dsId, undefined, undefined, opts)),
    settle(vmBackups(reader, vmId, opts)),
    settle(backupJobDetailWithin(reader, jobId, opts)),
  ]);
  return { datastore, overview, vm, job, tookMs: Date.now() - started };
}

describe('OpenNebula slow: the pages built on reads of one object answer within the bound', () => {
  it('with the last object read, marked stale with its age, while every show is held', async () => {
    const warm = await objectPagesData(ADMIN, PATIENT);
    expect(valueOf(warm.datastore)).toMatchObject({ value: { id: dsId }, freshness: { state: 'fresh' } });
    expect(valueOf(warm.overview).overview.opennebula).toBeUndefined();
    expect(valueOf(warm.vm)).toMatchObject({ vm: { id: vmId, name: 'slow-web' }, opennebula: { state: 'fresh' } });
    expect(valueOf(warm.job)).toMatchObject({ value: { job: { id: jobId } }, freshness: { state: 'fresh' } });

    const release = hold(paths, 'show');
    releases.push(release);
    const slow = await objectPagesData(ADMIN, BOUND);
    // Answered while every show is still held: nothing waited for the CLI.
    expect(isWaitingAt(paths, 'show')).toBe(true);
    expect(slow.tookMs).toBeLessThan(ANSWERED_WITHIN_MS);

    const datastore = valueOf(slow.datastore);
    expect(datastore.freshness).toMatchObject({ state: 'stale', reason: 'slow' });
    expect(datastore.value).toEqual(valueOf(warm.datastore).value);
    // The overview says OpenNebula is the one it waits for, not the backup server.
    const { overview } = valueOf(slow.overview);
    expect(overview.opennebula).toMatchObject({ state: 'stale', reason: 'slow' });
    expect(overview.datastore.id).toBe(dsId);
    const vm = valueOf(slow.vm);
    expect(vm.opennebula).toMatchObject({ state: 'stale', reason: 'slow' });
    expect(vm.vm).toEqual(valueOf(warm.vm).vm);
    const job = valueOf(slow.job);
    expect(job.freshness).toMatchObject({ state: 'stale', reason: 'slow' });
    expect(job.value?.job).toEqual(valueOf(warm.job).value?.job);
    // Its age is that of the warm read (the page says "as read N s ago").
    const readAt = (vm.opennebula as { readAt: number }).readAt;
    expect(readAt).toBeLessThan(Date.now());
    expect(readAt).toBeGreaterThan(Date.now() - 10 * 60_000);

    release();
    expect(
      await waitFor(
        async () => {
          const again = await objectPagesData(ADMIN, PATIENT);
          return valueOf(again.vm).opennebula.state === 'fresh' && valueOf(again.datastore).freshness.state === 'fresh';
        },
        120_000,
        200,
      ),
    ).toBe(true);
  });

  it('with "still reading" (503 with Retry-After from the API) for a reader nothing was read for yet', async () => {
    const release = hold(paths, 'show');
    releases.push(release);
    const slow = await objectPagesData(BOB, BOUND);
    expect(isWaitingAt(paths, 'show')).toBe(true);
    expect(slow.tookMs).toBeLessThan(ANSWERED_WITHIN_MS);
    for (const part of [slow.datastore, slow.overview, slow.vm, slow.job]) {
      expect('error' in part && part.error).toBeInstanceOf(StillReading);
    }
    const answer = toResponse((slow.overview as { error: unknown }).error, { action: 'datastore.overview' });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('Retry-After')).toBe('2');
    release();
  });

  it('keeps a 404 a 404: an object OpenNebula says is not there is "not found", never stale or still reading', async () => {
    const notFound = (r: { value: unknown } | { error: unknown }) =>
      'error' in r && isExpectedError(r.error) && r.error.status === 404;
    // A datastore read once, then deleted: the next read says "not found", not the last value.
    const file = join(world!.stateDir, 'gone.tpl');
    writeFileSync(file, resticDatastoreTemplate({ server: world!.server }, { name: 'Gone', password: 'gone-pw' }), {
      mode: 0o600,
    });
    const run = cliRunner(world!.info);
    const goneId = Number((await run('oneadmin', 'onedatastore', ['create', file])).replace(/\D/g, ''));
    const settle = <T>(p: Promise<T>) =>
      p.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
    expect(valueOf(await settle(datastoreWithin(ADMIN, goneId, PATIENT))).value.name).toBe('Gone');
    await run('oneadmin', 'onedatastore', ['delete', String(goneId)]);
    expect(notFound(await settle(datastoreWithin(ADMIN, goneId, PATIENT)))).toBe(true);
    // Missing VMs and Backup Jobs likewise; and while oned is slow, what it last said stays a 404.
    expect(notFound(await settle(vmBackups(ADMIN, 99_999, PATIENT)))).toBe(true);
    expect(valueOf(await settle(backupJobDetailWithin(ADMIN, 99_999, PATIENT))).value).toBeUndefined();
    const release = hold(paths, 'show');
    releases.push(release);
    expect(notFound(await settle(datastoreWithin(ADMIN, goneId, BOUND)))).toBe(true);
    expect(notFound(await settle(vmBackups(ADMIN, 99_999, BOUND)))).toBe(true);
    expect(valueOf(await settle(backupJobDetailWithin(ADMIN, 99_999, BOUND))).value).toBeUndefined();
    release();
  });
});

/** A repository's page data and its maintenance page data at once, within `opts`' bound; how long the slowest took. */
async function repositoryPagesData(reader: Reader, repo: string, opts: { answerWithinMs: number }) {
  const started = Date.now();
  const settle = <T>(p: Promise<T>) =>
    p.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  const [detail, maintenance] = await Promise.all([
    settle(repositoryDetail(reader, dsId, repo, undefined, opts)),
    settle(repositoryMaintenance(reader, dsId, repo, opts)),
  ]);
  return { detail, maintenance, tookMs: Date.now() - started };
}

describe("OpenNebula slow: a repository's pages answer within the bound while the pools are held", () => {
  let repo: string;
  beforeAll(async () => {
    // One real backup of a VM (not the Backup Job's) into the datastore: its repository and its backup image.
    const id = await createVm(paths, { name: 'slow-repo', uid: 0, disksMb: [8] });
    await cliRunner(world!.info)('oneadmin', 'onevm', ['backup', String(id), '-d', String(dsId)]);
    const idle = () => !inBackup(readDb(paths).vms.find((v) => v.id === id)!.lcmState);
    if (!(await waitFor(idle, 120_000, 100))) throw new Error('the backup did not end within 120 s');
    repo = String(id);
  }, 180_000);

  it('with the last images and VMs read, stale with their age; fresh once oned answers again', async () => {
    const warm = await repositoryPagesData(ADMIN, repo, PATIENT);
    const warmDetail = valueOf(warm.detail);
    expect(warmDetail.freshness.state).toBe('fresh');
    expect(warmDetail.opennebula).toBeUndefined();
    expect(warmDetail.snapshots).toHaveLength(1);
    const warmMaintenance = valueOf(warm.maintenance);
    expect(warmMaintenance.opennebula).toBeUndefined();
    expect(warmMaintenance.orphans).toMatchObject({ value: [], freshness: { state: 'fresh' } });

    const release = hold(paths, 'list');
    releases.push(release);
    const slow = await repositoryPagesData(ADMIN, repo, BOUND);
    // Answered while every listing is still held: nothing waited for the CLI.
    expect(isWaitingAt(paths, 'list')).toBe(true);
    expect(slow.tookMs).toBeLessThan(ANSWERED_WITHIN_MS);
    const detail = valueOf(slow.detail);
    expect(detail.opennebula).toMatchObject({ state: 'stale', reason: 'slow' });
    expect(detail.snapshots).toEqual(warmDetail.snapshots);
    expect(detail.chains).toEqual(warmDetail.chains);
    const maintenance = valueOf(slow.maintenance);
    expect(maintenance.opennebula).toMatchObject({ state: 'stale', reason: 'slow' });
    expect(maintenance.orphans.value).toEqual([]);
    expect(maintenance.dangling.value).toEqual([]);
    // Its age is that of the warm read (the page says "as read N s ago").
    const readAt = (detail.opennebula as { readAt: number }).readAt;
    expect(readAt).toBeLessThan(Date.now());
    expect(readAt).toBeGreaterThan(Date.now() - 10 * 60_000);

    release();
    expect(
      await waitFor(
        async () => {
          const again = await repositoryPagesData(ADMIN, repo, PATIENT);
          return valueOf(again.detail).opennebula === undefined && valueOf(again.maintenance).opennebula === undefined;
        },
        120_000,
        200,
      ),
    ).toBe(true);
  });

  it('with StillReading for a reader nothing was read for yet', async () => {
    // Another admin session's reads are its own: nothing was read for this one.
    const other: Reader = { ...ADMIN, username: 'oneadmin-elsewhere' };
    const release = hold(paths, 'list');
    releases.push(release);
    const slow = await repositoryPagesData(other, repo, BOUND);
    expect(isWaitingAt(paths, 'list')).toBe(true);
    expect(slow.tookMs).toBeLessThan(ANSWERED_WITHIN_MS);
    for (const part of [slow.detail, slow.maintenance]) {
      expect('error' in part && part.error).toBeInstanceOf(StillReading);
    }
    release();
  });
});
