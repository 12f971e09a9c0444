/**
 * Benchmarks BrainTS against its peers on the same models, in the same run, and prints ratios.
 *
 *   npm run bench -- <model|all> [--scale S] [--duration MS] [--threads T] [--runs R] [--json]
 *
 * Each side runs R times (alternating, never concurrently, since the machine is shared); a time
 * is the median of the R runs and covers simulation only: building the network (connectivity,
 * state) and compiling are excluded on both sides. The Brian2 side runs C++ standalone through
 * bench/peers/; without Brian2 installed, its fields are null. See bench/README.md.
 */
import { Command, Option } from 'commander';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { BENCH_MODELS, type BenchModelName } from './models.js';
import { runLargeIsolated } from './large.js';
import { connectSeconds, streamTriadGBs } from './extra.js';
import { benchFmnist } from './fmnist.js';
import { benchGradcheck } from './gradcheck.js';
import { benchSweep } from './sweep.js';
import { benchRanks } from './ranks.js';
import { CANONICAL, benchCanonical } from './canonical.js';
import { benchMicrocircuit } from './microcircuit.js';
import { benchBatch, type BatchBenchRow } from './batch.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/; the peer scripts stay in the source tree.
const peersDir = [join(here, 'peers'), join(here, '..', '..', 'bench', 'peers')].find((d) => existsSync(join(d, 'brian2_coba.py')));
const PYTHON = process.env.BRAINTS_PYTHON ?? '/usr/bin/python3';

