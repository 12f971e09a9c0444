/**
 * A three-factor Hebbian readout: a linear readout y = Wᵀx + b trained by a local rule in which
 * each weight changes with the product of its presynaptic trace, a global (per-output) error
 * signal and an attention gate shared by all synapses.
 *
 * Rule, applied once per sample t (x: presynaptic traces, y: target, ŷ = Wᵀx + b before the step):
 *
 * ```
 * e_c(t)  = y_c(t) − ŷ_c(t)                                   (third factor: error, one per output)
 * g(t)    = g_min + (1 − g_min) · max( exp(−s(t)/τ_g),  min(1, ‖e(t)‖² / θ²) )
 * Δw_ic   = η · g(t) · e_c(t) · x_i(t)  −  η · κ · w_ic      (κ: optional weight decay)
 * Δb_c    = η · g(t) · e_c(t)                                 (a bias unit with trace 1)
 * ```
 *
 * s(t) is the time since the last input event (symbol onset) in samples, so the gate opens
 * around onsets (time constant τ_g samples) and whenever the error is large (θ sets "large");
 * g_min ∈ [0, 1] is the gate's floor. Without the gate (g ≡ 1) and κ = 0 this is the delta
 * (LMS) rule; the gate only rescales the learning rate in time. Every factor is available at the
 * synapse (its presynaptic trace, its own weight) or broadcast (e_c, g), unlike RLS/FORCE, which
 * needs the d × d inverse correlation matrix P.
 *
 * The rule is deterministic: the only random draw is the optional initial weights (`initScale`,
 * `seed`).
 */
import { BuildError } from '../lang/errors.js';
import { Rng } from '../math/rng.js';
import { type Matrix, matrix } from './linalg.js';

/** Options of {@link ThreeFactorReadout}. */
export interface ThreeFactorOptions {
  /** Learning rate η > 0. */
  readonly rate: number;
  /** Gate floor g_min in [0, 1] (default 0.1; 1 = no gating). */
  readonly gateFloor?: number;
  /** Onset time constant τ_g of the gate, in samples (default 10; 0 = no onset term). */
  readonly gateTau?: number;
  /** Error scale θ > 0 of the gate: ‖e‖ ≥ θ opens it fully (default 0.5; Infinity = no error term). */
  readonly errorThreshold?: number;
  /** Weight decay κ ≥ 0 (default 0). */
  readonly decay?: number;
  /** Standard deviation of the random initial weights (default 0: zeros). */
  readonly initScale?: number;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number;
}

/**
 * Linear readout trained online by an error-modulated, attention-gated Hebbian rule (see the
 * module comment for the exact rule).
 *
 * @example
 * const r = new ThreeFactorReadout(400, 5, { rate: 1e-3, gateFloor: 0.1, gateTau: 10 });
 * for (let t = 0; t < T; t++) r.update(X.data.subarray(t * 400, (t + 1) * 400), Y.data.subarray(t * 5, (t + 1) * 5), sinceOnset[t]);
 */
export class ThreeFactorReadout {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly rate: number;
  readonly gateFloor: number;
  readonly gateTau: number;
  readonly errorThreshold: number;
  readonly decay: number;
  /** Weights [inputSize × outputSize] (row-major). */
  readonly weights: Float64Array;
  /** Bias [outputSize]. */
  readonly bias: Float64Array;
  /** Error of the last update (target − prediction before the step). */
  readonly error: Float64Array;
  /** Gate value of the last update. */
  gate = 0;
  private readonly yhat: Float64Array;

