/**
 * Next-generation reservoir computing (Gauthier, Bollt, Griffith & Barbosa, Nat. Commun. 2021): a
 * nonlinear vector autoregression. The "reservoir" is a feature vector built from the input itself:
 * a constant, the linear part (the input at k delays spaced s steps apart) and the unique
 * quadratic monomials of the linear part.
 */
import { BuildError } from '../lang/errors.js';
import { type Matrix, matrix } from './linalg.js';
import { Ridge } from './readout.js';

/** Options of {@link Nvar}. */
export interface NvarOptions {
  /** Input dimension D. */
  readonly inputSize: number;
  /** Number of delayed copies k (default 2). */
  readonly delays?: number;
  /** Step between delays s (default 1). */
  readonly stride?: number;
  /** Include the unique quadratic monomials (default true). */
  readonly quadratic?: boolean;
  /** Include the constant feature 1 (default true). */
  readonly constant?: boolean;
}

/** Options of {@link Nvar.fit}. */
export interface NvarFitOptions {
  /**
   * Ridge λ (default 1e-4, on standardised features). Gauthier et al. used 2.5e-6 on raw features;
   * in our runs that closed loop was unstable from most starting points of Lorenz-63.
   */
  readonly lambda?: number;
  /** Learn the increment x(t+1) − x(t) instead of x(t+1) (default true; an Euler-like integrator). */
  readonly difference?: boolean;
  /** Standardise the features before regularising (default true; Gauthier et al. did not). */
  readonly scale?: boolean;
}

/**
 * An NVAR feature map and one-step forecaster. Feature row for time t (needs t ≥ (k−1)s):
 *
 *   [1, x(t), x(t−s), …, x(t−(k−1)s), all products lᵢ lⱼ with i ≤ j of that linear part l]
 *
 * With D = 3, k = 2: 1 + 6 + 21 = 28 features. The readout is ridge regression; trained as a
 * one-step predictor it runs autonomously (closed loop) with {@link Nvar.forecast}.
 *
 * @example
 * const nvar = new Nvar({ inputSize: 3, delays: 2 });
 * nvar.fit(train, { lambda: 1e-4 });       // train: [T × 3]
 * const future = nvar.forecast(train, 400); // continues after train's last row
 */
export class Nvar {
  readonly inputSize: number;
  readonly delays: number;
  readonly stride: number;
  readonly quadratic: boolean;
  readonly constant: boolean;
  /** Length of the linear part: D·k. */
  readonly linearSize: number;
  /** Total number of features. */
  readonly featureSize: number;
  /** Rows of history a feature row needs: (k − 1)·s + 1. */
  readonly window: number;
  /** The trained readout (set by {@link Nvar.fit}). */
  readout: Ridge | undefined;
  private difference = true;
  private readonly lin: Float64Array;

  constructor(options: NvarOptions) {
    const where = 'Nvar';
    const d = options.inputSize;
    const k = options.delays ?? 2;
    const s = options.stride ?? 1;
    if (!Number.isInteger(d) || d < 1) throw new BuildError(where, 'inputSize', `must be a positive integer, got ${d}`);
    if (!Number.isInteger(k) || k < 1) throw new BuildError(where, 'delays', `must be a positive integer, got ${k}`, 'give e.g. 2');
    if (!Number.isInteger(s) || s < 1) throw new BuildError(where, 'stride', `must be a positive integer, got ${s}`, 'give e.g. 1');
    this.inputSize = d;
    this.delays = k;
    this.stride = s;
    this.quadratic = options.quadratic ?? true;
    this.constant = options.constant ?? true;
    this.linearSize = d * k;
    const L = this.linearSize;
    this.featureSize = (this.constant ? 1 : 0) + L + (this.quadratic ? (L * (L + 1)) / 2 : 0);
    this.window = (k - 1) * s + 1;
    this.lin = new Float64Array(L);
  }

  /**
   * Writes the feature row of time t of `series` (rows are time, needs t ≥ window − 1) into
   * `out[oo..]`. `withConstant` false skips the constant (the ridge intercept plays its role).
   */
  private featureRow(series: Float64Array, t: number, out: Float64Array, oo: number, withConstant: boolean): number {
    const d = this.inputSize;
    const lin = this.lin;
    for (let j = 0; j < this.delays; j++) {
      const r = t - j * this.stride;
      for (let c = 0; c < d; c++) lin[j * d + c] = series[r * d + c];
    }
    let o = oo;
    if (withConstant) out[o++] = 1;
    const L = this.linearSize;
    for (let i = 0; i < L; i++) out[o++] = lin[i];
    if (this.quadratic) {
      for (let i = 0; i < L; i++) {
        const li = lin[i];
        for (let j = i; j < L; j++) out[o++] = li * lin[j];
      }
    }
    return o - oo;
  }

  /**
   * The feature matrix of a series [T × D]: row r holds the features of time r + window − 1, so
   * it has T − window + 1 rows and {@link Nvar.featureSize} columns.
   *
   * @example
   * const F = new Nvar({ inputSize: 1, delays: 3 }).features(series);
   */
  features(series: Matrix, out?: Matrix): Matrix {
    return this.featureMatrix(series, this.constant, out);
  }

