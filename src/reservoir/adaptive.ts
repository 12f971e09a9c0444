/**
 * Reservoirs with brain-inspired adaptive dynamics: excitatory and inhibitory rate units (Dale's
 * law) whose local E/I balance adapts online toward target activities, after Srinivasan, Plenz &
 * Girvan, "Boosting reservoir computing with brain-inspired adaptive dynamics" (arXiv:2504.12480,
 * 2025). Each unit i has an inhibitory gain cᵢ that scales all its incoming inhibitory weights:
 *
 *   hᵢ(t) = g (Σ_{j∈E} W^E_ij x_j(t−1) − cᵢ Σ_{k∈I} W^I_ik x_k(t−1)) + W^in_i u(t) + bᵢ
 *   xᵢ(t) = (1 − a) xᵢ(t−1) + a σ(hᵢ(t)),        σ(h) = 1 / (1 + e^{−h})  (activity in (0, 1))
 *
 * and the homeostatic rule cᵢ ← max(0, cᵢ + η (xᵢ(t) − rᵢ)) raises inhibition on a unit that is
 * more active than its target rᵢ and lowers it otherwise; at a fixed point the time-averaged
 * activity of every unit equals its target. Targets are one number for all units (homogeneous) or
 * drawn per unit from a distribution ({@link heterogeneousTargets}). Alternatives: a one-step
 * closed-form design of the gains from the targets ({@link EIReservoir.oneStepGains}), and the
 * globally tuned baselines, one gain c = β·c_bal for every unit ({@link EIReservoir.setInhibitoryGain},
 * the global E/I balance) or one global scale g set to a spectral radius
 * ({@link EIReservoir.setSpectralRadius}), each tuned on validation data ({@link gridSearch}).
 *
 * What the paper states in its abstract and introduction (the parts of it available to us): sigmoid
 * units, Dale's law, reservoirs perform best when balanced or slightly over-inhibited, a local
 * mechanism adjusts the E/I balance toward target firing rates, heterogeneous targets, and up to
 * 130 % improvement over globally tuned reservoirs on memory capacity and time-series prediction;
 * a third-party summary also mentions a "one-step" design alternative. Its equations, weight distributions, learning rate,
 * target values, network size and baseline grid were not available to us; the choices here
 * (sparse uniform weights with a fixed in-degree, a per-unit gain on all incoming inhibitory
 * weights, this rule, the mean-field one-step formula) are ours and are documented on each option.
 */
import { BuildError } from '../lang/errors.js';
import { FixedPreNum } from '../connect/connectors.js';
import { Rng } from '../math/rng.js';
import { type Matrix, matrix } from './linalg.js';
import { type WeightedCSR, spectralRadius } from './spectral.js';

/** Options of {@link EIReservoir}. */
export interface EIReservoirOptions {
  /** Number of units N (excitatory first, then inhibitory). */
  readonly size: number;
  /** Number of input channels D. */
  readonly inputSize: number;
  /** Fraction of excitatory units (default 0.8). */
  readonly excitatoryFraction?: number;
  /**
   * Fraction of each population a unit receives input from (default min(1, 10 / size)): every unit
   * has exactly round(density·N_E) excitatory and round(density·N_I) inhibitory inputs (at least
   * one of each), no self-connections.
   */
  readonly density?: number;
  /**
   * Spectral radius the effective recurrent matrix g (W^E − c W^I) is scaled to at construction,
   * with every inhibitory gain at its initial value (default 1). Sets the excitatory scale g,
   * which adaptation leaves unchanged.
   */
  readonly spectralRadius?: number;
  /**
   * Initial inhibitory gain c of every unit (default: the balanced value, Σ W^E / Σ W^I, for which
   * the mean excitatory and inhibitory weights onto a unit cancel).
   */
  readonly inhibitoryGain?: number;
  /** Leak rate a ∈ (0, 1] (default 1). */
  readonly leak?: number;
  /** Input weights W^in ~ U[−s, s) (default 1). */
  readonly inputScaling?: number;
  /** Bias: bᵢ = biasMean + U[−biasScaling, biasScaling) (defaults 0 and 0). */
  readonly biasMean?: number;
  readonly biasScaling?: number;
  /** Seed of every random draw (default 0). */
  readonly seed?: number;
}

