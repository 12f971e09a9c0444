/**
 * Echo-state networks (Jaeger 2001): a fixed random recurrent network of leaky tanh (or linear)
 * units driven by an input; only a linear readout of its states is trained.
 *
 *   x(t) = (1 − a) x(t−1) + a f(W x(t−1) + W_in u(t) + W_fb y(t−1) + b)
 */
import { BuildError } from '../lang/errors.js';
import { FixedProb } from '../connect/connectors.js';
import { Rng } from '../math/rng.js';
import { type Matrix, matrix } from './linalg.js';
import { type WeightedCSR, csrMatVec, spectralRadius } from './spectral.js';

/** Anything that maps a feature row to an output row without allocating (every readout here). */
export interface RowPredictor {
  predictRow(x: ArrayLike<number>, out: Float64Array): Float64Array;
}

/** Options of {@link randomMatrix}. */
export interface RandomMatrixOptions {
  /** Entries are `scale` × a draw from `distribution` (default 1). */
  readonly scale?: number;
  /** Probability that an entry is non-zero (default 1). */
  readonly density?: number;
  /** 'uniform' on [−1, 1) (default), 'normal' N(0, 1), or 'sign' ±1. */
  readonly distribution?: 'uniform' | 'normal' | 'sign';
  readonly seed?: number;
  /** Random stream (default 0): different streams of one seed are independent. */
  readonly stream?: number;
}

/**
 * A dense random matrix, e.g. input weights [N × D] for an echo-state network or a liquid.
 *
 * @example
 * const Win = randomMatrix(200, 1, { scale: 0.5, seed: 1 }); // U[-0.5, 0.5)
 */
export function randomMatrix(rows: number, cols: number, options: RandomMatrixOptions = {}): Matrix {
  const scale = options.scale ?? 1;
  const density = options.density ?? 1;
  if (!(density >= 0 && density <= 1)) throw new BuildError('randomMatrix', 'density', `must be in [0, 1], got ${density}`);
  if (!Number.isFinite(scale)) throw new BuildError('randomMatrix', 'scale', `must be finite, got ${scale}`);
  const m = matrix(rows, cols);
  const rng = new Rng(options.seed ?? 0, options.stream ?? 0);
  const dist = options.distribution ?? 'uniform';
  for (let k = 0; k < m.data.length; k++) {
    if (density < 1 && rng.uniform() >= density) continue;
    const r = dist === 'normal' ? rng.normal() : dist === 'sign' ? (rng.uniform() < 0.5 ? -1 : 1) : 2 * rng.uniform() - 1;
    m.data[k] = scale * r;
  }
  return m;
}

/** Options of {@link EchoStateNetwork}. */
export interface EsnOptions {
  /** Number of reservoir units N. */
  readonly size: number;
  /** Number of input channels D. */
  readonly inputSize: number;
  /** Spectral radius the recurrent matrix is scaled to (default 0.9; `null` keeps the weights as given). */
  readonly spectralRadius?: number | null;
  /**
   * Recurrent topology: 'random' (Erdős–Rényi with `density`, normal weights, default), or 'ring'
   * (a simple cycle reservoir, Rodan & Tiňo 2011: unit i feeds unit i+1 with weight ρ; W/ρ is
   * orthogonal). Ignored when `recurrent` is given.
   */
  readonly topology?: 'random' | 'ring';
  /** Connection probability of the random topology (default min(1, 10 / size)). */
  readonly density?: number;
  /** Your own recurrent weights (N × N; rows are pre-synaptic units). Copied, then scaled. */
  readonly recurrent?: WeightedCSR;
  /** Leak rate a ∈ (0, 1] (default 1: no leak). */
  readonly leak?: number;
  /** Input weights scale: one number, or one per input channel (default 1; W_in ~ U[−s, s)). */
  readonly inputScaling?: number | ArrayLike<number>;
  /** Probability that an input weight is non-zero (default 1). */
  readonly inputDensity?: number;
  /** Input weights given explicitly [N × D] (overrides inputScaling/inputDensity). */
  readonly inputWeights?: Matrix;
  /** Bias scale: b ~ U[−s, s) (default 0). */
  readonly biasScaling?: number;
  /** Output-feedback channels (for FORCE learning or generators; default 0). */
  readonly feedbackSize?: number;
  /** Feedback weights scale: W_fb ~ U[−s, s) (default 1). */
  readonly feedbackScaling?: number;
  /** Unit nonlinearity (default 'tanh'). */
  readonly activation?: 'tanh' | 'identity';
  /** Seed of every random draw (default 0). */
  readonly seed?: number;
}

