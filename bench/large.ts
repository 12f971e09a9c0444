/**
 * Scale beyond Brian2: a COBA-style network of 1 000 000 LIF neurons with 100 synapses per neuron,
 * once with stored connectivity (FixedPreNum, CSR: 4 bytes per synapse) and once with
 * just-in-time connectivity (FixedProb regenerated from the seed on every spike: no synapse stored).
 * Reports build and simulation time, synapses and the process's peak memory (each row in its own
 * process: {@link runLargeIsolated}).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Network, NeuronGroup, LIF, FixedPreNum, FixedProb, Expon, COBA, RateMonitor, normal } from '../src/index.js';

export interface LargeRow {
  model: string;
  neurons: number;
  synapses: number;
  duration_ms: number;
  build_s: number;
  braints_s: number;
  rate_hz: number;
  bytes_per_synapse: number;
  peak_rss_mb: number;
}

/**
 * Builds and runs the large network; `jit` selects just-in-time connectivity.
 *
 * @example
 * const row = runLarge({ jit: true, durationMs: 100 });
 */
export function runLarge(opts: { neurons?: number; inDegree?: number; durationMs?: number; jit: boolean; seed?: number }): LargeRow {
  const N = opts.neurons ?? 1_000_000;
  const K = opts.inDegree ?? 100;
  const durationMs = opts.durationMs ?? 1000;
  const t0 = performance.now();
  const net = new Network({ dt: '0.1 ms', seed: opts.seed ?? 1, name: 'large' });
  const P = net.add(
    new NeuronGroup(N, LIF, {
      params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '5 ms' },
      init: { v: normal('-55 mV', '5 mV') },
    }),
  );
  P.setInput('I', '200 pA');
  const ne = Math.floor(0.8 * N);
  // COBA's weights are set for 80 inputs per neuron (4000 × 2 %); scale them to K inputs.
  const f = 80 / K;
  const comm = (share: number) => (opts.jit ? new FixedProb((share * K) / (share * N)) : new FixedPreNum(Math.round(share * K)));
  net.connect(P.slice(0, ne), P, { comm: comm(0.8), weight: `${6 * f} nS`, syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), jit: opts.jit });
  net.connect(P.slice(ne), P, { comm: comm(0.2), weight: `${67 * f} nS`, syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-80 mV' }), jit: opts.jit });
  const rm = net.add(new RateMonitor(P));
  net.build();
  const buildS = (performance.now() - t0) / 1000;
  const sim = net.run(`${durationMs} ms`).seconds;
  const { rate } = rm.result();
  let mean = 0;
  for (const r of rate) mean += r;
  mean /= rate.length;
  const synapses = net.numSynapses;
  const stored = net.allProjections.reduce((s, p) => s + p.csr.indices.byteLength + p.csr.indptr.byteLength + (p.runtime!.weights?.byteLength ?? 0), 0);
  return {
    model: opts.jit ? 'large_jit' : 'large_csr',
    neurons: N,
    synapses,
    duration_ms: durationMs,
    build_s: +buildS.toFixed(2),
    braints_s: +sim.toFixed(2),
    rate_hz: +mean.toFixed(3),
    bytes_per_synapse: +(stored / synapses).toFixed(3),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/**
 * Runs {@link runLarge} in a child process, so that its peak memory is its own.
 *
 * @example
 * const row = runLargeIsolated({ jit: true, durationMs: 1000 });
 */
export function runLargeIsolated(opts: { jit: boolean; durationMs: number }): LargeRow {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--row', opts.jit ? 'jit' : 'csr', String(opts.durationMs)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`large network run failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as LargeRow;
}

// child-process entry: node large.js --row csr|jit DURATION_MS
if (process.argv[2] === '--row') {
  console.log(JSON.stringify(runLarge({ jit: process.argv[3] === 'jit', durationMs: Number(process.argv[4]) })));
}