/** Options of {@link EIReservoir.adapt}. */
export interface AdaptOptions {
  /** Target activity: one value in (0, 1) for all units, or one per unit. */
  readonly targets: number | ArrayLike<number>;
  /** Initial learning rate η of the inhibitory gains (default 0.05). */
  readonly rate?: number;
  /** η is multiplied by this after every epoch (default 0.8; annealing makes the gains settle). */
  readonly decay?: number;
  /** Maximum passes over the driving input (default 40). */
  readonly maxEpochs?: number;
  /** Converged when every unit's mean activity over an epoch is within this of its target (default 0.01). */
  readonly tolerance?: number;
  /** Leading steps of the first epoch without adaptation (default 100). */
  readonly washout?: number;
  /**
   * Set each unit's bias to logit(rᵢ) before adapting (default true): the unit's resting operating
   * point is then its target, and the inhibitory gain only has to balance the recurrent
   * excitation locally. Without it, targets far from σ(bias) may be unreachable with cᵢ ≥ 0.
   */
  readonly biasFromTargets?: boolean;
}

/** What {@link EIReservoir.adapt} returns. */
export interface AdaptResult {
  /** Epochs run. */
  readonly epochs: number;
  /** True when every unit was within the tolerance of its target in the last epoch. */
  readonly converged: boolean;
  /** Largest |mean activity − target| over units, per epoch. */
  readonly maxError: Float64Array;
  /** Mean |mean activity − target| over units, per epoch. */
  readonly meanError: Float64Array;
  /** Units whose gain sits at 0 and that are still below their target (target unreachable). */
  readonly saturated: number;
}

/** Random-matrix prediction of the spectral radius (see {@link predictedSpectralRadius}). */
export interface SpectralPrediction {
  /** Radius of the bulk (circular-law disk with a variance profile). */
  readonly bulk: number;
  /** Largest modulus of the eigenvalues of the mean matrix (rank 2). */
  readonly outlier: number;
  /** max(bulk, outlier). */
  readonly radius: number;
}

function sigmoid(h: number): number {
  return 1 / (1 + Math.exp(-h));
}

/**
 * A rate reservoir of excitatory and inhibitory logistic units with a per-unit inhibitory gain.
 * States are in (0, 1) (activities); runs collect them into [T × N] matrices like
 * {@link EchoStateNetwork.run}.
 *
 * @example
 * const res = new EIReservoir({ size: 200, inputSize: 1, spectralRadius: 1, seed: 1 });
 * res.adapt(drive, { targets: heterogeneousTargets(200, { seed: 1 }) }); // drive: [T × 1]
 * const X = res.run(inputs, { washout: 100 });                         // frozen gains
 */
export class EIReservoir {
  readonly size: number;
  readonly inputSize: number;
  readonly nExc: number;
  readonly leak: number;
  /** Excitatory weights (rows are pre-synaptic excitatory units 0..nExc−1, all ≥ 0). */
  readonly WE: WeightedCSR;
  /** Inhibitory weights (rows are pre-synaptic units; only rows ≥ nExc are non-empty; all ≥ 0). */
  readonly WI: WeightedCSR;
  /** Input weights [N × D] row-major. */
  readonly Win: Float64Array;
  readonly bias: Float64Array;
  /** Per-unit inhibitory gain cᵢ (adapted by {@link EIReservoir.adapt}). */
  readonly gain: Float64Array;
  /** Global scale g of the recurrent weights. */
  scale: number;
  /** The current state (length N). */
  readonly state: Float64Array;
  /** The balanced gain Σ W^E / Σ W^I. */
  readonly balancedGain: number;
  private readonly exc: Float64Array;
  private readonly inh: Float64Array;

