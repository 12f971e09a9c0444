/**
 * A softmax (multinomial logistic regression) readout for classification from reservoir
 * features, trained by minibatch Adam on the cross-entropy, with optional L2 decay and selection
 * of the epoch with the best validation accuracy (as LSM papers report their readouts).
 */
import { BuildError } from '../lang/errors.js';
import { Rng } from '../math/rng.js';
import { type Matrix } from './linalg.js';

/** Options of {@link SoftmaxReadout}. */
export interface SoftmaxOptions {
  /** Adam step size (default 0.01). */
  readonly lr?: number;
  /** L2 penalty λ on the weights: the loss gets λ/2·‖W‖² (default 0). */
  readonly l2?: number;
  /** Minibatch size (default 64). */
  readonly batch?: number;
  /** Seed of the shuffling (default 1). */
  readonly seed?: number;
}

/** Options of {@link SoftmaxReadout.fit}. */
export interface SoftmaxFitOptions {
  /** Passes over the training set (default 30). */
  readonly epochs?: number;
  /** Held-out data: the weights of the epoch with the best accuracy on it are kept. */
  readonly validation?: { readonly X: Matrix; readonly labels: ArrayLike<number> };
  /** Called after every epoch. */
  readonly onEpoch?: (epoch: number, loss: number, validationAccuracy: number) => void;
}

/** What {@link SoftmaxReadout.fit} reports. */
export interface SoftmaxFitResult {
  /** Mean training cross-entropy per epoch. */
  readonly loss: Float64Array;
  /** Validation accuracy per epoch (NaN without validation data). */
  readonly validationAccuracy: Float64Array;
  /** The epoch whose weights were kept (1-based; the last one without validation data). */
  readonly bestEpoch: number;
}

/**
 * Softmax readout: p(c | x) ∝ exp(Σ_i x_i W_ic + b_c).
 *
 * @example
 * const r = new SoftmaxReadout(1000, 10, { lr: 0.01, l2: 1e-4 });
 * r.fit(Xtrain, ytrain, { epochs: 30, validation: { X: Xval, labels: yval } });
 * r.accuracy(Xtest, ytest); // fraction correct
 */
export class SoftmaxReadout {
  readonly inputSize: number;
  readonly classes: number;
  readonly lr: number;
  readonly l2: number;
  readonly batch: number;
  /** Weights [inputSize × classes], row-major. */
  readonly weights: Float64Array;
  /** Biases [classes]. */
  readonly bias: Float64Array;
  private readonly rng: Rng;

  constructor(inputSize: number, classes: number, options: SoftmaxOptions = {}) {
    if (!Number.isInteger(inputSize) || inputSize < 1) throw new BuildError('SoftmaxReadout', 'inputSize', `must be a positive integer, got ${inputSize}`);
    if (!Number.isInteger(classes) || classes < 2) throw new BuildError('SoftmaxReadout', 'classes', `must be an integer ≥ 2, got ${classes}`);
    this.inputSize = inputSize;
    this.classes = classes;
    this.lr = options.lr ?? 0.01;
    this.l2 = options.l2 ?? 0;
    this.batch = options.batch ?? 64;
    if (!(this.lr > 0)) throw new BuildError('SoftmaxReadout', 'lr', `must be positive, got ${this.lr}`);
    if (!(this.l2 >= 0)) throw new BuildError('SoftmaxReadout', 'l2', `must be ≥ 0, got ${this.l2}`);
    if (!Number.isInteger(this.batch) || this.batch < 1) throw new BuildError('SoftmaxReadout', 'batch', `must be a positive integer, got ${this.batch}`);
    this.weights = new Float64Array(inputSize * classes);
    this.bias = new Float64Array(classes);
    this.rng = new Rng(options.seed ?? 1, 0x5f7);
  }

  private check(where: string, X: Matrix, labels?: ArrayLike<number>): void {
    if (X.cols !== this.inputSize) throw new BuildError(where, 'X', `has ${X.cols} columns, the readout expects ${this.inputSize}`);
    if (labels) {
      if (labels.length !== X.rows) throw new BuildError(where, 'labels', `has ${labels.length} entries for ${X.rows} rows`);
      for (let k = 0; k < labels.length; k++) {
        const c = labels[k];
        if (!Number.isInteger(c) || c < 0 || c >= this.classes) throw new BuildError(where, 'labels', `labels[${k}] = ${c} is not a class in [0, ${this.classes})`);
      }
    }
  }

  /** Writes the logits of row r of X into out (length classes). */
  private logits(X: Matrix, r: number, out: Float64Array): void {
    const C = this.classes;
    const d = this.inputSize;
    const W = this.weights;
    for (let c = 0; c < C; c++) out[c] = this.bias[c];
    const off = r * d;
    for (let i = 0; i < d; i++) {
      const x = X.data[off + i];
      if (x === 0) continue;
      const w = i * C;
      for (let c = 0; c < C; c++) out[c] += x * W[w + c];
    }
  }

