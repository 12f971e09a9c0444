/**
 * A whole-brain model on a human structural connectome: 68 cortical regions (Desikan–Killiany,
 * examples/data/connectome68/), each a reduced Wong–Wang population (Deco et al. 2013), coupled
 * through the tractography weights with conduction delays from the tract lengths, and a
 * Balloon–Windkessel BOLD signal per region. The simulated fMRI's functional connectivity (FC,
 * correlations of the BOLD series) is compared with the structure (SC) for a few global coupling
 * strengths G: without coupling FC does not follow SC; as G grows towards the edge of the
 * high-activity state, FC follows SC more (the result of Honey et al. 2009, Deco et al. 2013).
 *
 * Run: npm run build && node dist/examples/whole_brain.js [--minutes M] [--speed MM_PER_MS] [--seed N]
 * Writes out/whole_brain_fc.svg, out/whole_brain_sc.svg and out/whole_brain_bold.svg.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Network, NeuronGroup, FromPairs, One2One, StateMonitor, values, ReducedWongWang, BalloonWindkessel, boldSignal, heatmapSvg, lineSvg } from '../src/index.js';

/** The connectome shipped with the examples: n × n weights and tract lengths (mm), row = source. */
export interface Connectome {
  readonly n: number;
  readonly weights: Float64Array;
  readonly lengths: Float64Array;
  readonly regions: string[];
}

export function loadConnectome68(): Connectome {
  // the data files sit beside the sources (examples/data), two levels above dist/examples
  const dir = new URL('../../examples/data/connectome68/', import.meta.url);
  const matrix = (file: string) => Float64Array.from(readFileSync(fileURLToPath(new URL(file, dir)), 'utf8').trim().split(/[\n,]/), Number);
  const weights = matrix('weights.csv');
  const lengths = matrix('tract_lengths_mm.csv');
  const regions = readFileSync(fileURLToPath(new URL('regions.txt', dir)), 'utf8').trim().split('\n');
  const n = regions.length;
  if (weights.length !== n * n || lengths.length !== n * n || weights.some((x) => !(x >= 0))) throw new Error('connectome68: malformed data files');
  return { n, weights, lengths, regions };
}

export interface WholeBrainOptions {
  /** Global coupling G (scales the weights, normalised to a maximum of 1). */
  readonly G: number;
  /** Simulated time (s), of which the first `transient` s are discarded. */
  readonly seconds: number;
  readonly transient?: number;
  /** Sampling interval of the BOLD signal (s; default 2, an fMRI repetition time). */
  readonly tr?: number;
  /** Conduction speed (mm/ms = m/s; default 5). */
  readonly speed?: number;
  readonly seed?: number;
}

export interface WholeBrainResult {
  /** BOLD series, one per region (after the transient). */
  readonly bold: Float64Array[];
  /** n × n correlation matrix of the BOLD series. */
  readonly fc: Float64Array;
  /** Pearson correlation of FC and SC over region pairs (i < j). */
  readonly fcSc: number;
  /** Mean NMDA gating over regions at the end. */
  readonly meanS: number;
  readonly simSeconds: number;
}