  constructor(options: EIReservoirOptions) {
    const where = 'EIReservoir';
    const n = options.size;
    const d = options.inputSize;
    if (!Number.isInteger(n) || n < 2) throw new BuildError(where, 'size', `must be an integer ≥ 2, got ${n}`, 'give e.g. 200');
    if (!Number.isInteger(d) || d < 0) throw new BuildError(where, 'inputSize', `must be a non-negative integer, got ${d}`, 'give e.g. 1');
    const fe = options.excitatoryFraction ?? 0.8;
    if (!(fe > 0 && fe < 1)) throw new BuildError(where, 'excitatoryFraction', `must be in (0, 1), got ${fe}`, 'give e.g. 0.8');
    const nExc = Math.min(n - 1, Math.max(1, Math.round(fe * n)));
    const density = options.density ?? Math.min(1, 10 / n);
    if (!(density > 0 && density <= 1)) throw new BuildError(where, 'density', `must be in (0, 1], got ${density}`, 'give e.g. 0.1');
    const leak = options.leak ?? 1;
    if (!(leak > 0 && leak <= 1)) throw new BuildError(where, 'leak', `must be in (0, 1], got ${leak}`, 'give e.g. 1 or 0.5');
    const rho = options.spectralRadius ?? 1;
    if (!(rho > 0 && Number.isFinite(rho))) throw new BuildError(where, 'spectralRadius', `must be a positive number, got ${rho}`, 'give e.g. 1');
    const seed = options.seed ?? 0;
    this.size = n;
    this.inputSize = d;
    this.nExc = nExc;
    this.leak = leak;

    // Fixed in-degree (as in Brunel 2000): every unit receives kE excitatory and kI inhibitory
    // inputs, so every unit's inhibition can be regulated.
    const nInh = n - nExc;
    const kE = Math.max(1, Math.min(nExc - 1, Math.round(density * nExc)));
    const kI = Math.max(1, Math.min(nInh - 1, Math.round(density * nInh)));
    const ce = new FixedPreNum(Math.max(kE, 1), { allowSelf: false }).build({ nPre: nExc, nPost: n, seed, where: `${where} E→all`, selfOffset: 0 });
    const ci = new FixedPreNum(Math.max(kI, 1), { allowSelf: false }).build({ nPre: nInh, nPost: n, seed: seed + 7919, where: `${where} I→all`, selfOffset: nExc });
    const rng = new Rng(seed, 11);
    const pad = (c: { indptr: Int32Array; indices: Int32Array }, offset: number): WeightedCSR => {
      const indptr = new Int32Array(n + 1);
      const m = c.indptr.length - 1;
      for (let j = 0; j <= n; j++) {
        const r = Math.min(Math.max(j - offset, 0), m);
        indptr[j] = c.indptr[r];
      }
      const w = new Float64Array(c.indices.length);
      for (let s = 0; s < w.length; s++) w[s] = rng.uniform();
      return { nPre: n, nPost: n, indptr, indices: c.indices.slice(), weights: w };
    };
    this.WE = pad(ce, 0);
    this.WI = pad(ci, nExc);
    let sE = 0;
    let sI = 0;
    for (const v of this.WE.weights) sE += v;
    for (const v of this.WI.weights) sI += v;
    this.balancedGain = sI > 0 ? sE / sI : 0;
    const c0 = options.inhibitoryGain ?? this.balancedGain;
    if (!(c0 >= 0 && Number.isFinite(c0))) throw new BuildError(where, 'inhibitoryGain', `must be a finite number ≥ 0, got ${c0}`);
    this.gain = new Float64Array(n).fill(c0);
    this.scale = 1;

    const sIn = options.inputScaling ?? 1;
    const rin = new Rng(seed, 12);
    this.Win = new Float64Array(n * d);
    for (let k = 0; k < this.Win.length; k++) this.Win[k] = sIn * (2 * rin.uniform() - 1);
    const bm = options.biasMean ?? 0;
    const bs = options.biasScaling ?? 0;
    const rb = new Rng(seed, 13);
    this.bias = new Float64Array(n);
    for (let i = 0; i < n; i++) this.bias[i] = bm + bs * (2 * rb.uniform() - 1);
    this.state = new Float64Array(n);
    this.exc = new Float64Array(n);
    this.inh = new Float64Array(n);
    this.setSpectralRadius(rho);
  }

