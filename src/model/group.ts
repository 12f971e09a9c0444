/**
 * Populations of neurons (or rate units) sharing one model. State lives in one typed array per
 * variable (structure of arrays); there is no per-neuron object.
 */
import { type NeuronModel, checkModel, checkMethod } from './model.js';
import { type Init, fillInit, isScalarInit, checkInit } from './init.js';
import { type IntegratorName } from '../integrators/index.js';
import { BuildError } from '../lang/errors.js';
import { type Dim } from '../math/units.js';
import { type TimedArray, checkTimed } from './timed.js';
import { checkRecordKeys, checkLabel, checkIdentifier, knownNames } from '../equations/validate.js';
import { type Surrogate, SURROGATES as SURROGATES_BY_NAME } from '../autodiff/surrogate.js';

const SURROGATE_NAMES: readonly string[] = Object.keys(SURROGATES_BY_NAME);
import { type QuantityLike } from '../equations/quantity.js';

export type StateArray = Float32Array | Float64Array;

/** Options of a {@link NeuronGroup}. */
export interface NeuronGroupOptions {
  /** A name for messages and results (default: model name and an index). */
  readonly name?: string;
  /** Parameter values overriding the model's defaults: a quantity, a distribution or values per neuron. */
  readonly params?: Readonly<Record<string, Init>>;
  /** Initial values of state variables, overriding the model's defaults. */
  readonly init?: Readonly<Record<string, Init>>;
  /** Integration method (overrides the model's). */
  readonly method?: IntegratorName;
  /** Parameters trained by gradient descent, one value per neuron (e.g. ['tau']). */
  readonly train?: readonly string[];
  /** State variables whose initial values are trained, one value per neuron (e.g. ['v']). */
  readonly trainInit?: readonly string[];
  /** Surrogate gradient of the threshold in training (default atan(2)). */
  readonly surrogate?: Surrogate;
  /**
   * The unit in which the threshold difference (e.g. v − Vth) enters the surrogate (default: 1 mV
   * for a voltage threshold, else 1 in SI), so that a surrogate's sharpness means the same in any unit.
   */
  readonly surrogateScale?: QuantityLike;
  /** Training only: 'hard' 0/1 spikes with the surrogate in the backward pass (default), or 'soft' σ(h) spikes (smooth; for gradient checks). */
  readonly spikeMode?: 'hard' | 'soft';
}

/** What the compiler attaches to a group when the network is built. */
export interface GroupRuntime {
  readonly index: number;
  /** Typed arrays by name: state variables, declared values, per-neuron parameters, external inputs. */
  readonly arrays: Map<string, StateArray>;
  /** Dimensions of the named arrays. */
  readonly dims: Map<string, Dim>;
  /** Spike indices of the last `ring` steps: slot s holds spikes[s*size .. s*size + counts[s]). */
  readonly spikes: Int32Array;
  readonly counts: Int32Array;
  readonly ring: number;
  /** Step of each neuron's last spike (for refractoriness). */
  readonly lastSpike: Int32Array;
  /** Scalar parameter values (SI) after overrides. */
  readonly scalars: Map<string, number>;
  /** The integrator used. */
  method: string;
  /** Where the update runs: 'js', or 'wasm f32x4' / 'wasm f64x2' (SIMD lanes). */
  backend?: string;
}

/**
 * A population of `size` neurons of one model.
 *
 * @example
 * const P = new NeuronGroup(4000, LIF, {
 *   params: { tau: '20 ms', Vth: '-50 mV' },
 *   init: { v: normal('-55 mV', '5 mV') },
 * });
 * const E = P.slice(0, 3200); // a view, usable as the source or target of projections
 */
export class NeuronGroup {
  readonly size: number;
  readonly model: NeuronModel;
  readonly options: NeuronGroupOptions;
  name: string;
  /** Set when the network is built. */
  runtime: GroupRuntime | undefined;
  /** External inputs set before build (name → value), applied when arrays exist. */
  readonly pendingInputs = new Map<string, Init | TimedArray>();

