/**
 * Losses and regularizers. Each computes its value from the last forward pass and writes its
 * gradient where the backward pass reads it: dL/d(trace) into a recorded variable's `grad`, or
 * dL/d(spike count) into the counts' `grad`. Values are means over the batch; call them after
 * `net.forward` on what `net.trace(group, variable)` / `net.counts(group)` return, and before
 * `net.backward` (several may be combined: gradients add up).
 */
import { type Recorded, type SpikeCounts } from '../core/network.js';

/** How a recorded trace [steps × batch × n] becomes one value per batch row and unit. */
export type Reduce = 'max' | 'mean' | 'last';

/** Readout values [B × n] of a recorded variable, and for 'max' the step of each maximum. */
export interface ReadoutResult {
  readonly values: Float64Array;
  /** For 'max': the first step at which the maximum is reached (torch.max semantics). */
  readonly at: Int32Array | undefined;
}

/** The arguments of a loss: (recorded, ...rest), the recorded trace from `net.trace(...)`. */
function unpack<R extends unknown[]>(args: [Recorded, ...R]): [Recorded, R] {
  const rec = args[0] as Partial<Recorded> | undefined;
  if (!rec || typeof rec !== 'object' || !('stride' in rec)) throw new TypeError('loss: pass a recorded trace (net.trace(group, variable))');
  return [args[0], args.slice(1) as R];
}

/**
 * Reduces a recorded variable over time (see {@link Reduce}).
 *
 * @example
 * const { values } = readout(net.trace(out, 'v'), 'mean'); // values[b * out.size + i]: mean of v over the steps
 */
export function readout(...args: [Recorded, Reduce?]): ReadoutResult {
  const [rec, [reduceArg]] = unpack<[Reduce?]>(args as [Recorded, Reduce?]);
  return readoutOf(rec, reduceArg ?? 'max');
}

function readoutOf(rec: Recorded, reduce: Reduce): ReadoutResult {
  const { data, steps: T, batch: B, size: n, offset, stride: S } = rec;
  const values = new Float64Array(B * n);
  let at: Int32Array | undefined;
  if (reduce === 'max') {
    at = new Int32Array(B * n);
    values.fill(-Infinity);
    for (let t = 0; t < T; t++) {
      const o = offset + t * S;
      for (let k = 0; k < B * n; k++) {
        const v = data[o + k];
        if (v > values[k]) {
          values[k] = v;
          at[k] = t;
        }
      }
    }
  } else if (reduce === 'mean') {
    for (let t = 0; t < T; t++) for (let k = 0; k < B * n; k++) values[k] += data[offset + t * S + k] / T;
  } else if (reduce === 'last') {
    for (let k = 0; k < B * n; k++) values[k] = data[offset + (T - 1) * S + k];
  } else throw new Error(`loss: unknown reduce '${String(reduce)}' (use 'max', 'mean' or 'last')`);
  return { values, at };
}

/** Adds dL/d(readout) [B × n] to the trace gradient, following the reduction. */
function backReadout(rec: Recorded, r: ReadoutResult, reduce: Reduce, g: Float64Array): void {
  const { grad, steps: T, batch: B, size: n, offset, stride: S } = rec;
  const N = B * n;
  if (reduce === 'max') for (let k = 0; k < N; k++) grad[offset + r.at![k] * S + k] += g[k];
  else if (reduce === 'mean') for (let t = 0; t < T; t++) for (let k = 0; k < N; k++) grad[offset + t * S + k] += g[k] / T;
  else for (let k = 0; k < N; k++) grad[offset + (T - 1) * S + k] += g[k];
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  readonly reduce?: Reduce;
  /** Factor on the readout before the softmax (default: 1 / the trace's unit, so a voltage is read in mV). */
  readonly scale?: number;
}

/** What a classification loss returns. */
export interface ClassLoss {
  /** Mean loss over the batch. */
  readonly loss: number;
  /** Number of rows whose largest readout is the label. */
  readonly correct: number;
  /** The readout values (logits) [B × n]. */
  readonly logits: Float64Array;
}

/**
 * Index of the largest of values[o .. o + n) (the first on ties).
 *
 * @example
 * argmax([0.1, 0.7, 0.2, 0.9], 0, 3) // 1 (looks at values[0..3) only)
 */
export function argmax(values: ArrayLike<number>, o: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (values[o + c] > values[o + best]) best = c;
  return best;
}

/**
 * Softmax cross-entropy on the readout of a recorded variable (logits = max, mean or last value
 * over time), mean over the batch.
 *
 * @example
 * const { loss, correct } = crossEntropy(net.trace(out, 'v'), labels, { reduce: 'max' });
 */
export function crossEntropy(...args: [Recorded, ArrayLike<number>, CrossEntropyOptions?]): ClassLoss {
  const [rec, [labels, opts]] = unpack<[ArrayLike<number>, CrossEntropyOptions?]>(args as [Recorded, ArrayLike<number>, CrossEntropyOptions?]);
  const options = opts ?? {};
  const reduce = options.reduce ?? 'max';
  const scale = options.scale ?? 1 / (rec.unit ?? 1);
  const r = readoutOf(rec, reduce);
  const B = rec.batch;
  const n = rec.size;
  const g = new Float64Array(B * n);
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < B; b++) {
    const o = b * n;
    const y = labels[b];
    if (!(Number.isInteger(y) && y >= 0 && y < n)) throw new RangeError(`crossEntropy: label ${y} of row ${b} is not a class index in 0..${n - 1}`);
    let m = -Infinity;
    for (let c = 0; c < n; c++) m = Math.max(m, scale * r.values[o + c]);
    let z = 0;
    for (let c = 0; c < n; c++) z += Math.exp(scale * r.values[o + c] - m);
    loss += Math.log(z) + m - scale * r.values[o + y];
    for (let c = 0; c < n; c++) g[o + c] = (scale * (Math.exp(scale * r.values[o + c] - m) / z - (c === y ? 1 : 0))) / B;
    if (argmax(r.values, o, n) === y) correct++;
  }
  backReadout(rec, r, reduce, g);
  return { loss: loss / B, correct, logits: r.values };
}