  /**
   * Trains on (X, labels) from the current weights.
   *
   * @example
   * const { bestEpoch } = r.fit(X, y, { epochs: 20, validation: { X: Xv, labels: yv } });
   */
  fit(X: Matrix, labels: ArrayLike<number>, options: SoftmaxFitOptions = {}): SoftmaxFitResult {
    this.check('SoftmaxReadout.fit', X, labels);
    const val = options.validation;
    if (val) this.check('SoftmaxReadout.fit', val.X, val.labels);
    const epochs = options.epochs ?? 30;
    if (!Number.isInteger(epochs) || epochs < 1) throw new BuildError('SoftmaxReadout.fit', 'epochs', `must be a positive integer, got ${epochs}`);
    const N = X.rows;
    const d = this.inputSize;
    const C = this.classes;
    const W = this.weights;
    const b = this.bias;
    const gW = new Float64Array(d * C);
    const gb = new Float64Array(C);
    const mW = new Float64Array(d * C), vW = new Float64Array(d * C);
    const mb = new Float64Array(C), vb = new Float64Array(C);
    const z = new Float64Array(C);
    const order = new Int32Array(N);
    for (let k = 0; k < N; k++) order[k] = k;
    const best = { acc: -1, epoch: 0, W: new Float64Array(d * C), b: new Float64Array(C) };
    const lossHist = new Float64Array(epochs);
    const accHist = new Float64Array(epochs).fill(NaN);
    const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    let step = 0;
    for (let ep = 0; ep < epochs; ep++) {
      for (let k = N - 1; k > 0; k--) {
        const j = this.rng.int(k + 1);
        const t = order[k];
        order[k] = order[j];
        order[j] = t;
      }
      let loss = 0;
      for (let s0 = 0; s0 < N; s0 += this.batch) {
        const s1 = Math.min(N, s0 + this.batch);
        const B = s1 - s0;
        gW.fill(0);
        gb.fill(0);
        for (let q = s0; q < s1; q++) {
          const r = order[q];
          this.logits(X, r, z);
          let mx = -Infinity;
          for (let c = 0; c < C; c++) if (z[c] > mx) mx = z[c];
          let sum = 0;
          for (let c = 0; c < C; c++) sum += (z[c] = Math.exp(z[c] - mx));
          const y = labels[r];
          loss -= Math.log(Math.max(1e-300, z[y] / sum));
          for (let c = 0; c < C; c++) z[c] = (z[c] / sum - (c === y ? 1 : 0)) / B;
          const off = r * d;
          for (let i = 0; i < d; i++) {
            const x = X.data[off + i];
            if (x === 0) continue;
            const w = i * C;
            for (let c = 0; c < C; c++) gW[w + c] += x * z[c];
          }
          for (let c = 0; c < C; c++) gb[c] += z[c];
        }
        step++;
        const c1 = 1 / (1 - beta1 ** step);
        const c2 = 1 / (1 - beta2 ** step);
        const lr = this.lr;
        const l2 = this.l2;
        for (let k = 0; k < W.length; k++) {
          const g = gW[k] + l2 * W[k];
          mW[k] = beta1 * mW[k] + (1 - beta1) * g;
          vW[k] = beta2 * vW[k] + (1 - beta2) * g * g;
          W[k] -= (lr * mW[k] * c1) / (Math.sqrt(vW[k] * c2) + eps);
        }
        for (let c = 0; c < C; c++) {
          const g = gb[c];
          mb[c] = beta1 * mb[c] + (1 - beta1) * g;
          vb[c] = beta2 * vb[c] + (1 - beta2) * g * g;
          b[c] -= (lr * mb[c] * c1) / (Math.sqrt(vb[c] * c2) + eps);
        }
      }
      lossHist[ep] = loss / N;
      if (val) {
        const acc = this.accuracy(val.X, val.labels);
        accHist[ep] = acc;
        if (acc > best.acc) {
          best.acc = acc;
          best.epoch = ep + 1;
          best.W.set(W);
          best.b.set(b);
        }
      }
      options.onEpoch?.(ep + 1, lossHist[ep], accHist[ep]);
    }
    if (val) {
      W.set(best.W);
      b.set(best.b);
    }
    return { loss: lossHist, validationAccuracy: accHist, bestEpoch: val ? best.epoch : epochs };
  }

  /**
   * The most probable class of every row.
   *
   * @example
   * const yhat = r.predict(Xtest); // Int32Array
   */
  predict(X: Matrix): Int32Array {
    this.check('SoftmaxReadout.predict', X);
    const out = new Int32Array(X.rows);
    const z = new Float64Array(this.classes);
    for (let r = 0; r < X.rows; r++) {
      this.logits(X, r, z);
      let arg = 0;
      for (let c = 1; c < this.classes; c++) if (z[c] > z[arg]) arg = c;
      out[r] = arg;
    }
    return out;
  }

  /**
   * Fraction of rows whose predicted class equals the label.
   *
   * @example
   * r.accuracy(Xtest, ytest); // e.g. 0.83
   */
  accuracy(X: Matrix, labels: ArrayLike<number>): number {
    this.check('SoftmaxReadout.accuracy', X, labels);
    const yhat = this.predict(X);
    let ok = 0;
    for (let r = 0; r < X.rows; r++) if (yhat[r] === labels[r]) ok++;
    return X.rows ? ok / X.rows : NaN;
  }
}
