/**
 * Neuron–astrocyte liquid state machine (NALSM; Ivanov & Michmizos, NeurIPS 2021): a liquid of
 * leaky integrate-and-fire neurons on a 3D grid whose weights are organised by STDP in which one
 * astrocyte sets the depression rate. The astrocyte integrates the liquid's spikes minus the
 * input's spikes; when the liquid fires more than its input it depresses harder, which pulls the
 * liquid toward a branching factor near 1 (the edge of chaos) without per-data-set tuning.
 *
 * What lives here:
 * - {@link Astrocyte}: the astrocyte, a leaky integrator of signed spike counts whose level is the
 *   STDP depression rate;
 * - {@link astrocyteSTDP}: the plasticity rule, declared with {@link defineRule} so the network
 *   kernel runs it; it reads its potentiation and depression rates from values of the neurons
 *   (`eta_ltp`, `eta_ltd`, the same in every neuron), which {@link NalsmLiquid} refreshes from the
 *   astrocyte every step;
 * - {@link liquid3D}: Maass-style distance-dependent connectivity on a 3D grid;
 * - {@link NalsmLiquid}: the liquid built with the BrainTS simulation API (NeuronGroup, Projection,
 *   FromCSR, a plasticity rule), driven one 1 ms step at a time by Bernoulli pixel spikes, with the
 *   paper's two phases (weight initialisation on short snapshots, then per-sample presentation
 *   with decaying rates from the initialised weights) and spike counts as readout features;
 * - {@link normalizeCounts}: the paper's feature scaling (per-sample L1 norm, then a global scale).
 *
 * Model facts follow the authors' published code (github.com/combra-lab/NALSM): discrete time
 * with 1 ms steps; v ← v − v/τ_v + Σ synaptic input, τ_v = 64 ms, threshold 20, reset to 0,
 * 2 ms (2 steps) refractory; synaptic current w·e^(−t/τ_u)/τ_u with τ_u = 1 ms; 80 % excitatory;
 * connection probability C·exp(−(d/λ)²), λ = 3, C = 0.2 (E→E), 0.1 (E→I), 0.3 (I→E), 0.05 (I→I);
 * 784 input neurons, each liquid–input pair connected with density 0.15, weights ±w at random;
 * all |w| start at the maximum 3; STDP traces x ← e^(−1/10)(x + 0.1 S); potentiation rate 0.15;
 * astrocyte A ← A + (w_A(ΣS_liquid − ΣS_input) + b − A)/τ_A with τ_A = 100 ms, b = A(0) = 0.15,
 * w_A = 0.015 (1 000 neurons) or 0.0075 (8 000); weights clipped to [0, 3] (E), [−3, 0] (I),
 * [−3, 3] (input).
 */
import { defineNeuron, type NeuronModel } from '../model/model.js';
import { NeuronGroup } from '../model/group.js';
import { Network } from '../core/network.js';
import { type Projection } from '../projections/projection.js';
import { FromCSR } from '../connect/index.js';
import { values } from '../model/init.js';
import { defineRule, type PlasticityRule } from '../plasticity/index.js';
import { BuildError } from '../lang/errors.js';
import { SECOND } from '../equations/quantity.js';
import { SpikeMonitor } from '../runner/monitors.js';
import { type Population } from '../model/group.js';
import { type Matrix } from './linalg.js';

