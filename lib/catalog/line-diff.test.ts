import { describe, expect, it } from 'vitest';
import { collapseDiff, lineDiff, type DiffLine } from './line-diff';

const lines = (s: string) => s.split('\n');

function apply(ops: DiffLine[]): { before: string[]; after: string[] } {
  return {
    before: ops.filter((o) => o.kind !== 'added').map((o) => o.text),
    after: ops.filter((o) => o.kind !== 'removed').map((o) => o.text),
  };
}

describe('lineDiff', () => {
  it('marks a changed line as removed then added, the rest unchanged', () => {
    const d = lineDiff(lines('<VM>\n  <MEMORY>256</MEMORY>\n</VM>'), lines('<VM>\n  <MEMORY>512</MEMORY>\n</VM>'));
    expect(d).toEqual({
      kind: 'diff',
      added: 1,
      removed: 1,
      lines: [
        { kind: 'same', text: '<VM>', before: 1, after: 1 },
        { kind: 'removed', text: '  <MEMORY>256</MEMORY>', before: 2 },
        { kind: 'added', text: '  <MEMORY>512</MEMORY>', after: 2 },
        { kind: 'same', text: '</VM>', before: 3, after: 3 },
      ],
    });
  });

  it('finds a longest common subsequence: inserted and deleted lines in the middle', () => {
    const a = ['a', 'b', 'c', 'd', 'e', 'f'];
    const b = ['a', 'x', 'c', 'd', 'y', 'f', 'g'];
    const d = lineDiff(a, b);
    if (d.kind !== 'diff') throw new Error('expected a diff');
    expect(d.lines.filter((l) => l.kind === 'same').map((l) => l.text)).toEqual(['a', 'c', 'd', 'f']);
    expect(apply(d.lines)).toEqual({ before: a, after: b });
    expect([d.added, d.removed]).toEqual([3, 2]);
  });

  it('reproduces both sides for arbitrary inputs, and keeps the most lines in common', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 4;
    for (let i = 0; i < 200; i++) {
      const a = Array.from({ length: rand() * 3 }, () => String(rand()));
      const b = Array.from({ length: rand() * 3 }, () => String(rand()));
      const d = lineDiff(a, b);
      if (d.kind !== 'diff') throw new Error('expected a diff');
      expect(apply(d.lines)).toEqual({ before: a, after: b });
      expect(d.lines.filter((l) => l.kind === 'same')).toHaveLength(lcsLength(a, b));
    }
  });

  it('says identical inputs have no change, and empty sides are all added or removed', () => {
    expect(lineDiff(['a', 'b'], ['a', 'b'])).toMatchObject({ kind: 'diff', added: 0, removed: 0 });
    expect(lineDiff([], ['a'])).toMatchObject({ kind: 'diff', added: 1, removed: 0 });
    expect(lineDiff(['a'], [])).toMatchObject({ kind: 'diff', added: 0, removed: 1 });
  });

  it('refuses sides longer than the bound, without comparing them', () => {
    const big = Array.from({ length: 5001 }, (_, i) => `line ${i}`);
    expect(lineDiff(big, ['a'])).toEqual({ kind: 'too-large', beforeLines: 5001, afterLines: 1, maxLines: 5000 });
    expect(lineDiff(['a'], big, { maxLines: 10 })).toEqual({
      kind: 'too-large',
      beforeLines: 1,
      afterLines: 5001,
      maxLines: 10,
    });
  });

  it('diffs 5,000 lines with a few changes quickly (common ends are not compared cell by cell)', () => {
    const a = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    const b = [...a];
    b[2500] = 'changed';
    const t = Date.now();
    const d = lineDiff(a, b);
    // A generous bound: the point is that this does not build a 25-million-cell table.
    expect(Date.now() - t).toBeLessThan(2_000);
    expect(d).toMatchObject({ kind: 'diff', added: 1, removed: 1 });
  });

  it('refuses two entirely different large sides rather than build a huge table', () => {
    const a = Array.from({ length: 5000 }, (_, i) => `a ${i}`);
    const b = Array.from({ length: 5000 }, (_, i) => `b ${i}`);
    expect(lineDiff(a, b)).toMatchObject({ kind: 'too-large' });
  });
});

describe('collapseDiff', () => {
  const ops = (spec: string): DiffLine[] => {
    let before = 0;
    let after = 0;
    return [...spec].map((c, i) =>
      c === '+'
        ? { kind: 'added', text: `l${i}`, after: ++after }
        : c === '-'
          ? { kind: 'removed', text: `l${i}`, before: ++before }
          : { kind: 'same', text: `l${i}`, before: ++before, after: ++after },
    );
  };

  it('keeps the context lines around each change and folds the unchanged runs between', () => {
    const parts = collapseDiff(ops('..........-+..........'), 3);
    expect(parts.map((p) => (p.kind === 'skip' ? `skip ${p.count}` : p.lines.map((l) => l.kind[0]).join('')))).toEqual([
      'skip 7',
      'sssrasss',
      'skip 7',
    ]);
  });

  it('merges changes whose context touches, and folds nothing when nothing is long', () => {
    const parts = collapseDiff(ops('.-....+.'), 2);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ kind: 'lines' });
  });

  it('folds everything when nothing changed', () => {
    expect(collapseDiff(ops('.....'), 3)).toEqual([{ kind: 'skip', count: 5 }]);
    expect(collapseDiff([], 3)).toEqual([]);
  });
});

function lcsLength(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
  return t[0]![0]!;
}
