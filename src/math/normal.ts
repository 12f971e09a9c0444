/**
 * Standard normal draws from the two 32-bit words of one Threefry block (Box–Muller), computed
 * with float64 +, −, ×, ÷ and √ only.
 *
 * Math.log and Math.cos are not specified to the last bit (they may differ between JavaScript
 * engines, and WebAssembly has neither), so the logarithm and the cosine are written here as
 * polynomials in a fixed order of operations. The step engine's WebAssembly kernels emit the very
 * same operations (src/wasm/random.ts): a draw is bit-identical in the JavaScript loop and in the
 * engine, on any number of threads. Accuracy: a few ulp (measured in test/engine_noise.test.ts).
 */

/** 2^-32: one word as a fraction of a turn, or of the unit interval. */
export const TWO_NEG_32 = 2.3283064365386963e-10;
/** √2: the logarithm's argument is reduced to (√2/2, √2]. */
export const SQRT2 = Math.SQRT2;
/** ln 2 (as a double). */
export const LN2 = Math.LN2;
/** 2π·2^-32: radians per unit of a 32-bit turn count (a power-of-two multiple of fl(2π)). */
export const TURN = 6.283185307179586 * TWO_NEG_32;

/** ln((1 + s)/(1 − s)) = 2s + s·z·P(z), z = s²: P's coefficients 2/3, 2/5, …, 2/23 (|s| < 0.172, error < 1e-18). */
export const LOG_SERIES: readonly number[] = Array.from({ length: 11 }, (_, k) => 2 / (2 * k + 3));
/** cos θ = 1 + θ²·C(θ²): C's coefficients −1/2!, 1/4!, …, 1/16! (θ ≤ π/4, error < 3e-18). */
export const COS_SERIES: readonly number[] = taylor(2);
/** sin θ = θ + θ³·S(θ²): S's coefficients −1/3!, 1/5!, …, 1/17!. */
export const SIN_SERIES: readonly number[] = taylor(3);

/** (−1)^k / (first + 2k − 2)! for k = 1..8. */
function taylor(first: number): number[] {
  const out: number[] = [];
  let fact = 1;
  for (let j = 2; j <= first + 14; j++) {
    fact *= j;
    if (j >= first && (j - first) % 2 === 0) out.push((out.length % 2 === 0 ? -1 : 1) / fact);
  }
  return out;
}

/** 2^-e for e = 0..31. */
const POW2_NEG = Float64Array.from({ length: 32 }, (_, e) => 2 ** -e);

/** Horner's rule c[0] + x·(c[1] + x·(… + x·c[last])), in this order. */
function horner(c: readonly number[], x: number): number {
  let acc = c[c.length - 1];
  for (let k = c.length - 2; k >= 0; k--) acc = c[k] + x * acc;
  return acc;
}

/**
 * ln u of u = (x + 1)·2^-32 ∈ (0, 1] for a 32-bit word x: x + 1 = 2^e·m with m ∈ (√2/2, √2]
 * (e from a leading-zero count), ln m by the atanh series.
 *
 * @example
 * logOpenUnit(0xffffffff) // 0; logOpenUnit(0x7fffffff) ≈ −0.6931
 */
export function logOpenUnit(x: number): number {
  if (x === 0xffffffff) return 0;
  const k = x + 1;
  let e = 31 - Math.clz32(k);
  let m = k * POW2_NEG[e];
  if (m > SQRT2) {
    m = m * 0.5;
    e = e + 1;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  const lnm = 2 * s + s * (z * horner(LOG_SERIES, z));
  return (e - 32) * LN2 + lnm;
}

/**
 * cos(2π·x·2^-32) for a 32-bit word x: the quadrant and the reflection about π/4 come from the
 * integer (exact), the rest from the Taylor series of cos or sin on [0, π/4].
 *
 * @example
 * cosTurn(0) // 1; cosTurn(0x80000000) // −1
 */
export function cosTurn(x: number): number {
  const q = x >>> 30;
  let r = x & 0x3fffffff;
  const flip = r > 0x20000000;
  if (flip) r = 0x40000000 - r;
  const t = r * TURN;
  const t2 = t * t;
  // cos(α + qπ/2) is cos α, −sin α, −cos α, sin α; a reflected angle swaps cos and sin
  const useSin = ((q & 1) === 1) !== flip;
  const v = useSin ? t + t * t2 * horner(SIN_SERIES, t2) : 1 + t2 * horner(COS_SERIES, t2);
  return q === 1 || q === 2 ? -v : v;
}

/**
 * A standard normal draw from two 32-bit words: √(−2 ln u1)·cos(2π u2), u1 = (x0 + 1)·2^-32,
 * u2 = x1·2^-32.
 *
 * @example
 * threefry2x32(seed, stream, i, n); const z = normalFromWords(threefryOut[0], threefryOut[1]);
 */
export function normalFromWords(x0: number, x1: number): number {
  return Math.sqrt(-2 * logOpenUnit(x0)) * cosTurn(x1);
}
