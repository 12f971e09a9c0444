/**
 * Canonical models of the literature (examples/README.md) benchmarked against their Brian2 peer
 * scripts: `npm run bench -- <vogels|wang|compte|canonical> [--scale S] [--duration MS] [--threads T] [--runs R] [--json]`
 * (`canonical`: the three rows, each at its own scale and duration, in one command)
 * (for compte, --duration is the delay after the cue; 500 ms of spontaneous activity and the 250 ms cue come before it).
 *
 * Each row holds both sides' simulation times (medians of R runs, building and compiling excluded
 * on both sides, as for the other models), their ratio (BrainTS ÷ Brian2, goal ≤ 0.5) and both
 * sides' statistics of the model (the figures the example prints), so a fast run that simulates
 * something else is visible, with each side's seed-to-seed band (seeds 1..R) and whether BrainTS's
 * median of each statistic lies inside Brian2's band. Scale and duration default to the model's own when not given.
 */
import type { Command } from 'commander';
import { hasBrian2, median, runPeer } from './bench.js';
import { vogelsNetwork, windowRate, meanOf } from '../examples/vogels_model.js';
import { wangTrial, WANG_DEFAULTS } from '../examples/wang_model.js';
import { compteTrial, COMPTE_DEFAULTS } from '../examples/compte_model.js';

type Stats = Record<string, number | null>;
interface CanonicalModel {
  readonly peer: string;
  readonly scale: number;
  readonly durationMs: number;
  /** One BrainTS run: simulated seconds (timed part only), sizes and the model's statistics. */
  readonly run: (scale: number, durationMs: number, seed: number, threads: number) => { seconds: number; cpuSeconds: number; neurons: number; synapses: number; stats: Stats };
  /** The peer's JSON keys that are statistics of the model. */
  readonly peerStats: readonly string[];
}

export const CANONICAL: Record<string, CanonicalModel> = {
  vogels: {
    peer: 'brian2_vogels.py',
    scale: 0.2,
    durationMs: 10000,
    run: (scale, durationMs, seed, threads) => {
      const { net, iToE, spikes, ne, P } = vogelsNetwork({ scale, seed, threads });
      net.build();
      const cpu0 = process.cpuUsage();
      const { seconds } = net.run(`${durationMs} ms`);
      const cpu = process.cpuUsage(cpu0);
      const T = durationMs / 1000;
      const stats = {
        rate_before_hz: +windowRate(spikes, 0, ne, 0, Math.min(1, T)).toFixed(4),
        rate_after_hz: T > 1 ? +windowRate(spikes, 0, ne, Math.max(1, T - 1), T).toFixed(4) : null,
        w_mean_ns: +(meanOf(iToE.weights) * 1e9).toFixed(6),
      };
      return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, neurons: P.size, synapses: net.numSynapses, stats };
    },
    peerStats: ['rate_before_hz', 'rate_after_hz', 'w_mean_ns'],
  },
  wang: {
    peer: 'brian2_wang.py',
    scale: WANG_DEFAULTS.scale,
    durationMs: WANG_DEFAULTS.durationMs,
    run: (scale, durationMs, seed, threads) => {
      const r = wangTrial({ scale, seed, coherence: WANG_DEFAULTS.benchCoherence, durationMs, threads });
      return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, neurons: r.neurons, synapses: r.synapses, stats: { rate_a_hz: +r.rateA.toFixed(3), rate_b_hz: +r.rateB.toFixed(3), winner_a: r.winner === 'A' ? 1 : r.winner === 'B' ? 0 : null, decision_ms: r.decisionMs } };
    },
    peerStats: ['rate_a_hz', 'rate_b_hz', 'winner_a', 'decision_ms'],
  },
  compte: {
    peer: 'brian2_compte.py',
    scale: COMPTE_DEFAULTS.scale,
    // a 1 s delay (1.75 s simulated in all) keeps both sides to a few minutes at scale 0.25
    durationMs: 1000,
    run: (scale, durationMs, seed) => {
      const r = compteTrial({ scale, seed, delayMs: durationMs });
      const s = r.stats;
      const stats = {
        persists: s.persists ? 1 : 0,
        end_error_deg: s.endErrorDeg,
        drift_deg: s.driftDeg,
        rate_in_hz: s.rateInHz,
        rate_out_hz: s.rateOutHz,
        rate_e_spont_hz: s.rateESpontHz,
        rate_i_spont_hz: s.rateISpontHz,
        rate_e_delay_hz: s.rateEDelayHz,
        rate_i_delay_hz: s.rateIDelayHz,
      };
      return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, neurons: r.neurons, synapses: r.synapses, stats };
    },
    peerStats: ['persists', 'end_error_deg', 'drift_deg', 'rate_in_hz', 'rate_out_hz', 'rate_e_spont_hz', 'rate_i_spont_hz', 'rate_e_delay_hz', 'rate_i_delay_hz'],
  },
};

/**
 * Runs and prints the row of one canonical model; `program` tells which options were given
 * (`ownScale`: the model's own scale and duration whatever was given, as when all run in one command).
 */