  private featureMatrix(series: Matrix, withConstant: boolean, out?: Matrix): Matrix {
    if (series.cols !== this.inputSize) throw new BuildError('Nvar.features', 'series', `has ${series.cols} columns, expected ${this.inputSize}`);
    const rows = series.rows - this.window + 1;
    if (rows < 1) throw new BuildError('Nvar.features', 'series', `has ${series.rows} rows, needs at least ${this.window}`);
    const f = this.featureSize - (this.constant && !withConstant ? 1 : 0);
    const o = out ?? matrix(rows, f);
    if (o.rows !== rows || o.cols !== f) throw new BuildError('Nvar.features', 'out', `is ${o.rows} × ${o.cols}, expected ${rows} × ${f}`);
    for (let r = 0; r < rows; r++) this.featureRow(series.data, r + this.window - 1, o.data, r * f, withConstant);
    return o;
  }

  /**
   * Trains the one-step forecaster x(t+1) = x(t) + W·features(t) (or W·features(t) without
   * `difference`) on a series [T × D] by ridge regression. The constant feature is represented by
   * the ridge intercept (features are centred, which keeps XᵀX well conditioned).
   *
   * @example
   * nvar.fit(lorenzTrain, { lambda: 1e-4 });
   */
  fit(series: Matrix, options: NvarFitOptions = {}): this {
    const d = this.inputSize;
    const F = this.featureMatrix({ rows: series.rows - 1, cols: d, data: series.data.subarray(0, (series.rows - 1) * d) }, false);
    const Y = matrix(F.rows, d);
    this.difference = options.difference ?? true;
    for (let r = 0; r < F.rows; r++) {
      const t = r + this.window - 1;
      for (let c = 0; c < d; c++) Y.data[r * d + c] = series.data[(t + 1) * d + c] - (this.difference ? series.data[t * d + c] : 0);
    }
    this.readout = new Ridge(F.cols, d, { lambda: options.lambda ?? 1e-4, center: this.constant, scale: options.scale ?? true }).fit(F, Y);
    return this;
  }

  private ready(where: string): Ridge {
    if (!this.readout) throw new BuildError(where, 'readout', 'the forecaster is not trained', 'call fit(series) first');
    return this.readout;
  }

  /**
   * One-step predictions with teacher forcing: row r is the prediction of x(r + window) from the
   * true history; [T − window × D].
   *
   * @example
   * const pred = nvar.predictNext(test); // compare with sliceRows(test, nvar.window)
   */
  predictNext(series: Matrix): Matrix {
    const ridge = this.ready('Nvar.predictNext');
    const d = this.inputSize;
    const F = this.featureMatrix({ rows: series.rows - 1, cols: d, data: series.data.subarray(0, (series.rows - 1) * d) }, false);
    const P = ridge.predict(F);
    if (this.difference) {
      for (let r = 0; r < P.rows; r++) {
        const t = r + this.window - 1;
        for (let c = 0; c < d; c++) P.data[r * d + c] += series.data[t * d + c];
      }
    }
    return P;
  }

  /**
   * Autonomous (closed-loop) forecast of `steps` rows continuing after the last row of `history`
   * (which needs at least `window` rows): each prediction becomes the newest input.
   *
   * @example
   * const future = nvar.forecast(warmup, 1000); // [1000 × D]
   */
  forecast(history: Matrix, steps: number): Matrix {
    const ridge = this.ready('Nvar.forecast');
    const d = this.inputSize;
    const w = this.window;
    if (history.cols !== d || history.rows < w) throw new BuildError('Nvar.forecast', 'history', `is ${history.rows} × ${history.cols}, needs at least ${w} rows of ${d} columns`);
    // Ring of the last `w` rows, laid out so that row t of a virtual series is buf[t % w].
    const buf = new Float64Array(w * d);
    const t0 = history.rows - w;
    for (let r = 0; r < w; r++) for (let c = 0; c < d; c++) buf[((t0 + r) % w) * d + c] = history.data[(t0 + r) * d + c];
    const f = this.featureSize - (this.constant ? 1 : 0);
    const feat = new Float64Array(f);
    const y = new Float64Array(d);
    const out = matrix(steps, d);
    const lin = this.lin;
    const L = this.linearSize;
    let t = history.rows - 1;
    for (let n = 0; n < steps; n++) {
      for (let j = 0; j < this.delays; j++) {
        const r = (t - j * this.stride) % w;
        for (let c = 0; c < d; c++) lin[j * d + c] = buf[r * d + c];
      }
      let o = 0;
      for (let i = 0; i < L; i++) feat[o++] = lin[i];
      if (this.quadratic) for (let i = 0; i < L; i++) for (let j = i; j < L; j++) feat[o++] = lin[i] * lin[j];
      ridge.predictRow(feat, y);
      if (this.difference) for (let c = 0; c < d; c++) y[c] += lin[c];
      t++;
      for (let c = 0; c < d; c++) buf[(t % w) * d + c] = y[c];
      out.data.set(y, n * d);
    }
    return out;
  }
}
