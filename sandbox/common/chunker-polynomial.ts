// A random irreducible polynomial of degree 53 over GF(2): the secret each restic repository's
// content-defined chunker cuts with (its config's chunker_polynomial). The same draw and test as
// restic's chunker package (DerivePolynomial, Irreducible): random 54 bits with the top and bottom
// set, kept when Ben-Or's test finds no factor. About one draw in 53 is irreducible.
import { randomBytes } from 'node:crypto';

const DEGREE = 53;

function deg(x: bigint): number {
  return x === 0n ? -1 : x.toString(2).length - 1;
}

function mod(x: bigint, m: bigint): bigint {
  const dm = deg(m);
  for (let d = deg(x); d >= dm; d = deg(x)) x ^= m << BigInt(d - dm);
  return x;
}

function mulMod(a: bigint, b: bigint, m: bigint): bigint {
  let product = 0n;
  for (let shift = 0n; b >> shift; shift++) if ((b >> shift) & 1n) product ^= a << shift;
  return mod(product, m);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, mod(a, b)];
  return a;
}

/** x^(2^p) - x mod g (in GF(2), minus is plus). */
function qp(p: number, g: bigint): bigint {
  let res = 2n; // x
  for (let i = 0; i < p; i++) res = mulMod(res, res, g);
  return mod(res ^ 2n, g);
}

/** Ben-Or: f has no factor of degree i <= deg/2 exactly when gcd(f, x^(2^i) - x) = 1 for each i. */
export function isIrreducible(f: bigint): boolean {
  for (let i = 1; i <= deg(f) / 2; i++) if (gcd(f, qp(i, f)) !== 1n) return false;
  return true;
}

/** As restic writes it in the config: lower-case hex. */
export function randomChunkerPolynomial(): string {
  for (;;) {
    const bits = randomBytes(8).readBigUInt64LE() & ((1n << BigInt(DEGREE + 1)) - 1n);
    const f = bits | (1n << BigInt(DEGREE)) | 1n;
    if (isIrreducible(f)) return f.toString(16);
  }
}
