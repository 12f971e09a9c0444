/**
 * `npm run bench -- ranks`: one network split over processes (src/distributed/, src/node/ranks.ts)
 * against the same network in one process on one thread and on the step engine's threads, and the
 * exchange's measured cost beside the cost model of docs/scaling.md §4.
 */
import { runRanks } from '../src/node/ranks.js';
import { build } from './rank_model.js';

export interface RanksBenchRow {
  readonly model: 'ranks';
  readonly scale: number;
  readonly neurons: number;
  readonly ranks: number;
  readonly window_steps: number;
  readonly spikes: number;
  readonly identical: boolean;
  /** Medians over runs: one process on 1 thread, on `ranks` threads, and `ranks` processes. */
  readonly one_thread_s: number;
  readonly threads_s: number;
  readonly processes_s: number;
  /** processes ÷ threads (the exchange's cost against the barrier's). */
  readonly ratio_vs_threads: number;
  readonly bytes_per_step_per_rank: number;
  /** Per exchange: seconds a rank spent waiting for and copying the others' spikes (median rank). */
  readonly exchange_us: number;
  readonly compute_s_per_rank: number;
  readonly runs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function local(scale: number, threads: number, duration: string) {
  const { net, spikes } = build(undefined, { scale, threads });
  net.build();
  const t0 = performance.now();
  net.run(duration);
  const s = (performance.now() - t0) / 1000;
  const r = { s, steps: spikes.all.spikeSteps(), indices: spikes.all.spikes().indices };
  net.close?.();
  return r;
}

export async function benchRanks(opts: { scale: number; durationMs: number; ranks: number; runs: number }): Promise<RanksBenchRow> {
  const duration = `${opts.durationMs} ms`;
  const one: number[] = [];
  const thr: number[] = [];
  const proc: number[] = [];
  let identical = true;
  let spikes = 0;
  let stats: Awaited<ReturnType<typeof runRanks>>['stats'] = [];
  for (let r = 0; r < opts.runs; r++) {
    const a = local(opts.scale, 1, duration);
    one.push(a.s);
    thr.push(local(opts.scale, opts.ranks, duration).s);
    const res = await runRanks({ module: new URL('./rank_model.js', import.meta.url), ranks: opts.ranks, duration, args: { scale: opts.scale } });
    // wall time of the split run, excluding process start and build: the slowest rank's compute + exchange
    const split = Math.max(...res.stats.map((s) => s.computeSeconds + s.exchangeSeconds));
    proc.push(split);
    stats = res.stats;
    spikes = a.steps.length;
    const m = res.spikes.all;
    identical &&= m.steps.length === a.steps.length && m.steps.every((x, k) => x === a.steps[k] && m.indices[k] === a.indices[k]);
  }
  const s0 = stats[0];
  return {
    model: 'ranks',
    scale: opts.scale,
    neurons: Math.trunc(3200 * opts.scale) + Math.trunc(800 * opts.scale),
    ranks: opts.ranks,
    window_steps: s0.window,
    spikes,
    identical,
    one_thread_s: +median(one).toFixed(4),
    threads_s: +median(thr).toFixed(4),
    processes_s: +median(proc).toFixed(4),
    ratio_vs_threads: +(median(proc) / median(thr)).toFixed(3),
    bytes_per_step_per_rank: +(median(stats.map((s) => s.bytesSent)) / s0.steps).toFixed(1),
    exchange_us: +((median(stats.map((s) => s.exchangeSeconds)) / s0.exchanges) * 1e6).toFixed(1),
    compute_s_per_rank: +median(stats.map((s) => s.computeSeconds)).toFixed(4),
    runs: opts.runs,
  };
}
