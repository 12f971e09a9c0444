/**
 * Benchmark rows that are not network simulations: connectivity generation against Brian2's
 * `Synapses.connect(p=0.02)`, and the machine's memory bandwidth (a STREAM-like triad) so that
 * kernel throughputs can be read against the hardware limit.
 */
import { FixedProb } from '../src/index.js';

/**
 * Time to generate the COBA network's connectivity (E→all and I→all, p = 0.02) at a scale.
 *
 * @example
 * const s = connectSeconds(10); // ≈ 32 M synapses
 */
export function connectSeconds(scale: number, seed = 1): { seconds: number; synapses: number } {
  const ne = Math.trunc(3200 * scale);
  const ni = Math.trunc(800 * scale);
  const n = ne + ni;
  const t0 = performance.now();
  const a = new FixedProb(0.02).build({ nPre: ne, nPost: n, seed, where: 'E→P', selfOffset: 0 });
  const b = new FixedProb(0.02).build({ nPre: ni, nPost: n, seed: seed + 1, where: 'I→P', selfOffset: -ne });
  return { seconds: (performance.now() - t0) / 1000, synapses: a.indices.length + b.indices.length };
}

/**
 * Memory bandwidth from a triad a[i] = b[i] + s·c[i] over arrays far larger than the caches;
 * counts 24 bytes per element (two loads, one store), the best of `repeats`.
 *
 * @example
 * streamTriadGBs() // e.g. 9.5
 */
export function streamTriadGBs(n = 20_000_000, repeats = 5): number {
  const a = new Float64Array(n);
  const b = new Float64Array(n).fill(1);
  const c = new Float64Array(n).fill(2);
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const s = 3 + r;
    for (let i = 0; i < n; i++) a[i] = b[i] + s * c[i];
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  if (a[n - 1] !== 1 + (2 + repeats) * 2) throw new Error('triad check failed');
  return (24 * n) / best / 1e9;
}