/** Simulates the model on `c` and compares FC with SC. */
export function simulateWholeBrain(c: Connectome, o: WholeBrainOptions): WholeBrainResult {
  const { n } = c;
  const tr = o.tr ?? 2;
  const speed = o.speed ?? 5;
  const dt = 1e-3;
  const net = new Network({ dt: '1 ms', dtype: 'float64', seed: o.seed ?? 1, name: 'whole brain' });
  const R = net.add(new NeuronGroup(n, ReducedWongWang, { name: 'regions', method: 'euler_maruyama' }));
  const B = net.add(new NeuronGroup(n, BalloonWindkessel, { name: 'hemodynamics', method: 'euler' }));
  let max = 0;
  for (const w of c.weights) max = Math.max(max, w);
  const pre: number[] = [];
  const post: number[] = [];
  const w: number[] = [];
  const delay: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j || c.weights[i * n + j] === 0) continue;
      pre.push(i);
      post.push(j);
      w.push(o.G * 0.2609 * (c.weights[i * n + j] / max)); // G · J_N · C_ij, nA
      delay.push(c.lengths[i * n + j] / speed); // ms
    }
  }
  if (o.G > 0) net.connect(R, R, { name: 'long-range', comm: new FromPairs(pre, post), weight: values(w, 'nA'), delay: values(delay, 'ms'), source: 'S', target: 'I' });
  net.connect(R, B, { name: 'neurovascular', comm: new One2One(), weight: 1, source: 'S', target: 'z' });
  const every = Math.round(tr / dt);
  const m = net.add(new StateMonitor(B, ['q', 'v'], { indices: Array.from({ length: n }, (_, i) => i), every }));
  const t0 = performance.now();
  net.run(`${o.seconds} s`);
  const simSeconds = (performance.now() - t0) / 1000;
  const skip = Math.ceil((o.transient ?? 0) / tr);
  const bold = Array.from({ length: n }, (_, i) => {
    const q = m.trace('q', i);
    const v = m.trace('v', i);
    return Float64Array.from({ length: q.length - skip }, (_, k) => boldSignal(q[k + skip], v[k + skip]));
  });
  const fc = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) fc[i * n + j] = i === j ? 1 : pearson(bold[i], bold[j]);
  const fcPairs: number[] = [];
  const scPairs: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      fcPairs.push(fc[i * n + j]);
      scPairs.push(c.weights[i * n + j]);
    }
  }
  const S = R.get('S');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += S[i];
  return { bold, fc, fcSc: pearson(fcPairs, scPairs), meanS: sum / n, simSeconds };
}

/** Pearson correlation of two equally long series (NaN when one is constant). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let k = 0; k < n; k++) (ma += a[k]), (mb += b[k]);
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let k = 0; k < n; k++) {
    const x = a[k] - ma;
    const y = b[k] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

// Run as a script: a small scan of G, the FC–SC fit for each, pictures for the best.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { numberOptions } = await import('./args.js');
  const { writeText } = await import('../src/node/index.js');
  const opts = numberOptions('Whole-brain model on a 68-region connectome: FC of simulated BOLD vs SC', { minutes: 5, speed: 5, seed: 1 }, { seed: 'integer' });
  const c = loadConnectome68();
  console.log(`connectome: ${c.n} regions, ${c.weights.filter((x) => x > 0).length} connections, mean tract length ${(c.lengths.filter((_, k) => c.weights[k] > 0).reduce((a, b) => a + b, 0) / c.weights.filter((x) => x > 0).length).toFixed(1)} mm, conduction ${opts.speed} m/s`);
  let best: (WholeBrainResult & { G: number }) | undefined;
  for (const G of [0, 0.2, 0.3, 0.4, 0.45, 0.5]) {
    const r = simulateWholeBrain(c, { G, seconds: opts.minutes * 60, transient: 20, speed: opts.speed, seed: opts.seed });
    console.log(`G = ${G.toFixed(2)}: FC–SC correlation ${r.fcSc.toFixed(3)}, mean S ${r.meanS.toFixed(3)}, ${r.bold[0].length} BOLD samples, simulated ${opts.minutes} min in ${r.simSeconds.toFixed(1)} s`);
    if (!best || r.fcSc > best.fcSc) best = { ...r, G };
  }
  await writeText('out/whole_brain_fc.svg', heatmapSvg(best!.fc, c.n, { title: `FC of simulated BOLD, G = ${best!.G} (r with SC ${best!.fcSc.toFixed(2)})` }));
  await writeText('out/whole_brain_sc.svg', heatmapSvg(c.weights, c.n, { title: 'SC: tractography weights' }));
  const t = Float64Array.from(best!.bold[0], (_, k) => (k * 2) / 60);
  await writeText('out/whole_brain_bold.svg', lineSvg([0, 1, 34, 35].map((i) => ({ x: t, y: best!.bold[i], label: c.regions[i] })), { title: 'simulated BOLD', xLabel: 'time (min)', yLabel: 'BOLD' }));
  console.log('wrote out/whole_brain_fc.svg, out/whole_brain_sc.svg, out/whole_brain_bold.svg');
}
