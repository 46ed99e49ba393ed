import { describe, expect, it } from 'vitest';
import { isIrreducible, randomChunkerPolynomial } from './chunker-polynomial';

// chunker_polynomial of three repositories restic 0.18's `init` made (their decrypted configs).
const FROM_RESTIC = ['35de18c27bbf29', '3f47dbd6d4516b', '3f8cd80848cfa7'];

/** a * b over GF(2). */
function times(a: bigint, b: bigint): bigint {
  let p = 0n;
  for (let s = 0n; b >> s; s++) if ((b >> s) & 1n) p ^= a << s;
  return p;
}

describe('chunker polynomial', () => {
  it("finds restic's own polynomials irreducible", () => {
    for (const hex of FROM_RESTIC) expect(isIrreducible(BigInt(`0x${hex}`)), hex).toBe(true);
  });

  it('finds products reducible, the small factors and the large', () => {
    const x2x1 = 0b111n; // x^2 + x + 1, irreducible
    expect(isIrreducible(x2x1)).toBe(true);
    expect(isIrreducible(times(x2x1, x2x1))).toBe(false);
    // degree 2 * degree 51: the smallest factor Ben-Or's first step finds
    expect(isIrreducible(times(x2x1, (1n << 51n) | 0b1001n))).toBe(false);
    // a product of degree 53, as the polynomials drawn are, of factors of degree 26 and 27
    const p26 = BigInt('0x' + FROM_RESTIC[0]!) >> 27n;
    const p27 = BigInt('0x' + FROM_RESTIC[1]!) >> 26n;
    const product = times(p26 | 1n, p27 | 1n);
    expect(product.toString(2)).toHaveLength(54);
    expect(isIrreducible(product)).toBe(false);
  });

  it('draws irreducible polynomials of degree 53, a different one each time', () => {
    const drawn = Array.from({ length: 8 }, randomChunkerPolynomial);
    for (const hex of drawn) {
      expect(hex).toMatch(/^[23][0-9a-f]{13}$/);
      expect(BigInt(`0x${hex}`) & 1n).toBe(1n);
      expect(isIrreducible(BigInt(`0x${hex}`))).toBe(true);
    }
    expect(new Set(drawn).size).toBe(drawn.length);
  });
});
