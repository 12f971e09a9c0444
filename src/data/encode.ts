/**
 * Spike encoders: turn feature values (pixels) into input events for `net.forward` (the events of an `InputGroup`).
 *
 * - Latency: each feature fires at most once, earlier when stronger. With x ∈ [0, 1], threshold θ
 *   and time constant τ (in steps), x ≥ θ fires at step floor(τ ln(x / (x - θ))) if that is below
 *   `steps` (x is first clipped to at least θ + 1e-7); x < θ never fires. (The RC-circuit latency
 *   code of snnTorch's tutorials and of the PyTorch reference benchmark.)
 * - Rate: each feature fires at each step with probability x · maxProb (Bernoulli, from the
 *   counter-based RNG, so a sample's spikes do not depend on the batch it is in).
 */
import { uniformAt } from '../math/rng.js';
import { type Events } from './events.js';

/** Feature values: bytes (scaled by `scale`, default 1/255) or floats. */
export type Features = Uint8Array | Float32Array | Float64Array;

/** Options of the latency code. */
export interface LatencyOptions {
  /** Number of steps (a spike at step ≥ steps is dropped). */
  readonly steps: number;
  /** Time constant in steps (default 20). */
  readonly tau?: number;
  /** Threshold θ on the value (default 0.2). */
  readonly threshold?: number;
  /** Multiplier of the stored values (default 1/255 for bytes, 1 for floats). */
  readonly scale?: number;
}

/**
 * The firing step of every feature (`steps` meaning no spike), computed once for a data set.
 *
 * @example
 * const when = latencySteps(train.x, { steps: 100 }); // Uint16Array, one per pixel
 */
export function latencySteps(x: Features, o: LatencyOptions): Uint16Array {
  const T = o.steps;
  if (!(Number.isInteger(T) && T > 0 && T < 65535)) throw new RangeError(`latencySteps: steps must be an integer in 1..65534, got ${T}`);
  const tau = o.tau ?? 20;
  const thr = o.threshold ?? 0.2;
  const scale = o.scale ?? (x instanceof Uint8Array ? 1 / 255 : 1);
  const step = (v: number) => {
    if (!(v >= thr)) return T;
    const c = Math.min(Math.max(v, thr + 1e-7), 1e9);
    const t = Math.floor(tau * Math.log(c / (c - thr)));
    return t < T ? t : T;
  };
  const out = new Uint16Array(x.length);
  if (x instanceof Uint8Array) {
    // a byte has 256 values: one logarithm per value instead of one per feature
    const table = Uint16Array.from({ length: 256 }, (_, b) => step(b * scale));
    for (let k = 0; k < x.length; k++) out[k] = table[x[k]];
    return out;
  }
  for (let k = 0; k < x.length; k++) out[k] = step(x[k] * scale);
  return out;
}

/**
 * Events of a batch from precomputed firing steps: `when` holds `d` steps per sample; `rows` are
 * the samples of the batch (batch row b is sample rows[b]).
 *
 * @example
 * const when = latencySteps(train.x, { steps: 100 });
 * net.forward(latencyEvents(when, train.d, rows, 100), rows.length);
 */
export function latencyEvents(when: Uint16Array, d: number, rows: ArrayLike<number>, steps: number): Events {
  const B = rows.length;
  const ptr = new Int32Array(steps + 1);
  for (let b = 0; b < B; b++) {
    const o = rows[b] * d;
    for (let i = 0; i < d; i++) {
      const s = when[o + i];
      if (s < steps) ptr[s + 1]++;
    }
  }
  for (let t = 0; t < steps; t++) ptr[t + 1] += ptr[t];
  const idx = new Int32Array(ptr[steps]);
  const fill = ptr.slice(0, steps);
  for (let b = 0; b < B; b++) {
    const o = rows[b] * d;
    for (let i = 0; i < d; i++) {
      const s = when[o + i];
      if (s < steps) idx[fill[s]++] = b * d + i;
    }
  }
  return { ptr, idx };
}

/** Options of the rate code. */
export interface RateOptions {
  readonly steps: number;
  /** Spike probability per step of a value 1 (default 1). */
  readonly maxProb?: number;
  readonly seed?: number;
  /** Multiplier of the stored values (default 1/255 for bytes, 1 for floats). */
  readonly scale?: number;
  /** Added to the sample index in the random stream (e.g. the epoch · N, for fresh spikes). */
  readonly offset?: number;
}

/**
 * Bernoulli (rate-coded) events of a batch: feature i of sample r fires at step t with probability x·maxProb.
 *
 * @example
 * const ev = rateEvents(train.x, train.d, rows, { steps: 100, maxProb: 0.2, seed: 1, offset: epoch * train.n });
 */
export function rateEvents(x: Features, d: number, rows: ArrayLike<number>, o: RateOptions): Events {
  const T = o.steps;
  const p = o.maxProb ?? 1;
  const scale = o.scale ?? (x instanceof Uint8Array ? 1 / 255 : 1);
  const seed = (o.seed ?? 0) >>> 0;
  const B = rows.length;
  const lists: number[][] = Array.from({ length: T }, () => []);
  for (let b = 0; b < B; b++) {
    const r = rows[b];
    const stream = (r + (o.offset ?? 0)) >>> 0;
    for (let i = 0; i < d; i++) {
      const q = Math.min(1, Math.max(0, x[r * d + i] * scale * p));
      if (q === 0) continue;
      for (let t = 0; t < T; t++) if (uniformAt(seed, stream, t * d + i) < q) lists[t].push(b * d + i);
    }
  }
  const ptr = new Int32Array(T + 1);
  for (let t = 0; t < T; t++) ptr[t + 1] = ptr[t] + lists[t].length;
  const idx = new Int32Array(ptr[T]);
  lists.forEach((l, t) => idx.set(l, ptr[t]));
  return { ptr, idx };
}

/**
 * Events of analog inputs: value x[r·d + i] at every step (dense; for currents rather than spikes).
 *
 * @example
 * const ev = currentEvents(features, 16, rows, 50); // every step, input i of row b gets features[rows[b]·16 + i]
 */
export function currentEvents(x: Float32Array | Float64Array, d: number, rows: ArrayLike<number>, steps: number): Events {
  const B = rows.length;
  const ptr = new Int32Array(steps + 1);
  const per = B * d;
  const idx = new Int32Array(per * steps);
  const val = new Float64Array(per * steps);
  for (let t = 0; t < steps; t++) {
    ptr[t + 1] = (t + 1) * per;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < d; i++) {
        const e = t * per + b * d + i;
        idx[e] = b * d + i;
        val[e] = x[rows[b] * d + i];
      }
    }
  }
  return { ptr, idx, val };
}

/**
 * Latency events of a batch straight from the feature values (the code of {@link latencySteps},
 * computed for the batch's rows only).
 *
 * @example
 * net.forward(latencyBatch(train.x, train.d, rows, { steps: 100, tau: 20, threshold: 0.2 }), rows.length);
 */
export function latencyBatch(x: Features, d: number, rows: ArrayLike<number>, o: LatencyOptions): Events {
  const B = rows.length;
  const sub: Features = x instanceof Uint8Array ? new Uint8Array(B * d) : x instanceof Float32Array ? new Float32Array(B * d) : new Float64Array(B * d);
  for (let b = 0; b < B; b++) sub.set(x.subarray(rows[b] * d, rows[b] * d + d), b * d);
  const when = latencySteps(sub, { ...o, scale: o.scale ?? (x instanceof Uint8Array ? 1 / 255 : 1) });
  return latencyEvents(when, d, Int32Array.from({ length: B }, (_, b) => b), o.steps);
}