  /**
   * The effective recurrent matrix g (W^E − diag(c) W^I) as a {@link WeightedCSR} (rows are
   * pre-synaptic units; a new object).
   *
   * @example
   * const { radius } = spectralRadius(res.effectiveWeights());
   */
  effectiveWeights(): WeightedCSR {
    const n = this.size;
    const { WE, WI, gain, scale: g } = this;
    const indptr = new Int32Array(n + 1);
    const nnz = WE.indices.length + WI.indices.length;
    const indices = new Int32Array(nnz);
    const weights = new Float64Array(nnz);
    let k = 0;
    for (let j = 0; j < n; j++) {
      for (let s = WE.indptr[j]; s < WE.indptr[j + 1]; s++) {
        indices[k] = WE.indices[s];
        weights[k++] = g * WE.weights[s];
      }
      for (let s = WI.indptr[j]; s < WI.indptr[j + 1]; s++) {
        const i = WI.indices[s];
        indices[k] = i;
        weights[k++] = -g * gain[i] * WI.weights[s];
      }
      indptr[j + 1] = k;
    }
    return { nPre: n, nPost: n, indptr, indices, weights };
  }

  /**
   * Sets the global scale g so that the effective recurrent matrix (with the current gains) has
   * spectral radius ρ; returns g. This is the one knob of the globally tuned baseline.
   *
   * @example
   * res.setSpectralRadius(0.9);
   */
  setSpectralRadius(rho: number): number {
    if (!(rho >= 0 && Number.isFinite(rho))) throw new BuildError('EIReservoir.setSpectralRadius', 'rho', `must be a finite number ≥ 0, got ${rho}`);
    this.scale = 1;
    const r0 = spectralRadius(this.effectiveWeights(), { seed: 1 }).radius;
    if (!(r0 > 0)) throw new BuildError('EIReservoir.setSpectralRadius', 'rho', 'the effective recurrent matrix has spectral radius 0', 'use a higher density');
    this.scale = rho / r0;
    return this.scale;
  }

  /**
   * Sets every unit's inhibitory gain to one value c, or each to its own value; returns this. One
   * global c is the "global E/I balance" knob: c = β · {@link EIReservoir.balancedGain} with β = 1
   * balanced, β < 1 excitation-dominated, β > 1 over-inhibited.
   *
   * @example
   * res.setInhibitoryGain(1.2 * res.balancedGain); // slightly over-inhibited, all units alike
   */
  setInhibitoryGain(c: number | ArrayLike<number>): this {
    const where = 'EIReservoir.setInhibitoryGain';
    const n = this.size;
    if (typeof c !== 'number' && c.length !== n) throw new BuildError(where, 'c', `has ${c.length} values for ${n} units`, 'give one gain per unit or one number');
    for (let i = 0; i < n; i++) {
      const v = typeof c === 'number' ? c : c[i];
      if (!(v >= 0 && Number.isFinite(v))) throw new BuildError(where, 'c', `unit ${i}: must be a finite number ≥ 0, got ${v}`);
      this.gain[i] = v;
    }
    return this;
  }

  /**
   * One-step design: sets each unit's inhibitory gain in closed form from the targets, without
   * simulating. Assuming every pre-synaptic unit j fires at its own target r_j and the input has
   * zero mean, unit i's mean drive is g (Σ_E W^E_ij r_j − cᵢ Σ_I W^I_ik r_k) + bᵢ; the gain that
   * makes it logit(rᵢ) is
   *
   *   cᵢ = max(0, (Σ_E W^E_ij r_j − (logit(rᵢ) − bᵢ) / g) / Σ_I W^I_ik r_k).
   *
   * This mean-field estimate ignores the fluctuations (E[σ(h)] ≠ σ(E[h])), so rates land near,
   * not on, the targets. Returns the largest |cᵢ − previous cᵢ|.
   *
   * @example
   * res.oneStepGains(heterogeneousTargets(200, { seed: 1 })); // then res.run(...) as usual
   */
  oneStepGains(targets: number | ArrayLike<number>): number {
    const where = 'EIReservoir.oneStepGains';
    const r = this.targetArray(where, targets);
    const n = this.size;
    const e = new Float64Array(n);
    const inh = new Float64Array(n);
    const { WE, WI } = this;
    for (let j = 0; j < n; j++) {
      if (j < this.nExc) for (let s = WE.indptr[j]; s < WE.indptr[j + 1]; s++) e[WE.indices[s]] += WE.weights[s] * r[j];
      else for (let s = WI.indptr[j]; s < WI.indptr[j + 1]; s++) inh[WI.indices[s]] += WI.weights[s] * r[j];
    }
    let change = 0;
    for (let i = 0; i < n; i++) {
      const need = (Math.log(r[i] / (1 - r[i])) - this.bias[i]) / this.scale;
      const c = inh[i] > 0 ? Math.max(0, (e[i] - need) / inh[i]) : this.gain[i];
      change = Math.max(change, Math.abs(c - this.gain[i]));
      this.gain[i] = c;
    }
    return change;
  }

