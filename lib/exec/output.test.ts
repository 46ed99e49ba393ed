import { describe, expect, it } from 'vitest';
import { OutputTooLarge } from './errors';
import { LineSplitter } from './output';

function collect(chunks: (Buffer | string)[], max = 1024): string[] {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), max, 'test');
  for (const c of chunks) s.push(c);
  s.end();
  return lines;
}

describe('LineSplitter', () => {
  it('keeps a multibyte character split across two chunks', () => {
    // "é" is 0xC3 0xA9 in UTF-8; restic's JSON lines and vm.xml carry such names.
    const bytes = Buffer.from('{"name":"disk-é"}\n{"name":"ü"}', 'utf8');
    const cut = bytes.indexOf(0xa9);
    expect(collect([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['{"name":"disk-é"}', '{"name":"ü"}']);
  });

  it('keeps a four-byte character cut at every byte', () => {
    const bytes = Buffer.from('a😀b\n', 'utf8');
    for (let i = 1; i < bytes.length; i++) {
      expect(collect([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(['a😀b']);
    }
  });

  it('drops a trailing carriage return and refuses an overlong line', () => {
    expect(collect(['x\r\ny'])).toEqual(['x', 'y']);
    expect(() => collect(['x'.repeat(20)], 10)).toThrow(OutputTooLarge);
  });
});