export function benchCanonical(name: string, opts: { scale: string; duration: string; threads: string; runs: string; json?: boolean }, program: Command, how: { ownScale?: boolean } = {}): void {
  const model = CANONICAL[name];
  const given = (k: string) => !how.ownScale && program.getOptionValueSource(k) === 'cli';
  const scale = given('scale') ? Number(opts.scale) : model.scale;
  const durationMs = given('duration') ? Number(opts.duration) : model.durationMs;
  const runs = Number(opts.runs);
  const threads = Number(opts.threads);
  if (!(scale > 0) || !(durationMs > 0) || !(runs >= 1 && Number.isInteger(runs)) || !(threads >= 1 && Number.isInteger(threads))) program.error(`bench ${name}: --scale and --duration must be positive numbers, --runs and --threads whole numbers ≥ 1`);
  const ours: ReturnType<CanonicalModel['run']>[] = [];
  const peer: Record<string, number>[] = [];
  const withPeer = hasBrian2();
  for (let r = 0; r < runs; r++) {
    ours.push(model.run(scale, durationMs, r + 1, threads));
    if (withPeer) peer.push(runPeer(model.peer, ['--scale', String(scale), '--duration', String(durationMs), '--threads', String(threads), '--seed', String(r + 1)]));
  }
  const braints_s = median(ours.map((o) => o.seconds));
  const brian2_s = withPeer ? median(peer.map((p) => p.sim_s)) : null;
  const values = (rows: Stats[], k: string) => rows.map((s) => s[k]).filter((x): x is number => x !== null && x !== undefined);
  const statsOf = (rows: Stats[], keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, values(rows, k).length ? median(values(rows, k)) : null]));
  // the seed-to-seed band of each statistic: [lowest, highest] over the runs' seeds
  const bandOf = (rows: Stats[], keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, values(rows, k).length ? [Math.min(...values(rows, k)), Math.max(...values(rows, k))] : null]));
  const ourStats = statsOf(ours.map((o) => o.stats), model.peerStats);
  const peerBand = withPeer ? bandOf(peer as unknown as Stats[], model.peerStats) : null;
  const ourBand = bandOf(ours.map((o) => o.stats), model.peerStats);
  // BrainTS's median inside Brian2's band over the same seeds (a statistic neither side reports counts as inside)
  const inBand = peerBand
    ? Object.fromEntries(
        model.peerStats.map((k) => {
          const v = ourStats[k];
          const b = peerBand[k];
          return [k, v === null || b === null ? null : v >= b[0] && v <= b[1]];
        }),
      )
    : null;
  const row = {
    model: name,
    scale,
    duration_ms: durationMs,
    threads,
    neurons: ours[0].neurons,
    synapses: ours[0].synapses,
    braints_s: +braints_s.toFixed(4),
    brian2_s: brian2_s === null ? null : +brian2_s.toFixed(4),
    ratio: brian2_s === null ? null : +(braints_s / brian2_s).toFixed(3),
    // CPU seconds of the simulation on both sides (Brian2: the process's CPU clock around run(),
    // which also covers its spike-queue set-up): the fairer comparison on a busy machine
    braints_cpu_s: +median(ours.map((o) => o.cpuSeconds)).toFixed(4),
    brian2_cpu_s: withPeer ? +median(peer.map((p) => p.sim_cpu_s)).toFixed(4) : null,
    ratio_cpu: withPeer ? +(median(ours.map((o) => o.cpuSeconds)) / median(peer.map((p) => p.sim_cpu_s))).toFixed(3) : null,
    braints: ourStats,
    brian2: withPeer ? statsOf(peer as unknown as Stats[], model.peerStats) : null,
    braints_band: ourBand,
    brian2_band: peerBand,
    /** Per statistic: BrainTS's median lies inside Brian2's seed-to-seed band ([min, max] over the same seeds). */
    in_band: inBand,
    all_in_band: inBand ? Object.values(inBand).every((x) => x !== false) : null,
    /** Per statistic: the two sides' seed-to-seed ranges overlap (looser than in_band, which few seeds make narrow). */
    bands_overlap: peerBand
      ? Object.fromEntries(
          model.peerStats.map((k) => {
            const a = ourBand[k];
            const b = peerBand[k];
            return [k, a === null || b === null ? null : a[0] <= b[1] && b[0] <= a[1]];
          }),
        )
      : null,
    brian2_synapses: withPeer ? median(peer.map((p) => p.synapses)) : null,
    runs,
  };
  if (opts.json) console.log(JSON.stringify(row));
  else {
    const show = (s: Record<string, unknown> | null) => (s ? Object.entries(s).map(([k, v]) => `${k} ${v}`).join(', ') : 'Brian2 not installed');
    console.log(`${name} scale ${scale}, ${durationMs} ms: ${row.neurons} neurons, ${row.synapses} synapses | BrainTS ${row.braints_s} s, Brian2 ${row.brian2_s ?? 'n/a'} s, ratio ${row.ratio ?? 'n/a'} (BrainTS ÷ Brian2; goal ≤ 0.5); CPU ${row.braints_cpu_s} s vs ${row.brian2_cpu_s ?? 'n/a'} s, ratio ${row.ratio_cpu ?? 'n/a'}`);
    console.log(`  BrainTS: ${show(row.braints)}\n  Brian2:  ${show(row.brian2)}`);
    if (row.in_band) console.log(`  inside Brian2's seed-to-seed band (${runs} seeds): ${show(row.in_band)}`);
  }
}