  private targetArray(where: string, targets: number | ArrayLike<number>): Float64Array {
    const n = this.size;
    const out = new Float64Array(n);
    if (typeof targets === 'number') out.fill(targets);
    else {
      if (targets.length !== n) throw new BuildError(where, 'targets', `has ${targets.length} values for ${n} units`, 'give one target per unit or one number');
      for (let i = 0; i < n; i++) out[i] = targets[i];
    }
    for (let i = 0; i < n; i++) if (!(out[i] > 0 && out[i] < 1)) throw new BuildError(where, 'targets', `unit ${i}: must be in (0, 1), got ${out[i]}`, 'give activities such as 0.2');
    return out;
  }

  /**
   * One update with input u (read from `u[uo..uo+D)`); returns the (shared) state array.
   *
   * @example
   * const x = res.step([0.2]);
   */
  step(u: ArrayLike<number>, uo = 0): Float64Array {
    const n = this.size;
    const d = this.inputSize;
    const { exc, inh, state: x, WE, WI, gain, Win, bias } = this;
    exc.fill(0);
    inh.fill(0);
    for (let j = 0; j < n; j++) {
      const xj = x[j];
      if (j < this.nExc) for (let s = WE.indptr[j], e = WE.indptr[j + 1]; s < e; s++) exc[WE.indices[s]] += WE.weights[s] * xj;
      else for (let s = WI.indptr[j], e = WI.indptr[j + 1]; s < e; s++) inh[WI.indices[s]] += WI.weights[s] * xj;
    }
    const g = this.scale;
    const a = this.leak;
    for (let i = 0; i < n; i++) {
      let h = g * (exc[i] - gain[i] * inh[i]) + bias[i];
      const base = i * d;
      for (let c = 0; c < d; c++) h += Win[base + c] * u[uo + c];
      x[i] = a === 1 ? sigmoid(h) : (1 - a) * x[i] + a * sigmoid(h);
    }
    return x;
  }

  /**
   * Drives the (frozen) reservoir with the rows of `inputs` ([T × D]) and returns the states
   * [(T − washout) × N]. Starts from x = 0.5 unless `reset` is false.
   *
   * @example
   * const X = res.run(U, { washout: 200 });
   */
  run(inputs: Matrix, options: { washout?: number; reset?: boolean } = {}): Matrix {
    this.checkInputs('EIReservoir.run', inputs);
    const T = inputs.rows;
    const n = this.size;
    const washout = options.washout ?? 0;
    if (!Number.isInteger(washout) || washout < 0 || washout > T) throw new BuildError('EIReservoir.run', 'washout', `must be an integer in [0, ${T}], got ${washout}`);
    if (options.reset ?? true) this.state.fill(0.5);
    const out = matrix(T - washout, n);
    for (let t = 0; t < T; t++) {
      this.step(inputs.data, t * this.inputSize);
      if (t >= washout) out.data.set(this.state, (t - washout) * n);
    }
    return out;
  }

