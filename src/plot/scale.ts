/**
 * Linear scales and "nice" ticks on 1-2-5 steps.
 */

/** A linear map from a data domain to a pixel range. */
export interface LinearScale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Pixel back to data. */
  invert(px: number): number;
  /** Nice tick values inside the domain (1-2-5 steps), about `count` of them. */
  ticks(count?: number): number[];
}

/**
 * The 1, 2 or 5 × 10^k step giving about `count` intervals across [lo, hi]; 0 for an empty span.
 *
 * @example
 * tickStep(0, 1000, 5); // 200
 * tickStep(-0.07, -0.05, 5); // 0.005
 */
export function tickStep(lo: number, hi: number, count = 5): number {
  const span = Math.abs(hi - lo);
  if (!(span > 0) || !Number.isFinite(span)) return 0;
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  const m = f >= Math.sqrt(50) ? 10 : f >= Math.sqrt(10) ? 5 : f >= Math.SQRT2 ? 2 : 1;
  return m * pow;
}

/** Removes binary floating noise from k·step (e.g. 0.30000000000000004 → 0.3). */
function clean(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(12));
}

/**
 * Nice tick values within [lo, hi]: multiples of a 1-2-5 step, about `count` of them.
 *
 * @example
 * niceTicks(0, 1, 5); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * niceTicks(0, 250, 5); // [0, 50, 100, 150, 200, 250]
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (hi < lo) [lo, hi] = [hi, lo];
  if (lo === hi) return Number.isFinite(lo) ? [lo] : [];
  const step = tickStep(lo, hi, count);
  if (!(step > 0)) return [];
  const i0 = Math.ceil(lo / step - 1e-9);
  const i1 = Math.floor(hi / step + 1e-9);
  const out: number[] = [];
  for (let i = i0; i <= i1; i++) out.push(clean(i * step));
  return out;
}

/**
 * [lo, hi] widened outwards to multiples of the tick step, so the axis ends on ticks. An empty or
 * degenerate interval is widened around its value.
 *
 * @example
 * niceDomain(0.3, 97.2); // [0, 100]
 */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= d;
    hi += d;
  }
  // Two passes: widening can change the step (as in d3's nice()).
  for (let pass = 0; pass < 2; pass++) {
    const step = tickStep(lo, hi, count);
    if (!(step > 0)) break;
    lo = clean(Math.floor(lo / step + 1e-9) * step);
    hi = clean(Math.ceil(hi / step - 1e-9) * step);
  }
  return [lo, hi];
}

/**
 * A linear scale mapping `domain` onto `range` (pixels; may be reversed, e.g. [height, 0] for y).
 *
 * @example
 * const x = linearScale([0, 1000], [50, 850]);
 * x(500); // 450
 * x.ticks(); // [0, 200, 400, 600, 800, 1000]
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  let [d0, d1] = domain;
  if (!(d1 !== d0) || !Number.isFinite(d0) || !Number.isFinite(d1)) {
    const c = Number.isFinite(d0) ? d0 : 0;
    d0 = c - 0.5;
    d1 = c + 0.5;
  }
  const [r0, r1] = range;
  const k = (r1 - r0) / (d1 - d0);
  const f = ((v: number) => r0 + (v - d0) * k) as LinearScale;
  Object.defineProperties(f, {
    domain: { value: [d0, d1] as const },
    range: { value: [r0, r1] as const },
    invert: { value: (px: number) => d0 + (px - r0) / k },
    ticks: { value: (count = 5) => niceTicks(Math.min(d0, d1), Math.max(d0, d1), count) },
  });
  return f;
}

/**
 * A formatter for a set of ticks: just enough decimals for the step, exponent notation for very
 * large or very small values, and a true minus sign (U+2212).
 *
 * @example
 * const fmt = tickFormat([0, 0.5, 1]);
 * fmt(0.5); // '0.5'
 */
export function tickFormat(ticks: readonly number[]): (v: number) => string {
  let step = Infinity;
  for (let k = 1; k < ticks.length; k++) step = Math.min(step, Math.abs(ticks[k] - ticks[k - 1]));
  let maxAbs = 0;
  for (const t of ticks) maxAbs = Math.max(maxAbs, Math.abs(t));
  if (!Number.isFinite(step) || step === 0) step = maxAbs > 0 ? maxAbs : 1;
  const minus = (s: string): string => s.replace(/^-/, '\u2212').replace(/e\+?(-?)/, (_m, sign: string) => `e${sign ? '\u2212' : ''}`);
  if (maxAbs >= 1e6 || (maxAbs > 0 && maxAbs < 1e-3)) {
    const digits = Math.max(0, Math.min(15, Math.floor(Math.log10(maxAbs)) - Math.floor(Math.log10(step) + 1e-9)));
    return (v) => (v === 0 ? '0' : minus(v.toExponential(digits)));
  }
  const decimals = Math.max(0, Math.min(15, -Math.floor(Math.log10(step) + 1e-9)));
  return (v) => {
    const s = v.toFixed(decimals);
    return Number(s) === 0 ? '0' : minus(s);
  };
}
