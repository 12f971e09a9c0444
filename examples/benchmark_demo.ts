/**
 * Shared by the benchmark-network demos (coba, cuba, cobahh): reads --scale, --duration, --seed
 * and --threads, builds, runs with a progress bar, prints rates and times, writes a raster plot.
 */
import { meanRate, rasterSvg } from '../src/index.js';
import { terminalProgress, writeText } from '../src/node/index.js';
import { type BenchmarkNet } from './models.js';
import { numberOptions } from './args.js';


/**
 * Runs a benchmark network and reports it.
 *
 * @example
 * await runDemo('COBA', 'LIF neurons', cobaNetwork, 'out/coba_raster.svg');
 */
export async function runDemo(title: string, what: string, build: (o: { scale: number; seed: number; threads?: number }) => BenchmarkNet, svgPath: string): Promise<void> {
  const { scale, duration: durationMs, seed, threads } = numberOptions(
    `${title} network: build, run with a progress bar, print rates, write a raster plot (duration in ms)`,
    { scale: 1, duration: 1000, seed: 1, threads: 1 },
    { seed: 'integer', threads: 'count' },
  );
  const t0 = performance.now();
  const { net, P, spikes, ne, ni } = build({ scale, seed, threads });
  net.build();
  const buildS = (performance.now() - t0) / 1000;
  const res = net.run(`${durationMs} ms`, { progress: terminalProgress() });
  net.close();
  const { times, indices } = spikes.spikes();
  const dur = durationMs / 1000;
  let nE = 0;
  for (let k = 0; k < indices.length; k++) if (indices[k] < ne) nE++;
  console.log(`${title} network: ${P.size} ${what} (${ne} E, ${ni} I), ${net.numSynapses} synapses, dt ${net.dt * 1000} ms, seed ${seed}`);
  console.log(`simulated ${durationMs} ms in ${res.seconds.toFixed(3)} s on ${threads} thread(s), ${P.runtime!.backend} (build + compile ${buildS.toFixed(3)} s)`);
  console.log(
    `mean rate ${meanRate({ times, indices }, P.size, dur).toFixed(2)} Hz: excitatory ${(nE / ne / dur).toFixed(2)} Hz, inhibitory ${((indices.length - nE) / ni / dur).toFixed(2)} Hz (${indices.length} spikes)`,
  );
  const svg = rasterSvg(
    { times, indices },
    {
      nNeurons: P.size,
      tStop: dur,
      title: `${title}, ${P.size} neurons, ${durationMs} ms`,
      groups: [
        { name: 'excitatory', start: 0, stop: ne, color: '#1f77b4' },
        { name: 'inhibitory', start: ne, stop: ne + ni, color: '#d62728' },
      ],
      rateTrace: true,
    },
  );
  await writeText(svgPath, svg);
  console.log(`raster plot written to ${svgPath}`);
}
