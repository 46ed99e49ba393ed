// A busy or hung backup server (real sshd + restic 0.18, the sandbox front-end): the repository and
// maintenance pages' data answers within a bound with what is known and an honest state (stale
// with its age, or still reading), and identical concurrent lock reads run restic once. The server
// "stops answering" for real: its sshd processes are sent SIGSTOP (the port stays open, nothing
// replies), then SIGCONT.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
  resticDatastoreTemplate,
  SANDBOX_ADMIN,
} from '@/scripts/test-support/backstone-world';
import { pauseSshd, recordResticCalls } from '@/sandbox/backup-server/test-faults';
import { holdExclusiveLock } from '@/sandbox/backup-server/test-locks';
import { type BackupServerInfo } from '@/sandbox/common/info';
import { runOk, waitFor } from '@/sandbox/common/process';
import { type FrontendInfo } from '@/sandbox/opennebula/frontend';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { inBackup } from '@/sandbox/opennebula/ops/states';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { readDb } from '@/sandbox/opennebula/store/db';
import { cliRunner } from '@/sandbox/seed/cli-runner';
import {
  ANSWER_WITHIN_MS,
  datastoreOverview,
  repositoryDetail,
  resolveSnapshot,
  snapshotFilesWithin,
  StillReading,
} from '@/lib/catalog';
import { inspectLocks, repositoryMaintenance } from './index';

const PASSWORD = 'slow-server-Pw$"x';
const ADMIN = SANDBOX_ADMIN;
// The bound the pages use, plus a generous margin for a machine shared with other test suites:
// what is checked is "seconds, not the minute a hung server costs".
const ANSWERED_WITHIN_MS = ANSWER_WITHIN_MS + 6_000;

let world: BackstoneWorld | undefined;
let stateDir: string;
let info: FrontendInfo;
let server: BackupServerInfo;
let dsId: number;
let repoName: string;
let repoPath: string;

/** `p`, or a failure once `ms` passed: a hung call fails the test instead of hanging it. */
async function timed<T>(p: Promise<T>, ms = 30_000): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const value = await Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
  return { value, ms: performance.now() - t0 };
}

beforeAll(async () => {
  world = await startBackstoneWorld('slow');
  ({ stateDir, info, server } = world);

  const paths = frontendPaths(stateDir);
  const cli = cliRunner(info);
  const tplFile = join(stateDir, 'ds.tpl');
  writeFileSync(tplFile, resticDatastoreTemplate({ server }, { name: 'Slow', password: PASSWORD }), { mode: 0o600 });
  dsId = Number((await cli('oneadmin', 'onedatastore', ['create', tplFile])).replace(/\D/g, ''));
  rmSync(tplFile);
  const vmId = await createVm(paths, { name: 'slow', uid: 0, disksMb: [16] });
  await cli('oneadmin', 'onevm', ['backup', String(vmId), '-d', String(dsId)]);
  const idle = () => !inBackup(readDb(paths).vms.find((v) => v.id === vmId)!.lcmState);
  if (!(await waitFor(idle, 120_000, 100))) throw new Error('the backup did not end within 120 s');
  repoName = String(vmId);
  repoPath = join(server.datastoresRoot, String(dsId), repoName);
  // A stale lock (its restic killed with -9), so reading the locks means `list locks` and `cat lock`.
  const held = await holdExclusiveLock(server, repoPath, PASSWORD);
  await held.kill9();
}, 180_000);

afterAll(async () => {
  await stopBackstoneWorld(world);
});

