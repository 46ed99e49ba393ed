import fc from 'fast-check';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostileCorpus } from '@/scripts/test-support/hostile-corpus';
import { describe, expect, it } from 'vitest';
import { execLocal } from './local';
import { joinArgv, quoteArg } from './quote';

// The quoter is checked against a real POSIX shell: whatever the string, the shell must see
// exactly one word with exactly those characters.
const hostile = fc
  .oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom(
      "'",
      '"',
      '\\',
      '$(touch /tmp/pwned)',
      '`id`',
      '; rm -rf /',
      '\n',
      '*',
      '~',
      '$HOME',
      'a\'b"c',
      ' ',
      '',
      '-n',
      '--',
      '|&><',
    ),
    fc.string({
      unit: fc.constantFrom(
        "'",
        '"',
        '\\',
        '$',
        '`',
        ' ',
        '\n',
        '\t',
        ';',
        '&',
        '|',
        '*',
        '?',
        '!',
        '#',
        '~',
        'a',
        'é',
        '😀',
      ),
      maxLength: 30,
    }),
  )
  .filter((s) => !s.includes('\0'));

async function shellWords(line: string): Promise<string[]> {
  const r = await execLocal(['sh', '-c', `for a in ${line}; do printf '%s\\0' "$a"; done`]);
  expect(r.exitCode).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
}

/**
 * Each command line's words as one sh sees them, all in one sh: a shell per case was 150 process
 * starts, seconds on a loaded machine. Each case prints its word count, then its words.
 */
async function shellWordsOfEach(lines: string[]): Promise<string[][]> {
  const script = lines.map((line) => `set -- ${line}; printf '%s\\0' "$#" "$@"`).join('\n');
  const r = await execLocal(['sh', '-c', script]);
  expect(r.exitCode).toBe(0);
  const fields = r.stdout.split('\0').slice(0, -1);
  const out: string[][] = [];
  for (let i = 0; i < fields.length;) {
    const n = Number(fields[i]);
    out.push(fields.slice(i + 1, i + 1 + n));
    i += 1 + n;
  }
  return out;
}

describe('quoteArg / joinArgv', () => {
  it('keeps every argument one word with its exact characters (property, real sh)', async () => {
    const seed = Date.now();
    const cases = fc.sample(fc.array(hostile, { minLength: 1, maxLength: 4 }), { numRuns: 150, seed });
    expect(await shellWordsOfEach(cases.map(joinArgv)), `fast-check seed ${seed}`).toEqual(cases);
  });

  it('leaves plain words unquoted and quotes the rest', () => {
    expect(quoteArg('restic')).toBe('restic');
    expect(quoteArg('--repo=/var/lib/one/datastores/100/42')).toBe('--repo=/var/lib/one/datastores/100/42');
    expect(quoteArg('')).toBe("''");
    expect(quoteArg("it's")).toBe(`'it'\\''s'`);
    expect(quoteArg('$(id)')).toBe(`'$(id)'`);
  });

  it('refuses NUL, which no shell can carry', () => {
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
    expect(() => joinArgv([])).toThrow();
  });

  it('passes every string of the hostile-input corpus through a real sh as one word, running nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backstone-quote-'));
    const canary = join(dir, 'canary');
    try {
      // NUL is refused (tested above); a lone surrogate cannot be written as UTF-8 at all.
      const corpus = hostileCorpus(canary, 'value').filter((v) => !v.includes('\0') && Buffer.from(v).toString() === v);
      expect(corpus.length).toBeGreaterThanOrEqual(300);
      // One sh for all: each argument printed NUL-terminated, in order.
      const words = await shellWords(joinArgv(corpus));
      expect(words).toEqual(corpus);
      expect(existsSync(canary)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a long argument survives', async () => {
    const long = 'x\'y"z'.repeat(4_000);
    expect(await shellWords(quoteArg(long))).toEqual([long]);
  });
});
