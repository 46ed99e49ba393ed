import { z } from 'zod';
import { IdSchema } from './ids';

// The schedules of a backup datastore (verify, prune, lock watch, capacity sample) as the datastore
// page shows them and its forms send them. Shared by the client form and the server actions.

export const SCHEDULE_KINDS = ['verify', 'prune', 'lock-watch', 'capacity'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export const SCHEDULE_LABELS: Readonly<Record<ScheduleKind, string>> = {
  verify: 'Verify',
  prune: 'Prune',
  'lock-watch': 'Lock watch',
  capacity: 'Capacity sample',
};

export const INTERVAL_UNITS = ['minutes', 'hours', 'days'] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];
const UNIT_SECONDS: Readonly<Record<IntervalUnit, number>> = { minutes: 60, hours: 3600, days: 86_400 };

/** At least a minute between two runs, at most a year. */
export const MIN_INTERVAL_SECONDS = 60;
export const MAX_INTERVAL_SECONDS = 366 * 86_400;
/** N of `--read-data-subset=n/N`: every pack is read once every N verify runs. */
export const MAX_VERIFY_SUBSETS = 100;
/** How long a lock may stay stale before the lock watch raises it (and may remove it): up to a week. */
export const MAX_STALE_AFTER_MINUTES = 7 * 24 * 60;

/** The best unit to show an interval in: the largest that divides it. */
export function intervalParts(seconds: number): { every: number; unit: IntervalUnit } {
  if (seconds % 86_400 === 0) return { every: seconds / 86_400, unit: 'days' };
  if (seconds % 3600 === 0) return { every: seconds / 3600, unit: 'hours' };
  return { every: Math.max(1, Math.round(seconds / 60)), unit: 'minutes' };
}

/** "every 5 minutes", "every day", "every 7 days". */
export function intervalWords(seconds: number): string {
  const { every, unit } = intervalParts(seconds);
  return every === 1 ? `every ${unit.slice(0, -1)}` : `every ${every} ${unit}`;
}

const wholeNumber = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,6}$/, { error: `Give ${what} as a whole number.` })
    .transform(Number);

/** A checkbox: "on" when ticked, absent (or empty) when not; anything else is refused. */
const checkbox = z
  .union([z.literal('on'), z.literal('')])
  .optional()
  .transform((v) => v === 'on');

const optionalField = (what: string) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? undefined : v), wholeNumber(what).optional());

/** The "change a schedule" form of the datastore page: one kind at a time. */
export const ScheduleUpdateSchema = z
  .object({
    datastoreId: IdSchema,
    kind: z.enum(SCHEDULE_KINDS, { error: 'Not a schedule.' }),
    enabled: checkbox,
    every: wholeNumber('the interval'),
    unit: z.enum(INTERVAL_UNITS, { error: 'Choose minutes, hours or days.' }),
    subsets: optionalField('the number of subsets'),
    staleAfterMinutes: optionalField('the stale threshold'),
    autoUnlock: checkbox,
  })
  .superRefine((v, ctx) => {
    const seconds = v.every * UNIT_SECONDS[v.unit];
    if (seconds < MIN_INTERVAL_SECONDS || seconds > MAX_INTERVAL_SECONDS)
      ctx.addIssue({
        code: 'custom',
        path: ['every'],
        message: 'The interval is at least 1 minute and at most 366 days.',
      });
    if (v.kind === 'verify' && (v.subsets === undefined || v.subsets < 1 || v.subsets > MAX_VERIFY_SUBSETS))
      ctx.addIssue({
        code: 'custom',
        path: ['subsets'],
        message: `Verify reads 1/N of the data each run: N is 1 to ${MAX_VERIFY_SUBSETS}.`,
      });
    if (v.kind !== 'verify' && v.subsets !== undefined)
      ctx.addIssue({ code: 'custom', path: ['subsets'], message: 'Only verify reads subsets.' });
    if (v.kind === 'lock-watch' && (v.staleAfterMinutes === undefined || v.staleAfterMinutes > MAX_STALE_AFTER_MINUTES))
      ctx.addIssue({
        code: 'custom',
        path: ['staleAfterMinutes'],
        message: `The stale threshold is 0 to ${MAX_STALE_AFTER_MINUTES} minutes.`,
      });
    if (v.kind !== 'lock-watch' && (v.staleAfterMinutes !== undefined || v.autoUnlock))
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'Only the lock watch has a stale threshold.' });
  })
  .transform((v) => ({
    datastoreId: v.datastoreId,
    kind: v.kind,
    enabled: v.enabled,
    intervalSeconds: v.every * UNIT_SECONDS[v.unit],
    ...(v.kind === 'verify' ? { subsets: v.subsets } : {}),
    ...(v.kind === 'lock-watch'
      ? { staleAfterSeconds: (v.staleAfterMinutes ?? 0) * 60, autoUnlock: v.autoUnlock }
      : {}),
  }));
export type ScheduleUpdate = z.output<typeof ScheduleUpdateSchema>;

/** "Verify all": the datastore only. */
export const VerifyAllSchema = z.object({ datastoreId: IdSchema });

/** "Prune all": the datastore, confirmed by typing its name (compared on the server with OpenNebula's). */
export const PruneAllSchema = z.object({
  datastoreId: IdSchema,
  confirm: z.string().trim().min(1, { error: 'Type the datastore’s name to confirm.' }).max(128),
});

export type RunOutcome = 'ok' | 'failed' | 'skipped' | 'canceled' | 'interrupted';

/** One run of a schedule (or of "Verify all" / "Prune all"), as the page shows it. */
export type ScheduleRunView = {
  startedAt: number;
  endedAt?: number;
  outcome?: RunOutcome;
  jobId?: number;
  message: string;
  trigger: 'schedule' | 'manual';
};

/** A schedule of a datastore with its last run and its next. */
export type ScheduleView = {
  kind: ScheduleKind;
  enabled: boolean;
  intervalSeconds: number;
  /** Never set by an admin: Backstone's default. */
  isDefault: boolean;
  subsets?: number;
  nextSubset?: number;
  staleAfterSeconds?: number;
  autoUnlock?: boolean;
  last?: ScheduleRunView;
  running: boolean;
  /** When it runs next (may be in the past: at the next tick); none while disabled. */
  nextAt?: number;
};
