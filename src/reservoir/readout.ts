/**
 * Linear readouts of reservoir states: ridge regression (closed form, offline), recursive least
 * squares (online; the FORCE rule of Sussillo & Abbott 2009) and least mean squares (online).
 *
 * All readouts map a feature row x (length `inputSize`) to an output row y (length `outputSize`)
 * as y = Wᵀ x + b, with W stored row-major as [inputSize × outputSize] (`weights[i * outputSize + c]`).
 */
import { BuildError } from '../lang/errors.js';
import { type Matrix, cholesky, choleskySolve, matrix } from './linalg.js';

function checkDims(where: string, X: Matrix, d: number, field = 'X'): void {
  if (X.cols !== d) throw new BuildError(where, field, `has ${X.cols} columns, the readout expects ${d}`, `give a matrix with ${d} columns`);
}

function checkPositiveInt(where: string, field: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new BuildError(where, field, `must be a positive integer, got ${v}`);
}

/** Options of {@link Ridge}. */
export interface RidgeOptions {
  /**
   * Regularisation λ ≥ 0 added to the diagonal of XᵀX (a sum over samples, not a mean; with
   * `scale` the columns are standardised first, so the diagonal is the sample count). Default 1e-6.
   */
  readonly lambda?: number;
  /** Subtract the feature and target means and fit an intercept (default true). */
  readonly center?: boolean;
  /** Divide each feature by its standard deviation before regularising (default false). */
  readonly scale?: boolean;
}

/**
 * Ridge regression, W = argmin ‖Y − X W − 1 bᵀ‖² + λ‖W‖², solved in closed form by a Cholesky
 * factorisation of XᵀX + λI: one factorisation serves every target column.
 *
 * Samples may come in batches ({@link Ridge.add}): each batch is centred on its own mean and merged
 * into running means and co-moment matrices with the pairwise update of Chan, Golub & LeVeque
 * (1979), which avoids the cancellation of forming XᵀX − n μμᵀ. Training on many sequences is
 * one `add` per sequence, then one {@link Ridge.solve}.
 *
 * @example
 * const r = new Ridge(3, 1, { lambda: 1e-8 }).fit(X, Y); // X: [T × 3], Y: [T × 1]
 * const Yhat = r.predict(Xtest);
 */
export class Ridge {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly lambda: number;
  readonly center: boolean;
  readonly scale: boolean;
  /** Fitted weights [inputSize × outputSize] (row-major), valid after {@link Ridge.solve}. */
  readonly weights: Float64Array;
  /** Fitted intercept [outputSize] (zero without centring). */
  readonly intercept: Float64Array;
  /** Samples accumulated so far. */
  count = 0;
  private readonly meanX: Float64Array;
  private readonly meanY: Float64Array;
  private readonly cxx: Float64Array;
  private readonly cxy: Float64Array;
  private readonly bx: Float64Array;
  private readonly by: Float64Array;
  private readonly row: Float64Array;
  private readonly rowY: Float64Array;
  private readonly bxx: Float64Array;
  private readonly bxy: Float64Array;

  constructor(inputSize: number, outputSize: number, options: RidgeOptions = {}) {
    checkPositiveInt('Ridge', 'inputSize', inputSize);
    checkPositiveInt('Ridge', 'outputSize', outputSize);
    const lambda = options.lambda ?? 1e-6;
    if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new BuildError('Ridge', 'lambda', `must be a finite number ≥ 0, got ${lambda}`, 'give e.g. 1e-6');
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.lambda = lambda;
    this.center = options.center ?? true;
    this.scale = options.scale ?? false;
    const d = inputSize;
    const m = outputSize;
    this.weights = new Float64Array(d * m);
    this.intercept = new Float64Array(m);
    this.meanX = new Float64Array(d);
    this.meanY = new Float64Array(m);
    this.cxx = new Float64Array(d * d);
    this.cxy = new Float64Array(d * m);
    this.bx = new Float64Array(d);
    this.by = new Float64Array(m);
    this.row = new Float64Array(d);
    this.rowY = new Float64Array(m);
    this.bxx = new Float64Array(d * d);
    this.bxy = new Float64Array(d * m);
  }

