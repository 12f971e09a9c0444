/**
 * The connectivity family: degree distributions of random, small-world and scale-free graphs, and
 * the connection probability against distance of a Gaussian grid connector. Prints the build time
 * of each and writes out/connectivity_degrees.svg and out/connectivity_gaussian.svg.
 *
 * Run: npm run build && node dist/examples/connectivity.js
 */
import { FixedProb, SmallWorld, ScaleFree, GaussianProb, inDegrees, outDegrees, lineSvg, type Connector, type CSR } from '../src/index.js';
import { writeText } from '../src/node/index.js';

const n = 20000;
const build = (label: string, c: Connector, nPre = n, nPost = n): CSR => {
  const t0 = performance.now();
  const csr = c.build({ nPre, nPost, seed: 1, where: label, selfOffset: 0 });
  console.log(`${label.padEnd(28)} ${String(csr.indices.length).padStart(9)} synapses in ${(performance.now() - t0).toFixed(0)} ms`);
  return csr;
};
const histogram = (deg: Int32Array) => {
  const max = Math.max(...deg);
  const h = new Float64Array(max + 1);
  for (const d of deg) h[d]++;
  return h;
};
// Complementary cumulative distribution P(K ≥ k) on log-log axes shows the scale-free tail.
const ccdf = (label: string, deg: Int32Array) => {
  const h = histogram(deg);
  const x: number[] = [];
  const y: number[] = [];
  let tail = deg.length;
  for (let k = 0; k < h.length; k++) {
    if (tail > 0 && k > 0) (x.push(Math.log10(k)), y.push(Math.log10(tail / deg.length)));
    tail -= h[k];
  }
  return { x, y, label };
};
const random = build('FixedProb(p = 10/n)', new FixedProb(10 / n));
const small = build('SmallWorld(k = 5, β = 0.1)', new SmallWorld(5, 0.1));
const free = build('ScaleFree(m = 5)', new ScaleFree(5));
await writeText(
  'out/connectivity_degrees.svg',
  lineSvg([ccdf('random', inDegrees(random)), ccdf('small-world', outDegrees(small)), ccdf('scale-free', outDegrees(free))], {
    title: `Degree distributions, n = ${n}: P(K ≥ k), log-log`,
    xLabel: 'log10 degree k',
    yLabel: 'log10 P(K ≥ k)',
  }),
);
// Gaussian probability on a 100 × 100 grid: empirical probability per distance.
const side = 100;
const gauss = build('GaussianProb(σ = 3) 100×100', new GaussianProb(3, { gridShape: [side, side] }), side * side, side * side);
const hits = new Float64Array(20);
const pairs = new Float64Array(20);
for (let i = 0; i < side * side; i += 97) {
  const [ri, ci] = [Math.floor(i / side), i % side];
  for (let j = 0; j < side * side; j++) {
    const d = Math.round(Math.hypot(ri - Math.floor(j / side), ci - (j % side)));
    if (d < 20 && j !== i) pairs[d]++;
  }
  for (let s = gauss.indptr[i]; s < gauss.indptr[i + 1]; s++) {
    const j = gauss.indices[s];
    const d = Math.round(Math.hypot(ri - Math.floor(j / side), ci - (j % side)));
    if (d < 20) hits[d]++;
  }
}
const ds = Array.from({ length: 19 }, (_, k) => k + 1);
await writeText(
  'out/connectivity_gaussian.svg',
  lineSvg(
    [
      { x: ds, y: ds.map((d) => hits[d] / Math.max(1, pairs[d])), label: 'measured' },
      { x: ds, y: ds.map((d) => Math.exp(-(d * d) / 18)), label: 'exp(-d²/2σ²)' },
    ],
    { title: 'Gaussian connectivity: probability against grid distance', xLabel: 'distance (grid units)', yLabel: 'connection probability' },
  ),
);
console.log('plots written to out/connectivity_*.svg');