  constructor(size: number, model: NeuronModel, options: NeuronGroupOptions = {}) {
    checkModel(model, 'neuron group', 'model');
    const o = checkRecordKeys(options, `${model.name} group`, 'options', ['name', 'params', 'init', 'method', 'train', 'trainInit', 'surrogate', 'surrogateScale', 'spikeMode']);
    const name = o.name === undefined ? undefined : checkLabel(o.name, `${model.name} group`, 'name');
    const where = `${model.name} group '${name ?? '?'}'`;
    if (!Number.isInteger(size) || size < 0) throw new BuildError(where, 'size', `must be a non-negative integer, got ${size}`);
    this.size = size;
    this.model = model;
    this.name = name ?? '';
    // Overrides must name parameters and variables of the model; the network reads only this copy.
    const clean: { -readonly [K in keyof NeuronGroupOptions]: NeuronGroupOptions[K] } = {};
    if (name !== undefined) clean.name = name;
    if (o.params !== undefined) {
      const params = checkRecordKeys(o.params, where, 'params', [...model.params.keys()], 'known parameters');
      for (const [k, v] of Object.entries(params)) params[k] = checkInit(v, where, `params.${k}`);
      clean.params = Object.freeze(params as Record<string, Init>);
    }
    if (o.init !== undefined) {
      const settable = model.lines.filter((l) => l.kind !== 'sub' && !l.flags.includes('input')).map((l) => l.name);
      const init = checkRecordKeys(o.init, where, 'init', settable, 'initialize one of');
      for (const [k, v] of Object.entries(init)) init[k] = checkInit(v, where, `init.${k}`);
      clean.init = Object.freeze(init as Record<string, Init>);
    }
    // Training marks: names are checked against the model here, so the build reads only known names.
    const names = (x: unknown, field: string, allowed: readonly string[], list: string): string[] => {
      if (!Array.isArray(x)) throw new BuildError(where, field, 'must be an array of names', `e.g. ${field}: ['${allowed[0] ?? 'tau'}']`);
      return x.map((k, i) => {
        const n = checkIdentifier(k, where, `${field}[${i}]`);
        if (!allowed.includes(n)) throw new BuildError(where, field, `'${n}' is not ${list} of ${model.name}`, knownNames(n, allowed, `choose among`));
        return n;
      });
    };
    if (o.train !== undefined) clean.train = Object.freeze(names(o.train, 'train', [...model.params.keys()], 'a parameter'));
    if (o.trainInit !== undefined) clean.trainInit = Object.freeze(names(o.trainInit, 'trainInit', model.stateNames(), 'a state variable'));
    if (o.surrogate !== undefined) {
      const sg = o.surrogate as Surrogate;
      if (typeof sg !== 'object' || sg === null || !SURROGATE_NAMES.includes(sg.name) || typeof sg.gradCode !== 'function' || typeof sg.softCode !== 'function') {
        throw new BuildError(where, 'surrogate', 'is not a surrogate gradient', 'use one of sigmoid(), fastSigmoid(), atan(), triangle(), gaussian()');
      }
      if (!(typeof sg.alpha === 'number' && Number.isFinite(sg.alpha) && sg.alpha > 0)) throw new BuildError(where, 'surrogate', `sharpness must be a positive finite number, got ${String(sg.alpha)}`, 'give e.g. atan(2)');
      clean.surrogate = SURROGATES_BY_NAME[sg.name as keyof typeof SURROGATES_BY_NAME](sg.alpha);
    }
    if (o.surrogateScale !== undefined) clean.surrogateScale = o.surrogateScale as QuantityLike;
    if (o.spikeMode !== undefined) {
      if (o.spikeMode !== 'hard' && o.spikeMode !== 'soft') throw new BuildError(where, 'spikeMode', `must be 'hard' or 'soft', got ${JSON.stringify(o.spikeMode)}`, "use 'hard' (default) or 'soft'");
      clean.spikeMode = o.spikeMode;
    }
    if (o.method !== undefined) clean.method = checkMethod(o.method, where);
    this.options = Object.freeze(clean);
  }

