// Scheduled actions as ScheduledAction::parse (OpenNebula 7.0) reads a SCHED_ACTION vector: TIME
// absolute epoch seconds (Backup Jobs refuse "+N"), REPEAT -1..3 with DAYS in range, END_TYPE and
// END_VALUE. Only stored and shown: the sandbox has no scheduler that runs them.
import type { Db, SchedAction } from '../store/types';

const DAY_ERRORS = [
  'Days in a week have to be in [0,6] range',
  'Days in a month have to be in [1,31] range',
  'Days in a year have to be in [0,365] range',
  'Hours have to be in [0,168] range',
];
const FIRST = [0, 1, 0, 1];
const LAST = [7, 32, 366, 168];

/** istringstream >> long: the whole value, an optional sign and digits. */
const int = (v: string | undefined) => (v !== undefined && /^\s*[+-]?\d+$/.test(v) ? Number(v) : undefined);

function parseTime(v: string, type: SchedAction['type'], origin: number): number {
  if (v.startsWith('+')) {
    if (type === 'BACKUPJOB') return -1;
    const n = int(v.slice(1));
    return n === undefined ? -1 : n + origin;
  }
  return int(v) ?? -1;
}

function daysError(repeat: number, days: string): string | undefined {
  const d = [...new Set(days.split(',').map((x) => Number(x.trim())))].sort((a, b) => a - b);
  if (!days.trim() || d.some((x) => !Number.isInteger(x))) return 'Scheduled Action repeat set, but DAYS are empty';
  const extra = repeat === 3 && d.length !== 1;
  if (d[0]! < FIRST[repeat]! || d[d.length - 1]! >= LAST[repeat]! || extra) return DAY_ERRORS[repeat];
  return undefined;
}

/** Parses one SCHED_ACTION vector; an error text as oned words it, or the action (ID not yet set). */
export function parseSchedAction(
  va: Record<string, string>,
  type: SchedAction['type'],
  parentId: number,
  origin = 0,
): Omit<SchedAction, 'id'> | string {
  const action = type === 'BACKUPJOB' ? 'backup' : (va.ACTION ?? '');
  if (!action) return 'No ACTION in template for Scheduled Action.';
  const timeText = va.TIME ?? '';
  const time = timeText ? parseTime(timeText, type, origin) : -1;
  if (time === -1) return `Unable to parse the time value or value is empty: ${timeText}`;
  const warning = va.WARNING ? parseTime(va.WARNING, type, origin) : 0;
  if (warning === -1) return `Unable to parse the warning value: ${va.WARNING}`;
  let repeat = -1;
  const r = int(va.REPEAT);
  if (r !== undefined) {
    if (r < -1 || r > 3) return `Wrong REPEAT value: ${r}`;
    repeat = r;
  }
  let days = '';
  if (repeat !== -1) {
    if (va.DAYS === undefined) return 'Repeat set, but DAYS are empty';
    days = va.DAYS;
    const e = daysError(repeat, days);
    if (e) return e;
  }
  let endType = -1;
  const e = int(va.END_TYPE);
  if (e !== undefined) {
    if (e < -1 || e > 2) return `Wrong END_TYPE value: ${e}`;
    endType = e;
  }
  let endValue = -1;
  if (endType > 0) {
    const v = int(va.END_VALUE);
    if (v === undefined) return 'END_TYPE set, but END_VALUE is empty';
    if (endType === 1 && v < 0) return 'Error parsing END_VALUE, times has to be greater or equal to 0';
    endValue = v;
  }
  const args = type === 'BACKUPJOB' ? '' : (va.ARGS ?? '');
  return { parentId, type, action, args, time, repeat, days, endType, endValue, done: -1, message: '', warning };
}

/** Adds parsed actions to the pool; returns their IDs. */
export function addSchedActions(db: Db, actions: Omit<SchedAction, 'id'>[]): number[] {
  db.schedActions ??= [];
  db.nextId.schedaction ??= 0;
  return actions.map((a) => {
    const id = db.nextId.schedaction!++;
    db.schedActions!.push({ id, ...a });
    return id;
  });
}