  /**
   * Forgets the accumulated samples (the fitted weights stay until the next solve).
   *
   * @example
   * ridge.reset().add(X2, Y2).solve();
   */
  reset(): this {
    this.count = 0;
    this.meanX.fill(0);
    this.meanY.fill(0);
    this.cxx.fill(0);
    this.cxy.fill(0);
    return this;
  }

  /**
   * Accumulates a batch of samples: rows of X (features) with the same rows of Y (targets).
   *
   * @example
   * const r = new Ridge(n, 1);
   * for (const s of sequences) r.add(s.states, s.targets);
   * r.solve();
   */
  add(X: Matrix, Y: Matrix): this {
    const d = this.inputSize;
    const m = this.outputSize;
    checkDims('Ridge.add', X, d);
    checkDims('Ridge.add', Y, m, 'Y');
    if (X.rows !== Y.rows) throw new BuildError('Ridge.add', 'Y', `has ${Y.rows} rows but X has ${X.rows}`, 'give one target row per feature row');
    const nb = X.rows;
    if (nb === 0) return this;
    const { bx, by, row, rowY, bxx, bxy } = this;
    const xd = X.data;
    const yd = Y.data;
    bx.fill(0);
    by.fill(0);
    if (this.center) {
      for (let t = 0; t < nb; t++) {
        for (let i = 0; i < d; i++) bx[i] += xd[t * d + i];
        for (let c = 0; c < m; c++) by[c] += yd[t * m + c];
      }
      for (let i = 0; i < d; i++) bx[i] /= nb;
      for (let c = 0; c < m; c++) by[c] /= nb;
    }
    bxx.fill(0);
    bxy.fill(0);
    // Batch co-moments about the batch mean (upper triangle of bxx).
    for (let t = 0; t < nb; t++) {
      for (let i = 0; i < d; i++) {
        const v = xd[t * d + i] - bx[i];
        row[i] = v;
        if (!Number.isFinite(v)) throw new BuildError('Ridge.add', 'X', `row ${t}, column ${i} is not finite (${xd[t * d + i]})`, 'check the reservoir for divergence');
      }
      for (let c = 0; c < m; c++) rowY[c] = yd[t * m + c] - by[c];
      for (let i = 0; i < d; i++) {
        const ri = row[i];
        if (ri === 0) continue;
        const base = i * d;
        for (let j = i; j < d; j++) bxx[base + j] += ri * row[j];
        const bb = i * m;
        for (let c = 0; c < m; c++) bxy[bb + c] += ri * rowY[c];
      }
    }
    // Merge with the running statistics.
    const na = this.count;
    const n = na + nb;
    const f = (na * nb) / n;
    const { meanX, meanY, cxx, cxy } = this;
    for (let i = 0; i < d; i++) {
      const di = bx[i] - meanX[i];
      const base = i * d;
      for (let j = i; j < d; j++) cxx[base + j] += bxx[base + j] + f * di * (bx[j] - meanX[j]);
      const bb = i * m;
      for (let c = 0; c < m; c++) cxy[bb + c] += bxy[bb + c] + f * di * (by[c] - meanY[c]);
    }
    for (let i = 0; i < d; i++) meanX[i] += ((bx[i] - meanX[i]) * nb) / n;
    for (let c = 0; c < m; c++) meanY[c] += ((by[c] - meanY[c]) * nb) / n;
    this.count = n;
    return this;
  }

