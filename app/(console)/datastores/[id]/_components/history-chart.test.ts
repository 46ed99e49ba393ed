import { describe, expect, it } from 'vitest';
import { withAlpha } from './history-chart';

describe('withAlpha', () => {
  it('makes the computed text colour translucent for the grid, in either notation', () => {
    expect(withAlpha('rgb(71, 85, 105)', 0.2)).toBe('rgba(71, 85, 105, 0.2)');
    expect(withAlpha('oklch(0.446 0.043 257.281)', 0.2)).toBe('oklch(0.446 0.043 257.281 / 0.2)');
    expect(withAlpha('oklch(0.869 0.022 252.894 / 0.5)', 0.2)).toBe('oklch(0.869 0.022 252.894 / 0.2)');
  });
});
