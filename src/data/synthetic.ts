/**
 * A small synthetic classification task for tests and examples: each class has a random
 * prototype of `d` feature intensities in [0, 1]; a sample is its class prototype plus Gaussian
 * noise, clipped to [0, 1]. Latency- or rate-encoded, it is learnt by a small spiking network in seconds.
 */
import { Rng } from '../math/rng.js';

/** A labelled data set of `n` samples with `d` features each (row-major). */
export interface Dataset {
  readonly x: Uint8Array | Float32Array;
  readonly y: Uint8Array;
  readonly n: number;
  readonly d: number;
  readonly classes: number;
}

/** Options of {@link syntheticDataset}. */
export interface SyntheticOptions {
  readonly n: number;
  readonly d?: number;
  readonly classes?: number;
  /** Standard deviation of the noise (default 0.15). */
  readonly noise?: number;
  /** Seed of the prototypes (the task). */
  readonly seed?: number;
  /** Seed of the noise (the samples; default: `seed`): a test set takes the task's seed and another noise seed. */
  readonly noiseSeed?: number;
}

/**
 * Synthetic prototypes-plus-noise data (see the module comment).
 *
 * @example
 * const train = syntheticDataset({ n: 512, d: 40, classes: 4, seed: 1 });
 */
export function syntheticDataset(o: SyntheticOptions): Dataset {
  const d = o.d ?? 40;
  const classes = o.classes ?? 4;
  const noise = o.noise ?? 0.15;
  const proto = new Rng(o.seed ?? 0, 1);
  const P = new Float64Array(classes * d);
  for (let k = 0; k < P.length; k++) P[k] = proto.uniform() < 0.5 ? 0.1 * proto.uniform() : 0.4 + 0.6 * proto.uniform();
  const rng = new Rng(o.noiseSeed ?? o.seed ?? 0, 2);
  const x = new Float32Array(o.n * d);
  const y = new Uint8Array(o.n);
  for (let s = 0; s < o.n; s++) {
    const c = s % classes;
    y[s] = c;
    for (let i = 0; i < d; i++) x[s * d + i] = Math.min(1, Math.max(0, P[c * d + i] + noise * rng.normal()));
  }
  return { x, y, n: o.n, d, classes };
}