  /**
   * Solves for the weights and intercept from the accumulated samples. Refuses clearly when
   * XᵀX + λI is not positive definite (e.g. λ = 0 with constant or collinear features).
   *
   * @example
   * new Ridge(2, 1, { lambda: 0 }).add(X, Y).solve().weights;
   */
  solve(): this {
    const d = this.inputSize;
    const m = this.outputSize;
    if (this.count === 0) throw new BuildError('Ridge.solve', 'samples', 'no samples were added', 'call add(X, Y) first');
    const a = this.bxx; // reuse as the system matrix
    const w = this.weights;
    const s = this.bx; // per-feature scale
    for (let i = 0; i < d; i++) {
      const v = this.cxx[i * d + i];
      s[i] = this.scale && v > 0 ? Math.sqrt(v / this.count) : 1;
    }
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const v = this.cxx[i * d + j] / (s[i] * s[j]);
        a[i * d + j] = v;
        a[j * d + i] = v;
      }
      a[i * d + i] += this.lambda;
      for (let c = 0; c < m; c++) w[i * m + c] = this.cxy[i * m + c] / s[i];
    }
    const bad = cholesky(a, d);
    if (bad >= 0) {
      throw new BuildError(
        'Ridge.solve',
        'lambda',
        `XᵀX + λI is not positive definite (pivot ${bad} ≤ 0 with λ = ${this.lambda}): feature ${bad} is constant or a combination of the others`,
        'increase lambda (e.g. 1e-6), or remove constant/duplicate features',
      );
    }
    choleskySolve(a, d, w, m);
    for (let i = 0; i < d; i++) for (let c = 0; c < m; c++) w[i * m + c] /= s[i];
    for (let c = 0; c < m; c++) {
      let b = this.meanY[c];
      for (let i = 0; i < d; i++) b -= this.meanX[i] * w[i * m + c];
      this.intercept[c] = this.center ? b : 0;
    }
    return this;
  }

  /**
   * Resets, adds one batch and solves.
   *
   * @example
   * const r = new Ridge(3, 2, { lambda: 1e-6, scale: true }).fit(X, Y);
   */
  fit(X: Matrix, Y: Matrix): this {
    return this.reset().add(X, Y).solve();
  }

  /**
   * Predictions for each row of X: [X.rows × outputSize].
   *
   * @example
   * const Yhat = ridge.predict(Xtest, out); // out reused if given
   */
  predict(X: Matrix, out?: Matrix): Matrix {
    checkDims('Ridge.predict', X, this.inputSize);
    const o = out ?? matrix(X.rows, this.outputSize);
    applyLinear(X.data, X.rows, this.inputSize, this.weights, this.intercept, this.outputSize, o.data);
    return o;
  }

  /**
   * Prediction for one feature row, written into `out` (no allocation).
   *
   * @example
   * ridge.predictRow(state, yOut);
   */
  predictRow(x: ArrayLike<number>, out: Float64Array): Float64Array {
    applyRow(x, 0, this.inputSize, this.weights, this.intercept, this.outputSize, out, 0);
    return out;
  }
}

/** y[off..] = Wᵀ x[xo..] + b. */
function applyRow(x: ArrayLike<number>, xo: number, d: number, w: Float64Array, b: Float64Array | undefined, m: number, y: Float64Array, yo: number): void {
  for (let c = 0; c < m; c++) y[yo + c] = b ? b[c] : 0;
  for (let i = 0; i < d; i++) {
    const xi = x[xo + i];
    if (xi === 0) continue;
    const base = i * m;
    for (let c = 0; c < m; c++) y[yo + c] += xi * w[base + c];
  }
}

function applyLinear(x: Float64Array, rows: number, d: number, w: Float64Array, b: Float64Array | undefined, m: number, y: Float64Array): void {
  for (let t = 0; t < rows; t++) applyRow(x, t * d, d, w, b, m, y, t * m);
}

/** Options of {@link Rls}. */
export interface RlsOptions {
  /** Initial P = I / alpha: small alpha = fast initial learning (default 1). */
  readonly alpha?: number;
  /** Forgetting factor in (0, 1]; 1 = ordinary least squares over all samples (default 1). */
  readonly forgetting?: number;
}

