/**
 * Scale beyond Brian2: a COBA-style network of 1 000 000 LIF neurons with about 100 synapses per
 * neuron (FixedProb(100 / N), as bench/peers/brian2_large.py connects), once with stored
 * connectivity (CSR: 4 bytes per synapse, one weight per projection) and once with just-in-time
 * connectivity (the same rows regenerated from the seed on every spike: no synapse stored; the
 * two runs give the same spikes). Reports build and simulation time, synapses and the process's
 * peak memory (each row in its own process: {@link runLargeIsolated}).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, RateMonitor, normal } from '../src/index.js';

export interface LargeRow {
  model: string;
  neurons: number;
  synapses: number;
  threads: number;
  duration_ms: number;
  build_s: number;
  braints_s: number;
  /** CPU seconds of the run, all threads together (less sensitive than braints_s to other processes on a shared machine). */
  braints_cpu_s: number;
  rate_hz: number;
  bytes_per_synapse: number;
  peak_mb: number;
  /** Where the simulation ran: '' on the step engine, else why not (Network.loopReason). */
  loop_reason: string;
  /** The machine's 1-minute load average when the row started (the machine may be shared). */
  load_avg: number;
}

/**
 * Builds and runs the large network; `jit` selects just-in-time connectivity.
 *
 * @example
 * const row = runLarge({ jit: true, durationMs: 100, neurons: 100_000 });
 */
export function runLarge(opts: { neurons?: number; inDegree?: number; durationMs?: number; jit: boolean; seed?: number; threads?: number }): LargeRow {
  const N = opts.neurons ?? 1_000_000;
  const K = opts.inDegree ?? 100;
  const durationMs = opts.durationMs ?? 1000;
  const threads = opts.threads ?? 1;
  const load = loadavg()[0];
  const t0 = performance.now();
  const net = new Network({ dt: '0.1 ms', seed: opts.seed ?? 1, name: 'large', threads });
  const P = net.add(
    new NeuronGroup(N, LIF, {
      params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '5 ms' },
      init: { v: normal('-55 mV', '5 mV') },
      method: 'euler', // as the Brian2 peer (bench/peers/brian2_large.py) integrates it
    }),
  );
  P.setInput('I', '200 pA');
  const ne = Math.floor(0.8 * N);
  // COBA's weights are set for 80 inputs per neuron (4000 × 2 %); scale them to K inputs.
  const f = 80 / K;
  net.connect(P.slice(0, ne), P, { comm: new FixedProb(K / N), weight: `${6 * f} nS`, syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), jit: opts.jit });
  net.connect(P.slice(ne), P, { comm: new FixedProb(K / N), weight: `${67 * f} nS`, syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-80 mV' }), jit: opts.jit });
  const rm = net.add(new RateMonitor(P));
  net.build();
  const buildS = (performance.now() - t0) / 1000;
  const cpu0 = process.cpuUsage();
  const sim = net.run(`${durationMs} ms`).seconds;
  const cpu = process.cpuUsage(cpu0);
  const { rate } = rm.result();
  let mean = 0;
  for (const r of rate) mean += r;
  mean /= rate.length;
  const synapses = net.numSynapses;
  const stored = net.allProjections.reduce((s, p) => s + p.csr.indices.byteLength + p.csr.indptr.byteLength + (p.runtime!.weights?.byteLength ?? 0), 0);
  const row = {
    model: opts.jit ? 'large_jit' : 'large_csr',
    neurons: N,
    synapses,
    threads,
    duration_ms: durationMs,
    build_s: +buildS.toFixed(2),
    braints_s: +sim.toFixed(2),
    braints_cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    rate_hz: +mean.toFixed(3),
    bytes_per_synapse: +(stored / synapses).toFixed(3),
    peak_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    loop_reason: net.loopReason ?? '',
    load_avg: +load.toFixed(2),
  };
  net.close();
  return row;
}

/**
 * Runs {@link runLarge} in a child process, so that its peak memory is its own.
 *
 * @example
 * const row = runLargeIsolated({ jit: true, durationMs: 1000, threads: 2 });
 */
export function runLargeIsolated(opts: { jit: boolean; durationMs: number; threads?: number; neurons?: number }): LargeRow {
  const args = [fileURLToPath(import.meta.url), '--row', opts.jit ? 'jit' : 'csr', String(opts.durationMs), String(opts.threads ?? 1), String(opts.neurons ?? 1_000_000)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`large network run failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as LargeRow;
}

// child-process entry: node large.js --row csr|jit DURATION_MS [THREADS] [NEURONS]
if (process.argv[2] === '--row') {
  const [, , , kind, ms, threads, neurons] = process.argv;
  console.log(JSON.stringify(runLarge({ jit: kind === 'jit', durationMs: Number(ms), threads: Number(threads ?? 1), neurons: Number(neurons ?? 1_000_000) })));
}