describe('a busy or hung backup server', () => {
  it('K concurrent identical lock reads run restic once on the server', async () => {
    const K = 12;
    const recorded = recordResticCalls(stateDir);
    try {
      const all = await Promise.all(Array.from({ length: K }, () => inspectLocks(dsId, repoName)));
      expect(all.every((x) => x.locks.length === 1 && x.locks[0]!.verdict === 'stale')).toBe(true);
      expect(new Set(all.map((x) => JSON.stringify(x))).size).toBe(1);
      const calls = recorded.calls();
      expect(recorded.count('list', 'locks'), JSON.stringify(calls)).toBe(1);
      expect(recorded.count('cat', 'lock'), JSON.stringify(calls)).toBe(1);
      // Read a moment ago: the next viewers are served without restic.
      await Promise.all(Array.from({ length: K }, () => inspectLocks(dsId, repoName)));
      expect(recorded.calls()).toHaveLength(calls.length);
    } finally {
      recorded.restore();
    }
    // But a lock that comes shows at once: the listing's lock files are not those inspected. (In a
    // copy without the stale lock: restic takes no exclusive lock beside another one.)
    const copy = join(server.datastoresRoot, String(dsId), '9996');
    await runOk('cp', ['-a', repoPath, copy]);
    for (const f of readdirSync(join(copy, 'locks'))) rmSync(join(copy, 'locks', f));
    const unlocked = await repositoryMaintenance(ADMIN, dsId, '9996', { answerWithinMs: 60_000 });
    expect(unlocked.locks).toMatchObject({ value: { locks: [] }, freshness: { state: 'fresh' } });
    const held = await holdExclusiveLock(server, copy, PASSWORD);
    try {
      const m = await repositoryMaintenance(ADMIN, dsId, '9996', { answerWithinMs: 60_000 });
      expect(m.locks).toMatchObject({ value: { locks: [expect.objectContaining({ verdict: 'possibly-active' })] } });
    } finally {
      await held.release();
    }
  });

  it('the maintenance and repository pages answer within the bound: stale with its age, or still reading', async () => {
    // Read once while the server answers (every page's facts are then known).
    const before = await repositoryMaintenance(ADMIN, dsId, repoName, { answerWithinMs: 60_000, maxAgeMs: 0 });
    expect(before.locks).toMatchObject({ freshness: { state: 'fresh' } });
    expect(before.orphans.freshness.state).toBe('fresh');
    const detailBefore = await repositoryDetail(ADMIN, dsId, repoName, undefined, { answerWithinMs: 60_000 });
    expect(detailBefore.freshness.state).toBe('fresh');
    expect(detailBefore.snapshots).toHaveLength(1);
    expect((await datastoreOverview(ADMIN, dsId)).freshness.state).toBe('fresh');
    // A repository Backstone never read (a copy under a name of its own).
    await runOk('cp', ['-a', repoPath, join(server.datastoresRoot, String(dsId), '9997')]);

    const paused = pauseSshd(stateDir);
    try {
      const m = await timed(
        repositoryMaintenance(ADMIN, dsId, repoName, { answerWithinMs: ANSWER_WITHIN_MS, maxAgeMs: 0 }),
      );
      expect(m.ms).toBeLessThan(ANSWERED_WITHIN_MS);
      expect(m.value.locks).toMatchObject({
        value: { locks: [expect.objectContaining({ verdict: 'stale' })] },
        freshness: { state: 'stale', reason: 'slow', readAt: expect.any(Number) },
      });
      expect(m.value.orphans.freshness.state).toBe('stale');

      const d = await timed(repositoryDetail(ADMIN, dsId, repoName, undefined, { answerWithinMs: ANSWER_WITHIN_MS }));
      expect(d.ms).toBeLessThan(ANSWERED_WITHIN_MS);
      expect(d.value.freshness).toMatchObject({ state: 'stale', reason: 'slow' });
      expect(d.value.snapshots.map((s) => s.id)).toEqual(detailBefore.snapshots.map((s) => s.id));

      // Never read: nothing to show but an honest "still reading", still within the bound.
      const n = await timed(repositoryMaintenance(ADMIN, dsId, '9997', { answerWithinMs: ANSWER_WITHIN_MS }));
      expect(n.ms).toBeLessThan(ANSWERED_WITHIN_MS);
      expect(n.value.locks).toMatchObject({ freshness: { state: 'reading' } });
      expect(n.value.orphans.freshness.state).toBe('reading');
      const nd = await timed(repositoryDetail(ADMIN, dsId, '9997', undefined, { answerWithinMs: ANSWER_WITHIN_MS }));
      expect(nd.ms).toBeLessThan(ANSWERED_WITHIN_MS);
      expect(nd.value.freshness.state).toBe('reading');

      // The datastore page: the last listing, marked stale, within the bound (it was a blank page
      // for 85 s ending in "backup server unreachable").
      const o = await timed(datastoreOverview(ADMIN, dsId, undefined, undefined, { answerWithinMs: ANSWER_WITHIN_MS }));
      expect(o.ms).toBeLessThan(ANSWERED_WITHIN_MS);
      expect(o.value.freshness).toMatchObject({ state: 'stale', reason: 'slow' });
      expect(o.value.repositories.find((r) => r.name === repoName)).toMatchObject({ snapshotCount: 1 });

      // A snapshot page: known snapshot from the stale listing; its files were never listed, so
      // they are still being read (the API answers 503 with Retry-After for it).
      const snapId = detailBefore.snapshots[0]!.id;
      const ref = await timed(
        resolveSnapshot(ADMIN, dsId, repoName, snapId, undefined, { answerWithinMs: ANSWER_WITHIN_MS }),
      );
      expect(ref.ms).toBeLessThan(ANSWERED_WITHIN_MS);
      const files = await timed(snapshotFilesWithin(ref.value, ANSWER_WITHIN_MS).catch((e: unknown) => e));
      expect(files.ms).toBeLessThan(ANSWERED_WITHIN_MS);
      expect(files.value).toBeInstanceOf(StillReading);
      // In the never-read repository the snapshot cannot be resolved yet: still reading, not a 404.
      const unknown = await timed(
        resolveSnapshot(ADMIN, dsId, '9997', snapId, undefined, { answerWithinMs: ANSWER_WITHIN_MS }).catch(
          (e: unknown) => e,
        ),
      );
      expect(unknown.ms).toBeLessThan(ANSWERED_WITHIN_MS);
      expect(unknown.value).toBeInstanceOf(StillReading);
    } finally {
      paused.resume();
    }
    // The reads went on: once the server answers again, the pages are fresh, within a bound.
    let last: Awaited<ReturnType<typeof repositoryMaintenance>> | undefined;
    const caughtUp = await waitFor(
      async () => {
        last = await repositoryMaintenance(ADMIN, dsId, '9997', { answerWithinMs: ANSWER_WITHIN_MS });
        return (
          'freshness' in last.locks &&
          last.locks.freshness.state === 'fresh' &&
          last.orphans.freshness.state === 'fresh'
        );
      },
      90_000,
      250,
    );
    expect(caughtUp, JSON.stringify(last)).toBe(true);
  });
});