/**
 * Recursive least squares: an online readout that after each sample holds the (regularised)
 * least-squares solution of all samples so far. P estimates (XᵀX + αI)⁻¹ and is updated with the
 * Sherman–Morrison formula, O(d²) per sample. Used inside a running reservoir with its output fed
 * back, this is FORCE learning (Sussillo & Abbott, Neuron 2009).
 *
 * @example
 * const rls = new Rls(n, 1, { alpha: 1e-2 });
 * for (let t = 0; t < T; t++) rls.update(states.data.subarray(t * n, (t + 1) * n), target.subarray(t, t + 1));
 */
export class Rls {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly forgetting: number;
  /** Weights [inputSize × outputSize] (row-major). */
  readonly weights: Float64Array;
  /** Inverse correlation matrix estimate [inputSize × inputSize]. */
  readonly P: Float64Array;
  /** Error of the last update before it was applied (target − prediction with the old weights). */
  readonly error: Float64Array;
  private readonly px: Float64Array;
  private readonly yhat: Float64Array;

  constructor(inputSize: number, outputSize: number, options: RlsOptions = {}) {
    checkPositiveInt('Rls', 'inputSize', inputSize);
    checkPositiveInt('Rls', 'outputSize', outputSize);
    const alpha = options.alpha ?? 1;
    const lam = options.forgetting ?? 1;
    if (!(alpha > 0) || !Number.isFinite(alpha)) throw new BuildError('Rls', 'alpha', `must be a positive number, got ${alpha}`, 'give e.g. 1 or 0.01');
    if (!(lam > 0 && lam <= 1)) throw new BuildError('Rls', 'forgetting', `must be in (0, 1], got ${lam}`, 'give 1 (no forgetting) or e.g. 0.999');
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.forgetting = lam;
    this.weights = new Float64Array(inputSize * outputSize);
    this.P = new Float64Array(inputSize * inputSize);
    for (let i = 0; i < inputSize; i++) this.P[i * inputSize + i] = 1 / alpha;
    this.error = new Float64Array(outputSize);
    this.px = new Float64Array(inputSize);
    this.yhat = new Float64Array(outputSize);
  }

  /**
   * Prediction Wᵀx written into `out`.
   *
   * @example
   * rls.predictRow(x, y);
   */
  predictRow(x: ArrayLike<number>, out: Float64Array): Float64Array {
    applyRow(x, 0, this.inputSize, this.weights, undefined, this.outputSize, out, 0);
    return out;
  }

  /**
   * Predictions for each row of X.
   *
   * @example
   * const Yhat = rls.predict(Xtest);
   */
  predict(X: Matrix, out?: Matrix): Matrix {
    checkDims('Rls.predict', X, this.inputSize);
    const o = out ?? matrix(X.rows, this.outputSize);
    applyLinear(X.data, X.rows, this.inputSize, this.weights, undefined, this.outputSize, o.data);
    return o;
  }

  /**
   * One RLS step with feature row x and target row y. Returns the squared norm of the a-priori
   * error (also kept in {@link Rls.error}).
   *
   * @example
   * const e2 = rls.update(x, y);
   */
  update(x: ArrayLike<number>, y: ArrayLike<number>): number {
    const d = this.inputSize;
    const m = this.outputSize;
    const { P, px, weights: w, error: e, yhat } = this;
    applyRow(x, 0, d, w, undefined, m, yhat, 0);
    let e2 = 0;
    for (let c = 0; c < m; c++) {
      e[c] = y[c] - yhat[c];
      e2 += e[c] * e[c];
    }
    let denom = this.forgetting;
    for (let i = 0; i < d; i++) {
      let s = 0;
      const base = i * d;
      for (let j = 0; j < d; j++) s += P[base + j] * x[j];
      px[i] = s;
      denom += x[i] * s;
    }
    const inv = 1 / denom;
    for (let i = 0; i < d; i++) {
      const ki = px[i] * inv;
      const base = i * m;
      for (let c = 0; c < m; c++) w[base + c] += ki * e[c];
    }
    const il = 1 / this.forgetting;
    for (let i = 0; i < d; i++) {
      const ki = px[i] * inv;
      const base = i * d;
      for (let j = i; j < d; j++) {
        const v = (P[base + j] - ki * px[j]) * il;
        P[base + j] = v;
        P[j * d + i] = v;
      }
    }
    return e2;
  }
}