export interface BenchRow {
  model: string;
  scale: number;
  duration_ms: number;
  threads: number;
  neurons: number;
  synapses: number;
  rate_hz: number;
  braints_s: number;
  brian2_s: number | null;
  ratio: number | null;
  brian2_rate_hz: number | null;
  brian2_synapses: number | null;
  runs: number;
  /** Synaptic events delivered per second of simulation (spikes × mean out-degree / time). */
  syn_events_per_s: number;
  /** Neuron updates per second (neurons × steps / time). */
  neuron_updates_per_s: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

let brian2Available: boolean | undefined;
/** Whether Brian2 can be imported by the peer Python. */
export function hasBrian2(): boolean {
  if (brian2Available === undefined) {
    const r = spawnSync(PYTHON, ['-c', 'import brian2'], { encoding: 'utf8' });
    brian2Available = r.status === 0 && peersDir !== undefined;
  }
  return brian2Available;
}

/** Runs one peer script and returns its JSON line. */
export function runPeer(script: string, args: string[]): Record<string, number> {
  const r = spawnSync(PYTHON, [join(peersDir!, script), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const last = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as Record<string, number>;
}

/** One BrainTS run: build (not timed), then simulate (timed). */
function runBrainTS(model: BenchModelName, scale: number, durationMs: number, seed: number, threads: number) {
  const { net, spikes } = BENCH_MODELS[model].build({ scale, seed, threads });
  net.build(); // includes starting the worker threads
  const res = net.run(`${durationMs} ms`);
  net.close();
  const neurons = net.populations.reduce((s, g) => s + g.size, 0);
  const synapses = net.numSynapses;
  return { seconds: res.seconds, neurons, synapses, spikes: spikes.numSpikes, steps: res.steps };
}

export function benchModel(model: BenchModelName, scale: number, durationMs: number, threads: number, runs: number): BenchRow {
  const ours: ReturnType<typeof runBrainTS>[] = [];
  const peer: Record<string, number>[] = [];
  const withPeer = hasBrian2();
  for (let r = 0; r < runs; r++) {
    ours.push(runBrainTS(model, scale, durationMs, r + 1, threads));
    if (withPeer) {
      peer.push(runPeer(BENCH_MODELS[model].peer, ['--scale', String(scale), '--duration', String(durationMs), '--threads', String(threads), '--seed', String(r + 1)]));
    }
  }
  const braints_s = median(ours.map((o) => o.seconds));
  const brian2_s = withPeer ? median(peer.map((p) => p.sim_s)) : null;
  const neurons = ours[0].neurons;
  const synapses = median(ours.map((o) => o.synapses));
  const spikes = median(ours.map((o) => o.spikes));
  const rate = spikes / neurons / (durationMs / 1000);
  return {
    model,
    scale,
    duration_ms: durationMs,
    threads,
    neurons,
    synapses,
    rate_hz: +rate.toFixed(3),
    braints_s: +braints_s.toFixed(4),
    brian2_s: brian2_s === null ? null : +brian2_s.toFixed(4),
    ratio: brian2_s === null ? null : +(braints_s / brian2_s).toFixed(3),
    brian2_rate_hz: withPeer ? +median(peer.map((p) => p.rate_hz)).toFixed(3) : null,
    brian2_synapses: withPeer ? median(peer.map((p) => p.synapses)) : null,
    runs,
    syn_events_per_s: Math.round((spikes * (synapses / neurons)) / braints_s),
    neuron_updates_per_s: Math.round((neurons * ours[0].steps) / braints_s),
  };
}

function printRow(row: BenchRow, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(row));
    return;
  }
  const ratio = row.ratio === null ? 'Brian2 not installed (see bench/peers/README.md)' : `ratio ${row.ratio} (BrainTS ÷ Brian2; < 1 is faster)`;
  console.log(
    `${row.model} scale ${row.scale}, ${row.duration_ms} ms, ${row.threads} thread(s): ${row.neurons} neurons, ${row.synapses} synapses, ${row.rate_hz} Hz` +
      ` | BrainTS ${row.braints_s} s${row.brian2_s === null ? '' : `, Brian2 ${row.brian2_s} s (${row.brian2_rate_hz} Hz)`} | ${ratio}`,
  );
}

const program = new Command()
  .name('npm run bench --')
  .description('Benchmark BrainTS against Brian2 (C++ standalone) on the same models; prints ratios.')
  .argument('<model>', `one of ${Object.keys(BENCH_MODELS).join(', ')}, connect (connectivity generation), gradcheck (gradients of the one-network model against finite differences), stream (memory bandwidth), large (1 M neurons, stored and just-in-time connectivity), sweep (a COBA sweep in-process vs a process pool), ranks (one network split over processes), microcircuit (Potjans & Diesmann 2014, 1 and 2 threads), batch (8 COBA copies as one batch vs 8 separate runs), ${Object.keys(CANONICAL).join(', ')} (canonical models against their Brian2 peers), canonical (all of those in one command), or all`)
  .addOption(new Option('--scale <S>', 'network scale (neurons × S, weights ÷ S)').default('1'))
  .addOption(new Option('--duration <MS>', 'biological time in ms').default('1000'))
  .addOption(new Option('--threads <T>', 'threads on both sides (all: 1 and 2)').default('1'))
  .addOption(new Option('--runs <R>', 'runs per side; times are medians').default('3'))
  .option('--json', 'one JSON object per line')
  .addOption(new Option('--epochs <E>', 'fmnist: training epochs per side').default('1'))
  .addOption(new Option('--train-limit <N>', 'fmnist: training samples per epoch (default: all 60 000)'))
  .action(async (model: string, opts: { scale: string; duration: string; threads: string; runs: string; json?: boolean; epochs: string; trainLimit?: string }) => {
    if (model === 'gradcheck') {
      for (const row of benchGradcheck()) console.log(opts.json ? JSON.stringify(row) : Object.entries(row).map(([k, v]) => `${k} ${v}`).join(', '));
      return;
    }
    if (model === 'sweep') {
      // a small COBA sweep (8 jobs) in this process and on a pool (--threads processes, at least 2); the ratio is pool ÷ in-process
      const row = await benchSweep(Number(opts.threads) > 1 ? Number(opts.threads) : 2);
      console.log(opts.json ? JSON.stringify(row) : `sweep of ${row.jobs} COBA jobs: in-process ${row.in_process_s} s, pool of ${row.processes} processes ${row.pool_s} s, ratio ${row.ratio} (pool ÷ in-process), tables identical: ${row.identical}`);
      return;
    }
    if (model === 'ranks') {
      // one network split over --threads processes (at least 2) vs one process on 1 and on that many threads
      const row = await benchRanks({ scale: Number(opts.scale), durationMs: Number(opts.duration), ranks: Math.max(2, Number(opts.threads)), runs: Number(opts.runs) });
      console.log(opts.json ? JSON.stringify(row) : Object.entries(row).map(([k, v]) => `${k} ${v}`).join(', '));
      return;
    }
    if (model in CANONICAL) return benchCanonical(model, opts, program); // vogels, wang, compte: see bench/canonical.ts
    if (model === 'canonical') {
      // every canonical model with a Brian2 peer, each at its own scale and duration
      for (const name of Object.keys(CANONICAL)) benchCanonical(name, opts, program, { ownScale: true });
      return;
    }
    if (model === 'fmnist') {
      // Training: BrainTS on one thread; PyTorch on --threads threads (the same count when 1).
      const row = await benchFmnist({ epochs: Number(opts.epochs), threads: Number(opts.threads), trainLimit: opts.trainLimit ? Number(opts.trainLimit) : undefined, runs: Number(opts.runs) });
      console.log(opts.json ? JSON.stringify(row) : Object.entries(row).map(([k, v]) => `${k} ${v}`).join(', '));
      return;
    }
    if (model === 'batch') {
      // 8 COBA copies with 8 currents: one batch vs 8 separate networks, per thread count (--threads all: 1 and 2); see bench/batch.ts
      let one: BatchBenchRow | undefined;
      for (const t of opts.threads === 'all' ? [1, 2] : [Number(opts.threads)]) {
        if (!(t >= 1) || !Number.isInteger(t)) program.error(`bench: --threads must be a positive integer or 'all', got '${opts.threads}'`);
        const row = benchBatch({ scale: Number(opts.scale), durationMs: Number(opts.duration), threads: t, runs: Number(opts.runs) });
        if (t === 1) one = row;
        // what a batch whose copies split perfectly over t threads would give: a copy costs a separate one-thread network
        else if (one) row.perfect_split_ratio = +(one.batched_s / t / row.separate_s).toFixed(3);
        console.log(opts.json ? JSON.stringify(row) : `${row.copies} COBA copies (scale ${row.scale}, ${row.duration_ms} ms, ${row.threads} thread(s)): batched ${row.batched_s} s, separate ${row.separate_s} s, ratio ${row.ratio} (batched ÷ separate), identical spikes: ${row.identical}, load ${row.load_avg}`);
      }
      return;
    }
    const scale = Number(opts.scale);
    const duration = Number(opts.duration);
    const threads = Number(opts.threads);
    const runs = Number(opts.runs);
    const bad = (what: string, v: string) => program.error(`bench: --${what} must be a positive number, got '${v}'`);
    if (!(scale > 0)) bad('scale', opts.scale);
    if (!(duration > 0)) bad('duration', opts.duration);
    if (!(runs >= 1) || !Number.isInteger(runs)) bad('runs', opts.runs);
    if (!(threads >= 1) || !Number.isInteger(threads)) bad('threads', opts.threads);
    const out = (row: object, text: string) => console.log(opts.json ? JSON.stringify(row) : text);
    if (model === 'microcircuit') {
      // Potjans & Diesmann (2014), 1 and 2 threads; see bench/microcircuit.ts
      for (const row of benchMicrocircuit({ scale, durationMs: duration, threads: [1, 2], runs }, { available: hasBrian2(), run: runPeer })) out(row, JSON.stringify(row));
      return;
    }
    if (model === 'stream' || model === 'all') {
      const gbs = streamTriadGBs();
      out({ model: 'stream_triad', gb_per_s: +gbs.toFixed(2) }, `memory bandwidth (STREAM-like triad): ${gbs.toFixed(2)} GB/s`);
    }
    if (model === 'connect' || model === 'all') {
      for (const s of model === 'all' ? [1, 10] : [scale]) {
        const ours = Array.from({ length: runs }, (_, r) => connectSeconds(s, r + 1));
        const peer = hasBrian2() ? Array.from({ length: runs }, (_, r) => runPeer('brian2_connect.py', ['--scale', String(s), '--seed', String(r + 1)])) : [];
        const braints_s = median(ours.map((o) => o.seconds));
        const brian2_s = peer.length ? median(peer.map((p) => p.connect_s)) : null;
        const row = { model: 'connect', scale: s, synapses: ours[0].synapses, braints_s: +braints_s.toFixed(4), brian2_s, ratio: brian2_s ? +(braints_s / brian2_s).toFixed(3) : null, runs };
        out(row, `connectivity generation, scale ${s} (${row.synapses} synapses): BrainTS ${row.braints_s} s, Brian2 ${brian2_s ?? 'n/a'} s, ratio ${row.ratio ?? 'n/a'}`);
      }
    }
    if (model === 'large' || model === 'all') {
      // 10^6 × scale neurons, stored and just-in-time connectivity, on 1 and 2 threads; Brian2 once per thread count
      const neurons = Math.round(1_000_000 * scale);
      for (const t of [1, 2]) {
        const peer = hasBrian2() ? runPeer('brian2_large.py', ['--scale', String(scale), '--duration', String(duration), '--threads', String(t)]) : null;
        for (const jit of [false, true]) {
          const ours = runLargeIsolated({ jit, durationMs: duration, threads: t, neurons });
          const brian2_s = peer ? peer.sim_s : null;
          const row = { ...ours, brian2_s, ratio: brian2_s ? +(ours.braints_s / brian2_s).toFixed(3) : null, brian2_cpu_s: peer ? peer.sim_cpu_s : null, brian2_rate_hz: peer ? peer.rate_hz : null, brian2_peak_mb: peer ? peer.peak_mb : null, brian2_synapses: peer ? peer.synapses : null };
          out(
            row,
            `${row.model}, ${t} thread(s): ${row.neurons} neurons, ${row.synapses} synapses (${row.bytes_per_synapse} B/synapse stored), build ${row.build_s} s, ${row.duration_ms} ms simulated in ${row.braints_s} s (CPU ${row.braints_cpu_s} s)` +
              `${brian2_s === null ? '' : ` (Brian2 ${brian2_s} s, ratio ${row.ratio})`}, ${row.rate_hz} Hz, peak memory ${row.peak_mb} MB${peer ? ` (Brian2 ${peer.peak_mb} MB)` : ''}, load ${row.load_avg}${row.loop_reason ? `, JavaScript loop: ${row.loop_reason}` : ''}`,
          );
        }
      }
      // just-in-time rows store no synapse: peak memory grows with the neurons alone (a short run at ¼, ½ and 1 of the size)
      const sizes = [0.25, 0.5, 1].map((f) => Math.round(neurons * f));
      const peaks = sizes.map((n) => runLargeIsolated({ jit: true, durationMs: 10, threads: 1, neurons: n }).peak_mb);
      // least-squares line through (neurons, peak): bytes per neuron and the fixed part (the runtime itself)
      const mx = sizes.reduce((a, b) => a + b, 0) / 3;
      const my = peaks.reduce((a, b) => a + b, 0) / 3;
      const slope = sizes.reduce((a, n, i) => a + (n - mx) * (peaks[i] - my), 0) / sizes.reduce((a, n) => a + (n - mx) ** 2, 0);
      const worst = Math.max(...sizes.map((n, i) => Math.abs(peaks[i] - (my + slope * (n - mx)))));
      const row = { model: 'large_jit_memory', neurons: sizes, peak_mb: peaks, bytes_per_neuron: Math.round(slope * 1024 * 1024), fixed_mb: Math.round(my - slope * mx), max_deviation_mb: +worst.toFixed(1) };
      out(row, `just-in-time rows, peak memory at ${sizes.join(', ')} neurons: ${peaks.join(', ')} MB = ${row.fixed_mb} MB + ${row.bytes_per_neuron} B per neuron (largest deviation from the line ${row.max_deviation_mb} MB)`);
    }
    if (['stream', 'connect', 'large'].includes(model)) return;
    const names = model === 'all' ? (Object.keys(BENCH_MODELS) as BenchModelName[]) : [model as BenchModelName];
    for (const name of names) {
      if (!(name in BENCH_MODELS)) program.error(`bench: unknown model '${name}'; choose one of ${Object.keys(BENCH_MODELS).join(', ')}, connect, stream, large, or all`);
      for (const s of model === 'all' ? [1, 10] : [scale]) {
        for (const t of model === 'all' ? [1, 2] : [threads]) printRow(benchModel(name, s, duration, t, runs), !!opts.json);
      }
    }
  });

await program.parseAsync(process.argv);
