/**
 * Decision making by attractor dynamics (Wang 2002, Neuron 36:955), built with BrainTS. Shared by
 * the example, the benchmark and the tests.
 *
 * The network of the paper at scale 1: 1 600 E and 400 I leaky integrate-and-fire cells,
 * all-to-all. E: C 0.5 nF, gL 25 nS, I: C 0.2 nF, gL 20 nS; rest −70 mV, threshold −50 mV,
 * reset −55 mV, refractory 2 ms (E) / 1 ms (I). Synapses: AMPA (τ 2 ms), NMDA (rise 2 ms, decay
 * 100 ms, α 0.5 /ms, Mg²⁺ block with [Mg] 1 mM) onto 0 mV, GABA_A (τ 5 ms) onto −70 mV. Peak
 * conductances onto E / I: recurrent AMPA 0.05 / 0.04 nS, NMDA 0.165 / 0.13 nS, GABA 1.3 / 1.0 nS,
 * external AMPA 2.1 / 1.62 nS from 800 Poisson inputs at 3 Hz each. Two selective pools (A, B) of
 * f = 15 % of the E cells each; within a pool the E→E weight is w+ = 1.7, from the other pool and
 * from the non-selective cells w− = 1 − f (w+ − 1) / (1 − f), all others 1. The stimulus adds
 * independent Poisson input to the selective cells through the external AMPA synapses at
 * μ0 (1 ± c/100) with μ0 = 40 Hz, + for A, − for B (c: coherence in %).
 *
 * Simplifications, said where they matter: `scale` shrinks both populations and multiplies the
 * recurrent conductances by 1/scale (all-to-all, so each cell's mean recurrent input is unchanged;
 * its fluctuations grow); the stimulus rates are constant during the stimulus (the paper redraws
 * them every 50 ms with σ 4 Hz); dt is 0.1 ms (the paper 0.02 ms).
 */
import {
  Network,
  NeuronGroup,
  LIF,
  All2All,
  Expon,
  NMDA,
  COBA,
  MgBlock,
  PoissonInput,
  PoissonGroup,
  One2One,
  SpikeMonitor,
  uniform,
  timed,
  type NetworkOptions,
} from '../src/index.js';

export const WANG_DEFAULTS = {
  /** 500 neurons: a trial of 1.2 s then takes seconds on one core. */
  scale: 0.25,
  /** 200 ms of spontaneous activity, then 1 s of stimulus. */
  durationMs: 1200,
  stimulusOnMs: 200,
  /** The coherence of the benchmark row. */
  benchCoherence: 25.6,
  /** Decision threshold on the pools' rates (50 ms windows), as in the paper. */
  thresholdHz: 15,
} as const;

export interface WangTrial {
  /** Mean rates of pools A and B over the last 200 ms of the trial (Hz). */
  readonly rateA: number;
  readonly rateB: number;
  /** The pool whose 50 ms rate first crossed the threshold after stimulus onset, or null. */
  readonly winner: 'A' | 'B' | null;
  /** Decision time: from stimulus onset to the first crossing (ms), or null. */
  readonly decisionMs: number | null;
  /** Wall-clock seconds of the simulation only (building excluded). */
  readonly seconds: number;
  /** CPU seconds of this process during the simulation (less sensitive than wall time to a busy machine). */
  readonly cpuSeconds: number;
  readonly neurons: number;
  readonly synapses: number;
  /** Rates of A and B (Hz) in 50 ms windows sliding by 5 ms, window ends at `t` (s). */
  readonly trace: { t: number[]; a: number[]; b: number[] };
}