  /** A contiguous sub-population [start, stop), usable as a projection source or target. */
  slice(start: number, stop: number = this.size): GroupView {
    return new GroupView(this, start, stop);
  }

  /**
   * Sets the external part of a summed input (e.g. a constant current), for all neurons or per neuron.
   * Takes effect at the next run, before or after build.
   *
   * @example
   * P.setInput('I', '200 pA');
   * P.setInput('I', values(currents, 'pA'));
   */
  setInput(name: string, given: Init | TimedArray): void {
    const where = `${this.model.name} group '${this.name}'`;
    checkIdentifier(name, where, 'input');
    const line = this.model.lines.find((l) => l.name === name);
    if (!line || !line.flags.includes('input')) {
      throw new BuildError(where, `input '${name}'`, `not an input of ${this.model.name}`, knownNames(name, this.model.inputNames(), 'inputs are'));
    }
    const timedGiven = typeof given === 'object' && given !== null && Object.hasOwn(given, 'kind');
    const value = timedGiven ? checkTimed(given, where, `input ${name}`) : checkInit(given, where, `input ${name}`);
    if (this.runtime) {
      if (!isScalarInit(value) && 'kind' in value) {
        throw new BuildError(`${this.model.name} group '${this.name}'`, `input ${name}`, 'a time-varying input must be set before the network is built', 'call setInput(timed(...)) before build/run');
      }
      if (!isScalarInit(value) && !('kind' in value) && value.dist !== 'values') {
        throw new BuildError(`${this.model.name} group '${this.name}'`, `input ${name}`, 'a random input must be set before the network is built', 'call setInput before build/run, or pass values(...)');
      }
      const arr = this.runtime.arrays.get(`ext$${name}`)!;
      fillInit(arr, value as Init, line.dim, undefined as never, `${this.model.name} group '${this.name}'`, `input ${name}`);
    } else {
      this.pendingInputs.set(name, value);
    }
  }

  /**
   * The typed array of a variable, per-neuron parameter ('p$tau') or external input ('ext$I'), in SI units. Available after build.
   *
   * @example
   * const v = P.get('v'); // Float32Array, volts
   */
  get(name: string): StateArray {
    const rt = this.runtime;
    if (!rt) throw new Error(`group '${this.name}': build the network before reading '${name}'`);
    const a = rt.arrays.get(name);
    if (!a) throw new Error(`group '${this.name}' has no array '${name}' (it has: ${[...rt.arrays.keys()].join(', ')})`);
    return a;
  }
}

/**
 * A contiguous range [start, stop) of a group's neurons.
 *
 * @example
 * const E = new GroupView(P, 0, 3200); // what P.slice(0, 3200) returns
 * net.connect(E, P, { comm: new FixedProb(0.02), weight: '6 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) });
 */
export class GroupView {
  readonly group: NeuronGroup;
  readonly start: number;
  readonly stop: number;
  constructor(group: NeuronGroup, start: number, stop: number) {
    if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop > group.size || start > stop) {
      throw new BuildError(`group '${group.name || group.model.name}'`, 'slice', `[${start}, ${stop}) is not a range inside [0, ${group.size})`, `use 0 ≤ start ≤ stop ≤ ${group.size}`);
    }
    this.group = group;
    this.start = start;
    this.stop = stop;
  }
  get size(): number {
    return this.stop - this.start;
  }
}

/** A group or a view of one. */
export type Population = NeuronGroup | GroupView;

/**
 * The group and range a population covers.
 *
 * @example
 * const { group, start, stop } = asView(P.slice(3200)); // group P, start 3200, stop 4000
 */
export function asView(p: Population): GroupView {
  return p instanceof GroupView ? p : new GroupView(p, 0, p.size);
}
