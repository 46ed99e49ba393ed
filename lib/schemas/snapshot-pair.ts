// Which two snapshots of a repository to compare, shared by the compare form (client) and the
// pages (server). A Backup Job's repository holds the snapshots of several VMs, interleaved in
// time: the default pair is always two snapshots of the same VM, and a pair is always compared
// older → newer so that "added" and "no longer referenced" are about the right side. Plain code.

export type PairCandidate = { id: string; time: string; vmId?: number };

export type DefaultPair = { from?: string; to?: string; vmId?: number };

const at = (s: { time: string }) => Date.parse(s.time);

function oldestFirst<T extends PairCandidate>(snapshots: readonly T[]): T[] {
  return [...snapshots].sort((a, b) => at(a) - at(b) || a.time.localeCompare(b.time));
}

function vmOf(s: PairCandidate): { vmId?: number } {
  return s.vmId === undefined ? {} : { vmId: s.vmId };
}

/**
 * The pair to offer: `target` with the previous snapshot of its VM (or the next one, for its VM's
 * first); without `target`, the newest snapshot of `vmId` (or of any VM) whose VM has two. A VM
 * with a single snapshot has no pair: never one of another VM.
 */
export function defaultPair(snapshots: readonly PairCandidate[], target?: string, vmId?: number): DefaultPair {
  const sorted = oldestFirst(snapshots);
  const sameVm = (s: PairCandidate) => sorted.filter((x) => x.vmId === s.vmId);
  if (target !== undefined) {
    const t = sorted.find((s) => s.id === target);
    if (!t) return {};
    const mine = sameVm(t);
    const i = mine.indexOf(t);
    const before = mine[i - 1];
    const after = mine[i + 1];
    if (before) return { from: before.id, to: t.id, ...vmOf(t) };
    if (after) return { from: t.id, to: after.id, ...vmOf(t) };
    return vmOf(t);
  }
  for (let i = sorted.length - 1; i >= 0; i--) {
    const s = sorted[i]!;
    if (vmId !== undefined && s.vmId !== vmId) continue;
    const mine = sameVm(s);
    if (mine.length >= 2) return { from: mine[mine.length - 2]!.id, to: mine[mine.length - 1]!.id, ...vmOf(s) };
  }
  return {};
}

/** The pair in time order; `swapped` when it was asked newer → older. Equal times keep their order. */
export function olderFirst<T extends { time: string }>(from: T, to: T): { older: T; newer: T; swapped: boolean } {
  return at(to) < at(from) ? { older: to, newer: from, swapped: true } : { older: from, newer: to, swapped: false };
}
