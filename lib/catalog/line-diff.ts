// A line diff of two texts (the pretty-printed vm.xml of two snapshots): a longest common
// subsequence of lines, after the common beginning and end are set aside (a VM's XML changes in a
// few places, so the table is small). Bounded: sides over `maxLines`, or a middle whose table would
// exceed `maxCells`, are refused rather than compared. Plain code.

export type DiffLine =
  | { kind: 'same'; text: string; before: number; after: number }
  | { kind: 'removed'; text: string; before: number }
  | { kind: 'added'; text: string; after: number };

export type LineDiff =
  | { kind: 'diff'; lines: DiffLine[]; added: number; removed: number }
  | { kind: 'too-large'; beforeLines: number; afterLines: number; maxLines: number };

export const MAX_DIFF_LINES = 5_000;
/** 4 million cells of 2 bytes: 8 MiB at most for the table. */
const MAX_CELLS = 4_000_000;

export function lineDiff(
  before: readonly string[],
  after: readonly string[],
  opts: { maxLines?: number; maxCells?: number } = {},
): LineDiff {
  const maxLines = opts.maxLines ?? MAX_DIFF_LINES;
  const tooLarge = { kind: 'too-large', beforeLines: before.length, afterLines: after.length, maxLines } as const;
  if (before.length > maxLines || after.length > maxLines) return tooLarge;
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endA = before.length;
  let endB = after.length;
  while (endA > start && endB > start && before[endA - 1] === after[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if ((n + 1) * (m + 1) > (opts.maxCells ?? MAX_CELLS)) return tooLarge;

  // Lines as small integers, so the table compares numbers.
  const ids = new Map<string, number>();
  const idOf = (s: string) => {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, (id = ids.size));
    return id;
  };
  const a = Int32Array.from({ length: n }, (_, i) => idOf(before[start + i]!));
  const b = Int32Array.from({ length: m }, (_, j) => idOf(after[start + j]!));
  // lcs[i][j]: the LCS length of a[i..] and b[j..]. Values never exceed maxLines (< 65,536).
  const w = m + 1;
  const lcs = new Uint16Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * w + j] =
        a[i] === b[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);

  const lines: DiffLine[] = [];
  let added = 0;
  let removed = 0;
  const same = (i: number, j: number) => lines.push({ kind: 'same', text: before[i]!, before: i + 1, after: j + 1 });
  for (let k = 0; k < start; k++) same(k, k);
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      same(start + i++, start + j++);
    } else if (j < m && (i === n || lcs[i * w + j + 1]! >= lcs[(i + 1) * w + j]!)) {
      // Removed lines come first in a change: on a tie, removing is deferred until adding costs more.
      if (i < n && lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) {
        lines.push({ kind: 'removed', text: before[start + i]!, before: start + i + 1 });
        removed++;
        i++;
      } else {
        lines.push({ kind: 'added', text: after[start + j]!, after: start + j + 1 });
        added++;
        j++;
      }
    } else {
      lines.push({ kind: 'removed', text: before[start + i]!, before: start + i + 1 });
      removed++;
      i++;
    }
  }
  for (let k = 0; k < before.length - endA; k++) same(endA + k, endB + k);
  return { kind: 'diff', lines, added, removed };
}

export type DiffPart = { kind: 'lines'; lines: DiffLine[] } | { kind: 'skip'; count: number };

/** The changed lines with `context` unchanged lines around each; longer unchanged runs are folded. */
export function collapseDiff(lines: readonly DiffLine[], context = 3): DiffPart[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, k) => {
    if (l.kind === 'same') return;
    for (let x = Math.max(0, k - context); x <= Math.min(lines.length - 1, k + context); x++) keep[x] = true;
  });
  const parts: DiffPart[] = [];
  for (let k = 0; k < lines.length; k++) {
    const last = parts[parts.length - 1];
    if (keep[k]) {
      if (last?.kind === 'lines') last.lines.push(lines[k]!);
      else parts.push({ kind: 'lines', lines: [lines[k]!] });
    } else if (last?.kind === 'skip') last.count++;
    else parts.push({ kind: 'skip', count: 1 });
  }
  return parts;
}
