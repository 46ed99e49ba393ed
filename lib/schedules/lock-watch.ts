import 'server-only';
import { audit } from '@/lib/auth/audit';
import { accessInventory } from '@/lib/catalog';
import { inspectLocks, removeStaleLocks } from '@/lib/maintenance';
import { ResticError } from '@/lib/restic';
import { ExecError } from '@/lib/exec';
import { lockStaleThresholdMs, schedule } from './settings';
import { forgetRepositoriesExcept, noteRepositoryLocks } from './stale-locks';
import { RunFound, submitRun, type RunEnd } from './submit';

// Lock watch: every repository with lock files has its locks inspected (the maintenance page's
// verdicts: a lock of a running restic is possibly active, never stale). A lock judged stale is
// recorded with when it was first seen so; once it has been stale longer than the threshold it is
// listed (staleLocks(), on the Schedules panel; the alerts judge locks from the health report with
// their own threshold), and only where the admin turned auto-removal on for the
// datastore, removed with `restic unlock` (never --remove-all: restic itself removes only locks it
// proves stale, so a live lock stays whatever the verdict said), audited.

export async function submitLockWatch(datastoreId: number, trigger: 'schedule' | 'manual', actor: string) {
  return submitRun({
    datastoreId,
    kind: 'lock-watch',
    trigger,
    actor,
    title: (a) => `Watch the locks of datastore ${datastoreId} (“${a.datastore.name}”)`,
    work: async (ctx, access): Promise<RunEnd> => {
      const settings = schedule(datastoreId, 'lock-watch');
      const thresholdMs = lockStaleThresholdMs(datastoreId);
      const inv = await accessInventory(access, { signal: ctx.signal });
      const locked = inv.repositories.filter((r) => r.locks.length > 0).map((r) => r.name);
      forgetRepositoriesExcept(datastoreId, locked);
      let raised = 0;
      const removed: string[] = [];
      const problems: string[] = [];
      for (const name of locked) {
        ctx.signal.throwIfAborted();
        try {
          const ins = await inspectLocks(datastoreId, name, { maxAgeMs: 0, signal: ctx.signal });
          const stale = ins.locks.filter((l) => l.verdict === 'stale');
          const now = Date.now();
          const known = noteRepositoryLocks(datastoreId, name, stale, now);
          const beyond = known.filter((k) => now - k.firstSeenAt >= thresholdMs);
          ctx.log(
            `${name}: ${ins.locks.length} lock${ins.locks.length === 1 ? '' : 's'}, ${stale.length} stale, ${beyond.length} stale for longer than the threshold`,
          );
          raised += beyond.length;
          if (beyond.length === 0 || !settings.autoUnlock) continue;
          ctx.log(`${name}: restic unlock`);
          const out = await removeStaleLocks(datastoreId, name);
          const gone = out.removed.map((l) => `${l.shortId} (PID ${l.pid} on ${l.hostname})`);
          const left = out.remaining.map((l) => `${l.shortId} (PID ${l.pid} on ${l.hostname})`);
          audit({
            actor,
            action: 'schedule.lock-watch.unlock',
            target: `datastore ${datastoreId} repository ${name}`,
            outcome: 'ok',
            detail: `restic unlock (auto-removal of locks stale for ${Math.round(thresholdMs / 60_000)} min or more); removed: ${gone.join(', ') || 'none'}; remaining: ${left.join(', ') || 'none'}`,
            address: '',
          });
          ctx.log(`${name}: removed ${gone.join(', ') || 'none'}; remaining ${left.join(', ') || 'none'}`);
          removed.push(...out.removed.map((l) => l.id));
          const stillStale = out.remaining.filter((l) => l.verdict === 'stale');
          noteRepositoryLocks(datastoreId, name, stillStale);
          if (stillStale.length > 0)
            problems.push(`restic unlock could not prove ${stillStale.length} lock(s) of ${name} stale`);
        } catch (err) {
          if (ctx.signal.aborted || !(err instanceof ResticError || err instanceof ExecError)) throw err;
          ctx.log(`${name}: locks not read: ${err.message}`);
          problems.push(`the locks of ${name} could not be read`);
        }
      }
      const message =
        `${locked.length} locked repositor${locked.length === 1 ? 'y' : 'ies'}; ${raised} lock${raised === 1 ? '' : 's'} stale beyond the threshold` +
        (removed.length ? `; removed ${removed.length} with restic unlock` : '') +
        (problems.length ? `; ${problems.join('; ')}` : '') +
        '.';
      if (problems.length > 0) throw new RunFound(message);
      return { outcome: 'ok', message, result: { locked, raised, removed } };
    },
  });
}
