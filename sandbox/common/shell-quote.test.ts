import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runSync } from './shell-quote-test-helper';
import { shq } from './shell-quote';

describe('shq', () => {
  it('round-trips any string through bash', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')),
        (s) => {
          expect(runSync(`printf %s ${shq(s)}`)).toBe(s);
        },
      ),
      { numRuns: 60 },
    );
  });
  it('refuses NUL', () => {
    expect(() => shq('a\0b')).toThrow();
  });
});
