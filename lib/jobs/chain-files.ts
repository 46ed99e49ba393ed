import { posix } from 'node:path';

// What a chain restored into `<staging>/<incrementId>/...` left, found by `find`: each disk's
// links in increment order, and the vm.xml of the newest increment. Increment IDs are numbers
// that are never renumbered after a flatten, so they are compared as numbers: as text,
// ".staging/9/vm.xml" sorts after ".staging/10/vm.xml" and a long chain would keep an old vm.xml.

export type ChainDiskPart = { increment: number; path: string };

/** The increment a staged file belongs to: the first folder under the staging folder. */
function incrementOf(staging: string, file: string): number | undefined {
  const rel = posix.relative(staging, file);
  const first = rel.split('/')[0];
  return first !== undefined && /^\d+$/.test(first) ? Number(first) : undefined;
}

/** The newest increment's vm.xml among the staged files, or undefined when none was restored. */
export function newestVmXml(staging: string, files: readonly string[]): string | undefined {
  let best: { increment: number; path: string } | undefined;
  for (const f of files) {
    if (posix.basename(f) !== 'vm.xml') continue;
    const increment = incrementOf(staging, f);
    if (increment === undefined) continue;
    if (!best || increment > best.increment) best = { increment, path: f };
  }
  return best?.path;
}

/** Each disk's staged parts (`disk.<DISK_ID>.<INCREMENT>`), disks and parts in numeric order. */
export function diskParts(files: readonly string[]): [number, ChainDiskPart[]][] {
  const disks = new Map<number, ChainDiskPart[]>();
  for (const f of files) {
    const m = /\/disk\.(\d+)\.(\d+)$/.exec(f);
    if (!m) continue;
    const disk = Number(m[1]);
    disks.set(disk, [...(disks.get(disk) ?? []), { increment: Number(m[2]), path: f }]);
  }
  return [...disks.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([disk, parts]) => [disk, parts.sort((a, b) => a.increment - b.increment)]);
}
