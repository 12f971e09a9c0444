/**
 * Inputs: time-varying currents, spike-time generators, Poisson drive, and encoders' building
 * blocks. Everything here compiles into the network kernel; nothing calls back into JavaScript
 * per step.
 */
import { defineNeuron } from '../model/model.js';
import { NeuronGroup, type Population, asView, type GroupView } from '../model/group.js';
import { BuildError } from '../lang/errors.js';
import { type QuantityLike, quantityIn, SECOND, checkQuantityLike } from '../equations/quantity.js';
import { type SynapseDynamics, type SynapseOutput } from '../synapses/index.js';
import { checkSynapseDynamics, checkSynapseOutput } from '../synapses/check.js';
import { checkRecordKeys, checkLabel, checkIdentifier, describe } from '../equations/validate.js';

import { checkUnit, type TimedArray } from '../model/timed.js';
import { type Init } from '../model/init.js';
import { parseExpr } from '../equations/parser.js';
import { show } from '../equations/ast.js';
import { parseQuantity } from '../equations/quantity.js';
export { type TimedArray, timed, sectionInput, rampInput, checkUnit } from '../model/timed.js';

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

  constructor(size: number, given: { indices: ArrayLike<number>; times: ArrayLike<number>; unit?: string; name?: string }) {
    const opts = checkRecordKeys(given, 'SpikeGeneratorGroup', 'options', ['indices', 'times', 'unit', 'name'], 'options are') as typeof given;
    super(size, GeneratorModel, { name: opts.name ?? 'generator' });
    const where = `SpikeGeneratorGroup '${this.name}'`;
    for (const key of ['indices', 'times'] as const) {
      const v = opts[key];
      if (!Array.isArray(v) && !(ArrayBuffer.isView(v) && !(v instanceof DataView))) throw new BuildError(where, key, `must be an array or a typed array of numbers, got ${describe(v)}`);
    }
    if (opts.indices.length !== opts.times.length) throw new BuildError(where, 'times', `has ${opts.times.length} entries for ${opts.indices.length} indices`, 'give one time per index');
    let scale: number;
    try {
      scale = quantityIn(`1 ${checkUnit(opts.unit ?? 'second', where, 'unit')}`, SECOND);
    } catch (err) {
      if (err instanceof BuildError) throw err;
      throw new BuildError(where, 'unit', (err as Error).message, "give a time unit such as 'ms'");
    }
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

  constructor(target: Population, given: PoissonInputOptions) {
    this.post = asView(target);
    const options = checkPoissonOptions(given);
    this.options = options;
    this.name = options.name ?? '';
    if (!Number.isInteger(options.num) || options.num < 0) {
      throw new BuildError(`PoissonInput '${this.name || '?'}'`, 'num', `must be a non-negative integer, got ${options.num}`);
    }
  }
}

/** PoissonInput options, checked and copied: the network compiles only this copy. */
function checkPoissonOptions(given: unknown): PoissonInputOptions {
  const o = checkRecordKeys(given, 'PoissonInput', 'options', ['num', 'rate', 'weight', 'syn', 'out', 'target', 'name'], 'options are');
  const name = o.name === undefined ? undefined : checkLabel(o.name, 'PoissonInput', 'name');
  const where = `PoissonInput '${name ?? '?'}'`;
  const out: { -readonly [K in keyof PoissonInputOptions]: PoissonInputOptions[K] } = {
    num: o.num as number,
    rate: checkQuantityLike(o.rate, where, 'rate'),
    weight: checkQuantityLike(o.weight, where, 'weight'),
  };
  if (name !== undefined) out.name = name;
  if (o.syn !== undefined) out.syn = checkSynapseDynamics(o.syn, where, 'syn');
  if (o.out !== undefined) out.out = checkSynapseOutput(o.out, where, 'out');
  if (o.target !== undefined) out.target = checkIdentifier(o.target, where, 'target');
  return Object.freeze(out);
}

/** The model of a {@link PoissonGroup} with given (possibly per-neuron or timed) rates. */
const PoissonModel = defineNeuron({ name: 'PoissonGroup', equations: 'rates : Hz (input)', threshold: 'rand() < rates*dt' });

/** Options of {@link PoissonGroup}. */
export interface PoissonGroupOptions {
  /**
   * The rate of each source: one quantity ('10 Hz'), one value per neuron (`values([...], 'Hz')`,
   * `uniform(...)`), a table over time (`timed(...)`, shared or per neuron), or an expression of
   * `t` (and `dt`, units, pi) with the dimension of a rate, e.g. `'10*Hz*(1 + sin(2*pi*5*Hz*t))'`.
   */
  readonly rates: Init | TimedArray;
  readonly name?: string;
}

/**
 * Independent Poisson spike sources, one per neuron, with per-neuron and possibly time-varying
 * rates: neuron i spikes at step n when a uniform draw is below rates_i(t_n)·dt, as Brian2's
 * PoissonGroup. The draws are counter-based (a hash of seed, group, neuron and step), so the
 * spikes depend only on the network's seed. A population like any other: the pre group of
 * `connect()`, the source of monitors. The rates are an input: `setInput('rates', ...)` changes
 * them between runs.
 *
 * @example
 * const P = net.add(new PoissonGroup(1000, { rates: '5 Hz' }));
 * net.connect(P, E, { comm: new FixedProb(0.1), weight: '0.2 mV', target: 'v' });
 */
export class PoissonGroup extends NeuronGroup {
  /** The rates are an expression of t (else an input: one value, per neuron, or timed). */
  readonly ratesExpression: boolean;

  constructor(size: number, given: PoissonGroupOptions) {
    const opts = checkRecordKeys(given, 'PoissonGroup', 'options', ['rates', 'name'], 'options are');
    const name = opts.name === undefined ? undefined : checkLabel(opts.name, 'PoissonGroup', 'name');
    const where = `PoissonGroup '${name ?? '?'}'`;
    if (opts.rates === undefined) throw new BuildError(where, 'rates', 'missing', "give a rate such as '10 Hz', values([...], 'Hz'), timed(...) or an expression of t");
    const rates = opts.rates as Init | TimedArray;
    // A text that is not a plain quantity is an expression of t: parsed here, and only the parsed
    // tree (printed back) enters the model's equation.
    let model = PoissonModel;
    let input: Init | TimedArray | undefined = rates;
    if (typeof rates === 'string' && !isQuantity(rates)) {
      let expr;
      try {
        expr = parseExpr(rates);
      } catch (err) {
        throw new BuildError(where, 'rates', `cannot read ${JSON.stringify(rates.slice(0, 200))}: ${(err as Error).message}`, "write a rate such as '10 Hz' or an expression such as '10*Hz*(1 + sin(2*pi*5*Hz*t))'");
      }
      model = defineNeuron({ name: 'PoissonGroup', equations: `rates = ${show(expr)} : Hz`, threshold: 'rand() < rates*dt' });
      input = undefined;
    }
    super(size, model, { name: name ?? 'poisson' });
    this.ratesExpression = input === undefined;
    if (input !== undefined) this.setInput('rates', input);
  }
}

function isQuantity(text: string): boolean {
  try {
    parseQuantity(text);
    return true;
  } catch {
    return false;
  }
}
