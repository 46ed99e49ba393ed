// The schedules' runs against real parts: the front-end simulator, a real backup server (sshd) and
// real restic 0.18. The ticker starts what is due, behind its gate; prune is skipped while a
// backup of the datastore runs. Three VMs are backed up into their own repositories of one datastore; then a
// verify with N = 3 reads subsets 1, 2, 3 and starts over at 1 (as restic itself reports it), a
// pack the test damaged on the backup server makes a verify record errors for its repository, and
// the lock watch records a stale lock (a restic killed with -9), removes it with `restic unlock`
// (audited) only once auto-removal is on, and leaves the lock of a running restic where it is.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jobEnded,
  backedUpDatastore,
  SANDBOX_ADMIN,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import { holdExclusiveLock, type HeldLock } from '@/sandbox/backup-server/test-locks';
import { writtenLockFiles } from '@/sandbox/common/restic-locks';
import { waitFor } from '@/sandbox/common/process';
import { hold } from '@/sandbox/opennebula/ops/holds';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { cliRunner } from '@/sandbox/seed/cli-runner';
import { collectConditions, readRules, runAlertTick, saveWebhookChannel } from '@/lib/alerts';
import { startWebhookReceiver } from '@/lib/alerts/test-support/webhook-receiver';
import { recentAudit } from '@/lib/auth/audit';
import { visibleJobLog } from '@/lib/jobs';
import { MaintenanceRefused } from '@/lib/maintenance';
import {
  latestVerify,
  lastRun,
  refusePruneWhileBackingUp,
  setSchedule,
  setScheduleGate,
  staleLocks,
  submitCapacitySample,
  submitLockWatch,
  submitPruneAll,
  submitVerify,
  SCHEDULER_ACTOR,
  tick,
} from './index';

const PASSWORD = 'schedules-restic-pw';
const JOB_MS = 180_000;

let world: BackstoneWorld | undefined;
let cli: ReturnType<typeof cliRunner>;
let idle: () => boolean;
let dsId: number;
let vms: number[] = [];
const held: HeldLock[] = [];

const repoPath = (vm: number) => join(world!.server.datastoresRoot, String(dsId), String(vm));
const logOf = (jobId: number) => (visibleJobLog(SANDBOX_ADMIN, jobId) ?? []).map((l) => l.line);

beforeAll(async () => {
  world = await startBackstoneWorld('schedules');
  cli = cliRunner(world.info);
  ({ dsId, vms, idle } = await backedUpDatastore(world, {
    name: 'Scheduled',
    password: PASSWORD,
    vmNames: ['sched-a', 'sched-b', 'sched-c'],
  }));
}, 300_000);

afterAll(async () => {
  for (const h of held) await h.release().catch(() => undefined);
  await stopBackstoneWorld(world);
});

describe('the ticker', () => {
  it('runs nothing while the gate says no; then starts each due schedule once, never a second run meanwhile', async () => {
    setScheduleGate(async () => false);
    expect(await tick()).toEqual({ gated: true, started: [] });
    setScheduleGate(async () => true);
    const started = (await tick()).started.filter((s) => s.datastoreId === dsId);
    // The defaults: lock watch and capacity on, never run yet; verify and prune off.
    expect(started.map((s) => s.kind).sort()).toEqual(['capacity', 'lock-watch']);
    expect((await tick()).started.filter((s) => s.datastoreId === dsId)).toEqual([]);
    for (const s of started) expect((await jobEnded(SANDBOX_ADMIN, s.jobId, JOB_MS)).status).toBe('succeeded');
    expect((await tick()).started.filter((s) => s.datastoreId === dsId)).toEqual([]);
  });
});