/** Options of {@link EchoStateNetwork.run}. */
export interface EsnRunOptions {
  /** Leading steps whose states are not returned (default 0). */
  readonly washout?: number;
  /** Start from the zero state (default true); false continues from the current state. */
  readonly reset?: boolean;
  /** Where to write the states (rows T − washout, cols N). */
  readonly out?: Matrix;
  /** Teacher-forced feedback [T × feedbackSize]: row t is fed back at step t + 1 (y(t−1) in the update). */
  readonly feedback?: Matrix;
}

/**
 * An echo-state network. States are collected into a [T × N] {@link Matrix}; batches of sequences
 * run through {@link EchoStateNetwork.runBatch}. The recurrent product is sparse (CSR), the update
 * works in place on preallocated typed arrays.
 *
 * @example
 * const esn = new EchoStateNetwork({ size: 200, inputSize: 1, spectralRadius: 0.9, leak: 0.5, seed: 1 });
 * const states = esn.run(inputs, { washout: 100 });   // inputs: [T × 1] → states: [(T − 100) × 200]
 * const readout = new Ridge(200, 1, { lambda: 1e-6 }).fit(states, targets);
 */
export class EchoStateNetwork {
  readonly size: number;
  readonly inputSize: number;
  readonly feedbackSize: number;
  readonly leak: number;
  readonly activation: 'tanh' | 'identity';
  /** Recurrent weights (scaled). */
  readonly W: WeightedCSR;
  /** Input weights [N × D] row-major. */
  readonly Win: Float64Array;
  /** Feedback weights [N × feedbackSize] row-major. */
  readonly Wfb: Float64Array;
  readonly bias: Float64Array;
  /** Spectral radius of W after scaling (estimated; see {@link spectralRadius}). */
  readonly spectralRadius: number;
  /** The current state x (length N). */
  readonly state: Float64Array;
  private readonly pre: Float64Array;

  constructor(options: EsnOptions) {
    const where = 'EchoStateNetwork';
    const n = options.size;
    const d = options.inputSize;
    if (!Number.isInteger(n) || n < 1) throw new BuildError(where, 'size', `must be a positive integer, got ${n}`, 'give e.g. 200');
    if (!Number.isInteger(d) || d < 0) throw new BuildError(where, 'inputSize', `must be a non-negative integer, got ${d}`, 'give e.g. 1');
    const leak = options.leak ?? 1;
    if (!(leak > 0 && leak <= 1)) throw new BuildError(where, 'leak', `must be in (0, 1], got ${leak}`, 'give e.g. 0.3 (slow units) or 1 (no leak)');
    const fb = options.feedbackSize ?? 0;
    if (!Number.isInteger(fb) || fb < 0) throw new BuildError(where, 'feedbackSize', `must be a non-negative integer, got ${fb}`);
    const seed = options.seed ?? 0;
    const rho = options.spectralRadius === undefined ? 0.9 : options.spectralRadius;
    if (rho !== null && !(rho >= 0 && Number.isFinite(rho))) throw new BuildError(where, 'spectralRadius', `must be a finite number ≥ 0 or null, got ${rho}`, 'give e.g. 0.9');
    this.size = n;
    this.inputSize = d;
    this.feedbackSize = fb;
    this.leak = leak;
    this.activation = options.activation ?? 'tanh';
    if (this.activation !== 'tanh' && this.activation !== 'identity') {
      throw new BuildError(where, 'activation', `unknown activation '${String(this.activation)}'`, "give 'tanh' or 'identity'");
    }

    // Recurrent weights.
    let W: WeightedCSR;
    let known: number | undefined;
    if (options.recurrent) {
      const r = options.recurrent;
      if (r.nPre !== n || r.nPost !== n) throw new BuildError(where, 'recurrent', `is ${r.nPost} × ${r.nPre}, expected ${n} × ${n}`, `give an N × N matrix with N = size = ${n}`);
      if (r.weights.length !== r.indices.length) throw new BuildError(where, 'recurrent.weights', `has ${r.weights.length} values for ${r.indices.length} synapses`);
      W = { nPre: n, nPost: n, indptr: r.indptr.slice(), indices: r.indices.slice(), weights: Float64Array.from(r.weights) };
    } else if ((options.topology ?? 'random') === 'ring') {
      const indptr = new Int32Array(n + 1);
      const indices = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        indptr[i + 1] = i + 1;
        indices[i] = (i + 1) % n;
      }
      W = { nPre: n, nPost: n, indptr, indices, weights: new Float64Array(n).fill(1) };
      known = 1;
    } else if (options.topology === undefined || options.topology === 'random') {
      const density = options.density ?? Math.min(1, 10 / n);
      if (!(density > 0 && density <= 1)) throw new BuildError(where, 'density', `must be in (0, 1], got ${density}`, 'give e.g. 0.05');
      const csr = new FixedProb(density).build({ nPre: n, nPost: n, seed, where: `${where} recurrent`, selfOffset: 0 });
      const w = new Float64Array(csr.indices.length);
      new Rng(seed, 1).fillNormal(w);
      W = { ...csr, weights: w };
    } else {
      throw new BuildError(where, 'topology', `unknown topology '${String(options.topology)}'`, "give 'random' or 'ring'");
    }
    let radius: number;
    if (rho === null) radius = known ?? spectralRadius(W, { seed }).radius;
    else {
      const r0 = known ?? spectralRadius(W, { seed }).radius;
      if (!(r0 > 0)) {
        if (rho > 0) throw new BuildError(where, 'spectralRadius', 'the recurrent matrix has spectral radius 0 (nilpotent or empty) and cannot be scaled', 'use a denser topology or spectralRadius: null');
      } else {
        const f = rho / r0;
        for (let s = 0; s < W.weights.length; s++) W.weights[s] *= f;
      }
      radius = rho;
    }
    this.W = W;
    this.spectralRadius = radius;