/**
 * Mean squared error between the readout [B × n] and `targets` [B × n] (mean over rows and units).
 *
 * @example
 * const loss = mse(net.trace(out, 'v'), targets, { reduce: 'last' }); // targets: B × out.size values
 */
export function mse(...args: [Recorded, ArrayLike<number>, { reduce?: Reduce }?]): number {
  const [rec, [targets, opts]] = unpack<[ArrayLike<number>, { reduce?: Reduce }?]>(args as [Recorded, ArrayLike<number>]);
  const reduce = opts?.reduce ?? 'mean';
  const r = readoutOf(rec, reduce);
  const N = rec.batch * rec.size;
  if (targets.length < N) throw new RangeError(`mse: ${targets.length} targets for ${N} readout values`);
  const g = new Float64Array(N);
  let loss = 0;
  for (let k = 0; k < N; k++) {
    const d = r.values[k] - targets[k];
    loss += d * d;
    g[k] = (2 * d) / N;
  }
  backReadout(rec, r, reduce, g);
  return loss / N;
}

/**
 * Spike-count loss for a spiking output layer: the count of the labelled unit should be
 * `correctRate`·steps and the others `incorrectRate`·steps; mean squared error of the counts
 * divided by steps. The predicted class is the unit with the most spikes.
 *
 * @example
 * const { loss, correct } = spikeCountLoss(net.counts(out), labels, { correctRate: 0.8, incorrectRate: 0.2 });
 */
export function spikeCountLoss(...args: [SpikeCounts, ArrayLike<number>, CountOptions?]): ClassLoss {
  const [c, [labels, opts]] = unpackCounts<[ArrayLike<number>, CountOptions?]>(args as [SpikeCounts, ArrayLike<number>]);
  const options = opts ?? {};
  const hi = options.correctRate ?? 0.8;
  const lo = options.incorrectRate ?? 0.2;
  const { counts, grad, steps: T, batch: B, size: n } = c;
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < B; b++) {
    const o = b * n;
    for (let k = 0; k < n; k++) {
      const target = (k === labels[b] ? hi : lo) * T;
      const d = (counts[o + k] - target) / T;
      loss += d * d;
      grad[o + k] += (2 * d) / T / (B * n);
    }
    if (argmax(counts, o, n) === labels[b]) correct++;
  }
  return { loss: loss / (B * n), correct, logits: counts.slice(0, B * n) };
}

/**
 * Firing-rate regularizer: weight · mean over rows and units of a penalty on the rate r = count /
 * steps (spikes per step): 'l2' (r - target)², 'upper' max(0, r - target)², 'lower'
 * max(0, target - r)². Returns its value.
 *
 * @example
 * const reg = rateRegularizer(net.counts(hidden), { target: 0.05, weight: 1e-2, mode: 'upper' }); // at most ~1 spike per 20 steps
 */
export function rateRegularizer(...args: [SpikeCounts, RateRegularizerOptions?]): number {
  const [c, [opts]] = unpackCounts<[RateRegularizerOptions?]>(args as [SpikeCounts, RateRegularizerOptions?]);
  const options = opts ?? {};
  const target = options.target ?? 0;
  const w = options.weight ?? 1;
  const mode = options.mode ?? 'l2';
  const { counts, grad, steps: T, batch: B, size } = c;
  const N = B * size;
  let value = 0;
  for (let k = 0; k < N; k++) {
    let d = counts[k] / T - target;
    if ((mode === 'upper' && d < 0) || (mode === 'lower' && d > 0)) d = 0;
    value += d * d;
    grad[k] += (w * 2 * d) / T / N;
  }
  return (w * value) / N;
}

/** Options of {@link spikeCountLoss}. */
export interface CountOptions {
  readonly correctRate?: number;
  readonly incorrectRate?: number;
}

/** Options of {@link rateRegularizer}. */
export interface RateRegularizerOptions {
  readonly target?: number;
  readonly weight?: number;
  readonly mode?: 'l2' | 'upper' | 'lower';
}

/** The arguments of a count loss: (counts, ...rest), the counts from `net.counts(group)`. */
function unpackCounts<R extends unknown[]>(args: [SpikeCounts, ...R]): [SpikeCounts, R] {
  const c = args[0] as Partial<SpikeCounts> | undefined;
  if (!c || typeof c !== 'object' || !('counts' in c && 'grad' in c)) throw new TypeError('spike-count loss: pass the counts of a group (net.counts(group))');
  return [args[0], args.slice(1) as R];
}

/**
 * Number of rows whose readout argmax is the label (no gradient).
 *
 * @example
 * const correct = countCorrect(net.trace(out, 'v'), labels, 'max'); // after net.forward({ steps, batch: labels.length, inputs })
 */
export function countCorrect(...args: [Recorded, ArrayLike<number>, Reduce?]): number {
  const [rec, [labels, reduce]] = unpack<[ArrayLike<number>, Reduce?]>(args as [Recorded, ArrayLike<number>]);
  const r = readoutOf(rec, reduce ?? 'max');
  let correct = 0;
  for (let b = 0; b < rec.batch; b++) if (argmax(r.values, b * rec.size, rec.size) === labels[b]) correct++;
  return correct;
}