/** A small, fast pseudo-random generator (xoshiro128**) for connectivity and input spikes. */
class Xoshiro {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    // splitmix32 to spread the seed over the state
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
  }
  /** Uniform in [0, 1). */
  uniform(): number {
    const r = Math.imul(((Math.imul(this.b, 5) << 7) | (Math.imul(this.b, 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = (this.d << 11) | (this.d >>> 21);
    return r / 4294967296;
  }
}

// ---------------------------------------------------------------------------------------------
// Astrocyte

/** Options of {@link Astrocyte}. All rates are in the units of the STDP rates they set. */
export interface AstrocyteOptions {
  /** Time constant in steps (default 100, i.e. 100 ms at 1 ms steps). */
  readonly tau?: number;
  /** Weight of one spike, w_A (default 0.015, the paper's value for 1 000 liquid neurons; 0.0075 for 8 000). */
  readonly weight?: number;
  /** Bias b, the level without activity imbalance (default 0.15). */
  readonly bias?: number;
  /** Level at reset (default: the bias). */
  readonly initial?: number;
  /** Sign of the input neurons' spikes (default −1: the astrocyte compares liquid output with input). */
  readonly inputSign?: number;
}

/**
 * The NALSM astrocyte: one leaky integrator for the whole liquid,
 *
 *   A ← A + (w_A · (n_liquid − n_input) + b − A) / τ_A      (once per step),
 *
 * where n_liquid and n_input are the numbers of liquid and input spikes in the step. Its level A
 * is the STDP depression rate: it rises above its bias when the liquid emits more spikes than it
 * receives (activity is being amplified) and falls when the liquid is quieter than its input.
 * {@link Astrocyte.decay} scales A, w_A and b together, as the paper does during the per-sample
 * presentation phase.
 *
 * @example
 * const astro = new Astrocyte({ tau: 100, weight: 0.015, bias: 0.15 });
 * astro.step(120, 15); // 120 liquid spikes, 15 input spikes this step
 * astro.level;         // 0.15 + (0.015·105 + 0.15 − 0.15)/100 ≈ 0.166
 */
export class Astrocyte {
  readonly tau: number;
  readonly weight0: number;
  readonly bias0: number;
  readonly initial: number;
  readonly inputSign: number;
  /** Current level A (the depression rate it sets). */
  level: number;
  /** Current spike weight (decays with {@link Astrocyte.decay}). */
  weight: number;
  /** Current bias (decays with {@link Astrocyte.decay}). */
  bias: number;

  constructor(options: AstrocyteOptions = {}) {
    this.tau = options.tau ?? 100;
    this.weight0 = options.weight ?? 0.015;
    this.bias0 = options.bias ?? 0.15;
    this.initial = options.initial ?? this.bias0;
    this.inputSign = options.inputSign ?? -1;
    if (!(this.tau >= 1) || !Number.isFinite(this.tau)) throw new BuildError('Astrocyte', 'tau', `must be ≥ 1 step, got ${this.tau}`, 'give e.g. 100');
    for (const [k, v] of [['weight', this.weight0], ['bias', this.bias0], ['initial', this.initial], ['inputSign', this.inputSign]] as const) {
      if (!Number.isFinite(v)) throw new BuildError('Astrocyte', k, `must be finite, got ${v}`);
    }
    this.level = this.initial;
    this.weight = this.weight0;
    this.bias = this.bias0;
  }

  /**
   * Integrates one step with `liquidSpikes` and `inputSpikes` spikes; returns the new level.
   *
   * @example
   * const a = astro.step(liquidCount, inputCount);
   */
  step(liquidSpikes: number, inputSpikes: number): number {
    const drive = this.weight * (liquidSpikes + this.inputSign * inputSpikes) + this.bias;
    this.level += (drive - this.level) / this.tau;
    return this.level;
  }

  /**
   * Multiplies the level, the spike weight and the bias by `factor` (the paper's 0.99 per step
   * while a sample is presented).
   *
   * @example
   * astro.decay(0.99);
   */
  decay(factor: number): void {
    this.level *= factor;
    this.weight *= factor;
    this.bias *= factor;
  }

  /**
   * Back to the initial level, weight and bias.
   *
   * @example
   * astro.reset(); // astro.level === astro.initial
   */
  reset(): void {
    this.level = this.initial;
    this.weight = this.weight0;
    this.bias = this.bias0;
  }
}

// ---------------------------------------------------------------------------------------------
// The plasticity rule

/** Which kind of pre-synaptic neuron a rule instance serves. */
export type NalsmSynapseKind = 'excitatory' | 'inhibitory' | 'input';

/** Options of {@link astrocyteSTDP}. */
export interface AstrocyteSTDPOptions {
  /** Kind of the pre-synaptic neurons. */
  readonly kind: NalsmSynapseKind;
  /** Largest |w|: weights stay in [0, wmax] (excitatory), [−wmax, 0] (inhibitory) or [−wmax, wmax] (input). */
  readonly wmax: number;
  /** Other bounds [low, high], overriding those of `wmax`. */
  readonly bounds?: readonly [number, number];
  /** Trace time constant (default '10 ms'). */
  readonly tauTrace?: string;
  /** Trace increment per spike (default 0.1). */
  readonly traceIncrement?: number;
}

/**
 * The NALSM STDP rule for one projection, as a BrainTS plasticity declaration. Traces x (one per
 * neuron on each side) decay with τ = 10 ms and jump by 0.1 per spike. The rates η₊ (`eta_ltp`)
 * and η₋ (`eta_ltd`) are values of the neuron models, set each step from outside to the same
 * global numbers in every neuron (in the NALSM η₋ is the astrocyte's level):
 *
 * - excitatory and input synapses: post spike w += η₊·x_pre; pre spike w −= η₋·x_post;
 * - inhibitory synapses (negative weights): post spike w −= η₋·x_pre (stronger inhibition);
 *   pre spike w += η₊·x_post;
 *
 * and the weight is clipped to its kind's bounds. Traces are read as they were before the step,
 * so spikes in the same step do not pair. Both models must declare the values `eta_ltp : 1` and
 * `eta_ltd : 1`, and the pre-synaptic model a variable `spk` that is 1 in the step of a spike and
 * 0 otherwise (as {@link NalsmLIF} and {@link SpikeGate} do).
 *
 * @example
 * net.connect(E, L, { comm: new FromCSR(indptr, indices), weight: 3, target: 'v',
 *   plasticity: astrocyteSTDP({ kind: 'excitatory', wmax: 3 }) });
 */
export function astrocyteSTDP(options: AstrocyteSTDPOptions): PlasticityRule {
  const { kind, wmax } = options;
  if (!(wmax > 0) || !Number.isFinite(wmax)) throw new BuildError('astrocyteSTDP', 'wmax', `must be positive, got ${wmax}`);
  const [wmin, hi] = options.bounds ?? (kind === 'excitatory' ? [0, wmax] : kind === 'inhibitory' ? [-wmax, 0] : [-wmax, wmax]);
  if (!(wmin <= hi)) throw new BuildError('astrocyteSTDP', 'bounds', `need low ≤ high, got [${wmin}, ${hi}]`);
  const inh = kind === 'inhibitory';
  return defineRule({
    name: `astrocyte-modulated STDP (${kind})`,
    params: { tau_x: options.tauTrace ?? '10 ms', a_x: options.traceIncrement ?? 0.1, w_lo: wmin, w_hi: hi },
    pre: { equations: 'dxpre/dt = -xpre/tau_x : 1', onSpike: 'xpre += a_x' },
    post: { equations: 'dxpost/dt = -xpost/tau_x : 1', onSpike: 'xpost += a_x' },
    // (−a_x·spk_pre + xpre): the pre trace without the increment of a pre spike in this same
    // step (the kernel updates pre traces before post-triggered statements), so that, as in the
    // paper, simultaneous spikes do not pair. The rate of a post-triggered change is read from the
    // pre neuron and that of a pre-triggered change from the post neuron (all neurons hold the
    // same global values), and the names appear in this order because the kernel (network.ts,
    // plasticArrays) labels arrays by their order of first use, separately in its on-pre and
    // on-post code: in this order the two codes never give one label to two arrays.
    onPost: inh ? 'w = clip(w - eta_ltd_pre*(-a_x*spk_pre + xpre), w_lo, w_hi)' : 'w = clip(w + eta_ltp_pre*(-a_x*spk_pre + xpre), w_lo, w_hi)',
    onPre: inh ? 'w = clip(w + xpost*eta_ltp_post, w_lo, w_hi)' : 'w = clip(w - xpost*eta_ltd_post, w_lo, w_hi)',
  });
}

/**
 * The NALSM liquid neuron in BrainTS form: dv/dt = −v/τ_v (dimensionless v, threshold 20, reset
 * to 0), spikes blocked for the 2 steps after a spike (`refractory: '3 ms'` at dt = 1 ms, where v
 * keeps integrating, as in the paper), the two per-neuron values `eta_ltp`, `eta_ltd` read by
 * {@link astrocyteSTDP}, and a spike flag `spk` (set to 1 by a spike, gone by the next step:
 * τ = 1 µs). Synapses add their weight to v directly (no `syn`).
 *
 * @example
 * const L = net.add(new NeuronGroup(1000, NalsmLIF));
 */
export const NalsmLIF: NeuronModel = defineNeuron({
  name: 'NalsmLIF',
  equations: `dv/dt = -v/tau_v : 1
dspk/dt = -spk/tau_spk : 1
eta_ltp : 1
eta_ltd : 1`,
  params: { tau_v: '64 ms', Vth: 20, tau_spk: '1 us' },
  threshold: 'v > Vth',
  reset: 'v = 0; spk = 1',
  refractory: '3 ms',
});

/**
 * Input neurons whose spikes are chosen from outside: a neuron spikes in a step when its input
 * `s` is set above 0.5 ({@link NalsmLiquid} sets it from Bernoulli draws of the pixel
 * probabilities each step). The values `eta_ltp`, `eta_ltd` and the spike flag `spk` serve
 * {@link astrocyteSTDP}.
 *
 * @example
 * const In = net.add(new NeuronGroup(784, SpikeGate)); In.setInput('s', values(mask));
 */
export const SpikeGate: NeuronModel = defineNeuron({
  name: 'SpikeGate',
  equations: `s : 1 (input)
dspk/dt = -spk/tau_spk : 1
eta_ltp : 1
eta_ltd : 1`,
  params: { tau_spk: '1 us' },
  threshold: 's > 0.5',
  reset: 'spk = 1',
});

// ---------------------------------------------------------------------------------------------
// Connectivity

/** Connection probabilities by (pre, post) type. */
export interface LiquidConnectivity {
  readonly EE: number;
  readonly EI: number;
  readonly IE: number;
  readonly II: number;
}

/** Options of {@link liquid3D}. */
export interface Liquid3DOptions {
  /** Grid size (default [10, 10, 10]: 1 000 neurons). */
  readonly dims?: readonly [number, number, number];
  /** Fraction of excitatory neurons (default 0.8); they are neurons 0 .. nExc−1. */
  readonly excFraction?: number;
  /** C by pair type (default EE 0.2, EI 0.1, IE 0.3, II 0.05; EI means E → I). */
  readonly C?: Partial<LiquidConnectivity>;
  /** Length constant λ in grid units (default 3). */
  readonly lambda?: number;
  /** Seed of the positions and the draws (default 1). */
  readonly seed?: number;
}

/** Connectivity of a 3D liquid: CSR rows of the excitatory and of the inhibitory neurons. */
export interface Liquid3D {
  readonly size: number;
  readonly nExc: number;
  /** Grid coordinates, [x, y, z] per neuron. */
  readonly positions: Int32Array;
  /** Rows 0..nExc−1 (excitatory pre neurons), post indices in [0, size). */
  readonly exc: { readonly indptr: Int32Array; readonly indices: Int32Array };
  /** Rows 0..size−nExc−1 (inhibitory pre neuron nExc + r), post indices in [0, size). */
  readonly inh: { readonly indptr: Int32Array; readonly indices: Int32Array };
}

/**
 * Distance-dependent connectivity on a 3D grid (Maass, Natschläger & Markram 2002, as used by the
 * NALSM): the grid points are shuffled over the neurons, and each ordered pair i ≠ j is connected
 * with probability C(type i, type j) · exp(−(d(i, j)/λ)²). Rows come out sorted.
 *
 * @example
 * const c = liquid3D({ dims: [10, 10, 10], seed: 1 });
 * c.exc.indptr[c.nExc]; // number of synapses from excitatory neurons (≈ 15 000)
 */
export function liquid3D(options: Liquid3DOptions = {}): Liquid3D {
  const dims = options.dims ?? [10, 10, 10];
  for (const d of dims) if (!Number.isInteger(d) || d < 1) throw new BuildError('liquid3D', 'dims', `must be three positive integers, got ${JSON.stringify(dims)}`);
  const n = dims[0] * dims[1] * dims[2];
  const excFraction = options.excFraction ?? 0.8;
  if (!(excFraction >= 0 && excFraction <= 1)) throw new BuildError('liquid3D', 'excFraction', `must be in [0, 1], got ${excFraction}`);
  const nExc = Math.round(n * excFraction);
  const C = { EE: 0.2, EI: 0.1, IE: 0.3, II: 0.05, ...options.C };
  for (const [k, v] of Object.entries(C)) if (!(v >= 0 && v <= 1)) throw new BuildError('liquid3D', `C.${k}`, `must be a probability, got ${v}`);
  const lambda = options.lambda ?? 3;
  if (!(lambda > 0)) throw new BuildError('liquid3D', 'lambda', `must be positive, got ${lambda}`);
  const rng = new Xoshiro((options.seed ?? 1) ^ 0x3d1a7);
  // Shuffle the grid points over the neurons.
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const pos = new Int32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const g = perm[i];
    pos[3 * i] = Math.floor(g / (dims[1] * dims[2]));
    pos[3 * i + 1] = Math.floor(g / dims[2]) % dims[1];
    pos[3 * i + 2] = g % dims[2];
  }
  // exp(−d²/λ²) by integer squared distance.
  const maxD2 = (dims[0] - 1) ** 2 + (dims[1] - 1) ** 2 + (dims[2] - 1) ** 2;
  const kernel = new Float64Array(maxD2 + 1);
  for (let d2 = 0; d2 <= maxD2; d2++) kernel[d2] = Math.exp(-d2 / (lambda * lambda));
  const build = (from: number, to: number) => {
    const indptr = new Int32Array(to - from + 1);
    let cap = 1024;
    let indices = new Int32Array(cap);
    let m = 0;
    for (let i = from; i < to; i++) {
      const ie = i < nExc;
      const xi = pos[3 * i], yi = pos[3 * i + 1], zi = pos[3 * i + 2];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const je = j < nExc;
        const c = ie ? (je ? C.EE : C.EI) : je ? C.IE : C.II;
        const dx = xi - pos[3 * j], dy = yi - pos[3 * j + 1], dz = zi - pos[3 * j + 2];
        if (rng.uniform() < c * kernel[dx * dx + dy * dy + dz * dz]) {
          if (m === cap) {
            cap *= 2;
            const grown = new Int32Array(cap);
            grown.set(indices);
            indices = grown;
          }
          indices[m++] = j;
        }
      }
      indptr[i - from + 1] = m;
    }
    return { indptr, indices: indices.slice(0, m) };
  };
  return { size: n, nExc, positions: pos, exc: build(0, nExc), inh: build(nExc, n) };
}

/**
 * A random bipartite connectivity with exactly ⌊nPre · nPost · density⌋ synapses, chosen
 * uniformly without replacement (selection sampling), as CSR rows by pre neuron (sorted).
 *
 * @example
 * const c = exactDensity(784, 1000, 0.15, 7); // c.indices.length === 117600
 */
export function exactDensity(nPre: number, nPost: number, density: number, seed: number): { indptr: Int32Array; indices: Int32Array } {
  if (!(density >= 0 && density <= 1)) throw new BuildError('exactDensity', 'density', `must be in [0, 1], got ${density}`);
  const total = nPre * nPost;
  const want = Math.floor(total * density);
  const rng = new Xoshiro(seed ^ 0x1a9e3);
  const indptr = new Int32Array(nPre + 1);
  const indices = new Int32Array(want);
  let m = 0;
  let seen = 0;
  for (let i = 0; i < nPre; i++) {
    for (let j = 0; j < nPost; j++, seen++) {
      if ((total - seen) * rng.uniform() < want - m) indices[m++] = j;
    }
    indptr[i + 1] = m;
  }
  return { indptr, indices };
}

// ---------------------------------------------------------------------------------------------
// The liquid

/** How the liquid's weights learn. */
export type NalsmPlasticity = 'astrocyte' | 'stdp' | 'none';

/** Options of {@link NalsmLiquid}. Weights and rates are in the paper's units. */
export interface NalsmOptions {
  /** Grid of the liquid (default [10, 10, 10]). */
  readonly dims?: readonly [number, number, number];
  /** Number of input neurons (default 784). */
  readonly inputs?: number;
  /** 'astrocyte' (NALSM), 'stdp' (depression rate = potentiation rate), 'none' (static LSM). Default 'astrocyte'. */
  readonly plasticity?: NalsmPlasticity;
  /** Initial |w| of every liquid and input synapse (default: `wmax`, as the paper starts). */
  readonly weight?: number;
  /** Weight bound (default 3). */
  readonly wmax?: number;
  /** Input connection density (default 0.15). */
  readonly inputDensity?: number;
  /** Liquid connectivity (C, λ, E fraction). */
  readonly connectivity?: Omit<Liquid3DOptions, 'dims' | 'seed'>;
  /** Membrane time constant in ms (default 64). */
  readonly tauV?: number;
  /** Threshold (default 20). */
  readonly threshold?: number;
  /**
   * Total input to v per unit weight per spike (default 1/(1 − e^(−1)) ≈ 1.582): the paper's
   * synaptic current w·e^(−t/τ_u)/τ_u with τ_u = 1 ms, summed over the 1 ms steps, delivered
   * here in the step after the spike. Weights, bounds and rates are scaled by it internally.
   */
  readonly synapseGain?: number;
  /** STDP potentiation rate η₊ (default 0.15). */
  readonly etaPlus?: number;
  /** The astrocyte (defaults: τ 100 steps, w_A 0.015 (the paper's value for 10×10×10; 0.0075 for 20×20×20), bias = initial = η₊). */
  readonly astrocyte?: AstrocyteOptions;
  /** Seed of connectivity, signs and input draws (default 1). */
  readonly seed?: number;
  /** Float precision of the network (default 'float32'). */
  readonly dtype?: 'float32' | 'float64';
}

/** Options of {@link NalsmLiquid.present}. */
export interface PresentOptions {
  /** Learn during the presentation (default: true when the liquid is plastic). */
  readonly plastic?: boolean;
  /** Factor applied to η₊ and to the astrocyte after every step (default 1; the paper's readout phase uses 0.99). */
  readonly decay?: number;
  /** Add each liquid neuron's spike count to this array (length: liquid size). */
  readonly counts?: Float64Array;
  /** Append (step within the presentation, neuron) of every liquid spike. */
  readonly raster?: SpikeRaster;
  /** Seed of this presentation's input draws (default: continue the liquid's own generator). */
  readonly seed?: number;
}

/**
 * A growable spike raster: parallel arrays of step and neuron index.
 *
 * @example
 * const r = new SpikeRaster(); r.push(3, 17); r.steps.subarray(0, r.length);
 */
export class SpikeRaster {
  steps: Int32Array;
  indices: Int32Array;
  length = 0;
  constructor(capacity = 4096) {
    this.steps = new Int32Array(capacity);
    this.indices = new Int32Array(capacity);
  }
  /** Appends one spike. */
  push(step: number, index: number): void {
    if (this.length === this.steps.length) {
      const s = new Int32Array(this.length * 2);
      s.set(this.steps);
      this.steps = s;
      const x = new Int32Array(this.length * 2);
      x.set(this.indices);
      this.indices = x;
    }
    this.steps[this.length] = step;
    this.indices[this.length] = index;
    this.length++;
  }
  /** Forgets the spikes, keeping the storage. */
  clear(): void {
    this.length = 0;
  }
  /** Views of the recorded spikes. */
  view(): { steps: Int32Array; indices: Int32Array } {
    return { steps: this.steps.subarray(0, this.length), indices: this.indices.subarray(0, this.length) };
  }
}

/** Saved weights of a liquid's three projections (paper units × synapse gain). */
export interface NalsmWeights {
  readonly exc: Float32Array | Float64Array;
  readonly inh: Float32Array | Float64Array;
  readonly input: Float32Array | Float64Array;
}

const ONE_MS = { value: 1e-3, dim: SECOND };

/**
 * A spike monitor that keeps only the spikes of the last recorded step (no growth), read after
 * every one-step run. Being a SpikeMonitor, it is served by every step loop of the network.
 */
class LastStepSpikes extends SpikeMonitor {
  /** Neuron indices (relative to the source) that spiked in step {@link LastStepSpikes.recordedStep}. */
  readonly last: Int32Array;
  /** Number of entries of {@link LastStepSpikes.last}. */
  inStep = 0;
  /** The step recorded last. */
  recordedStep = -1;
  constructor(source: Population) {
    super(source);
    this.last = new Int32Array(this.source.size);
  }
  override record(n: number): void {
    const rt = this.source.group.runtime!;
    const slot = n % rt.ring;
    const c = rt.counts[slot];
    const base = slot * this.source.group.size;
    const { start, stop } = this.source;
    let k = 0;
    for (let s = 0; s < c; s++) {
      const i = rt.spikes[base + s];
      if (i >= start && i < stop) this.last[k++] = i - start;
    }
    this.inStep = k;
    this.recordedStep = n;
  }
  override clear(): void {
    this.inStep = 0;
  }
}

/**
 * A NALSM liquid built from BrainTS parts: an input population of {@link SpikeGate} neurons, a
 * liquid of {@link NalsmLIF} neurons connected by {@link liquid3D}, an input projection with
 * {@link exactDensity} and random signs, and (unless `plasticity: 'none'`) the
 * {@link astrocyteSTDP} rule on all three projections. The network runs at dt = 1 ms, one step at
 * a time: before each step the pixel probabilities are drawn into input spikes and the rates
 * η₊, η₋ are written into every neuron (the values read by the rule); after it the astrocyte
 * integrates the step's spike counts, read by a one-step spike monitor.
 *
 * Protocol of the paper: {@link NalsmLiquid.present} 50 000 random training images for 20 ms each
 * with learning (weights carry over; neuron state, astrocyte and rates reset per image), keep the
 * weights ({@link NalsmLiquid.saveWeights}); then present every image for 250 ms from those
 * weights (restored per image) with learning whose rates decay by 0.99 per step, and use the
 * liquid's spike counts as features of a linear classifier.
 *
 * @example
 * const liq = new NalsmLiquid({ dims: [10, 10, 10], plasticity: 'astrocyte' });
 * const scale = pixelScale(train.x, train.n, 784);
 * for (const img of warmup) liq.present(pixelProbabilities(img, scale), 20);
 * const w0 = liq.saveWeights();
 * const counts = new Float64Array(liq.size);
 * liq.restoreWeights(w0);
 * liq.present(pixelProbabilities(img, scale), 250, { decay: 0.99, counts });
 */
export class NalsmLiquid {
  readonly options: NalsmOptions;
  readonly net: Network;
  readonly liquid: NeuronGroup;
  readonly input: NeuronGroup;
  readonly excProjection: Projection;
  readonly inhProjection: Projection;
  readonly inputProjection: Projection;
  readonly connectivity: Liquid3D;
  readonly plasticity: NalsmPlasticity;
  readonly astrocyte: Astrocyte | undefined;
  readonly size: number;
  readonly inputSize: number;
  readonly gain: number;
  readonly etaPlus: number;
  /** Current potentiation rate (decays within a presentation). */
  private eta = 0;
  private readonly gate: Float32Array | Float64Array;
  private readonly active: Int32Array;
  private nActive = 0;
  private readonly etaLtp: (Float32Array | Float64Array)[];
  private readonly etaLtd: (Float32Array | Float64Array)[];
  private readonly traces: (Float32Array | Float64Array)[] = [];
  private readonly rng: Xoshiro;
  private readonly tapLiquid: LastStepSpikes;
  private readonly tapInput: LastStepSpikes;
  private lastLtp = NaN;
  private lastLtd = NaN;

  constructor(options: NalsmOptions = {}) {
    this.options = options;
    const seed = options.seed ?? 1;
    const dims = options.dims ?? [10, 10, 10];
    const nIn = options.inputs ?? 784;
    const wmax = options.wmax ?? 3;
    const w0 = options.weight ?? wmax;
    const gain = options.synapseGain ?? 1 / (1 - Math.exp(-1));
    const density = options.inputDensity ?? 0.15;
    if (!Number.isInteger(nIn) || nIn < 1) throw new BuildError('NalsmLiquid', 'inputs', `must be a positive integer, got ${nIn}`);
    if (!(wmax > 0)) throw new BuildError('NalsmLiquid', 'wmax', `must be positive, got ${wmax}`);
    if (!(w0 >= 0 && w0 <= wmax)) throw new BuildError('NalsmLiquid', 'weight', `must be in [0, wmax = ${wmax}], got ${w0}`);
    if (!(gain > 0)) throw new BuildError('NalsmLiquid', 'synapseGain', `must be positive, got ${gain}`);
    this.plasticity = options.plasticity ?? 'astrocyte';
    this.gain = gain;
    this.etaPlus = options.etaPlus ?? 0.15;
    this.inputSize = nIn;
    const conn = liquid3D({ ...options.connectivity, dims, seed });
    this.connectivity = conn;
    this.size = conn.size;
    const nExc = conn.nExc;
    const net = new Network({ dt: '1 ms', seed, dtype: options.dtype ?? 'float32', name: 'NALSM' });
    this.net = net;
    const L = net.add(
      new NeuronGroup(conn.size, NalsmLIF, { name: 'liquid', params: { tau_v: `${options.tauV ?? 64} ms`, Vth: options.threshold ?? 20 } }),
    );
    const In = net.add(new NeuronGroup(nIn, SpikeGate, { name: 'input' }));
    this.liquid = L;
    this.input = In;
    const plastic = this.plasticity !== 'none';
    const W = wmax * gain;
    const rule = (kind: NalsmSynapseKind) => (plastic ? astrocyteSTDP({ kind, wmax: W }) : undefined);
    this.excProjection = net.connect(L.slice(0, nExc), L, {
      name: 'E→liquid',
      comm: new FromCSR(conn.exc.indptr, conn.exc.indices),
      weight: w0 * gain,
      target: 'v',
      plasticity: rule('excitatory'),
    });
    this.inhProjection = net.connect(L.slice(nExc), L, {
      name: 'I→liquid',
      comm: new FromCSR(conn.inh.indptr, conn.inh.indices),
      weight: -w0 * gain,
      target: 'v',
      plasticity: rule('inhibitory'),
    });
    const inConn = exactDensity(nIn, conn.size, density, seed);
    const signs = new Float64Array(inConn.indices.length);
    const srng = new Xoshiro(seed ^ 0x5157);
    for (let s = 0; s < signs.length; s++) signs[s] = (srng.uniform() < 0.5 ? -1 : 1) * w0 * gain;
    this.inputProjection = net.connect(In, L, {
      name: 'input→liquid',
      comm: new FromCSR(inConn.indptr, inConn.indices),
      weight: values(signs),
      target: 'v',
      plasticity: rule('input'),
    });
    In.setInput('s', 0);
    this.tapLiquid = net.add(new LastStepSpikes(L));
    this.tapInput = net.add(new LastStepSpikes(In));
    net.build();
    this.gate = In.get('ext$s');
    this.active = new Int32Array(nIn);
    this.etaLtp = [L.get('eta_ltp'), In.get('eta_ltp')];
    this.etaLtd = [L.get('eta_ltd'), In.get('eta_ltd')];
    for (const g of [L, In]) for (const [key, arr] of g.runtime!.arrays) if (/^pl\d+\$x(pre|post)$/.test(key)) this.traces.push(arr);
    this.astrocyte = this.plasticity === 'astrocyte' ? new Astrocyte({ bias: this.etaPlus, initial: this.etaPlus, ...options.astrocyte }) : undefined;
    this.rng = new Xoshiro(seed ^ 0x1b873593);
  }

  /**
   * Connectivity among liquid neurons as one CSR (pre → post, both in [0, size)), e.g. for the
   * branching factor estimator.
   *
   * @example
   * const bf = branchingFactor(raster.view(), liq.liquidCSR(), liq.size, { window: 4, start: 25, stop: 225 });
   */
  liquidCSR(): { indptr: Int32Array; indices: Int32Array } {
    const { exc, inh, nExc, size } = this.connectivity;
    const indptr = new Int32Array(size + 1);
    const nE = exc.indptr[nExc];
    for (let i = 0; i < nExc; i++) indptr[i + 1] = exc.indptr[i + 1];
    for (let r = 0; r < size - nExc; r++) indptr[nExc + r + 1] = nE + inh.indptr[r + 1];
    const indices = new Int32Array(nE + inh.indices.length);
    indices.set(exc.indices);
    indices.set(inh.indices, nE);
    return { indptr, indices };
  }

  /**
   * Copies of the current weights (in internal units: paper units × synapse gain).
   *
   * @example
   * const w0 = liq.saveWeights();
   */
  saveWeights(): NalsmWeights {
    return { exc: this.excProjection.weights.slice(), inh: this.inhProjection.weights.slice(), input: this.inputProjection.weights.slice() };
  }

  /**
   * Puts saved weights back (for plastic liquids; a static liquid's weights never change).
   *
   * @example
   * liq.restoreWeights(w0);
   */
  restoreWeights(w: NalsmWeights): void {
    this.excProjection.weights.set(w.exc);
    this.inhProjection.weights.set(w.inh);
    this.inputProjection.weights.set(w.input);
  }

  /**
   * Mean |w| of the liquid's excitatory, inhibitory and input synapses, in paper units.
   *
   * @example
   * liq.meanWeights(); // { exc: 3, inh: 3, input: 3 } before learning
   */
  meanWeights(): { exc: number; inh: number; input: number } {
    const m = (a: ArrayLike<number>) => {
      let s = 0;
      for (let k = 0; k < a.length; k++) s += Math.abs(a[k]);
      return a.length ? s / a.length / this.gain : 0;
    };
    return { exc: m(this.excProjection.weights), inh: m(this.inhProjection.weights), input: m(this.inputProjection.weights) };
  }

  /**
   * Zeroes membrane potentials, refractoriness, spike flags and STDP traces ({@link NalsmLiquid.present} does this first).
   *
   * @example
   * liq.resetState();
   */
  resetState(): void {
    const rt = this.liquid.runtime!;
    this.liquid.get('v').fill(0);
    this.liquid.get('spk').fill(0);
    this.input.get('spk').fill(0);
    rt.lastSpike.fill(-0x40000000);
    this.input.runtime!.lastSpike.fill(-0x40000000);
    for (const t of this.traces) t.fill(0);
    for (let k = 0; k < this.nActive; k++) this.gate[this.active[k]] = 0;
    this.nActive = 0;
  }

  /**
   * Presents one input for `steps` steps (1 ms each) from a fresh neuron state: each step, input
   * neuron i spikes with probability `probabilities[i]`. When learning, the astrocyte and the
   * rates start from their initial values and decay by `decay` per step; the weights are not
   * restored (call {@link NalsmLiquid.restoreWeights} first for the per-sample protocol).
   * Returns the number of liquid spikes.
   *
   * @example
   * const counts = new Float64Array(liq.size);
   * liq.present(p, 250, { decay: 0.99, counts });
   */
  present(probabilities: ArrayLike<number>, steps: number, options: PresentOptions = {}): number {
    if (probabilities.length !== this.inputSize) {
      throw new BuildError('NalsmLiquid.present', 'probabilities', `has ${probabilities.length} entries for ${this.inputSize} input neurons`);
    }
    if (!Number.isInteger(steps) || steps < 0) throw new BuildError('NalsmLiquid.present', 'steps', `must be a non-negative integer, got ${steps}`);
    const learn = (options.plastic ?? true) && this.plasticity !== 'none';
    const decay = options.decay ?? 1;
    const counts = options.counts;
    if (counts && counts.length !== this.size) throw new BuildError('NalsmLiquid.present', 'counts', `has ${counts.length} entries for ${this.size} liquid neurons`);
    const raster = options.raster;
    const rng = options.seed === undefined ? this.rng : new Xoshiro(options.seed);
    this.resetState();
    const astro = this.astrocyte;
    if (astro) astro.reset();
    this.eta = this.etaPlus;
    const g = this.gain;
    const ltp = this.etaLtp;
    const ltd = this.etaLtd;
    if (this.plasticity !== 'none' && !learn) {
      this.lastLtp = this.lastLtd = 0;
      for (const a of ltp) a.fill(0);
      for (const a of ltd) a.fill(0);
    }
    const gate = this.gate;
    const active = this.active;
    const nIn = this.inputSize;
    const tapL = this.tapLiquid;
    const tapI = this.tapInput;
    let total = 0;
    for (let t = 0; t < steps; t++) {
      // Input spikes of this step.
      for (let k = 0; k < this.nActive; k++) gate[active[k]] = 0;
      let na = 0;
      for (let i = 0; i < nIn; i++) {
        const p = probabilities[i];
        if (p > 0 && rng.uniform() < p) {
          gate[i] = 1;
          active[na++] = i;
        }
      }
      this.nActive = na;
      if (learn) {
        const a = g * this.eta;
        const d = g * (astro ? astro.level : this.eta);
        if (a !== this.lastLtp) for (let q = 0; q < ltp.length; q++) ltp[q].fill((this.lastLtp = a));
        if (d !== this.lastLtd) for (let q = 0; q < ltd.length; q++) ltd[q].fill((this.lastLtd = d));
      }
      tapL.inStep = 0;
      tapI.inStep = 0;
      this.net.run(ONE_MS);
      const cL = tapL.inStep;
      const cI = tapI.inStep;
      total += cL;
      if (counts || raster) {
        const last = tapL.last;
        for (let q = 0; q < cL; q++) {
          const i = last[q];
          if (counts) counts[i] += 1;
          if (raster) raster.push(t, i);
        }
      }
      if (learn) {
        if (astro) astro.step(cL, cI);
        if (decay !== 1) {
          this.eta *= decay;
          if (astro) astro.decay(decay);
        }
      }
    }
    return total;
  }
}

/**
 * Pixel intensities to per-step spike probabilities as in the NALSM code: each image is divided
 * by its own pixel sum, then every image by one global scale (the largest normalised pixel of the
 * training set, `scale`), so that every image sends the same expected number of input spikes per
 * step (1/scale; about 15 for Fashion-MNIST).
 *
 * @example
 * const scale = pixelScale(train.x, train.n, 784);
 * const p = pixelProbabilities(train.x.subarray(0, 784), scale);
 */
export function pixelProbabilities(pixels: ArrayLike<number>, scale: number, out: Float64Array = new Float64Array(pixels.length)): Float64Array {
  let s = 0;
  for (let i = 0; i < pixels.length; i++) s += pixels[i];
  const k = s > 0 ? 1 / (s * scale) : 0;
  for (let i = 0; i < pixels.length; i++) out[i] = Math.min(1, pixels[i] * k);
  return out;
}

/**
 * The largest pixel/sum ratio over `n` images of `d` pixels (row-major), the scale of
 * {@link pixelProbabilities}.
 *
 * @example
 * pixelScale(train.x, train.n, 784); // ≈ 0.0658 for the Fashion-MNIST training set
 */
export function pixelScale(images: ArrayLike<number>, n: number, d: number): number {
  let best = 0;
  for (let s = 0; s < n; s++) {
    let sum = 0;
    let max = 0;
    for (let i = 0; i < d; i++) {
      const v = images[s * d + i];
      sum += v;
      if (v > max) max = v;
    }
    if (sum > 0 && max / sum > best) best = max / sum;
  }
  return best;
}

/**
 * The NALSM readout's feature scaling, in place: each row divided by its L1 norm, then all rows
 * by `scale` (default: the largest value after the first step, returned so that test features can
 * reuse the training scale).
 *
 * @example
 * const s = normalizeCounts(Xtrain); normalizeCounts(Xtest, s);
 */
export function normalizeCounts(X: Matrix, scale?: number): number {
  const { rows, cols, data } = X;
  let max = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.abs(data[r * cols + c]);
    const k = s > 0 ? 1 / s : 0;
    for (let c = 0; c < cols; c++) {
      const v = (data[r * cols + c] *= k);
      if (v > max) max = v;
    }
  }
  const sc = scale ?? (max > 0 ? max : 1);
  const inv = 1 / sc;
  for (let k = 0; k < data.length; k++) data[k] *= inv;
  return sc;
}
