// A stale lock against real parts: the front-end simulator, a real backup server (sshd) and real
// restic 0.18. Two VMs are backed up into their own repositories; one repository gets a stale lock
// (a restic killed with -9), the other the lock of a restic that keeps running. The alert ticks
// (collectConditions + runAlertTick, as the ticker runs them, with a fake clock for "stale for N
// minutes") raise exactly one alert for the stale lock once it has been stale for the datastore's
// lock-watch threshold, on a loopback webhook with a valid signature, and nothing for the live one. The
// lock watch, with auto-removal on, removes the stale lock with `restic unlock` only once it has
// been stale for the datastore's threshold, audited; the next ticks send exactly one "resolved".
// The running restic's lock is never removed.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backedUpDatastore,
  jobEnded,
  SANDBOX_ADMIN,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import { holdExclusiveLock, type HeldLock } from '@/sandbox/backup-server/test-locks';
import { writtenLockFiles } from '@/sandbox/common/restic-locks';
import { recentAudit } from '@/lib/auth/audit';
import { visibleJobLog } from '@/lib/jobs';
import { setSchedule, staleLocks, submitLockWatch, SCHEDULER_ACTOR } from '@/lib/schedules';
import { closeDb } from '@/lib/store';
import { collectConditions } from './collect';
import { runAlertTick } from './engine';
import { keptConditions, readRules, saveWebhookChannel } from './store';
import { startWebhookReceiver, type ReceivedAlert, type WebhookReceiver } from './test-support/webhook-receiver';

const PASSWORD = 'stale-lock-alert-pw';
const SECRET = 'stale-lock-alert-secret-0123';
const JOB_MS = 180_000;
const MINUTE = 60_000;
const STALE_MINUTES = 15;

let world: BackstoneWorld | undefined;
let receiver: WebhookReceiver | undefined;
let dsId = -1;
let vms: number[] = [];
const held: HeldLock[] = [];
let got: ReceivedAlert[] = [];

const repoPath = (vm: number) => join(world!.server.datastoresRoot, String(dsId), String(vm));
const locksOf = (vm: number) => writtenLockFiles(join(repoPath(vm), 'locks'));
const keyOf = (vm: number) => `stale-lock:${dsId}:${vm}`;
const sentFor = (vm: number) => got.filter((g) => g.condition === keyOf(vm)).map((g) => g.state);
const unlockAudits = () => recentAudit(100).filter((e) => e.action === 'schedule.lock-watch.unlock');

/** The rule's clock: ticks pass it on, so "stale for 15 minutes" needs no 15-minute wait. */
let clock = Date.now();

/** One alert tick as the ticker runs it, at the fake clock, with a bound long enough for a first read. */
async function alertTick(): Promise<void> {
  await runAlertTick(await collectConditions(readRules(), { answerWithinMs: 20_000 }), {
    now: clock,
    delays: [10, 40, 160],
  });
}

const keptState = (vm: number) => keptConditions().find((k) => k.key === keyOf(vm))?.state;

async function lockWatch(staleAfterSeconds: number): Promise<number> {
  setSchedule(
    dsId,
    { kind: 'lock-watch', enabled: true, intervalSeconds: 300, staleAfterSeconds, autoUnlock: true },
    'oneadmin',
  );
  const { jobId } = await submitLockWatch(dsId, 'schedule', SCHEDULER_ACTOR);
  const job = await jobEnded(SANDBOX_ADMIN, jobId, JOB_MS);
  expect(job.status, job.message).toBe('succeeded');
  return jobId;
}

beforeAll(async () => {
  world = await startBackstoneWorld('stale-lock-alert');
  ({ dsId, vms } = await backedUpDatastore(world, {
    name: 'Locked',
    password: PASSWORD,
    vmNames: ['locked-stale', 'locked-live'],
  }));
  receiver = await startWebhookReceiver(SECRET);
  got = receiver.got;
  saveWebhookChannel({ enabled: true, url: receiver.url, secret: SECRET }, 'test');
  // The one threshold: the datastore's lock watch says how long a lock stays stale before it alerts.
  setSchedule(
    dsId,
    {
      kind: 'lock-watch',
      enabled: true,
      intervalSeconds: 300,
      staleAfterSeconds: STALE_MINUTES * 60,
      autoUnlock: false,
    },
    'oneadmin',
  );
}, 300_000);

