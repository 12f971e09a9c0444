/**
 * The batch benchmark: the COBA network of bench/README as 8 copies with 8 input currents, run as
 * one batch (`net.batch`, the threads splitting the copies) and as 8 separate networks on the same
 * thread count, for the same duration. Times cover simulation only (building, compiling and starting
 * threads are excluded on both sides, as in the other rows); each is the median of --runs runs.
 * ratio = batched_s / separate_s (< 1: the batch is faster). `identical` says whether every copy
 * gave the spikes of its separate network.
 */
import { loadavg } from 'node:os';
import { cobaNetwork } from '../examples/models.js';

export interface BatchBenchRow {
  model: 'batch';
  copies: number;
  threads: number;
  scale: number;
  duration_ms: number;
  neurons: number;
  batched_s: number;
  separate_s: number;
  ratio: number;
  /** CPU seconds of the process (all its threads) during the timed parts: what the runs cost, whatever the machine's load. */
  batched_cpu_s: number;
  separate_cpu_s: number;
  identical: boolean;
  runs: number;
  /** The machine's 1-minute load average when the row was measured (the machine is shared). */
  load_avg: number;
  /**
   * With --threads all, on rows of T > 1 threads: the one-thread batch's time ÷ T against this
   * row's separate networks, the ratio of a batch whose copies split perfectly over the threads.
   * A copy does a separate network's work, so this is the floor of `ratio` on T cores.
   */
  perfect_split_ratio?: number;
}

const COPIES = 8;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The copies' currents: the model's own input, −14 % to +14 % in steps of 4 %. */
function currents(base: number): string[] {
  return Array.from({ length: COPIES }, (_, c) => `${base * (0.86 + 0.04 * c) * 1e12} pA`);
}

function sameTrains(a: { indices: Int32Array; times: Float64Array }, b: { indices: Int32Array; times: Float64Array }): boolean {
  return a.indices.length === b.indices.length && a.indices.every((x, k) => x === b.indices[k] && a.times[k] === b.times[k]);
}

export function benchBatch(opts: { scale: number; durationMs: number; threads: number; runs: number; seed?: number }): BatchBenchRow {
  const { scale, durationMs, threads, runs } = opts;
  const seed = opts.seed ?? 1;
  const duration = `${durationMs} ms`;
  const batched: number[] = [];
  const separate: number[] = [];
  const batchedCpu: number[] = [];
  const separateCpu: number[] = [];
  const cpuSince = (u: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(u);
    return (d.user + d.system) / 1e6;
  };
  let identical = true;
  let neurons = 0;
  for (let r = 0; r < runs; r++) {
    const { net, P, spikes } = cobaNetwork({ scale, seed, threads });
    net.build();
    neurons = P.size;
    const I = currents(P.get('ext$I')[0]);
    const batch = net.batch({ copies: COPIES, params: { 'P.I': I } }); // compiles and starts the threads
    const u0 = process.cpuUsage();
    batched.push(batch.run(duration).seconds);
    batchedCpu.push(cpuSince(u0));
    batch.close();
    net.close();
    let total = 0;
    let cpu = 0;
    I.forEach((current, c) => {
      const one = cobaNetwork({ scale, seed, threads });
      one.P.setInput('I', current);
      one.net.build();
      const u1 = process.cpuUsage();
      total += one.net.run(duration).seconds;
      cpu += cpuSince(u1);
      one.net.close();
      if (r === 0) identical &&= sameTrains(one.spikes.spikes(), batch.spikes(spikes, c));
    });
    separate.push(total);
    separateCpu.push(cpu);
  }
  const b = median(batched);
  const s = median(separate);
  return { model: 'batch', copies: COPIES, threads, scale, duration_ms: durationMs, neurons, batched_s: +b.toFixed(4), separate_s: +s.toFixed(4), ratio: +(b / s).toFixed(3), batched_cpu_s: +median(batchedCpu).toFixed(4), separate_cpu_s: +median(separateCpu).toFixed(4), identical, runs, load_avg: +loadavg()[0].toFixed(2) };
}