describe('prune', () => {
  it('is skipped with the reason while OpenNebula backs up a VM of the datastore, and prunes every repository after', async () => {
    const paths = frontendPaths(world!.stateDir);
    const vm = vms[0]!;
    const release = hold(paths, 'backup');
    try {
      await cli('oneadmin', 'onevm', ['backup', String(vm), '-d', String(dsId)]);
      expect(await waitFor(() => !idle(), 60_000, 100)).toBe(true);
      await expect(refusePruneWhileBackingUp(dsId)).rejects.toBeInstanceOf(MaintenanceRefused);
      const { jobId } = await submitPruneAll(dsId, 'schedule', SCHEDULER_ACTOR);
      const job = await jobEnded(SANDBOX_ADMIN, jobId, JOB_MS);
      expect(job.status).toBe('succeeded');
      expect(job.message).toMatch(new RegExp(`^Skipped: OpenNebula is backing up VM ${vm} .*on datastore ${dsId}\\.$`));
      expect(lastRun(dsId, 'prune')).toMatchObject({ outcome: 'skipped', jobId });
      expect(logOf(jobId).some((l) => l.includes('restic prune'))).toBe(false);
    } finally {
      release();
      // The held backup goes on once released: let it end (bounded) before anything else runs.
      expect(await waitFor(idle, 180_000, 100)).toBe(true);
    }
    // Backstone's reads of OpenNebula are cached a moment: until they show the backup ended.
    await expect
      .poll(
        () =>
          refusePruneWhileBackingUp(dsId).then(
            () => 'free',
            (e: unknown) => String(e),
          ),
        { timeout: 60_000 },
      )
      .toBe('free');
    const { jobId } = await submitPruneAll(dsId, 'manual', 'oneadmin');
    const job = await jobEnded(SANDBOX_ADMIN, jobId, JOB_MS);
    expect(job.status, job.message).toBe('succeeded');
    expect(job.message).toMatch(/^Pruned 3 of 3 repositories: \d+ bytes freed\.$/);
    // The driver's default RESTIC_PRUNE_MAX_UNUSED (none set in the template).
    for (const v of vms) expect(logOf(jobId)).toContain(`${v}: restic prune --max-unused=0`);
    expect(lastRun(dsId, 'prune')).toMatchObject({ outcome: 'ok', jobId, trigger: 'manual' });
  });
});

describe('verify', () => {
  it('with N = 3 reads subsets 1, 2 and 3 in three runs, then starts over at 1', async () => {
    setSchedule(dsId, { kind: 'verify', enabled: true, intervalSeconds: 86_400, subsets: 3 }, 'oneadmin');
    const groups: string[][] = [];
    for (let run = 0; run < 4; run++) {
      const { jobId } = await submitVerify(dsId, 'schedule', SCHEDULER_ACTOR);
      const job = await jobEnded(SANDBOX_ADMIN, jobId, JOB_MS);
      expect(job.status, job.message).toBe('succeeded');
      // What restic itself said it read, per repository: "read group #2 of 1 data packs (out of
      // total 3 packs in 3 groups)".
      const lines = logOf(jobId);
      const said = /read group #(\d+) of \d+ data packs \(out of total \d+ packs in (\d+) groups\)/;
      groups.push(
        vms.map((vm) => {
          const line = lines.find((l) => l.startsWith(`${vm}: `) && said.test(l));
          expect(line, lines.join('\n')).toBeDefined();
          return said.exec(line!)!.slice(1, 3).join('/');
        }),
      );
      expect(lastRun(dsId, 'verify')).toMatchObject({ outcome: 'ok', jobId });
    }
    expect(groups).toEqual([
      ['1/3', '1/3', '1/3'],
      ['2/3', '2/3', '2/3'],
      ['3/3', '3/3', '3/3'],
      ['1/3', '1/3', '1/3'],
    ]);
    // Where the home page reads verification: each repository's newest check, with its subset.
    expect(latestVerify(dsId).map((v) => [v.repository, v.ok, v.readDataSubset])).toEqual(
      vms.map((vm) => [String(vm), true, '1/3']),
    );
  });

  it('records the errors of a repository whose pack was damaged on the backup server, and raises the verify alert', async () => {
    const damaged = vms[2]!;
    const dataDir = join(repoPath(damaged), 'data');
    const packs = readdirSync(dataDir).flatMap((d) => readdirSync(join(dataDir, d)).map((f) => join(dataDir, d, f)));
    const pack = packs.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const bytes = readFileSync(pack);
    bytes.fill(0x5a, Math.floor(bytes.length / 3), Math.floor(bytes.length / 3) + 512);
    writeFileSync(pack, bytes);
    setSchedule(dsId, { kind: 'verify', enabled: true, intervalSeconds: 86_400, subsets: 1 }, 'oneadmin');
    const { jobId } = await submitVerify(dsId, 'manual', 'oneadmin');
    const job = await jobEnded(SANDBOX_ADMIN, jobId, JOB_MS);
    expect(job.status).toBe('failed');
    expect(job.message).toContain(`errors in ${damaged}`);
    expect(lastRun(dsId, 'verify')).toMatchObject({ outcome: 'failed', jobId, trigger: 'manual' });
    const results = new Map(latestVerify(dsId).map((v) => [v.repository, v]));
    expect(results.get(String(damaged))).toMatchObject({ ok: false, readDataSubset: '1/1', jobId });
    expect(results.get(String(damaged))!.errors.length).toBeGreaterThan(0);
    for (const vm of vms.slice(0, 2))
      expect(results.get(String(vm))).toMatchObject({ ok: true, readDataSubset: '1/1' });

    // The verify alert: one signed webhook message for the damaged repository, none for the others.
    const secret = 'schedules-verify-alert-secret';
    const receiver = await startWebhookReceiver(secret);
    try {
      saveWebhookChannel({ enabled: true, url: receiver.url, secret }, 'test');
      const verifyAlerts = () => receiver.got.filter((g) => g.condition.startsWith(`check-failed:${dsId}:`));
      await expect
        .poll(
          async () => {
            await runAlertTick(await collectConditions(readRules(), { answerWithinMs: 20_000 }), { delays: [10] });
            return verifyAlerts().map((g) => [g.condition, g.state, g.signed]);
          },
          { timeout: 120_000, interval: 200 },
        )
        .toEqual([[`check-failed:${dsId}:${damaged}`, 'open', true]]);
    } finally {
      saveWebhookChannel({ enabled: false, url: receiver.url, secret }, 'test');
      await receiver.close();
    }
  });
});