afterAll(async () => {
  for (const h of held) await h.release().catch(() => undefined);
  await receiver?.close();
  closeDb();
  await stopBackstoneWorld(world);
});

describe('a stale lock', () => {
  it('raises exactly one alert past the threshold, is removed by the lock watch (audited), then one "resolved"; a live lock never', async () => {
    const [staleVm, liveVm] = [vms[0]!, vms[1]!];
    const dead = await holdExclusiveLock(world!.server, repoPath(staleVm), PASSWORD);
    await dead.kill9();
    const live = await holdExclusiveLock(world!.server, repoPath(liveVm), PASSWORD);
    held.push(live);
    const liveLocks = locksOf(liveVm);
    expect(liveLocks).toHaveLength(1);
    expect(locksOf(staleVm)).toHaveLength(1);

    // First seen stale: kept as pending, nothing sent yet.
    await expect
      .poll(
        async () => {
          await alertTick();
          return keptState(staleVm);
        },
        { timeout: 120_000, interval: 200 },
      )
      .toBe('pending');
    clock += (STALE_MINUTES - 1) * MINUTE;
    await alertTick();
    expect(keptState(staleVm)).toBe('pending');
    expect(sentFor(staleVm)).toEqual([]);

    // Stale for the threshold: one alert; further ticks while it holds send nothing more.
    clock += MINUTE;
    await alertTick();
    expect(sentFor(staleVm)).toEqual(['open']);
    for (let i = 0; i < 3; i++) {
      clock += 5 * MINUTE;
      await alertTick();
    }
    expect(sentFor(staleVm)).toEqual(['open']);
    // The running restic's lock is possibly active: never an alert.
    expect(keptState(liveVm)).toBeUndefined();
    expect(sentFor(liveVm)).toEqual([]);

    // Auto-removal on, but not yet stale for the datastore's threshold (an hour): left, not audited.
    await lockWatch(3_600);
    expect(staleLocks(dsId).map((l) => [l.repository, l.pid, l.beyondThreshold])).toEqual([
      [String(staleVm), dead.pid, false],
    ]);
    expect(locksOf(staleVm)).toHaveLength(1);
    expect(unlockAudits()).toEqual([]);

    // Stale beyond the threshold: `restic unlock`, audited; the running restic keeps its lock.
    const removing = await lockWatch(0);
    expect((visibleJobLog(SANDBOX_ADMIN, removing) ?? []).map((l) => l.line)).toContain(`${staleVm}: restic unlock`);
    expect(locksOf(staleVm)).toEqual([]);
    expect(locksOf(liveVm)).toEqual(liveLocks);
    expect(unlockAudits()).toHaveLength(1);
    expect(unlockAudits()[0]).toMatchObject({
      actor: SCHEDULER_ACTOR,
      target: `datastore ${dsId} repository ${staleVm}`,
      outcome: 'ok',
    });

    // Gone: exactly one "resolved", and nothing more on later ticks.
    await expect
      .poll(
        async () => {
          clock += MINUTE;
          await alertTick();
          return sentFor(staleVm);
        },
        { timeout: 120_000, interval: 200 },
      )
      .toEqual(['open', 'resolved']);
    for (let i = 0; i < 3; i++) {
      clock += 5 * MINUTE;
      await alertTick();
    }
    expect(sentFor(staleVm)).toEqual(['open', 'resolved']);
    expect(keptState(staleVm)).toBeUndefined();

    // Another watch while the restic still runs: its lock stays, no second unlock.
    await lockWatch(0);
    expect(locksOf(liveVm)).toEqual(liveLocks);
    expect(unlockAudits()).toHaveLength(1);
    expect(sentFor(liveVm)).toEqual([]);
    expect(got.every((g) => g.signed)).toBe(true);
  });
});
