/**
 * Initial values and heterogeneous parameters: a constant, a distribution, or explicit values.
 * Everything is drawn from the network's seeded generator, so the same seed gives the same network.
 */
import { type QuantityLike, parseQuantity, checkQuantityLike } from '../equations/quantity.js';
import { type Dim, dimEq, formatDim, DIMENSIONLESS } from '../math/units.js';
import { type Rng } from '../math/rng.js';
import { BuildError } from '../lang/errors.js';
import { checkText, plainEntries, describe } from '../equations/validate.js';

/** Normal distribution N(mean, std²), e.g. `normal('-55 mV', '5 mV')`. */
export interface NormalInit {
  readonly dist: 'normal';
  readonly mean: QuantityLike;
  readonly std: QuantityLike;
  /** Draws below it become it (e.g. delays of at least one step, as NEST's 'normal_clipped'). */
  readonly min?: QuantityLike;
  /** Draws above it become it (e.g. inhibitory weights that stay ≤ 0). */
  readonly max?: QuantityLike;
}
/** Uniform distribution on [low, high). */
export interface UniformInit {
  readonly dist: 'uniform';
  readonly low: QuantityLike;
  readonly high: QuantityLike;
}
/** Explicit values, one per neuron (or synapse), written in `unit` (default: SI). */
export interface ValuesInit {
  readonly dist: 'values';
  readonly values: ArrayLike<number>;
  readonly unit: string;
}

/** What a parameter, an initial value or a weight may be given as. */
export type Init = QuantityLike | NormalInit | UniformInit | ValuesInit;

/**
 * A normal distribution, optionally clipped: draws outside [min, max] are set to the bound.
 *
 * @example
 * new NeuronGroup(4000, LIF, { init: { v: normal('-55 mV', '5 mV') } })
 * net.connect(E, P, { ..., delay: normal('1.5 ms', '0.75 ms', { min: '0.1 ms' }) })
 */
export function normal(mean: QuantityLike, std: QuantityLike, clip: { min?: QuantityLike; max?: QuantityLike } = {}): NormalInit {
  const out: { -readonly [K in keyof NormalInit]: NormalInit[K] } = { dist: 'normal', mean, std };
  if (clip.min !== undefined) out.min = clip.min;
  if (clip.max !== undefined) out.max = clip.max;
  return out;
}
/**
 * @example
 * new NeuronGroup(100, LIF, { init: { v: uniform('-60 mV', '-50 mV') } })
 */
export function uniform(low: QuantityLike, high: QuantityLike): UniformInit {
  return { dist: 'uniform', low, high };
}
/**
 * @example
 * new NeuronGroup(3, LIF, { params: { tau: values([10, 20, 30], 'ms') } })
 */
export function values(v: ArrayLike<number>, unit = '1'): ValuesInit {
  return { dist: 'values', values: v, unit };
}

/**
 * True when the initializer gives one value for all (it can then be folded into generated code).
 *
 * @example
 * isScalarInit('-65 mV') // true; isScalarInit(normal('-55 mV', '5 mV')) // false
 */
export function isScalarInit(x: Init | { readonly kind: string } | { readonly dist: string }): x is QuantityLike {
  return typeof x === 'number' || typeof x === 'string' || (typeof x === 'object' && !('dist' in x) && !('kind' in x));
}

/**
 * An initializer as a user may give it (a quantity, normal, uniform or values), checked field by
 * field and copied; per-neuron value arrays are kept as given (each value is checked when used).
 *
 * @example
 * checkInit(normal('-55 mV', '5 mV'), "group 'P'", 'init.v') // a checked copy
 * checkInit({ dist: 'gamma' }, "group 'P'", 'init.v') // throws BuildError
 */
export function checkInit(x: unknown, where: string, field: string): Init {
  if (typeof x !== 'object' || x === null || !Object.hasOwn(x, 'dist')) return checkQuantityLike(x, where, field);
  const f = new Map(plainEntries(x, where, field));
  const dist = f.get('dist');
  const need: Record<string, readonly string[]> = { normal: ['dist', 'mean', 'std', 'min', 'max'], uniform: ['dist', 'low', 'high'], values: ['dist', 'values', 'unit'] };
  if (typeof dist !== 'string' || !Object.hasOwn(need, dist)) throw new BuildError(where, `${field}.dist`, `unknown distribution ${describe(dist)}`, 'use normal(...), uniform(...) or values(...)');
  for (const key of f.keys()) if (!need[dist].includes(key)) throw new BuildError(where, `${field}.${key}`, `${dist}(...) has no field '${key}'`, `give ${need[dist].join(', ')}`);
  switch (dist) {
    case 'normal': {
      const clip: { min?: QuantityLike; max?: QuantityLike } = {};
      for (const bound of ['min', 'max'] as const) if (f.get(bound) !== undefined) clip[bound] = checkQuantityLike(f.get(bound), where, `${field}.${bound}`);
      return Object.freeze(normal(checkQuantityLike(f.get('mean'), where, `${field}.mean`), checkQuantityLike(f.get('std'), where, `${field}.std`), clip));
    }
    case 'uniform':
      return Object.freeze({ dist, low: checkQuantityLike(f.get('low'), where, `${field}.low`), high: checkQuantityLike(f.get('high'), where, `${field}.high`) });
    default: {
      const v = f.get('values');
      const isArray = Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
      if (!isArray) throw new BuildError(where, `${field}.values`, `must be an array or a typed array of numbers, got ${describe(v)}`, "give values([...], 'mV')");
      const unit = f.has('unit') ? checkText(f.get('unit'), where, `${field}.unit`) : '1';
      try {
        parseQuantity(`1 ${unit}`.replace(/^1 1$/, '1'));
      } catch (err) {
        throw new BuildError(where, `${field}.unit`, `cannot read the unit ${describe(unit)}: ${(err as Error).message}`, "give a unit such as 'mV' or '1'");
      }
      return Object.freeze({ dist: 'values' as const, values: v as ArrayLike<number>, unit });
    }
  }
}