  constructor(inputSize: number, outputSize: number, options: ThreeFactorOptions) {
    for (const [f, v] of [['inputSize', inputSize], ['outputSize', outputSize]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new BuildError('ThreeFactorReadout', f, `must be a positive integer, got ${v}`);
    }
    const { rate } = options;
    if (!(rate > 0) || !Number.isFinite(rate)) throw new BuildError('ThreeFactorReadout', 'rate', `must be a positive number, got ${rate}`, 'give e.g. 1e-3');
    const gmin = options.gateFloor ?? 0.1;
    if (!(gmin >= 0 && gmin <= 1)) throw new BuildError('ThreeFactorReadout', 'gateFloor', `must be in [0, 1], got ${gmin}`);
    const tau = options.gateTau ?? 10;
    if (!(tau >= 0) || !Number.isFinite(tau)) throw new BuildError('ThreeFactorReadout', 'gateTau', `must be a finite number ≥ 0, got ${tau}`);
    const th = options.errorThreshold ?? 0.5;
    if (!(th > 0)) throw new BuildError('ThreeFactorReadout', 'errorThreshold', `must be positive, got ${th}`, 'give e.g. 0.5, or Infinity for no error term');
    const kappa = options.decay ?? 0;
    if (!(kappa >= 0) || !Number.isFinite(kappa)) throw new BuildError('ThreeFactorReadout', 'decay', `must be a finite number ≥ 0, got ${kappa}`);
    const init = options.initScale ?? 0;
    if (!(init >= 0) || !Number.isFinite(init)) throw new BuildError('ThreeFactorReadout', 'initScale', `must be a finite number ≥ 0, got ${init}`);
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.rate = rate;
    this.gateFloor = gmin;
    this.gateTau = tau;
    this.errorThreshold = th;
    this.decay = kappa;
    this.weights = new Float64Array(inputSize * outputSize);
    if (init > 0) {
      const rng = new Rng(options.seed ?? 0, 0x3f);
      for (let k = 0; k < this.weights.length; k++) this.weights[k] = init * rng.normal();
    }
    this.bias = new Float64Array(outputSize);
    this.error = new Float64Array(outputSize);
    this.yhat = new Float64Array(outputSize);
  }

  /**
   * The gate g for a time since onset (samples) and a squared error norm.
   *
   * @example
   * r.gateValue(0, 0); // 1: fully open at an onset
   */
  gateValue(sinceOnset: number, err2: number): number {
    const onset = this.gateTau > 0 && sinceOnset >= 0 ? Math.exp(-sinceOnset / this.gateTau) : 0;
    const th = this.errorThreshold;
    const big = Number.isFinite(th) ? Math.min(1, err2 / (th * th)) : 0;
    return this.gateFloor + (1 - this.gateFloor) * Math.max(onset, big);
  }

  /**
   * Prediction Wᵀx + b written into `out`.
   *
   * @example
   * r.predictRow(x, y);
   */
  predictRow(x: ArrayLike<number>, out: Float64Array): Float64Array {
    const d = this.inputSize;
    const m = this.outputSize;
    const w = this.weights;
    for (let c = 0; c < m; c++) out[c] = this.bias[c];
    for (let i = 0; i < d; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      const base = i * m;
      for (let c = 0; c < m; c++) out[c] += w[base + c] * xi;
    }
    return out;
  }

  /**
   * Predictions for each row of X ([T × inputSize] → [T × outputSize]).
   *
   * @example
   * const Yhat = r.predict(Xtest);
   */
  predict(X: Matrix, out?: Matrix): Matrix {
    if (X.cols !== this.inputSize) throw new BuildError('ThreeFactorReadout.predict', 'X', `has ${X.cols} columns, the readout expects ${this.inputSize}`);
    const m = this.outputSize;
    const o = out ?? matrix(X.rows, m);
    const y = new Float64Array(m);
    for (let t = 0; t < X.rows; t++) {
      this.predictRow(X.data.subarray(t * X.cols, (t + 1) * X.cols), y);
      o.data.set(y, t * m);
    }
    return o;
  }

  /**
   * One step of the rule with presynaptic traces x, target y and the time since the last onset
   * (samples; negative or Infinity = no onset term). Returns the squared norm of the error
   * before the step.
   *
   * @example
   * const e2 = r.update(x, y, sinceOnset);
   */
  update(x: ArrayLike<number>, y: ArrayLike<number>, sinceOnset = Infinity): number {
    const d = this.inputSize;
    const m = this.outputSize;
    const { weights: w, error: e, yhat } = this;
    this.predictRow(x, yhat);
    let e2 = 0;
    for (let c = 0; c < m; c++) {
      e[c] = y[c] - yhat[c];
      e2 += e[c] * e[c];
    }
    const g = this.gateValue(sinceOnset, e2);
    this.gate = g;
    const eta = this.rate;
    const shrink = 1 - eta * this.decay;
    for (let c = 0; c < m; c++) this.bias[c] += eta * g * e[c];
    for (let i = 0; i < d; i++) {
      const h = eta * g * x[i];
      const base = i * m;
      if (shrink !== 1) for (let c = 0; c < m; c++) w[base + c] = shrink * w[base + c] + h * e[c];
      else if (h !== 0) for (let c = 0; c < m; c++) w[base + c] += h * e[c];
    }
    return e2;
  }

  /**
   * Passes over a recorded sequence ([T × inputSize] traces, [T × outputSize] targets, T times
   * since onset); returns the mean squared error (before each step) of each pass.
   *
   * @example
   * const mse = r.train(X, Y, since, 5); // mse[4] < mse[0] when it learns
   */
  train(X: Matrix, Y: Matrix, sinceOnset: ArrayLike<number> | undefined, epochs = 1): Float64Array {
    const d = this.inputSize;
    const m = this.outputSize;
    if (X.cols !== d) throw new BuildError('ThreeFactorReadout.train', 'X', `has ${X.cols} columns, the readout expects ${d}`);
    if (Y.cols !== m || Y.rows !== X.rows) throw new BuildError('ThreeFactorReadout.train', 'Y', `is ${Y.rows} × ${Y.cols}, expected ${X.rows} × ${m}`);
    if (sinceOnset && sinceOnset.length !== X.rows) throw new BuildError('ThreeFactorReadout.train', 'sinceOnset', `has ${sinceOnset.length} values for ${X.rows} samples`);
    const out = new Float64Array(epochs);
    for (let ep = 0; ep < epochs; ep++) {
      let acc = 0;
      for (let t = 0; t < X.rows; t++) {
        acc += this.update(X.data.subarray(t * d, (t + 1) * d), Y.data.subarray(t * m, (t + 1) * m), sinceOnset ? sinceOnset[t] : Infinity);
      }
      out[ep] = acc / Math.max(1, X.rows);
    }
    return out;
  }
}