  /**
   * Adapts the inhibitory gains online while driving the reservoir with `drive` ([T × D]),
   * epoch after epoch (the state carries over), until every unit's mean activity over an epoch is
   * within `tolerance` of its target or `maxEpochs` is reached. The gains are then left frozen.
   *
   * @example
   * const r = res.adapt(drive, { targets: 0.2, tolerance: 0.01 });
   * r.converged; // true
   */
  adapt(drive: Matrix, options: AdaptOptions): AdaptResult {
    const where = 'EIReservoir.adapt';
    this.checkInputs(where, drive);
    const n = this.size;
    const targets = this.targetArray(where, options.targets);
    if (options.biasFromTargets ?? true) for (let i = 0; i < n; i++) this.bias[i] = Math.log(targets[i] / (1 - targets[i]));
    let eta = options.rate ?? 0.05;
    const decay = options.decay ?? 0.8;
    const maxEpochs = options.maxEpochs ?? 40;
    const tol = options.tolerance ?? 0.01;
    const washout = Math.min(options.washout ?? 100, drive.rows - 1);
    if (!(eta > 0) || !(decay > 0 && decay <= 1)) throw new BuildError(where, 'rate', `need rate > 0 and decay in (0, 1], got ${eta}, ${decay}`);
    const T = drive.rows;
    const d = this.inputSize;
    const mean = new Float64Array(n);
    const maxError: number[] = [];
    const meanError: number[] = [];
    const { gain, state: x } = this;
    x.fill(0.5);
    for (let t = 0; t < washout; t++) this.step(drive.data, t * d);
    let converged = false;
    let epoch = 0;
    while (epoch < maxEpochs) {
      mean.fill(0);
      for (let t = 0; t < T; t++) {
        this.step(drive.data, t * d);
        for (let i = 0; i < n; i++) {
          mean[i] += x[i];
          const c = gain[i] + eta * (x[i] - targets[i]);
          gain[i] = c > 0 ? c : 0;
        }
      }
      epoch++;
      let mx = 0;
      let me = 0;
      for (let i = 0; i < n; i++) {
        const e = Math.abs(mean[i] / T - targets[i]);
        if (e > mx) mx = e;
        me += e;
      }
      maxError.push(mx);
      meanError.push(me / n);
      if (mx < tol) {
        converged = true;
        break;
      }
      eta *= decay;
    }
    let saturated = 0;
    for (let i = 0; i < n; i++) if (gain[i] === 0 && mean[i] / T < targets[i] - tol) saturated++;
    return { epochs: epoch, converged, maxError: Float64Array.from(maxError), meanError: Float64Array.from(meanError), saturated };
  }

  private checkInputs(where: string, inputs: Matrix): void {
    if (inputs.cols !== this.inputSize) throw new BuildError(where, 'inputs', `has ${inputs.cols} columns, the reservoir has ${this.inputSize} inputs`, `give a [T × ${this.inputSize}] matrix`);
    if (inputs.rows < 1) throw new BuildError(where, 'inputs', 'has no rows');
  }
}

/**
 * Random-matrix prediction of the spectral radius of g (W^E − diag(c) W^I) from the gains the
 * adaptation reached. Each entry W_ij is an independent draw whose mean and variance depend on the
 * pre-synaptic column j (its E or I weights) and, through cᵢ, on the row: the mean matrix
 * M = g (1 aᵀ − c bᵀ) has rank 2, and the variance profile V_ij = g² (e_j + cᵢ² f_j) has rank 2,
 * so both reduce to 2 × 2 eigenproblems. The bulk radius is √(Perron root of V) (circular law with
 * a variance profile; Cook, Hachem, Najim & Renfrew 2018) and an eigenvalue of M outside the bulk
 * appears as an outlier (Tao 2013). a, b, e, f are the column means and variances of W^E and W^I
 * estimated from the actual weights. Accuracy: within about 10 % for gains that do not depend on
 * the weights (N = 100; 5 % at N = 400); after adaptation the gains are correlated with each
 * unit's own inputs (more excitation, more inhibition), which narrows the bulk, and the
 * prediction came out 5–25 % high at N = 100.
 *
 * @example
 * const p = predictedSpectralRadius(res);
 * p.radius; // ≈ spectralRadius(res.effectiveWeights()).radius
 */
export function predictedSpectralRadius(res: EIReservoir): SpectralPrediction {
  const n = res.size;
  const g = res.scale;
  const c = res.gain;
  // Column sums of first and second moments over the N rows (absent entries are zeros).
  let a1 = 0; // Σ_j a_j = Σ_j mean_i W^E_ij
  let ac = 0; // Σ_j a_j c_j
  let b1 = 0;
  let bc = 0;
  let e1 = 0; // Σ_j e_j
  let ec2 = 0; // Σ_j e_j c_j²
  let f1 = 0;
  let fc2 = 0;
  for (const [W, exc] of [[res.WE, true], [res.WI, false]] as const) {
    for (let j = 0; j < n; j++) {
      let s1 = 0;
      let s2 = 0;
      for (let s = W.indptr[j]; s < W.indptr[j + 1]; s++) {
        s1 += W.weights[s];
        s2 += W.weights[s] * W.weights[s];
      }
      const m = s1 / n;
      const v = s2 / n - m * m;
      if (exc) {
        a1 += m;
        ac += m * c[j];
        e1 += v;
        ec2 += v * c[j] * c[j];
      } else {
        b1 += m;
        bc += m * c[j];
        f1 += v;
        fc2 += v * c[j] * c[j];
      }
    }
  }
  // Bulk: Perron root of [[Σe, Σe c²], [Σf, Σf c²]] (V = 1 eᵀ + c² fᵀ).
  const perron = maxEig2(e1, ec2, f1, fc2).modulus;
  const bulk = g * Math.sqrt(Math.max(perron, 0));
  // Mean: eigenvalues of [[aᵀ1, −aᵀc], [bᵀ1, −bᵀc]] (M = 1 aᵀ − c bᵀ).
  const outlier = g * maxEig2(a1, -ac, b1, -bc).modulus;
  return { bulk, outlier, radius: Math.max(bulk, outlier) };
}

