/**
 * Time-varying inputs: piecewise-constant signals sampled every dt, for `NeuronGroup.setInput`.
 * Kept apart from the other inputs so that groups can take them without importing the inputs
 * module, which itself builds on groups.
 */
import { BuildError } from '../lang/errors.js';
import { type QuantityLike, quantityIn, unitDim, SECOND } from '../equations/quantity.js';
import { plainEntries, checkText, describe } from '../equations/validate.js';
import { checkOptions } from '../equations/options.js';

/**
 * A piecewise-constant signal sampled every `dt`: the value at time t is `values[floor(t/dt)]`,
 * and the last value holds after the end. With `perNeuron` = N, `values` is [steps × N] row-major.
 */
export interface TimedArray {
  readonly kind: 'timed';
  readonly values: Float64Array;
  readonly dt: number;
  readonly unit: string;
  readonly perNeuron: number;
}

/**
 * A time-varying input for {@link NeuronGroup.setInput}.
 *
 * @example
 * P.setInput('I', timed(sectionInput([0, 200, 0], [100, 300, 100], 0.1), { dt: '0.1 ms', unit: 'pA' }));
 */
export function timed(values: ArrayLike<number>, given: { dt: QuantityLike; unit?: string; perNeuron?: number }): TimedArray {
  const opts = checkOptions('timed input', given, { quantities: ['dt'], texts: ['unit'], numbers: ['perNeuron'], required: ['dt'] }) as typeof given;
  let dt: number;
  try {
    dt = quantityIn(opts.dt, SECOND);
  } catch (err) {
    throw new BuildError('timed input', 'dt', (err as Error).message, "give a time such as '0.1 ms'");
  }
  if (!(dt > 0)) throw new BuildError('timed input', 'dt', `must be positive, got ${describe(opts.dt)}`);
  const perNeuron = opts.perNeuron ?? 1;
  if (!Number.isInteger(perNeuron) || perNeuron < 1 || values.length === 0 || values.length % perNeuron !== 0) {
    throw new BuildError('timed input', 'values', `has ${values.length} values, not a non-empty multiple of ${perNeuron} neurons`);
  }
  const unit = checkUnit(opts.unit ?? '1', 'timed input', 'unit');
  return { kind: 'timed', values: Float64Array.from(values), dt, unit, perNeuron };
}

/**
 * A unit text that parses ('pA', 'nS', '1'), refused with a BuildError when it does not.
 *
 * @example
 * checkUnit('pA', 'timed input', 'unit') // 'pA'
 */
export function checkUnit(value: unknown, where: string, field: string): string {
  const unit = checkText(value, where, field);
  try {
    unitDim(unit);
  } catch (err) {
    throw new BuildError(where, field, `cannot read the unit ${describe(unit)}: ${(err as Error).message}`, "give a unit such as 'pA', 'mV' or '1'");
  }
  return unit;
}

/**
 * Piecewise-constant values: `values[k]` for `durations[k]` (same time unit as `dt`), one sample per dt.
 *
 * @example
 * sectionInput([0, 1, 0], [100, 300, 100], 0.1) // 5000 samples: 0 for 100 ms, 1 for 300 ms, 0 for 100 ms
 */
export function sectionInput(values: readonly number[], durations: readonly number[], dt: number): Float64Array {
  if (values.length !== durations.length) throw new BuildError('sectionInput', 'durations', `has ${durations.length} entries for ${values.length} values`);
  const counts = durations.map((d, k) => {
    if (!(d >= 0)) throw new BuildError('sectionInput', `durations[${k}]`, `must be ≥ 0, got ${d}`);
    return Math.round(d / dt);
  });
  const out = new Float64Array(counts.reduce((a, b) => a + b, 0));
  let at = 0;
  counts.forEach((c, k) => {
    out.fill(values[k], at, at + c);
    at += c;
  });
  return out;
}

/**
 * A linear ramp from `start` to `end` between `tStart` and `tEnd`, zero outside, over `duration`
 * (all times in the unit of `dt`).
 *
 * @example
 * rampInput(0, 500, 1000, 0.1, 100, 900) // 0 until 100 ms, then up to 500 at 900 ms, then 0
 */
export function rampInput(start: number, end: number, duration: number, dt: number, tStart = 0, tEnd = duration): Float64Array {
  const n = Math.round(duration / dt);
  const out = new Float64Array(n);
  const a = Math.round(tStart / dt);
  const b = Math.round(tEnd / dt);
  for (let k = a; k < Math.min(b, n); k++) out[k] = start + ((end - start) * (k - a)) / Math.max(1, b - a);
  return out;
}

/**
 * A time-varying input handed to `setInput`, checked and copied: an object shaped like a
 * TimedArray is only accepted with numeric values, a positive step, a unit text and a column count.
 *
 * @example
 * checkTimed(timed([0, 1], { dt: '1 ms' }), "LIF group 'P'", 'input I') // a checked copy
 */
export function checkTimed(x: unknown, where: string, field: string): TimedArray {
  const f = new Map(plainEntries(x, where, field));
  const fix = "build it with timed(values, { dt: '0.1 ms', unit: 'pA' })";
  for (const key of f.keys()) if (!['kind', 'values', 'dt', 'unit', 'perNeuron'].includes(key)) throw new BuildError(where, `${field}.${key}`, `a timed input has no field '${key}'`, fix);
  if (f.get('kind') !== 'timed') throw new BuildError(where, `${field}.kind`, `must be 'timed', got ${describe(f.get('kind'))}`, fix);
  const values = f.get('values');
  if (!(values instanceof Float64Array)) throw new BuildError(where, `${field}.values`, `must be a Float64Array, got ${describe(values)}`, fix);
  const dt = f.get('dt');
  if (typeof dt !== 'number' || !(dt > 0) || !Number.isFinite(dt)) throw new BuildError(where, `${field}.dt`, `must be a positive number of seconds, got ${describe(dt)}`, fix);
  const perNeuron = f.get('perNeuron');
  if (typeof perNeuron !== 'number' || !Number.isInteger(perNeuron) || perNeuron < 1 || values.length === 0 || values.length % perNeuron !== 0) {
    throw new BuildError(where, `${field}.perNeuron`, `must be a positive integer dividing the ${values.length} values, got ${describe(perNeuron)}`, fix);
  }
  return Object.freeze({ kind: 'timed' as const, values, dt, unit: checkUnit(f.get('unit'), where, `${field}.unit`), perNeuron });
}
