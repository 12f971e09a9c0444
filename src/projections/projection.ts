/**
 * Projections: the chain pre → delay → comm → syn → out → post.
 *
 * - pre: a population (or a slice of one) whose spikes are sent;
 * - delay: a homogeneous transmission delay, a multiple of dt;
 * - comm: the connectivity, built by a {@link Connector} into CSR and traversed only for the rows
 *   of neurons that spiked (event-driven);
 * - syn: synaptic dynamics kept per post-synaptic neuron (align-post), shared by every projection
 *   with the same dynamics, output and target;
 * - out: how the synaptic state enters the target input of the post-synaptic model (CUBA, COBA);
 * - post: the target population.
 *
 * Without `syn`, each spike adds the weight directly to a post-synaptic variable (Brian2's
 * `on_pre='v += w'`).
 */
import { type Population, asView, type GroupView } from '../model/group.js';
import { type Init, checkInit } from '../model/init.js';
import { type WeightInit, checkWeightInit } from '../model/ring_weights.js';
import { BuildError } from '../lang/errors.js';
import { checkRecordKeys, checkLabel, checkIdentifier, checkFinite, describe } from '../equations/validate.js';
import { checkSynapseDynamics, checkSynapseOutput, checkShortTerm } from '../synapses/check.js';
import { checkRule } from '../plasticity/check.js';
import { type QuantityLike } from '../equations/quantity.js';
import { type SynapseDynamics, type SynapseOutput, type ShortTermPlasticity } from '../synapses/index.js';
import { type Connector, type CSR } from '../connect/index.js';
import { type PlasticityRule } from '../plasticity/index.js';

/** Options of a {@link Projection}. */
export interface ProjectionOptions {
  /** A name for messages (default: 'pre→post'). */
  readonly name?: string;
  /** The connectivity. */
  readonly comm: Connector;
  /** Synaptic weight: a quantity for all synapses, a distribution, values per synapse (CSR order), or a profile over the offset on a ring ({@link ring}). */
  readonly weight: WeightInit;
  /**
   * Transmission delay (default 0), rounded to whole steps: one time for all synapses, a
   * distribution or values per synapse (CSR order), or a function of (pre, post) indices, e.g. of
   * their distance.
   */
  readonly delay?: Init | ((pre: number, post: number) => QuantityLike);
  /** Synaptic dynamics (align-post). Omit to add the weight directly to `target`. */
  readonly syn?: SynapseDynamics;
  /** Output model; required with `syn`. */
  readonly out?: SynapseOutput;
  /**
   * With `syn`: the summed input of the post model that receives the output (default: its only input).
   * Without `syn`: the post variable each spike increments (e.g. 'v' or 'ge').
   */
  readonly target?: string;
  /**
   * Continuous (rate) coupling: every step, each post neuron receives Σ weight × (this pre
   * variable), e.g. 'r' of a rate population, into its input `target`.
   */
  readonly source?: string;
  /** Gap junction on this variable (e.g. 'v'): each post neuron receives Σ weight × (V_pre − V_post). */
  readonly gap?: string;
  /** Short-term plasticity of the transmitted spikes (Tsodyks–Markram). */
  readonly stp?: ShortTermPlasticity;
  /** Long-term plasticity of the weights (STDP, triplet, three-factor, scaling, Oja, BCM...). */
  readonly plasticity?: PlasticityRule;
  /**
   * Just-in-time connectivity: store nothing, regenerate a spiking neuron's row from the seed each
   * time it is needed (memory O(neurons) instead of O(synapses)). Needs a connector with
   * `appendRow` (FixedProb) and one weight for all synapses.
   */
  readonly jit?: boolean;
  /**
   * What gradient descent trains: 'weight' (one value per synapse) and parameters of the synapse
   * model by name (e.g. 'tau' of Expon, one value per post-synaptic neuron).
   */
  readonly train?: readonly string[];
}

/** What the compiler attaches to a projection when the network is built. */
export interface ProjectionRuntime {
  readonly csr: CSR;
  /** Per-synapse delays in steps (CSR order), when heterogeneous. */
  readonly delays: Int32Array | null;
  /** Per-synapse weights in CSR order, or null when one weight serves all (then `weight`). */
  readonly weights: Float32Array | Float64Array | null;
  readonly weight: number;
  readonly delaySteps: number;
  /** The post-synaptic array that spikes increment. */
  readonly targetArray: string;
  /** Runs the rule's modulation statements over all synapses (see {@link Projection.modulate}). */
  readonly modulate?: (signals: Record<string, number>) => void;
}

/**
 * A projection between two populations.
 *
 * @example
 * new Projection(E, P, {
 *   comm: new FixedProb(0.02),
 *   weight: '6 nS',
 *   syn: Expon({ tau: '5 ms' }),
 *   out: COBA({ E: '0 mV' }),
 * });
 */
