/**
 * A small training loop for classifiers: shuffled batches (seeded), forward, loss, backward,
 * optional gradient clipping, optimizer step; and evaluation. Plain functions over a simulator
 * {@link Network} trained through its step IR.
 */
import { permutation } from '../data/batch.js';
import { type Network } from '../core/network.js';
import { type NeuronGroup, type Population } from '../model/group.js';
import { type TapeEvents } from '../backends/js/tape.js';
import { crossEntropy, countCorrect, type Reduce } from './loss.js';
import { clipGradNorm, type Optimizer } from './optim.js';

/** A network read out as a classifier. */
export interface Classifier<D extends Labelled = Labelled> {
  readonly net: Network;
  /** Steps per sample and the largest batch. */
  readonly steps: number;
  readonly batch: number;
  /** The group and variable whose reduction over time gives the logits. */
  readonly output: NeuronGroup;
  readonly variable: string;
  readonly reduce: Reduce;
  /** The events of the rows of a batch of a data set, per input group of the network. */
  encode(rows: Int32Array, data: D): Iterable<readonly [Population, TapeEvents]>;
  /** Extra loss terms (regularizers) after the main loss; returns their value. */
  regularize?(net: Network): number;
}

/** Labels of a data set. */
export interface Labelled {
  readonly y: ArrayLike<number>;
  readonly n: number;
}

/** Options of {@link trainEpoch}. */
export interface EpochOptions {
  readonly batch: number;
  readonly epoch: number;
  readonly seed?: number;
  /** Clip the global gradient norm to this (default: no clipping). */
  readonly clip?: number;
  /** Called after every batch (e.g. for a progress bar). */
  readonly onBatch?: (done: number, total: number, loss: number, accuracy: number) => void;
}

/** What an epoch reports. */
export interface EpochResult {
  /** Mean loss over the batches. */
  readonly loss: number;
  /** Training accuracy over the samples seen. */
  readonly accuracy: number;
  readonly samples: number;
  readonly seconds: number;
}

/**
 * One epoch: a fresh seeded permutation, full batches only (the last partial batch is dropped),
 * cross-entropy on the classifier's readout.
 *
 * @example
 * const r = trainEpoch(model, train, opt, { batch: model.batch, epoch, clip: 1 }); // r.loss, r.accuracy
 */
export function trainEpoch<D extends Labelled>(c: Classifier<D>, data: D, opt: Optimizer, o: EpochOptions): EpochResult {
  const t0 = performance.now();
  const order = permutation(data.n, o.seed ?? 0, o.epoch);
  const total = Math.floor(data.n / o.batch);
  const labels = new Int32Array(o.batch);
  let lossSum = 0;
  let correct = 0;
  for (let k = 0; k < total; k++) {
    const rows = order.subarray(k * o.batch, (k + 1) * o.batch);
    for (let b = 0; b < o.batch; b++) labels[b] = data.y[rows[b]];
    c.net.forward({ steps: c.steps, batch: o.batch, inputs: c.encode(rows, data) });
    const r = crossEntropy(c.net.trace(c.output, c.variable), labels, { reduce: c.reduce });
    const reg = c.regularize ? c.regularize(c.net) : 0;
    opt.zeroGrad();
    c.net.backward();
    if (o.clip !== undefined) clipGradNorm(opt.params, o.clip);
    opt.step();
    lossSum += r.loss + reg;
    correct += r.correct;
    o.onBatch?.(k + 1, total, lossSum / (k + 1), correct / ((k + 1) * o.batch));
  }
  return { loss: lossSum / Math.max(1, total), accuracy: correct / Math.max(1, total * o.batch), samples: total * o.batch, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Accuracy over a whole data set (batches of at most the classifier's batch; no gradient).
 *
 * @example
 * const acc = evaluateAccuracy(model, test); // fraction of test samples classified correctly
 */
export function evaluateAccuracy<D extends Labelled>(c: Classifier<D>, data: D, batch = c.batch): number {
  let correct = 0;
  const labels = new Int32Array(batch);
  for (let lo = 0; lo < data.n; lo += batch) {
    const B = Math.min(batch, data.n - lo);
    const rows = Int32Array.from({ length: B }, (_, b) => lo + b);
    for (let b = 0; b < B; b++) labels[b] = data.y[lo + b];
    c.net.forward({ steps: c.steps, batch: B, inputs: c.encode(rows, data) });
    correct += countCorrect(c.net.trace(c.output, c.variable), labels.subarray(0, B), c.reduce);
  }
  return correct / data.n;
}
