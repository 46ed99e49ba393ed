import 'server-only';
import { accessInventory, datastoreAccess } from '@/lib/catalog';
import { datastoreBackups, MaintenanceRefused, readBackups, type CloudBackups } from '@/lib/maintenance';
import { prune, ResticError } from '@/lib/restic';
import { RunFound, submitRun, type RunEnd } from './submit';

// Prune: what the maintenance prune does (the driver's RESTIC_PRUNE_MAX_UNUSED / _MAX_REPACK), for
// every repository of the datastore, skipped with the reason while OpenNebula backs up a VM that
// may write into the datastore (a Backup Job of it running counts: its VMs are in BACKUP).

function running(cloud: CloudBackups, datastoreId: number, repositories: readonly string[]): string | undefined {
  const b = datastoreBackups(cloud, datastoreId, repositories);
  if (b.length === 0) return undefined;
  return `OpenNebula is backing up ${b.map((v) => `VM ${v.vmId}${v.vmName ? ` “${v.vmName}”` : ''} (${v.state})`).join(', ')} on datastore ${datastoreId}`;
}

/** "Prune all" refuses at once while a backup of the datastore runs (the schedule skips instead). */
export async function refusePruneWhileBackingUp(datastoreId: number): Promise<void> {
  const access = await datastoreAccess(datastoreId);
  const [inv, cloud] = await Promise.all([accessInventory(access), readBackups()]);
  const why = running(
    cloud,
    datastoreId,
    inv.repositories.map((r) => r.name),
  );
  if (why) throw new MaintenanceRefused(`Refused: prune waits until no backup runs. ${why}.`);
}

export async function submitPruneAll(datastoreId: number, trigger: 'schedule' | 'manual', actor: string) {
  return submitRun({
    datastoreId,
    kind: 'prune',
    trigger,
    actor,
    title: (a) => `Prune every repository of datastore ${datastoreId} (“${a.datastore.name}”)`,
    work: async (ctx, access): Promise<RunEnd> => {
      const inv = await accessInventory(access, { signal: ctx.signal });
      const repos = inv.repositories.filter((r) => r.initialized);
      const names = inv.repositories.map((r) => r.name);
      let freed = 0;
      const pruned: string[] = [];
      const failed: string[] = [];
      for (const [i, r] of repos.entries()) {
        ctx.signal.throwIfAborted();
        // Again before every repository: a backup may have started meanwhile.
        const why = running(await readBackups(), datastoreId, names);
        if (why) {
          const message = `Skipped${pruned.length ? ` after ${pruned.length} repositor${pruned.length === 1 ? 'y' : 'ies'}` : ''}: ${why}.`;
          ctx.log(message);
          return { outcome: 'skipped', message, result: { pruned, freedBytes: freed } };
        }
        const repo = access.repo(r.name);
        ctx.progress({ percent: (100 * i) / repos.length, message: `Pruning repository ${r.name}` });
        ctx.log(
          `${r.name}: restic prune --max-unused=${repo.options.pruneMaxUnused}${repo.options.pruneMaxRepack ? ` --max-repack-size=${repo.options.pruneMaxRepack}` : ''}`,
        );
        try {
          const out = await prune(repo, { signal: ctx.signal, onLine: (l) => ctx.log(`${r.name}: ${l}`) });
          freed += out.plan.totalPrune.bytes;
          pruned.push(r.name);
        } catch (err) {
          if (ctx.signal.aborted || !(err instanceof ResticError)) throw err;
          ctx.log(`${r.name}: not pruned: ${err.message}`);
          failed.push(r.name);
        }
      }
      ctx.progress({ percent: 100 });
      const message = `Pruned ${pruned.length} of ${repos.length} repositor${repos.length === 1 ? 'y' : 'ies'}: ${freed} bytes freed${failed.length ? `; not pruned: ${failed.join(', ')}` : ''}.`;
      if (failed.length > 0) throw new RunFound(message);
      return { outcome: 'ok', message, result: { pruned, freedBytes: freed } };
    },
  });
}
