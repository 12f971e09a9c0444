/**
 * The COBAHH benchmark: 4000 Traub–Miles Hodgkin–Huxley neurons with conductance synapses
 * (Brette et al. 2007, benchmark 3), 1 s of biological time. Prints the synapse count, the mean
 * rates and the simulation time, and writes a raster plot to out/cobahh_raster.svg.
 *
 * Run: npx tsc -p tsconfig.json && node dist/examples/cobahh.js [--scale S] [--duration MS] [--seed N]
 */
import { meanRate, rasterSvg } from '../src/index.js';
import { terminalProgress, writeText } from '../src/node/index.js';
import { cobahhNetwork } from './cobahh_model.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const scale = arg('scale', 1);
const durationMs = arg('duration', 1000);
const seed = arg('seed', 1);

const t0 = performance.now();
const { net, P, spikes, ne, ni } = cobahhNetwork({ scale, seed });
net.build();
const buildS = (performance.now() - t0) / 1000;
const res = net.run(`${durationMs} ms`, { progress: terminalProgress() });

const { times, indices } = spikes.spikes();
const dur = durationMs / 1000;
let nE = 0;
for (let k = 0; k < indices.length; k++) if (indices[k] < ne) nE++;
const rateE = nE / ne / dur;
const rateI = (indices.length - nE) / ni / dur;
console.log(`COBAHH network: ${P.size} Traub–Miles HH neurons (${ne} E, ${ni} I), ${net.numSynapses} synapses, dt 0.1 ms, exponential Euler, seed ${seed}`);
console.log(`simulated ${durationMs} ms in ${res.seconds.toFixed(3)} s (build + compile ${buildS.toFixed(3)} s)`);
console.log(`mean rate ${meanRate({ times, indices }, P.size, dur).toFixed(2)} Hz: excitatory ${rateE.toFixed(2)} Hz, inhibitory ${rateI.toFixed(2)} Hz (${indices.length} spikes)`);
const svg = rasterSvg(
  { times, indices },
  {
    nNeurons: P.size,
    tStop: dur,
    title: `COBAHH, ${P.size} HH neurons, ${durationMs} ms`,
    groups: [
      { name: 'excitatory', start: 0, stop: ne, color: '#1f77b4' },
      { name: 'inhibitory', start: ne, stop: ne + ni, color: '#d62728' },
    ],
    rateTrace: true,
  },
);
const path = 'out/cobahh_raster.svg';
await writeText(path, svg);
console.log(`raster plot written to ${path}`);
