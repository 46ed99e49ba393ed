import type { VmSortKey, VmsQuery } from '@/lib/schemas/vms';
import type { VmProtection } from './vm-protection';

// The VMs list's filters and order, applied on the server so the browser gets only the rows asked for.

/** Worst first: what needs someone now. */
const STATUS_RANK: Record<VmProtection['status'], number> = {
  failed: 0,
  overdue: 1,
  never: 2,
  'backing-up': 3,
  protected: 4,
};

type Key = string | number | undefined;

const KEYS: Record<VmSortKey, (r: VmProtection) => Key> = {
  status: (r) => STATUS_RANK[r.status],
  id: (r) => r.id,
  name: (r) => r.name.toLowerCase(),
  owner: (r) => `${r.uname.toLowerCase()}\0${r.gname.toLowerCase()}`,
  state: (r) => (r.state === 'ACTIVE' ? r.lcmState : r.state),
  datastore: (r) => r.datastores[0]?.name.toLowerCase(),
  mode: (r) => r.mode,
  job: (r) => r.job?.id,
  lastBackup: (r) => r.lastBackupAt,
  size: (r) => r.lastBackupSizeMb,
  chain: (r) => r.chainLength,
};

function compareKeys(a: Key, b: Key): number {
  // Rows without a value go last whichever the direction.
  if (a === undefined || b === undefined) return 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Does the row match the text filter: part of its name or owner (user or group), or its ID. */
export function matchesText(r: VmProtection, text: string): boolean {
  const q = text.trim().toLowerCase();
  if (!q) return true;
  const id = /^#?(\d+)$/.exec(q);
  if (id && r.id === Number(id[1])) return true;
  return r.name.toLowerCase().includes(q) || r.uname.toLowerCase().includes(q) || r.gname.toLowerCase().includes(q);
}

export function applyVmQuery(rows: readonly VmProtection[], query: VmsQuery): VmProtection[] {
  const key = KEYS[query.sort];
  const sign = query.dir === 'desc' ? -1 : 1;
  const picked = rows.filter((r) => (query.status === 'all' || r.status === query.status) && matchesText(r, query.q));
  const keyed = picked.map((r) => ({ r, k: key(r) }));
  keyed.sort((a, b) => {
    if (a.k === undefined && b.k !== undefined) return 1;
    if (b.k === undefined && a.k !== undefined) return -1;
    // Ties (and rows without a value) in ID order, so the order is stable whatever the direction.
    return sign * compareKeys(a.k, b.k) || a.r.id - b.r.id;
  });
  return keyed.map((x) => x.r);
}