/** Options of {@link Lms}. */
export interface LmsOptions {
  /** Learning rate μ (default 0.1 normalised, 0.01 plain). */
  readonly rate?: number;
  /** Normalised LMS: divide the step by ε + ‖x‖² (default true). */
  readonly normalized?: boolean;
  /** ε of normalised LMS (default 1e-8). */
  readonly epsilon?: number;
}

/**
 * Least mean squares (Widrow–Hoff): w ← w + μ e x, or μ e x / (ε + ‖x‖²) when normalised.
 * O(d·m) per sample; converges more slowly than {@link Rls} when features are correlated.
 *
 * @example
 * const lms = new Lms(n, 1, { rate: 0.5 });
 * for (let t = 0; t < T; t++) lms.update(x_t, y_t);
 */
export class Lms {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly rate: number;
  readonly normalized: boolean;
  readonly epsilon: number;
  /** Weights [inputSize × outputSize] (row-major). */
  readonly weights: Float64Array;
  /** Error of the last update before it was applied. */
  readonly error: Float64Array;
  private readonly yhat: Float64Array;

  constructor(inputSize: number, outputSize: number, options: LmsOptions = {}) {
    checkPositiveInt('Lms', 'inputSize', inputSize);
    checkPositiveInt('Lms', 'outputSize', outputSize);
    this.normalized = options.normalized ?? true;
    this.rate = options.rate ?? (this.normalized ? 0.1 : 0.01);
    this.epsilon = options.epsilon ?? 1e-8;
    if (!(this.rate > 0) || !Number.isFinite(this.rate)) throw new BuildError('Lms', 'rate', `must be a positive number, got ${this.rate}`, 'give e.g. 0.1');
    if (this.normalized && !(this.rate < 2)) throw new BuildError('Lms', 'rate', `normalised LMS diverges for rate ≥ 2, got ${this.rate}`, 'give a rate in (0, 2), e.g. 0.5');
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.weights = new Float64Array(inputSize * outputSize);
    this.error = new Float64Array(outputSize);
    this.yhat = new Float64Array(outputSize);
  }

  /**
   * Prediction Wᵀx written into `out`.
   *
   * @example
   * lms.predictRow(x, y);
   */
  predictRow(x: ArrayLike<number>, out: Float64Array): Float64Array {
    applyRow(x, 0, this.inputSize, this.weights, undefined, this.outputSize, out, 0);
    return out;
  }

  /**
   * Predictions for each row of X.
   *
   * @example
   * const Yhat = lms.predict(Xtest);
   */
  predict(X: Matrix, out?: Matrix): Matrix {
    checkDims('Lms.predict', X, this.inputSize);
    const o = out ?? matrix(X.rows, this.outputSize);
    applyLinear(X.data, X.rows, this.inputSize, this.weights, undefined, this.outputSize, o.data);
    return o;
  }

  /**
   * One LMS step; returns the squared norm of the a-priori error.
   *
   * @example
   * const e2 = lms.update(x, y);
   */
  update(x: ArrayLike<number>, y: ArrayLike<number>): number {
    const d = this.inputSize;
    const m = this.outputSize;
    const { weights: w, error: e, yhat } = this;
    applyRow(x, 0, d, w, undefined, m, yhat, 0);
    let e2 = 0;
    for (let c = 0; c < m; c++) {
      e[c] = y[c] - yhat[c];
      e2 += e[c] * e[c];
    }
    let mu = this.rate;
    if (this.normalized) {
      let xx = this.epsilon;
      for (let i = 0; i < d; i++) xx += x[i] * x[i];
      mu /= xx;
    }
    for (let i = 0; i < d; i++) {
      const g = mu * x[i];
      if (g === 0) continue;
      const base = i * m;
      for (let c = 0; c < m; c++) w[base + c] += g * e[c];
    }
    return e2;
  }
}