function q(x: QuantityLike, dim: Dim, where: string, field: string): number {
  let v;
  try {
    v = parseQuantity(x);
  } catch (err) {
    throw new BuildError(where, field, `cannot read ${JSON.stringify(x)} (${(err as Error).message})`, `write a number with a unit, e.g. '10 ${exampleUnit(dim)}'`);
  }
  // A plain number for a dimensioned quantity is refused: it is ambiguous (mV or V?).
  if (!dimEq(v.dim, dim)) {
    throw new BuildError(
      where,
      field,
      `expected a quantity of dimension ${formatDim(dim)}, got ${JSON.stringify(x)} (dimension ${formatDim(v.dim)})`,
      dimEq(dim, DIMENSIONLESS) ? 'give a plain number' : `write it with a unit, e.g. '${typeof x === 'number' ? x : 1} ${exampleUnit(dim)}'`,
    );
  }
  if (!Number.isFinite(v.value)) throw new BuildError(where, field, `must be finite, got ${JSON.stringify(x)}`);
  return v.value;
}

/**
 * A unit of this dimension to show in messages.
 *
 * @example
 * exampleUnit(unitDim('volt')) // 'mV'
 */
export function exampleUnit(dim: Dim): string {
  const table: [Dim, string][] = [
    [[0, 0, 1, 0, 0, 0, 0], 'ms'],
    [[2, 1, -3, -1, 0, 0, 0], 'mV'],
    [[-2, -1, 3, 2, 0, 0, 0], 'nS'],
    [[0, 0, 0, 1, 0, 0, 0], 'pA'],
    [[-2, -1, 4, 2, 0, 0, 0], 'pF'],
    [[2, 1, -3, -2, 0, 0, 0], 'Mohm'],
    [[0, 0, -1, 0, 0, 0, 0], 'Hz'],
  ];
  for (const [d, u] of table) if (dimEq(d, dim)) return u;
  return formatDim(dim);
}

/**
 * Resolves a scalar initializer to an SI number, checking its dimension.
 *
 * @example
 * scalarValue('10 ms', SECOND, "LIF layer 'h'", 'params.tau') // 0.01 (seconds)
 */
export function scalarValue(x: QuantityLike, dim: Dim, where: string, field: string): number {
  return q(x, dim, where, field);
}

/**
 * Fills `out` from an initializer, checking dimensions. `rng` draws the random ones.
 *
 * @example
 * const v = new Float64Array(100);
 * fillInit(v, normal('-55 mV', '5 mV'), VOLT, new Rng(1, 0), "group 'P'", 'init.v'); // volts, seeded
 */
export function fillInit(out: Float32Array | Float64Array, x: Init, dim: Dim, rng: Rng, where: string, field: string): void {
  if (isScalarInit(x)) {
    out.fill(q(x, dim, where, field));
    return;
  }
  switch (x.dist) {
    case 'normal': {
      const mean = q(x.mean, dim, where, `${field}.mean`);
      const std = q(x.std, dim, where, `${field}.std`);
      if (std < 0) throw new BuildError(where, `${field}.std`, `must be ≥ 0, got ${JSON.stringify(x.std)}`);
      const lo = x.min === undefined ? -Infinity : q(x.min, dim, where, `${field}.min`);
      const hi = x.max === undefined ? Infinity : q(x.max, dim, where, `${field}.max`);
      if (!(lo <= hi)) throw new BuildError(where, field, `normal needs min ≤ max, got ${JSON.stringify(x.min)} and ${JSON.stringify(x.max)}`, 'swap the bounds');
      for (let i = 0; i < out.length; i++) out[i] = Math.min(hi, Math.max(lo, mean + std * rng.normal()));
      return;
    }
    case 'uniform': {
      const lo = q(x.low, dim, where, `${field}.low`);
      const hi = q(x.high, dim, where, `${field}.high`);
      if (!(hi >= lo)) throw new BuildError(where, field, `uniform needs low ≤ high, got ${JSON.stringify(x.low)} and ${JSON.stringify(x.high)}`);
      for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * rng.uniform();
      return;
    }
    case 'values': {
      if (x.values.length !== out.length) {
        throw new BuildError(where, field, `has ${x.values.length} values but ${out.length} are needed`, `give exactly ${out.length} values`);
      }
      const unitQ = q(`1 ${x.unit}`.replace(/^1 1$/, '1'), dim, where, `${field}.unit`);
      for (let i = 0; i < out.length; i++) {
        const v = x.values[i] * unitQ;
        if (!Number.isFinite(v)) throw new BuildError(where, field, `value ${i} is not finite (${x.values[i]})`);
        out[i] = v;
      }
      return;
    }
  }
}
