/**
 * CUBA network (Brette et al. 2007, benchmark 2): 4000 LIF neurons with current-based exponential
 * synapses. Prints rates and time; writes out/cuba_raster.svg.
 *
 * Run: npm run build && node dist/examples/cuba.js [--scale S] [--duration MS] [--seed N]
 */
import { meanRate, rasterSvg } from '../src/index.js';
import { terminalProgress, writeText } from '../src/node/index.js';
import { cubaNetwork } from './models.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const scale = arg('scale', 1);
const durationMs = arg('duration', 1000);
const seed = arg('seed', 1);

const { net, P, spikes, ne, ni } = cubaNetwork({ scale, seed });
net.build();
const res = net.run(`${durationMs} ms`, { progress: terminalProgress() });
const data = spikes.spikes();
console.log(`CUBA network: ${P.size} neurons, ${net.numSynapses} synapses; ${durationMs} ms simulated in ${res.seconds.toFixed(3)} s`);
console.log(`mean rate ${meanRate(data, P.size, durationMs / 1000).toFixed(2)} Hz (${data.indices.length} spikes)`);
await writeText(
  'out/cuba_raster.svg',
  rasterSvg(data, {
    nNeurons: P.size,
    tStop: durationMs / 1000,
    title: `CUBA, ${P.size} neurons`,
    groups: [
      { name: 'excitatory', start: 0, stop: ne, color: '#1f77b4' },
      { name: 'inhibitory', start: ne, stop: ne + ni, color: '#d62728' },
    ],
    rateTrace: true,
  }),
);
console.log('raster plot written to out/cuba_raster.svg');
