// The alert rules, pure: the home page's attention items (lib/health) in, the conditions that
// alert out; then, against the conditions kept in the store, which alerts open and which resolve.
// Nothing here reads a server or the clock.

import type { AttentionItem, AttentionKind, Severity } from '@/lib/health/attention';

/** The attention kinds that alert: what loses backups or data if nobody acts. */
export const ALERT_KINDS = [
  'job-failed',
  'check-failed',
  'stale-lock',
  'vm-failed',
  'vm-overdue',
  'backup-job-error',
  'datastore-full',
  'datastore-filling',
] as const satisfies readonly AttentionKind[];
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * Kinds that are events rather than states: a failed job never un-fails, so it alerts once and,
 * when it leaves the home page (after a day), closes without a "resolved" message.
 */
const EVENT_KINDS: ReadonlySet<AlertKind> = new Set(['job-failed']);

export type AlertCondition = {
  /** Stable across ticks and restarts, e.g. `vm-overdue:42`, `stale-lock:100:42`. */
  key: string;
  kind: AlertKind;
  severity: Severity;
  title: string;
  detail: string;
  /** Where it is fixed, a path of Backstone. */
  href: string;
  datastoreId?: number;
};

export type KeptCondition = AlertCondition & { state: 'pending' | 'open'; firstSeenAt: number; openedAt?: number };

const isAlertKind = (k: AttentionKind): k is AlertKind => (ALERT_KINDS as readonly string[]).includes(k);

/** The condition's key, or undefined for an item that stands for many (grouped VMs). */
export function conditionKey(item: AttentionItem): string | undefined {
  switch (item.kind) {
    case 'vm-failed':
    case 'vm-overdue':
      return item.vmId === undefined ? undefined : `${item.kind}:${item.vmId}`;
    case 'check-failed':
    case 'stale-lock':
      return item.datastoreId === undefined || item.repository === undefined
        ? undefined
        : `${item.kind}:${item.datastoreId}:${item.repository}`;
    case 'datastore-full':
    case 'datastore-filling':
      return item.datastoreId === undefined ? undefined : `${item.kind}:${item.datastoreId}`;
    case 'backup-job-error':
      return item.backupJobId === undefined ? undefined : `${item.kind}:${item.backupJobId}`;
    case 'job-failed':
      return item.jobId === undefined ? undefined : `${item.kind}:${item.jobId}`;
    default:
      return undefined;
  }
}

/** The items that alert, one condition per key. */
export function alertConditions(items: readonly AttentionItem[]): AlertCondition[] {
  const out = new Map<string, AlertCondition>();
  for (const item of items) {
    if (!isAlertKind(item.kind)) continue;
    const key = conditionKey(item);
    if (key === undefined || out.has(key)) continue;
    out.set(key, {
      key,
      kind: item.kind,
      severity: item.severity,
      title: item.title,
      detail: item.detail ?? '',
      href: item.fix?.href ?? '/',
      ...(item.datastoreId !== undefined ? { datastoreId: item.datastoreId } : {}),
    });
  }
  return [...out.values()];
}

/**
 * How long a condition must hold before it alerts: a stale lock for its datastore's lock-watch
 * threshold (the same one the lock watch's auto-removal waits for), everything else at once.
 */
export function holdMs(
  c: Pick<AlertCondition, 'kind' | 'datastoreId'>,
  lockThresholdMs: (datastoreId: number) => number,
): number {
  return c.kind === 'stale-lock' && c.datastoreId !== undefined ? lockThresholdMs(c.datastoreId) : 0;
}

export type Transitions = {
  /** Seen for the first time, not held long enough yet: kept as pending. */
  pending: KeptCondition[];
  /** Alert now: one message each. */
  opened: KeptCondition[];
  /** Were open and are gone: one "resolved" message each. */
  resolved: KeptCondition[];
  /** Gone without a message: pending ones that cleared, and events (a failed job) that aged out. */
  dropped: KeptCondition[];
  /** Still there: kept as they are, with the newest words. */
  ongoing: KeptCondition[];
};

export type EvaluateOptions = {
  now: number;
  /** The datastore's lock-watch threshold (lib/schedules' lockStaleThresholdMs). */
  lockThresholdMs: (datastoreId: number) => number;
  /**
   * Whether this tick could see the condition at all: a datastore still being read, or whose
   * backup server did not answer, says nothing about its locks, so its alerts stay as they are.
   */
  isKnown: (c: Pick<AlertCondition, 'kind' | 'datastoreId'>) => boolean;
};

/** From the kept conditions and this tick's ones: what opens, resolves, waits or goes. */
export function evaluate(
  kept: readonly KeptCondition[],
  current: readonly AlertCondition[],
  opts: EvaluateOptions,
): Transitions {
  const out: Transitions = { pending: [], opened: [], resolved: [], dropped: [], ongoing: [] };
  const before = new Map(kept.map((k) => [k.key, k]));
  const seen = new Set<string>();
  for (const c of current) {
    seen.add(c.key);
    const prev = before.get(c.key);
    if (prev?.state === 'open') {
      out.ongoing.push({ ...c, state: 'open', firstSeenAt: prev.firstSeenAt, openedAt: prev.openedAt });
      continue;
    }
    const firstSeenAt = prev?.firstSeenAt ?? opts.now;
    if (opts.now - firstSeenAt >= holdMs(c, opts.lockThresholdMs))
      out.opened.push({ ...c, state: 'open', firstSeenAt, openedAt: opts.now });
    else out.pending.push({ ...c, state: 'pending', firstSeenAt });
  }
  for (const k of kept) {
    if (seen.has(k.key)) continue;
    if (!opts.isKnown(k)) out.ongoing.push(k);
    else if (k.state === 'open' && !EVENT_KINDS.has(k.kind)) out.resolved.push(k);
    else out.dropped.push(k);
  }
  return out;
}
