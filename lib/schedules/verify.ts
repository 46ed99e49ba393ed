import 'server-only';
import { accessInventory } from '@/lib/catalog';
import { readBackups, recordCheck, repositoryBackups } from '@/lib/maintenance';
import { check, ResticError } from '@/lib/restic';
import { takeVerifySubset } from './settings';
import { RunFound, submitRun, type RunEnd } from './submit';

// Verify: `restic check --read-data-subset=n/N` of every repository of the datastore, PBS-style:
// n rotates 1..N over the runs, so every pack is read once every N runs. Each repository's outcome
// is a check result like the maintenance page's, so the home page's "verified N days ago" and its
// errors read it.

export async function submitVerify(datastoreId: number, trigger: 'schedule' | 'manual', actor: string) {
  return submitRun({
    datastoreId,
    kind: 'verify',
    trigger,
    actor,
    title: (a) => `Verify every repository of datastore ${datastoreId} (“${a.datastore.name}”)`,
    work: async (ctx, access): Promise<RunEnd> => {
      const subset = takeVerifySubset(datastoreId);
      const which = `${subset.n}/${subset.of}`;
      const [inv, cloud] = await Promise.all([accessInventory(access, { signal: ctx.signal }), readBackups()]);
      const repos = inv.repositories.filter((r) => r.initialized);
      const damaged: string[] = [];
      const unchecked: string[] = [];
      const verified: string[] = [];
      for (const [i, r] of repos.entries()) {
        ctx.signal.throwIfAborted();
        ctx.progress({ percent: (100 * i) / repos.length, message: `Checking repository ${r.name} (subset ${which})` });
        const backing = repositoryBackups(cloud, r.name);
        if (backing.length > 0) {
          // check locks the repository: it would make OpenNebula's backup into it fail.
          ctx.log(`${r.name}: skipped, OpenNebula is backing up VM ${backing.map((b) => b.vmId).join(', ')} into it.`);
          unchecked.push(r.name);
          continue;
        }
        ctx.log(`${r.name}: restic check --read-data-subset=${which}`);
        try {
          const res = await check(access.repo(r.name), {
            readDataSubset: subset,
            signal: ctx.signal,
            onLine: (l) => ctx.log(`${r.name}: ${l}`),
          });
          recordCheck(datastoreId, r.name, {
            ok: res.ok,
            errors: res.errors,
            readDataPercent: Math.round((1000 / subset.of) * 10) / 100,
            readDataSubset: subset,
            jobId: ctx.id,
            actor,
          });
          if (res.ok) verified.push(r.name);
          else {
            damaged.push(r.name);
            for (const e of res.errors) ctx.log(`${r.name}: error: ${e}`);
          }
        } catch (err) {
          if (ctx.signal.aborted || !(err instanceof ResticError)) throw err;
          // Locked, unreachable mid-way: not damage, and no check result.
          ctx.log(`${r.name}: not checked: ${err.message}`);
          unchecked.push(r.name);
        }
      }
      ctx.progress({ percent: 100 });
      const parts = [
        `${verified.length} of ${repos.length} repositor${repos.length === 1 ? 'y' : 'ies'} verified (subset ${which})`,
        damaged.length ? `errors in ${damaged.join(', ')}` : '',
        unchecked.length ? `not checked: ${unchecked.join(', ')}` : '',
      ].filter(Boolean);
      const message = `${parts.join('; ')}.`;
      if (damaged.length > 0) throw new RunFound(`restic check found errors: ${message}`);
      if (unchecked.length > 0) throw new RunFound(message);
      return { outcome: 'ok', message, result: { subset: which, verified, damaged, unchecked } };
    },
  });
}
