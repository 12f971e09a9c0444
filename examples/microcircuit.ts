/**
 * The Potjans & Diesmann (2014) cortical microcircuit: 8 populations, 77 169 LIF neurons and about
 * 3·10⁸ synapses at scale 1. Builds it (on the step engine), runs it, prints per-population rates,
 * CV of ISIs and synchrony next to the full model's published rates, writes a raster plot to
 * out/microcircuit_raster.svg.
 *
 * Run: npm run build && node dist/examples/microcircuit.js [--scale S] [--duration MS] [--threads T] [--seed N]
 * (default scale 0.1; scale 1 needs about 8 GB of memory and a few minutes to build)
 */
import { rasterSvg } from '../src/index.js';
import { terminalProgress, writeText } from '../src/node/index.js';
import { numberOptions } from './args.js';
import { microcircuitNetwork, POPULATIONS, REFERENCE_RATES } from './microcircuit_model.js';
import { populationStats } from './microcircuit_stats.js';

const { scale, duration: durationMs, seed, threads } = numberOptions(
  'Potjans & Diesmann (2014) cortical microcircuit: build, run, print per-population statistics, write a raster plot (duration in ms)',
  { scale: 0.1, duration: 1000, seed: 1, threads: 1 },
  { seed: 'integer', threads: 'count' },
);

const t0 = performance.now();
const { net, monitors, sizes } = microcircuitNetwork({ scale, seed, threads });
net.build();
const buildS = (performance.now() - t0) / 1000;
const neurons = sizes.reduce((a, b) => a + b, 0);
console.log(`microcircuit, scale ${scale}: ${neurons} neurons, ${net.numSynapses} synapses, dt ${net.dt * 1000} ms, seed ${seed}`);
console.log(net.loopReason === undefined ? `step engine on ${threads} thread(s)` : `JavaScript step loop: ${net.loopReason}`);
const res = net.run(`${durationMs} ms`, { progress: terminalProgress() });
net.close();
console.log(`simulated ${durationMs} ms in ${res.seconds.toFixed(2)} s (build + compile ${buildS.toFixed(2)} s)`);

// statistics after the start-up transient (the initial voltages are far from the steady state)
const tStop = durationMs / 1000;
const tStart = Math.min(0.1, tStop / 5);
console.log(`population   rate (Hz)  published  CV ISI  synchrony   [${tStart * 1000}–${durationMs} ms]`);
monitors.forEach((m, p) => {
  const s = populationStats(m.spikes(), sizes[p], tStart, tStop);
  console.log(`${POPULATIONS[p].padEnd(11)} ${s.rate_hz.toFixed(2).padStart(9)}  ${REFERENCE_RATES[p].toFixed(2).padStart(9)}  ${s.cv_isi.toFixed(2).padStart(6)}  ${s.synchrony.toFixed(2).padStart(9)}`);
});

// one raster: the populations stacked in order, L2/3E at the bottom
const offsets = sizes.map((_, p) => sizes.slice(0, p).reduce((a, b) => a + b, 0));
const all = monitors.map((m, p) => ({ s: m.spikes(), off: offsets[p] }));
const total = all.reduce((n, a) => n + a.s.times.length, 0);
const order = new Int32Array(total);
const times = new Float64Array(total);
const indices = new Int32Array(total);
let k = 0;
for (const { s, off } of all) for (let j = 0; j < s.times.length; j++, k++) ((times[k] = s.times[j]), (indices[k] = s.indices[j] + off));
for (let j = 0; j < total; j++) order[j] = j;
order.sort((a, b) => times[a] - times[b]);
const colors = ['#1f77b4', '#d62728'];
const svg = rasterSvg(
  { times: Float64Array.from(order, (j) => times[j]), indices: Int32Array.from(order, (j) => indices[j]) },
  {
    nNeurons: neurons,
    tStop,
    title: `Potjans & Diesmann microcircuit, scale ${scale}, ${neurons} neurons, ${durationMs} ms`,
    groups: POPULATIONS.map((name, p) => ({ name, start: offsets[p], stop: offsets[p] + sizes[p], color: colors[p % 2] })),
    rateTrace: true,
  },
);
await writeText('out/microcircuit_raster.svg', svg);
console.log('raster plot written to out/microcircuit_raster.svg');