/** Builds the network for one trial at coherence `coherence` (%). */
export function wangNetwork(opts: { scale?: number; seed?: number; coherence?: number; durationMs?: number } & NetworkOptions = {}) {
  const { scale = WANG_DEFAULTS.scale, coherence = 0, durationMs = WANG_DEFAULTS.durationMs, ...netOpts } = opts;
  const nE = Math.round(1600 * scale);
  const nI = Math.round(400 * scale);
  const nSel = Math.round(0.15 * nE);
  const f = 0.15;
  const wPlus = 1.7;
  const wMinus = 1 - (f * (wPlus - 1)) / (1 - f);
  const net = new Network({ dt: '0.1 ms', ...netOpts, name: 'Wang2002' });
  const cell = { El: '-70 mV', Vth: '-50 mV', Vreset: '-55 mV' };
  const E = net.add(new NeuronGroup(nE, LIF, { name: 'E', params: { ...cell, tau: '20 ms', R: '40 Mohm', tref: '2 ms' }, init: { v: uniform('-70 mV', '-50 mV') } }));
  const I = net.add(new NeuronGroup(nI, LIF, { name: 'I', params: { ...cell, tau: '10 ms', R: '50 Mohm', tref: '1 ms' }, init: { v: uniform('-70 mV', '-50 mV') } }));
  const pools = { A: E.slice(0, nSel), B: E.slice(nSel, 2 * nSel), N: E.slice(2 * nSel, nE) };
  const ampa = () => ({ syn: Expon({ tau: '2 ms' }), out: COBA({ E: '0 mV' }) });
  const nmda = () => ({ syn: NMDA({ a: '0.5 /ms', tau_rise: '2 ms', tau_decay: '100 ms' }), out: MgBlock({ E: '0 mV', Mg: '1 mM' }) });
  const gaba = () => ({ syn: Expon({ tau: '5 ms' }), out: COBA({ E: '-70 mV' }) });
  const nS = (g: number) => `${g / scale} nS`; // recurrent conductances grow as the network shrinks
  // E→E: structured weights between the pools, one projection per pair and receptor
  const w = (from: keyof typeof pools, to: keyof typeof pools) => (from === to && from !== 'N' ? wPlus : to !== 'N' && from !== to ? wMinus : 1);
  for (const from of ['A', 'B', 'N'] as const) {
    for (const to of ['A', 'B', 'N'] as const) {
      const k = w(from, to);
      net.connect(pools[from], pools[to], { name: `AMPA ${from}→${to}`, comm: new All2All(), weight: nS(0.05 * k), ...ampa() });
      net.connect(pools[from], pools[to], { name: `NMDA ${from}→${to}`, comm: new All2All(), weight: nS(0.165 * k), ...nmda() });
    }
  }
  net.connect(E, I, { name: 'AMPA E→I', comm: new All2All(), weight: nS(0.04), ...ampa() });
  net.connect(E, I, { name: 'NMDA E→I', comm: new All2All(), weight: nS(0.13), ...nmda() });
  net.connect(I, E, { name: 'GABA I→E', comm: new All2All(), weight: nS(1.3), ...gaba() });
  net.connect(I, I, { name: 'GABA I→I', comm: new All2All(), weight: nS(1.0), ...gaba() });
  // background: 800 inputs at 3 Hz on every cell
  net.add(new PoissonInput(E, { name: 'bgE', num: 800, rate: '3 Hz', weight: '2.1 nS', ...ampa() }));
  net.add(new PoissonInput(I, { name: 'bgI', num: 800, rate: '3 Hz', weight: '1.62 nS', ...ampa() }));
  // stimulus: one Poisson source per selective cell, on from stimulusOnMs to the end of the trial
  const on = WANG_DEFAULTS.stimulusOnMs;
  for (const [pool, sign] of [['A', 1], ['B', -1]] as const) {
    const rate = 40 * (1 + (sign * coherence) / 100);
    // a timed rate (0 before onset, then the stimulus): the step engine draws it as the JavaScript loop does
    const src = net.add(new PoissonGroup(nSel, { name: `stim${pool}`, rates: timed([0, rate], { dt: `${on} ms`, unit: 'Hz' }) }));
    net.connect(src, pools[pool], { name: `stim→${pool}`, comm: new One2One(), weight: '2.1 nS', ...ampa() });
  }
  const spikes = net.add(new SpikeMonitor(E));
  return { net, E, I, spikes, nE, nI, nSel, durationMs };
}

/**
 * Runs one trial and reads the decision.
 *
 * @example
 * const r = wangTrial({ coherence: 51.2, seed: 3 }); // r.winner is usually 'A'
 */
export function wangTrial(opts: { scale?: number; seed?: number; coherence?: number; durationMs?: number } & NetworkOptions = {}): WangTrial {
  const { net, spikes, nE, nI, nSel, durationMs } = wangNetwork(opts);
  net.build();
  const cpu0 = process.cpuUsage();
  const { seconds } = net.run(`${durationMs} ms`);
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const { times, indices } = spikes.spikes();
  // spike counts of A and B in 5 ms bins
  const bin = 0.005;
  const bins = Math.ceil(durationMs / 1000 / bin);
  const ca = new Float64Array(bins), cb = new Float64Array(bins);
  for (let k = 0; k < times.length; k++) {
    const b = Math.min(bins - 1, Math.floor(times[k] / bin));
    if (indices[k] < nSel) ca[b]++;
    else if (indices[k] < 2 * nSel) cb[b]++;
  }
  const per = 10; // 10 bins = 50 ms windows
  const trace = { t: [] as number[], a: [] as number[], b: [] as number[] };
  let winner: 'A' | 'B' | null = null;
  let decisionMs: number | null = null;
  const onBin = Math.round(WANG_DEFAULTS.stimulusOnMs / 1000 / bin);
  for (let e = per; e <= bins; e++) {
    let sa = 0, sb = 0;
    for (let b = e - per; b < e; b++) (sa += ca[b]), (sb += cb[b]);
    const ra = sa / nSel / (per * bin), rb = sb / nSel / (per * bin);
    trace.t.push(e * bin);
    trace.a.push(ra);
    trace.b.push(rb);
    if (winner === null && e > onBin && Math.max(ra, rb) >= WANG_DEFAULTS.thresholdHz) {
      winner = ra >= rb ? 'A' : 'B';
      decisionMs = +((e - onBin) * bin * 1000).toFixed(1);
    }
  }
  const last = (xs: Float64Array) => {
    const from = Math.max(0, bins - 40);
    let s = 0;
    for (let b = from; b < bins; b++) s += xs[b];
    return s / nSel / ((bins - from) * bin);
  };
  const result = { rateA: last(ca), rateB: last(cb), winner, decisionMs, seconds, cpuSeconds, neurons: nE + nI, synapses: net.numSynapses, trace };
  net.close();
  return result;
}
