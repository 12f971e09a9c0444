/**
 * The sweep benchmark: one small COBA sweep run in this process and on a pool of 2 processes,
 * timed end to end (the pool's time includes starting its processes). Reports both times and
 * their ratio (pool ÷ in-process: about 0.5 is a perfect 2× speed-up on 2 free cores), and checks
 * that the two tables are identical.
 *
 * This module registers its experiment at import: the pool's processes import it too.
 */
import { fileURLToPath } from 'node:url';
import { grid, registerExperiment, meanRateMetric, spikeCountMetric, sweep } from '../src/index.js';
import { loadavg } from 'node:os';
import { processPool, ChildRunner } from '../src/node/sweep_runner.js';
import { cobaNetwork } from '../examples/models.js';

export const cobaSweepExperiment = registerExperiment({
  name: 'bench-coba',
  params: ['scale'],
  build: (p, seed) => cobaNetwork({ scale: p.scale, seed }),
  duration: '1 s',
  metrics: { rate: meanRateMetric(), spikes: spikeCountMetric() },
});

export interface SweepBenchRow {
  model: 'sweep';
  jobs: number;
  duration_ms: number;
  processes: number;
  in_process_s: number;
  pool_s: number;
  /** pool_s ÷ in_process_s (< 1: the pool is faster). */
  ratio: number;
  identical: boolean;
  mean_rate_hz: number;
  /** Seconds to start one pool process and import the experiment module in it (part of pool_s). */
  child_start_s: number;
  /** The machine's 1-minute load average when the benchmark ended (a shared machine makes the ratio noisy). */
  load_avg: number;
}

export async function benchSweep(processes = 2): Promise<SweepBenchRow> {
  const space = grid({ scale: [1] }, { seeds: 8 }); // 8 jobs of the 4000-neuron COBA network, 1 s each
  const t0 = performance.now();
  const local = await sweep(cobaSweepExperiment, space);
  const t1 = performance.now();
  const pooled = await sweep('bench-coba', space, { runner: processPool({ processes, modules: [fileURLToPath(import.meta.url)] }) });
  const t2 = performance.now();
  const identical = local.names.every((n) => {
    const a = local.column(n);
    const b = pooled.column(n);
    return a.length === b.length && a.every((x, k) => Object.is(x, b[k]));
  });
  const rates = Array.from(local.column('rate'));
  const t3 = performance.now();
  (await ChildRunner.start([import.meta.url])).close();
  const childStart = (performance.now() - t3) / 1000;
  return {
    model: 'sweep',
    jobs: space.points.length,
    duration_ms: 1000,
    processes,
    in_process_s: +((t1 - t0) / 1000).toFixed(3),
    pool_s: +((t2 - t1) / 1000).toFixed(3),
    ratio: +((t2 - t1) / (t1 - t0)).toFixed(3),
    identical,
    mean_rate_hz: +(rates.reduce((s, r) => s + r, 0) / rates.length).toFixed(2),
    child_start_s: +childStart.toFixed(3),
    load_avg: +loadavg()[0].toFixed(2),
  };
}
