/**
 * The main demo: the Vogels–Abbott COBA network (4000 LIF neurons, conductance synapses),
 * 1 s of biological time. Prints the synapse count, mean rates and simulation time, and writes a
 * raster plot to out/coba_raster.svg.
 *
 * Run: npm start    (or: node dist/examples/coba.js [--scale S] [--duration MS] [--seed N])
 */
import { meanRate, rasterSvg } from '../src/index.js';
import { terminalProgress, writeText } from '../src/node/index.js';
import { cobaNetwork } from './models.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const scale = arg('scale', 1);
const durationMs = arg('duration', 1000);
const seed = arg('seed', 1);

const t0 = performance.now();
const { net, P, spikes, ne, ni } = cobaNetwork({ scale, seed });
net.build();
const buildS = (performance.now() - t0) / 1000;
const res = net.run(`${durationMs} ms`, { progress: terminalProgress() });

const { times, indices } = spikes.spikes();
const dur = durationMs / 1000;
let nE = 0;
for (let k = 0; k < indices.length; k++) if (indices[k] < ne) nE++;
const rateE = nE / ne / dur;
const rateI = (indices.length - nE) / ni / dur;
console.log(`COBA network: ${P.size} LIF neurons (${ne} E, ${ni} I), ${net.numSynapses} synapses, dt 0.1 ms, seed ${seed}`);
console.log(`simulated ${durationMs} ms in ${res.seconds.toFixed(3)} s (build + compile ${buildS.toFixed(3)} s)`);
console.log(`mean rate ${meanRate({ times, indices }, P.size, dur).toFixed(2)} Hz: excitatory ${rateE.toFixed(2)} Hz, inhibitory ${rateI.toFixed(2)} Hz (${indices.length} spikes)`);
const svg = rasterSvg(
  { times, indices },
  {
    nNeurons: P.size,
    tStop: dur,
    title: `COBA, ${P.size} neurons, ${durationMs} ms`,
    groups: [
      { name: 'excitatory', start: 0, stop: ne, color: '#1f77b4' },
      { name: 'inhibitory', start: ne, stop: ne + ni, color: '#d62728' },
    ],
    rateTrace: true,
  },
);
const path = 'out/coba_raster.svg';
await writeText(path, svg);
console.log(`raster plot written to ${path}`);