    // Input weights.
    if (options.inputWeights) {
      const m = options.inputWeights;
      if (m.rows !== n || m.cols !== d) throw new BuildError(where, 'inputWeights', `is ${m.rows} × ${m.cols}, expected ${n} × ${d}`);
      this.Win = Float64Array.from(m.data);
    } else {
      this.Win = randomMatrix(n, d, { density: options.inputDensity ?? 1, seed, stream: 2 }).data;
      const sc = options.inputScaling ?? 1;
      for (let c = 0; c < d; c++) {
        const s = typeof sc === 'number' ? sc : sc[c];
        if (!Number.isFinite(s)) throw new BuildError(where, 'inputScaling', `channel ${c}: must be finite, got ${s}`);
        for (let i = 0; i < n; i++) this.Win[i * d + c] *= s;
      }
      if (typeof sc !== 'number' && sc.length !== d) throw new BuildError(where, 'inputScaling', `has ${sc.length} values for ${d} input channels`);
    }
    this.Wfb = randomMatrix(n, fb, { scale: options.feedbackScaling ?? 1, seed, stream: 3 }).data;
    this.bias = randomMatrix(n, 1, { scale: options.biasScaling ?? 0, seed, stream: 4 }).data;
    this.state = new Float64Array(n);
    this.pre = new Float64Array(n);
  }

  /**
   * Sets the state to zero, or to the given values.
   *
   * @example
   * esn.reset();
   */
  reset(state?: ArrayLike<number>): this {
    if (state) {
      if (state.length !== this.size) throw new BuildError('EchoStateNetwork.reset', 'state', `has ${state.length} values, expected ${this.size}`);
      for (let i = 0; i < this.size; i++) this.state[i] = state[i];
    } else this.state.fill(0);
    return this;
  }

  /**
   * One update with input u (length D, read from `u[uo..uo+D)`) and optional feedback y. Returns
   * the (updated, shared) state array. No allocation.
   *
   * @example
   * const x = esn.step([0.3]);
   */
  step(u: ArrayLike<number>, uo = 0, feedback?: ArrayLike<number>, fo = 0): Float64Array {
    const n = this.size;
    const d = this.inputSize;
    const fb = this.feedbackSize;
    const { pre, state: x, Win, Wfb, bias } = this;
    csrMatVec(this.W, x, pre);
    for (let i = 0; i < n; i++) {
      let s = pre[i] + bias[i];
      const base = i * d;
      for (let c = 0; c < d; c++) s += Win[base + c] * u[uo + c];
      if (feedback && fb > 0) {
        const fbase = i * fb;
        for (let c = 0; c < fb; c++) s += Wfb[fbase + c] * feedback[fo + c];
      }
      pre[i] = s;
    }
    const a = this.leak;
    if (this.activation === 'tanh') {
      if (a === 1) for (let i = 0; i < n; i++) x[i] = Math.tanh(pre[i]);
      else for (let i = 0; i < n; i++) x[i] = (1 - a) * x[i] + a * Math.tanh(pre[i]);
    } else {
      if (a === 1) x.set(pre);
      else for (let i = 0; i < n; i++) x[i] = (1 - a) * x[i] + a * pre[i];
    }
    return x;
  }

  /**
   * Drives the network with the rows of `inputs` ([T × D]) and returns the states
   * [(T − washout) × N]: row r is the state after input row r + washout.
   *
   * @example
   * const X = esn.run(u, { washout: 200 });
   */
  run(inputs: Matrix, options: EsnRunOptions = {}): Matrix {
    const d = this.inputSize;
    const n = this.size;
    if (inputs.cols !== d) throw new BuildError('EchoStateNetwork.run', 'inputs', `has ${inputs.cols} columns, the network has ${d} inputs`, `give a [T × ${d}] matrix`);
    const T = inputs.rows;
    const washout = options.washout ?? 0;
    if (!Number.isInteger(washout) || washout < 0 || washout > T) throw new BuildError('EchoStateNetwork.run', 'washout', `must be an integer in [0, ${T}], got ${washout}`);
    const out = options.out ?? matrix(T - washout, n);
    if (out.rows !== T - washout || out.cols !== n) throw new BuildError('EchoStateNetwork.run', 'out', `is ${out.rows} × ${out.cols}, expected ${T - washout} × ${n}`);
    const fbm = options.feedback;
    if (fbm && (fbm.rows !== T || fbm.cols !== this.feedbackSize)) {
      throw new BuildError('EchoStateNetwork.run', 'feedback', `is ${fbm.rows} × ${fbm.cols}, expected ${T} × ${this.feedbackSize}`);
    }
    if (options.reset ?? true) this.state.fill(0);
    const u = inputs.data;
    const fb = this.feedbackSize;
    for (let t = 0; t < T; t++) {
      if (fbm && t > 0) this.step(u, t * d, fbm.data, (t - 1) * fb);
      else this.step(u, t * d);
      if (t >= washout) out.data.set(this.state, (t - washout) * n);
    }
    return out;
  }

  /**
   * Runs a batch of independent sequences (each from the zero state, `washout` rows dropped from
   * each) and returns all states stacked in sequence order: a [Σ(Tᵢ − washout) × N] matrix ready
   * for {@link Ridge.fit}, or the per-sequence views in `parts`.
   *
   * @example
   * const { states, parts } = esn.runBatch([seqA, seqB], { washout: 50 });
   */
  runBatch(sequences: readonly Matrix[], options: { washout?: number } = {}): { states: Matrix; parts: Matrix[] } {
    const w = options.washout ?? 0;
    let rows = 0;
    for (const s of sequences) rows += s.rows - w;
    const states = matrix(rows, this.size);
    const parts: Matrix[] = [];
    let r = 0;
    for (const s of sequences) {
      const k = s.rows - w;
      const view: Matrix = { rows: k, cols: this.size, data: states.data.subarray(r * this.size, (r + k) * this.size) };
      this.run(s, { washout: w, out: view });
      parts.push(view);
      r += k;
    }
    return { states, parts };
  }

  /**
   * Closed-loop generation: the readout's output at each step becomes the next input (and, with
   * feedback channels, the feedback). Starts from the current state, with `first` as the first
   * input; returns the outputs [steps × outputSize]. Needs outputSize = inputSize (or inputSize 0).
   *
   * @example
   * esn.run(u.slice(0, 1000)); // warm up on data
   * const Y = esn.generate(500, readout, lastInputRow);
   */
  generate(steps: number, readout: RowPredictor, first: ArrayLike<number>, outputSize: number = this.inputSize): Matrix {
    if (this.inputSize !== 0 && outputSize !== this.inputSize) {
      throw new BuildError('EchoStateNetwork.generate', 'outputSize', `is ${outputSize} but the network has ${this.inputSize} inputs`, 'generate only with a readout whose output is the next input');
    }
    const out = matrix(steps, outputSize);
    const u = new Float64Array(Math.max(this.inputSize, outputSize));
    for (let c = 0; c < this.inputSize; c++) u[c] = first[c];
    const y = new Float64Array(outputSize);
    for (let t = 0; t < steps; t++) {
      const x = this.step(u, 0, this.feedbackSize > 0 ? u : undefined);
      readout.predictRow(x, y);
      out.data.set(y, t * outputSize);
      u.set(y);
    }
    return out;
  }
}
