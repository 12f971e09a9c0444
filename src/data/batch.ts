/**
 * Seeded shuffling and batching. The order of epoch e is a pure function of (seed, e).
 */
import { Rng } from '../math/rng.js';

/**
 * A random permutation of 0..n-1 (Fisher–Yates) for an epoch.
 *
 * @example
 * const order = permutation(60000, 0, epoch);
 */
export function permutation(n: number, seed = 0, epoch = 0): Int32Array {
  const rng = new Rng(seed, 0x73687566 + epoch);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * Consecutive batches of `size` indices from `order`; the last partial batch is dropped unless
 * `dropLast` is false.
 *
 * @example
 * for (const rows of batches(permutation(train.n, 0, epoch), 256)) net.forward(latencyBatch(train.x, train.d, rows, { steps: 100 }), rows.length);
 */
export function* batches(order: Int32Array, size: number, dropLast = true): Generator<Int32Array> {
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`batches: size must be a positive integer, got ${size}`);
  for (let lo = 0; lo < order.length; lo += size) {
    if (lo + size > order.length && dropLast) return;
    yield order.subarray(lo, Math.min(order.length, lo + size));
  }
}

/**
 * The number of batches {@link batches} yields.
 *
 * @example
 * batchCount(60000, 256) // 234 (the last 96 samples are dropped); batchCount(60000, 256, false) // 235
 */
export function batchCount(n: number, size: number, dropLast = true): number {
  return dropLast ? Math.floor(n / size) : Math.ceil(n / size);
}
