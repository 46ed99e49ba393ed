import { describe, expect, it } from 'vitest';
import { SIZE_TERMS } from './size-terms';

describe('SIZE_TERMS', () => {
  it('gives every size its own name and a one-line hint', () => {
    const terms = Object.values(SIZE_TERMS);
    expect(new Set(terms.map((t) => t.label)).size).toBe(terms.length);
    for (const t of terms) {
      expect(t.hint.length).toBeGreaterThan(20);
      expect(t.hint).not.toContain('\n');
    }
  });
});
