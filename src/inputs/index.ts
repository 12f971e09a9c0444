/**
 * Inputs: time-varying currents, spike-time generators, Poisson drive, and encoders' building
 * blocks. Everything here compiles into the network kernel; nothing calls back into JavaScript
 * per step.
 */
import { defineNeuron } from '../core/model.js';
import { NeuronGroup, type Population, asView, type GroupView } from '../core/group.js';
import { BuildError } from '../core/errors.js';
import { type QuantityLike, quantityIn, SECOND } from '../equations/quantity.js';
import { type SynapseDynamics, type SynapseOutput } from '../synapses/index.js';

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
export function timed(values: ArrayLike<number>, opts: { dt: QuantityLike; unit?: string; perNeuron?: number }): TimedArray {
  const dt = quantityIn(opts.dt, SECOND);
  if (!(dt > 0)) throw new BuildError('timed input', 'dt', `must be positive, got ${JSON.stringify(opts.dt)}`);
  const perNeuron = opts.perNeuron ?? 1;
  if (values.length === 0 || values.length % perNeuron !== 0) {
    throw new BuildError('timed input', 'values', `has ${values.length} values, not a non-empty multiple of ${perNeuron} neurons`);
  }
  return { kind: 'timed', values: Float64Array.from(values), dt, unit: opts.unit ?? '1', perNeuron };
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

/** The model of {@link SpikeGeneratorGroup}: no dynamics. */
const GeneratorModel = defineNeuron({ name: 'SpikeGenerator', equations: '' });

/**
 * Neurons that spike at given times: `indices[k]` fires at `times[k]` (seconds, or with `unit`).
 *
 * @example
 * const G = net.add(new SpikeGeneratorGroup(3, { indices: [0, 2, 1], times: [10, 12, 30], unit: 'ms' }));
 */
export class SpikeGeneratorGroup extends NeuronGroup {
  readonly schedule: { readonly indices: Int32Array; readonly times: Float64Array };

  constructor(size: number, opts: { indices: ArrayLike<number>; times: ArrayLike<number>; unit?: string; name?: string }) {
    super(size, GeneratorModel, { name: opts.name ?? 'generator' });
    const where = `SpikeGeneratorGroup '${this.name}'`;
    if (opts.indices.length !== opts.times.length) throw new BuildError(where, 'times', `has ${opts.times.length} entries for ${opts.indices.length} indices`, 'give one time per index');
    const scale = quantityIn(`1 ${opts.unit ?? 'second'}`, SECOND);
    const order = Array.from({ length: opts.indices.length }, (_, k) => k).sort((a, b) => opts.times[a] - opts.times[b] || opts.indices[a] - opts.indices[b]);
    const indices = new Int32Array(order.length);
    const times = new Float64Array(order.length);
    order.forEach((k, r) => {
      const i = opts.indices[k];
      if (!Number.isInteger(i) || i < 0 || i >= size) throw new BuildError(where, 'indices', `indices[${k}] = ${i} is not in [0, ${size})`);
      const t = opts.times[k] * scale;
      if (!(t >= 0)) throw new BuildError(where, 'times', `times[${k}] = ${opts.times[k]} must be ≥ 0`);
      indices[r] = i;
      times[r] = t;
    });
    this.schedule = { indices, times };
  }
}

/** Options of {@link PoissonInput}. */
export interface PoissonInputOptions {
  /** Number of independent Poisson sources per target neuron. */
  readonly num: number;
  /** Rate of each source. */
  readonly rate: QuantityLike;
  /** Weight of each source's spike. */
  readonly weight: QuantityLike;
  /** As for projections: synaptic dynamics and output, or none to increment `target` directly. */
  readonly syn?: SynapseDynamics;
  readonly out?: SynapseOutput;
  readonly target?: string;
  readonly name?: string;
}

/**
 * Poisson drive onto a population without creating its sources: each step, every target neuron
 * receives Binomial(num, rate·dt) spikes of the given weight, drawn from the counter-based
 * generator (reproducible, independent per neuron and step). As Brian2's PoissonInput.
 *
 * @example
 * net.add(new PoissonInput(P, { num: 1000, rate: '5 Hz', weight: '0.1 mV', target: 'v' }));
 */
export class PoissonInput {
  readonly post: GroupView;
  readonly options: PoissonInputOptions;
  name: string;

  constructor(target: Population, options: PoissonInputOptions) {
    this.post = asView(target);
    this.options = options;
    this.name = options.name ?? '';
    if (!Number.isInteger(options.num) || options.num < 0) {
      throw new BuildError(`PoissonInput '${this.name || '?'}'`, 'num', `must be a non-negative integer, got ${options.num}`);
    }
  }
}
