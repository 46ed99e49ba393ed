import type { ScheduleKind } from '@/lib/schemas/schedules';

// What a datastore's schedules do before an admin changes them.

export type ScheduleSettings = {
  kind: ScheduleKind;
  enabled: boolean;
  intervalSeconds: number;
  /** Verify: N of `--read-data-subset=n/N`. */
  subsets?: number;
  /** Lock watch: how long a lock stays stale before it is raised (and, if allowed, removed). */
  staleAfterSeconds?: number;
  /** Lock watch: remove such locks with `restic unlock` (never --remove-all). */
  autoUnlock?: boolean;
};

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/**
 * - Lock watch, every 5 minutes, on: it only reads (`restic list locks`/`cat lock`, --no-lock, and
 *   a PID check), and a stale lock blocks every later backup of its repository, so an admin should
 *   hear of it before the next backup fails. A lock is raised once it has been stale for 15
 *   minutes (three watches: a restic that just died and a slow PID check do not raise it). It is
 *   never removed automatically until the admin allows it for the datastore.
 * - Capacity sample, hourly, on: one `df` and listing per hour is cheap, and "estimated full" needs
 *   samples whether or not anyone opens the page.
 * - Verify, weekly with N = 4, off: reading data costs the backup server hours of disk reads and
 *   takes restic's lock, so the admin picks when. Weekly with N = 4 reads all data every four
 *   weeks, within the home page's 30-day "not verified" bound.
 * - Prune, weekly, off: it rewrites packs (the driver's RESTIC_PRUNE_* values); OpenNebula already
 *   prunes on every image delete (`forget --prune`), so this is only a catch-up an admin turns on.
 */
export const DEFAULT_SCHEDULES: Readonly<Record<ScheduleKind, ScheduleSettings>> = {
  verify: { kind: 'verify', enabled: false, intervalSeconds: 7 * DAY, subsets: 4 },
  prune: { kind: 'prune', enabled: false, intervalSeconds: 7 * DAY },
  'lock-watch': {
    kind: 'lock-watch',
    enabled: true,
    intervalSeconds: 5 * MINUTE,
    staleAfterSeconds: 15 * MINUTE,
    autoUnlock: false,
  },
  capacity: { kind: 'capacity', enabled: true, intervalSeconds: HOUR },
};
