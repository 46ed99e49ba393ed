import 'server-only';
import { StillReading, type Reader } from '@/lib/catalog';
import { readHealth } from '@/lib/health';
import { DEFAULT_THRESHOLDS, vmItems } from '@/lib/health/attention';
import { readVmProtection } from '@/lib/protection';
import type { AlertRules } from '@/lib/schemas/alerts';
import type { TickFacts } from './engine';
import { alertConditions, type AlertCondition } from './rules';

// This tick's conditions: what the home page knows (lib/health's items, read as an admin with
// Backstone's service identity, so every datastore, VM and job counts), within a bound.

const ALERTS_READER: Reader = { username: 'backstone-alerts', isAdmin: true, credential: { kind: 'service' } };

/** A tick waits this long for slow reads; what is not read by then is left as it was. */
export const COLLECT_WITHIN_MS = 30_000;

const DATASTORE_KINDS: ReadonlySet<string> = new Set([
  'check-failed',
  'stale-lock',
  'datastore-full',
  'datastore-filling',
]);

export async function collectConditions(rules: AlertRules, opts: { answerWithinMs?: number } = {}): Promise<TickFacts> {
  const report = await readHealth(ALERTS_READER, {
    answerWithinMs: opts.answerWithinMs ?? COLLECT_WITHIN_MS,
    thresholds: { ...DEFAULT_THRESHOLDS, fullPercent: rules.fullPercent, fullWithinDays: rules.fullWithinDays },
  });
  // The home page folds many VMs of one status into one item; an alert is per VM.
  let vms: Awaited<ReturnType<typeof readVmProtection>>['vms'] | undefined;
  try {
    vms = report.protection ? (await readVmProtection(ALERTS_READER, { answerWithinMs: 0 })).vms : undefined;
  } catch (err) {
    if (!(err instanceof StillReading)) throw err;
  }
  const items = [
    ...report.items.filter((i) => !i.kind.startsWith('vm-')),
    ...(vms ? vms.flatMap((v) => vmItems([v])) : []),
  ];
  const readDatastores = new Set(report.datastores.filter((d) => d.state === 'read').map((d) => d.id));
  const listed = new Set(report.datastores.map((d) => d.id));
  return {
    conditions: alertConditions(items),
    isKnown: (c: Pick<AlertCondition, 'kind' | 'datastoreId'>) => {
      if (c.kind === 'vm-failed' || c.kind === 'vm-overdue') return vms !== undefined;
      if (DATASTORE_KINDS.has(c.kind) && c.datastoreId !== undefined)
        // A datastore no longer listed is gone: its alerts resolve.
        return readDatastores.has(c.datastoreId) || !listed.has(c.datastoreId);
      return true;
    },
  };
}
