/** Input events for training tests. */
import { type Rng } from '../../src/index.js';
import { type Events } from '../../src/train/index.js';

/**
 * Random analog events: each input unit of each batch element, each step, with probability
 * `density`, a value in [lo, hi).
 *
 * @example
 * const ev = analogEvents(new Rng(1, 1), 30, 2, 6, 0, 1, 0.3);
 */
export function analogEvents(rng: Rng, steps: number, B: number, n: number, lo: number, hi: number, density = 1): Events {
  const ptr = new Int32Array(steps + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < B * n; k++) {
      if (rng.uniform() < density) {
        idx.push(k);
        val.push(lo + (hi - lo) * rng.uniform());
      }
    }
    ptr[t + 1] = idx.length;
  }
  return { ptr, idx: Int32Array.from(idx), val: Float64Array.from(val) };
}