export class Projection {
  readonly pre: GroupView;
  readonly post: GroupView;
  readonly options: ProjectionOptions;
  name: string;
  runtime: ProjectionRuntime | undefined;

  constructor(pre: Population, post: Population, options: ProjectionOptions) {
    this.pre = asView(pre);
    this.post = asView(post);
    const label = (v: GroupView) => v.group.name || v.group.model.name;
    this.options = checkProjectionOptions(options, `${label(this.pre)}→${label(this.post)}`);
    this.name = this.options.name ?? '';
  }

  /** The connectivity after build (CSR by pre-synaptic neuron). */
  get csr(): CSR {
    if (!this.runtime) throw new Error(`projection '${this.name}': build the network first`);
    return this.runtime.csr;
  }

  /**
   * Applies a neuromodulatory signal to a plastic projection: runs its rule's modulation
   * statements (e.g. w += eta·R·e for reward-modulated STDP) over every synapse.
   *
   * @example
   * proj.modulate({ R: 1 });
   */
  modulate(signals: Record<string, number>): void {
    const m = this.runtime?.modulate;
    if (!m) throw new Error(`projection '${this.name}': modulate() needs a built network and a plasticity rule with a modulation`);
    // the kernel reads the signals by name: hand it a checked copy of numbers only
    const where = `projection '${this.name}'`;
    const known = this.options.plasticity?.modulation?.signals ?? [];
    const given = checkRecordKeys(signals, where, 'modulate', known, 'signals are');
    for (const [s, v] of Object.entries(given)) given[s] = checkFinite(v, where, `modulate.${s}`);
    m(given as Record<string, number>);
  }

  /** The weights after build (per synapse, CSR order), e.g. to read what plasticity learned. */
  get weights(): Float32Array | Float64Array {
    const rt = this.runtime;
    if (!rt) throw new Error(`projection '${this.name}': build the network first`);
    return rt.weights ?? Float64Array.from({ length: rt.csr.indices.length }, () => rt.weight);
  }

  /** Number of synapses after build. */
  get numSynapses(): number {
    return this.csr.indptr[this.csr.indptr.length - 1];
  }
}

const OPTION_KEYS = ['name', 'comm', 'weight', 'delay', 'syn', 'out', 'target', 'source', 'gap', 'stp', 'plasticity', 'jit', 'train'];

/**
 * A projection's options, checked and copied (`label` names it in messages until it has a name): names are identifiers, synapse, output, short-term
 * and long-term plasticity are checked declarations. The network compiles only this copy.
 *
 * @example
 * checkProjectionOptions({ comm: new FixedProb(0.1), weight: '1 mV', target: 'v' }, 'E→P') // a checked copy
 */
export function checkProjectionOptions(options: unknown, label = '?'): ProjectionOptions {
  const o = checkRecordKeys(options, `projection '${label}'`, 'options', OPTION_KEYS, 'a projection takes');
  const name = o.name === undefined ? undefined : checkLabel(o.name, `projection '${label}'`, 'name');
  const where = `projection '${name ?? label}'`;
  const comm = o.comm as { build?: unknown } | undefined;
  if (typeof comm !== 'object' || comm === null || typeof comm.build !== 'function') throw new BuildError(where, 'comm', `must be a connector, got ${describe(comm)}`, 'give a connector, e.g. new FixedProb(0.02)');
  const out: { -readonly [K in keyof ProjectionOptions]: ProjectionOptions[K] } = { comm: comm as ProjectionOptions['comm'], weight: checkWeightInit(o.weight, where, 'weight') };
  if (name !== undefined) out.name = name;
  if (o.delay !== undefined) out.delay = typeof o.delay === 'function' ? (o.delay as ProjectionOptions['delay']) : checkInit(o.delay, where, 'delay');
  for (const key of ['target', 'source', 'gap'] as const) if (o[key] !== undefined) out[key] = checkIdentifier(o[key], where, key);
  if (o.syn !== undefined) out.syn = checkSynapseDynamics(o.syn, where, 'syn');
  if (o.out !== undefined) out.out = checkSynapseOutput(o.out, where, 'out');
  if (o.stp !== undefined) out.stp = checkShortTerm(o.stp, where, 'stp');
  if (o.plasticity !== undefined) out.plasticity = checkRule(o.plasticity, where, 'plasticity');
  if (o.jit !== undefined) {
    if (typeof o.jit !== 'boolean') throw new BuildError(where, 'jit', `must be true or false, got ${describe(o.jit)}`);
    out.jit = o.jit;
  }
  if (o.train !== undefined) {
    if (!Array.isArray(o.train)) throw new BuildError(where, 'train', `must be an array of names, got ${describe(o.train)}`, "e.g. train: ['weight']");
    // each name must be 'weight' or a parameter of the synapse model; the build checks which
    out.train = Object.freeze(o.train.map((n: unknown, i: number) => checkIdentifier(n, where, `train[${i}]`)));
  }
  return Object.freeze(out);
}
