/**
 * Error measures for reservoir tasks: NRMSE, squared correlation, valid prediction time.
 */
import { BuildError } from '../lang/errors.js';
import { type Matrix } from './linalg.js';

type Series = Matrix | ArrayLike<number>;

function asData(x: Series): { data: ArrayLike<number>; rows: number; cols: number } {
  if (typeof (x as Matrix).rows === 'number' && (x as Matrix).data) {
    const m = x as Matrix;
    return { data: m.data, rows: m.rows, cols: m.cols };
  }
  const a = x as ArrayLike<number>;
  return { data: a, rows: a.length, cols: 1 };
}

/**
 * Normalised root-mean-square error: sqrt(mean((ŷ − y)²)) / std(y), pooled over all columns of a
 * matrix (each column's error divided by that column's variance, then averaged). 0 is perfect; 1
 * is no better than predicting the mean.
 *
 * @example
 * nrmse(prediction, target); // Float64Arrays or Matrices of the same shape
 */
export function nrmse(prediction: Series, target: Series): number {
  const p = asData(prediction);
  const y = asData(target);
  if (p.rows !== y.rows || p.cols !== y.cols) throw new BuildError('nrmse', 'prediction', `is ${p.rows} × ${p.cols}, target is ${y.rows} × ${y.cols}`, 'give arrays of the same shape');
  const n = y.rows;
  const m = y.cols;
  if (n < 2) throw new BuildError('nrmse', 'target', `needs at least 2 samples, got ${n}`);
  let acc = 0;
  for (let c = 0; c < m; c++) {
    let mean = 0;
    for (let t = 0; t < n; t++) mean += y.data[t * m + c];
    mean /= n;
    let v = 0;
    let e = 0;
    for (let t = 0; t < n; t++) {
      const yt = y.data[t * m + c];
      v += (yt - mean) * (yt - mean);
      const dt = p.data[t * m + c] - yt;
      e += dt * dt;
    }
    acc += v > 0 ? e / v : e > 0 ? Infinity : 0;
  }
  return Math.sqrt(acc / m);
}

/**
 * Squared Pearson correlation of two equal-length series (0 when either is constant).
 *
 * @example
 * squaredCorrelation([1, 2, 3], [2, 4, 7]); // ≈ 0.99
 */
export function squaredCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new BuildError('squaredCorrelation', 'b', `has ${b.length} values, a has ${n}`);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? (sab * sab) / (saa * sbb) : 0;
}

/** Options of {@link validTime}. */
export interface ValidTimeOptions {
  /** Error level at which the prediction stops being valid (default 0.4). */
  readonly threshold?: number;
  /** Per-column scale σ; default the standard deviation of each column of `reference` or `target`. */
  readonly scale?: ArrayLike<number>;
  /** Series whose column standard deviations set the scale (e.g. the training data); default `target`. */
  readonly reference?: Matrix;
}

/**
 * Valid prediction time: the number of leading steps during which the normalised error
 * e(t) = sqrt(mean_c ((ŷ_c(t) − y_c(t)) / σ_c)²) stays below `threshold` (Pathak et al., PRL 2018,
 * use 0.4). Multiply by dt·λ_max to express it in Lyapunov times (Lorenz-63: λ_max ≈ 0.906).
 *
 * @example
 * const steps = validTime(forecast, truth);
 * const lyapunovTimes = steps * 0.025 * LORENZ_LYAPUNOV;
 */
export function validTime(prediction: Matrix, target: Matrix, options: ValidTimeOptions = {}): number {
  if (prediction.cols !== target.cols) throw new BuildError('validTime', 'prediction', `has ${prediction.cols} columns, target has ${target.cols}`);
  const m = target.cols;
  const n = Math.min(prediction.rows, target.rows);
  const thr = options.threshold ?? 0.4;
  const sigma = new Float64Array(m);
  if (options.scale) {
    for (let c = 0; c < m; c++) sigma[c] = options.scale[c];
  } else {
    const ref = options.reference ?? target;
    for (let c = 0; c < m; c++) {
      let mean = 0;
      for (let t = 0; t < ref.rows; t++) mean += ref.data[t * m + c];
      mean /= ref.rows;
      let v = 0;
      for (let t = 0; t < ref.rows; t++) v += (ref.data[t * m + c] - mean) ** 2;
      sigma[c] = Math.sqrt(v / ref.rows);
    }
  }
  for (let t = 0; t < n; t++) {
    let e = 0;
    for (let c = 0; c < m; c++) {
      const d = (prediction.data[t * m + c] - target.data[t * m + c]) / (sigma[c] || 1);
      e += d * d;
    }
    if (!(Math.sqrt(e / m) < thr)) return t;
  }
  return n;
}
