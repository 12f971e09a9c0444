/**
 * The scale of a trained parameter, for the optimizers (see `Param.scale`).
 *
 * Parameters are stored in SI, so a 50 pA weight is 5e-11 and a 20 ms time constant is 0.02.
 * Adam moves every coordinate by about lr per step whatever its size, so without a scale such a
 * weight jumps by 1e-3 A at the first step. The optimizers therefore work on θ/scale, with the
 * scale taken from the initial values: a step of lr is then a step of lr times the parameter's own
 * magnitude, the same whatever unit the model was written in.
 *
 * Only quantities with a dimension get a scale when a network is built (see initialScale): a
 * dimensionless value is stored as the user wrote it, so recipes tuned on those numbers keep their
 * meaning (the Fashion-MNIST reference trains raw weights of std 1.05/√784 with Adam 1e-3, as
 * PyTorch does; scaled, the same lr would step 27 times less and learn far more slowly).
 */
import { isScalarInit, exampleUnit } from './init.js';
import { type WeightInit } from './ring_weights.js';
import { parseQuantity, type QuantityLike } from '../equations/quantity.js';
import { type Dim, isDimensionless, formatDim } from '../math/units.js';

/**
 * The magnitude of a parameter from its initial values: their root mean square √(mean² + std²),
 * i.e. the standard deviation for zero-mean weights and |value| for a constant, or `fallback`
 * (default 1) when every value is 0.
 *
 * The root mean square rather than the bare standard deviation: for a spread around a large mean
 * (a time constant of 20 ± 0.1 ms) the spread would make steps far too small to move the mean, and
 * it would jump from |mean| to a tiny value as soon as two values differ by rounding.
 *
 * @example
 * paramScale(weights)               // ≈ 5e-11 for N(0, 50 pA) weights
 * paramScale([0.02])                // 0.02 (a 20 ms time constant)
 * paramScale(new Float32Array(8), 1e-12) // 1e-12: all zero, so the fallback (a unit of pA)
 */
export function paramScale(values: ArrayLike<number>, fallback = 1): number {
  if (!(Number.isFinite(fallback) && fallback > 0)) throw new RangeError(`paramScale: fallback must be a finite number > 0, got ${fallback}`);
  const n = values.length;
  let big = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(values[i]);
    if (!Number.isFinite(a)) throw new RangeError(`paramScale: value ${i} is not finite (${values[i]})`);
    if (a > big) big = a;
  }
  if (big === 0) return fallback;
  // Divided by the largest magnitude first so that squares of SI values (1e-11²) cannot underflow.
  let s = 0;
  for (let i = 0; i < n; i++) {
    const r = values[i] / big;
    s += r * r;
  }
  return big * Math.sqrt(s / n);
}

/**
 * The scale a parameter is given when the network is built: for a quantity with a dimension
 * (stored in SI), paramScale of its initial values with unitScale as the fallback; undefined (no
 * scaling) for a dimensionless one (see the module comment).
 *
 * @example
 * initialScale(w, { dist: 'normal', mean: '0 pA', std: '50 pA' }, AMP) // ≈ 5e-11
 * initialScale(w, { dist: 'normal', mean: 0, std: 0.05 }, DIMENSIONLESS) // undefined
 */
export function initialScale(values: ArrayLike<number>, init: WeightInit | undefined, dim: Dim): number | undefined {
  return isDimensionless(dim) ? undefined : paramScale(values, unitScale(init, dim));
}

/** The SI size of the unit a quantity is written in ('0 pA' → 1e-12), else undefined. */
function unitOfQuantity(q: QuantityLike | undefined): number | undefined {
  if (typeof q !== 'string') return undefined;
  // Replace the leading number by 1: what is left is the unit ('0 pA' → '1*(pA)').
  const m = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*\*?\s*([A-Za-z(].*)$/.exec(q);
  if (!m) return undefined;
  try {
    const v = Math.abs(parseQuantity(`1*(${m[1]})`).value);
    return Number.isFinite(v) && v > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a parameter whose initial values are all 0 is scaled by: the unit its initializer is written
 * in ('0 pA' → 1e-12), else the usual unit of its dimension (mV for a voltage, pA for a current),
 * else 1. Without it a zero-initialised SI weight would be scaled by 1 (one ampere).
 *
 * @example
 * unitScale('0 pA', AMP) // 1e-12
 * unitScale(undefined, VOLT) // 1e-3 (mV)
 */
export function unitScale(init: WeightInit | undefined, dim: Dim): number {
  if (init !== undefined) {
    if (isScalarInit(init)) {
      const u = unitOfQuantity(init);
      if (u !== undefined) return u;
    } else if (init.dist === 'normal') {
      const u = unitOfQuantity(init.std) ?? unitOfQuantity(init.mean);
      if (u !== undefined) return u;
    } else if (init.dist === 'uniform') {
      const u = unitOfQuantity(init.high) ?? unitOfQuantity(init.low);
      if (u !== undefined) return u;
    } else if (init.dist === 'values' || init.dist === 'ring') {
      const u = unitOfQuantity(`1 ${init.unit}`);
      if (u !== undefined) return u;
    }
  }
  if (isDimensionless(dim)) return 1;
  // exampleUnit names a unit for the common dimensions and falls back to a dimension name (SI).
  const u = exampleUnit(dim);
  return u === formatDim(dim) ? 1 : (unitOfQuantity(`1 ${u}`) ?? 1);
}