describe('lock watch', () => {
  it('records a stale lock, removes it with restic unlock (audited) only once allowed, and never a running restic’s', async () => {
    const [staleVm, liveVm] = [vms[0]!, vms[1]!];
    const dead = await holdExclusiveLock(world!.server, repoPath(staleVm), PASSWORD);
    await dead.kill9();
    const live = await holdExclusiveLock(world!.server, repoPath(liveVm), PASSWORD);
    held.push(live);
    const liveLocks = writtenLockFiles(join(repoPath(liveVm), 'locks'));
    expect(liveLocks).toHaveLength(1);

    // Auto-removal off (the default): recorded with when it was first seen, and left.
    setSchedule(
      dsId,
      { kind: 'lock-watch', enabled: true, intervalSeconds: 300, staleAfterSeconds: 0, autoUnlock: false },
      'oneadmin',
    );
    const first = await submitLockWatch(dsId, 'schedule', SCHEDULER_ACTOR);
    expect((await jobEnded(SANDBOX_ADMIN, first.jobId, JOB_MS)).status).toBe('succeeded');
    const seen = staleLocks(dsId);
    expect(seen.map((l) => [l.repository, l.pid, l.beyondThreshold])).toEqual([[String(staleVm), dead.pid, true]]);
    const firstSeenAt = seen[0]!.firstSeenAt;
    expect(writtenLockFiles(join(repoPath(staleVm), 'locks'))).toHaveLength(1);

    // Seen again: still the same first-seen time.
    const again = await submitLockWatch(dsId, 'schedule', SCHEDULER_ACTOR);
    expect((await jobEnded(SANDBOX_ADMIN, again.jobId, JOB_MS)).status).toBe('succeeded');
    expect(staleLocks(dsId).map((l) => l.firstSeenAt)).toEqual([firstSeenAt]);

    // Auto-removal on: restic unlock removes the stale lock, audited; the running restic keeps its lock.
    setSchedule(
      dsId,
      { kind: 'lock-watch', enabled: true, intervalSeconds: 300, staleAfterSeconds: 0, autoUnlock: true },
      'oneadmin',
    );
    const removing = await submitLockWatch(dsId, 'schedule', SCHEDULER_ACTOR);
    const job = await jobEnded(SANDBOX_ADMIN, removing.jobId, JOB_MS);
    expect(job.status, job.message).toBe('succeeded');
    expect(logOf(removing.jobId)).toContain(`${staleVm}: restic unlock`);
    expect(writtenLockFiles(join(repoPath(staleVm), 'locks'))).toEqual([]);
    expect(writtenLockFiles(join(repoPath(liveVm), 'locks'))).toEqual(liveLocks);
    expect(staleLocks(dsId)).toEqual([]);
    const audited = recentAudit(50).filter((e) => e.action === 'schedule.lock-watch.unlock');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      actor: SCHEDULER_ACTOR,
      target: `datastore ${dsId} repository ${staleVm}`,
      outcome: 'ok',
    });
    expect(audited[0]!.detail).toMatch(/^restic unlock .*removed: [0-9a-f]{8} \(PID \d+ on .+\); remaining: none$/);

    // Another watch while the restic still runs: its lock is possibly active, never removed.
    const later = await submitLockWatch(dsId, 'schedule', SCHEDULER_ACTOR);
    expect((await jobEnded(SANDBOX_ADMIN, later.jobId, JOB_MS)).status).toBe('succeeded');
    expect(writtenLockFiles(join(repoPath(liveVm), 'locks'))).toEqual(liveLocks);
    expect(recentAudit(50).filter((e) => e.action === 'schedule.lock-watch.unlock')).toHaveLength(1);
  });
});

describe('capacity sample', () => {
  it('records the datastore’s df as a sample of its capacity history', async () => {
    const { jobId } = await submitCapacitySample(dsId, 'schedule', SCHEDULER_ACTOR);
    const job = await jobEnded(SANDBOX_ADMIN, jobId, JOB_MS);
    expect(job.status, job.message).toBe('succeeded');
    expect(lastRun(dsId, 'capacity')).toMatchObject({ outcome: 'ok', jobId });
  });
});