/** Largest eigenvalue modulus of [[p, q], [r, s]]. */
function maxEig2(p: number, q: number, r: number, s: number): { modulus: number } {
  const tr = p + s;
  const det = p * s - q * r;
  const disc = (tr * tr) / 4 - det;
  if (disc >= 0) {
    const sq = Math.sqrt(disc);
    return { modulus: Math.max(Math.abs(tr / 2 + sq), Math.abs(tr / 2 - sq)) };
  }
  return { modulus: Math.sqrt(det) };
}

/** Options of {@link heterogeneousTargets}. */
export interface TargetOptions {
  /** Mean target activity (default 0.2). */
  readonly mean?: number;
  /**
   * Spread: for 'uniform', targets are U[mean − spread, mean + spread); for 'lognormal', the σ of
   * log(target) (the mean is kept). Default 0.15 (uniform), 0.6 (lognormal).
   */
  readonly spread?: number;
  /** Distribution (default 'uniform'). */
  readonly distribution?: 'uniform' | 'lognormal';
  /** Targets are clipped to [min, max] (defaults 0.01, 0.95). */
  readonly min?: number;
  readonly max?: number;
  readonly seed?: number;
}

/**
 * Heterogeneous target activities, one per unit: like the broad, skewed distribution of firing
 * rates in cortex (lognormal) or simply spread uniformly around a mean.
 *
 * @example
 * const r = heterogeneousTargets(200, { mean: 0.2, spread: 0.15, seed: 3 }); // U[0.05, 0.35)
 */
export function heterogeneousTargets(n: number, options: TargetOptions = {}): Float64Array {
  const mean = options.mean ?? 0.2;
  const dist = options.distribution ?? 'uniform';
  const spread = options.spread ?? (dist === 'uniform' ? 0.15 : 0.6);
  const lo = options.min ?? 0.01;
  const hi = options.max ?? 0.95;
  if (!Number.isInteger(n) || n < 1) throw new BuildError('heterogeneousTargets', 'n', `must be a positive integer, got ${n}`);
  if (!(mean > 0 && mean < 1)) throw new BuildError('heterogeneousTargets', 'mean', `must be in (0, 1), got ${mean}`);
  if (!(spread >= 0)) throw new BuildError('heterogeneousTargets', 'spread', `must be ≥ 0, got ${spread}`);
  const rng = new Rng(options.seed ?? 0, 0x7a);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = dist === 'uniform' ? mean + spread * (2 * rng.uniform() - 1) : mean * Math.exp(spread * rng.normal() - (spread * spread) / 2);
    out[i] = Math.min(hi, Math.max(lo, v));
  }
  return out;
}

/**
 * Grid search: evaluates `score` at every grid value and returns the one with the lowest score
 * (e.g. a validation NRMSE; negate a quantity to maximise it), with all scores.
 *
 * @example
 * const best = gridSearch([0.2, 0.6, 1.0, 1.4], (rho) => validationError(rho));
 * best.value; // the spectral radius to use
 */
export function gridSearch<T>(grid: readonly T[], score: (value: T) => number): { value: T; score: number; scores: number[] } {
  if (grid.length === 0) throw new BuildError('gridSearch', 'grid', 'is empty', 'give at least one value');
  const scores = grid.map((v) => score(v));
  let k = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] < scores[k] || (Number.isNaN(scores[k]) && !Number.isNaN(scores[i]))) k = i;
  return { value: grid[k], score: scores[k], scores };
}
