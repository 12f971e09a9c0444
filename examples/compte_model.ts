/**
 * Spatial working memory by a bump attractor (Compte, Brunel, Goldman-Rakic & Wang 2000, Cerebral
 * Cortex 10:910), built with BrainTS. Shared by the example, the benchmark and the tests.
 *
 * The network of the paper at scale 1: 2 048 pyramidal (E) and 512 inhibitory (I) leaky
 * integrate-and-fire cells, all-to-all, each E cell labelled by a preferred angle θᵢ = 360° i / N_E.
 * E: C 0.5 nF, gL 25 nS (τ 20 ms), refractory 2 ms; I: C 0.2 nF, gL 20 nS (τ 10 ms), refractory
 * 1 ms; rest −70 mV, threshold −50 mV, reset −60 mV. Every cell gets external AMPA input (τ 2 ms,
 * onto 0 mV) at 1.8 kHz in all, 3.1 nS (E) / 2.38 nS (I) per event. Recurrent excitation is NMDA
 * only (rise 2 ms, decay 100 ms, α 0.5 /ms, saturating, Mg²⁺ block with [Mg] 1 mM), 0.381 nS onto
 * E and 0.292 nS onto I; inhibition GABA_A (τ 10 ms, onto −70 mV), 1.336 nS onto E and 1.024 nS
 * onto I. Only E→E is structured: the weight from j to i is J(θᵢ − θⱼ) = J− + (J+ − J−)
 * exp(−Δθ²/2σ²) with Δθ the distance on the circle, J+ 1.62, σ 14.4°, and J− set so that the mean
 * of J over the ring is exactly 1 (so the total recurrent excitation does not depend on J+).
 * The cue is a current into the E cells, Gaussian in angle around the cue (peak 375 pA, σ 6°),
 * for 250 ms; then a delay without input.
 *
 * Sources of the numbers: the paper's parameters as given in a published Brian reimplementation
 * (J. D. Murray's, which also notes that σ_EE = 14.4° corrects a typo in the printed value) and
 * its cue (Murray et al. 2012's protocol). Simplifications, said where they matter: `scale`
 * shrinks both populations and multiplies the recurrent conductances by 1/scale (all-to-all, so
 * each cell's mean recurrent input is unchanged; its fluctuations grow); dt is 0.1 ms (the paper
 * 0.02 ms); the external drive is 1 000 independent inputs at 1.8 Hz, i.e. 1.8 kHz in all.
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
  SpikeMonitor,
  uniform,
  values,
  ring,
} from '../src/index.js';

export const COMPTE_DEFAULTS = {
  /** 640 neurons (512 E, 128 I): a 3.75 s trial takes about a minute on one core. */
  scale: 0.25,
  /** Spontaneous activity before the cue. */
  preMs: 500,
  /** Cue duration (the paper: 250 ms). */
  cueMs: 250,
  /** Delay after the cue. */
  delayMs: 3000,
  /** Cue angle (degrees). */
  cueDeg: 180,
  /** J+ of the E→E profile; 1 makes E→E uniform (the control without structure). */
  jPlus: 1.62,
  /** Width σ of the E→E profile (degrees). */
  sigmaDeg: 14.4,
  /** Peak of the cue current (pA); 0 for the control without a cue. */
  cuePa: 375,
  /** Width σ of the cue current (degrees). */
  cueSigmaDeg: 6,
} as const;

export interface CompteOptions {
  scale?: number;
  /** Seed of the network (initial potentials, external input). */
  seed?: number;
  preMs?: number;
  cueMs?: number;
  delayMs?: number;
  cueDeg?: number;
  jPlus?: number;
  sigmaDeg?: number;
  cuePa?: number;
  cueSigmaDeg?: number;
  /** Integration method of both groups (default 'auto': RK2, the Mg block makes v nonlinear). */
  method?: 'auto' | 'euler' | 'rk2' | 'rk4';
  /** Precision of the state (default float32). */
  dtype?: 'float32' | 'float64';
}

/** Circular distance between two angles in degrees, in [0, 180]. */
export function ringDistanceDeg(a: number, b: number): number {
  const d = Math.abs((((a - b) % 360) + 360) % 360);
  return d > 180 ? 360 - d : d;
}

/**
 * The E→E profile J(Δθ) at the N distances k·360°/N (k = 0..N−1): J− + (J+ − J−) g, with g the
 * Gaussian of width σ on the circle and J− chosen so that the mean over the N values is 1.
 *
 * @example
 * const J = compteProfile(512, 1.62, 14.4); // J[0] = 1.62, mean 1
 */
export function compteProfile(n: number, jPlus: number, sigmaDeg: number): Float64Array {
  const g = new Float64Array(n);
  let mean = 0;
  for (let k = 0; k < n; k++) {
    const d = ringDistanceDeg(0, (360 * k) / n);
    g[k] = Math.exp(-(d * d) / (2 * sigmaDeg * sigmaDeg));
    mean += g[k] / n;
  }
  const jMinus = (1 - jPlus * mean) / (1 - mean);
  return g.map((x) => jMinus + (jPlus - jMinus) * x);
}

/** Builds the network; the cue is applied by {@link compteTrial} between runs. */
export function compteNetwork(opts: CompteOptions = {}) {
  const { scale = COMPTE_DEFAULTS.scale, jPlus = COMPTE_DEFAULTS.jPlus, sigmaDeg = COMPTE_DEFAULTS.sigmaDeg, seed, method, dtype } = opts;
  const nE = Math.round(2048 * scale);
  const nI = Math.round(512 * scale);
  const net = new Network({ dt: '0.1 ms', ...(seed === undefined ? {} : { seed }), ...(dtype === undefined ? {} : { dtype }), name: 'Compte2000' });
  const cell = { El: '-70 mV', Vth: '-50 mV', Vreset: '-60 mV' };
  const E = net.add(new NeuronGroup(nE, LIF, { name: 'E', ...(method === undefined ? {} : { method }), params: { ...cell, tau: '20 ms', R: '40 Mohm', tref: '2 ms' }, init: { v: uniform('-70 mV', '-50 mV') } }));
  const I = net.add(new NeuronGroup(nI, LIF, { name: 'I', ...(method === undefined ? {} : { method }), params: { ...cell, tau: '10 ms', R: '50 Mohm', tref: '1 ms' }, init: { v: uniform('-70 mV', '-50 mV') } }));
  const ampa = { syn: Expon({ tau: '2 ms' }), out: COBA({ E: '0 mV' }) };
  const nmda = { syn: NMDA({ a: '0.5 /ms', tau_rise: '2 ms', tau_decay: '100 ms' }), out: MgBlock({ E: '0 mV', Mg: '1 mM' }) };
  const gaba = { syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-70 mV' }) };
  // recurrent conductances grow as the network shrinks (all-to-all: the summed input is kept)
  const fromE = (g: number) => (g * 2048) / nE;
  const fromI = (g: number) => (g * 512) / nI;
  // E→E: the weight from i to j depends only on their offset on the ring (j − i mod nE)
  const gEE = fromE(0.381);
  const profile = compteProfile(nE, jPlus, sigmaDeg).map((J) => gEE * J);
  net.connect(E, E, { name: 'NMDA E→E', comm: new All2All(), weight: ring(profile, 'nS'), ...nmda });
  net.connect(E, I, { name: 'NMDA E→I', comm: new All2All(), weight: `${fromE(0.292)} nS`, ...nmda });
  net.connect(I, E, { name: 'GABA I→E', comm: new All2All(), weight: `${fromI(1.336)} nS`, ...gaba });
  net.connect(I, I, { name: 'GABA I→I', comm: new All2All(), weight: `${fromI(1.024)} nS`, ...gaba });
  net.add(new PoissonInput(E, { name: 'extE', num: 1000, rate: '1.8 Hz', weight: '3.1 nS', ...ampa }));
  net.add(new PoissonInput(I, { name: 'extI', num: 1000, rate: '1.8 Hz', weight: '2.38 nS', ...ampa }));
  const spikesE = net.add(new SpikeMonitor(E));
  const spikesI = net.add(new SpikeMonitor(I));
  return { net, E, I, spikesE, spikesI, nE, nI };
}

export interface CompteTrial {
  readonly nE: number;
  readonly nI: number;
  readonly neurons: number;
  readonly synapses: number;
  /** Wall-clock and CPU seconds of the simulation only (building excluded). */
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** E spikes (times in s, indices = position on the ring) and I spikes. */
  readonly spikesE: { times: Float64Array; indices: Int32Array };
  readonly spikesI: { times: Float64Array; indices: Int32Array };
  readonly stats: CompteStats;
}

/** The figures the example prints (angles in degrees, rates in Hz, times in s). */
export interface CompteStats {
  /** Window ends (s) and the population-vector centre (degrees, 0..360) of the E spikes in each 100 ms window. */
  readonly centreT: number[];
  readonly centreDeg: number[];
  /** Centre over the last 500 ms of the delay and its distance from the cue (degrees). */
  readonly endCentreDeg: number;
  readonly endErrorDeg: number;
  /** Centre in the first 500 ms after the cue ends, and the signed drift from there to the end (degrees). */
  readonly startCentreDeg: number;
  readonly driftDeg: number;
  /** |drift| per second of delay (°/s). */
  readonly driftDegPerS: number;
  /** Mean rate of the E cells within ±30° of the end centre, and of those more than 90° from it, over the last 500 ms. */
  readonly rateInHz: number;
  readonly rateOutHz: number;
  /** Whether a bump is there at the end: inside ≥ 10 Hz and ≥ 3 × outside. */
  readonly persists: boolean;
  /** Mean rates over the spontaneous period and over the delay (excluding its first 500 ms). */
  readonly rateESpontHz: number;
  readonly rateISpontHz: number;
  readonly rateEDelayHz: number;
  readonly rateIDelayHz: number;
}

const rad = Math.PI / 180;

/** Population-vector angle (degrees, 0..360) and the spike count of E spikes in [t0, t1). */
export function populationVector(times: ArrayLike<number>, indices: ArrayLike<number>, nE: number, t0: number, t1: number): { deg: number; count: number } {
  let x = 0, y = 0, count = 0;
  for (let k = 0; k < times.length; k++) {
    if (times[k] < t0 || times[k] >= t1) continue;
    const th = (360 * indices[k]) / nE * rad;
    x += Math.cos(th);
    y += Math.sin(th);
    count++;
  }
  const deg = ((Math.atan2(y, x) / rad) % 360 + 360) % 360;
  return { deg, count };
}

/** The statistics of one trial from its spikes; `cueOn`, `cueOff`, `end` in seconds. */
export function compteStats(spikesE: { times: ArrayLike<number>; indices: ArrayLike<number> }, spikesI: { times: ArrayLike<number>; indices: ArrayLike<number> }, nE: number, nI: number, p: { cueOn: number; cueOff: number; end: number; cueDeg: number }): CompteStats {
  const { times, indices } = spikesE;
  const centreT: number[] = [];
  const centreDeg: number[] = [];
  for (let t = 0.1; t <= p.end + 1e-9; t += 0.1) {
    centreT.push(+t.toFixed(3));
    centreDeg.push(+populationVector(times, indices, nE, t - 0.1, t).deg.toFixed(2));
  }
  const endFrom = Math.max(p.cueOff, p.end - 0.5);
  const end = populationVector(times, indices, nE, endFrom, p.end).deg;
  const start = populationVector(times, indices, nE, p.cueOff, Math.min(p.end, p.cueOff + 0.5)).deg;
  let drift = end - start;
  drift = ((drift + 540) % 360) - 180; // signed, shortest way round
  const delayS = Math.max(1e-9, (p.end + endFrom) / 2 - (p.cueOff + Math.min(p.end, p.cueOff + 0.5)) / 2);
  // rates inside / outside the bump over the last 500 ms
  let nIn = 0, nOut = 0, sIn = 0, sOut = 0;
  for (let i = 0; i < nE; i++) {
    const d = ringDistanceDeg((360 * i) / nE, end);
    if (d <= 30) nIn++;
    else if (d > 90) nOut++;
  }
  for (let k = 0; k < times.length; k++) {
    if (times[k] < endFrom || times[k] >= p.end) continue;
    const d = ringDistanceDeg((360 * indices[k]) / nE, end);
    if (d <= 30) sIn++;
    else if (d > 90) sOut++;
  }
  const span = p.end - endFrom;
  const rateIn = sIn / Math.max(1, nIn) / span;
  const rateOut = sOut / Math.max(1, nOut) / span;
  const rate = (s: { times: ArrayLike<number> }, n: number, t0: number, t1: number) => {
    let c = 0;
    for (let k = 0; k < s.times.length; k++) if (s.times[k] >= t0 && s.times[k] < t1) c++;
    return t1 > t0 ? c / n / (t1 - t0) : NaN;
  };
  const delayFrom = Math.min(p.end, p.cueOff + 0.5);
  return {
    centreT,
    centreDeg,
    endCentreDeg: +end.toFixed(2),
    endErrorDeg: +ringDistanceDeg(end, p.cueDeg).toFixed(2),
    startCentreDeg: +start.toFixed(2),
    driftDeg: +drift.toFixed(2),
    driftDegPerS: +(Math.abs(drift) / delayS).toFixed(3),
    rateInHz: +rateIn.toFixed(3),
    rateOutHz: +rateOut.toFixed(3),
    persists: rateIn >= 10 && rateIn >= 3 * rateOut,
    rateESpontHz: +rate(spikesE, nE, 0, p.cueOn).toFixed(3),
    rateISpontHz: +rate(spikesI, nI, 0, p.cueOn).toFixed(3),
    rateEDelayHz: +rate(spikesE, nE, delayFrom, p.end).toFixed(3),
    rateIDelayHz: +rate(spikesI, nI, delayFrom, p.end).toFixed(3),
  };
}

/**
 * Runs one trial: spontaneous activity, the cue, the delay; returns the spikes and statistics.
 *
 * @example
 * const r = compteTrial({ scale: 0.125, delayMs: 1000 }); // r.stats.persists, r.stats.endErrorDeg
 */
export function compteTrial(opts: CompteOptions = {}): CompteTrial {
  const d = COMPTE_DEFAULTS;
  const { preMs = d.preMs, cueMs = d.cueMs, delayMs = d.delayMs, cueDeg = d.cueDeg, cuePa = d.cuePa, cueSigmaDeg = d.cueSigmaDeg } = opts;
  const { net, E, spikesE, spikesI, nE, nI } = compteNetwork(opts);
  const cue = new Float64Array(nE);
  for (let i = 0; i < nE; i++) {
    const dd = ringDistanceDeg((360 * i) / nE, cueDeg);
    cue[i] = cuePa * Math.exp(-(dd * dd) / (2 * cueSigmaDeg * cueSigmaDeg));
  }
  net.build();
  const cpu0 = process.cpuUsage();
  let seconds = net.run(`${preMs} ms`).seconds;
  E.setInput('I', values(cue, 'pA'));
  seconds += net.run(`${cueMs} ms`).seconds;
  E.setInput('I', '0 pA');
  seconds += net.run(`${delayMs} ms`).seconds;
  const cpu = process.cpuUsage(cpu0);
  const se = spikesE.spikes();
  const si = spikesI.spikes();
  const spikes = (s: typeof se) => ({ times: Float64Array.from(s.times), indices: Int32Array.from(s.indices) });
  const stats = compteStats(se, si, nE, nI, { cueOn: preMs / 1000, cueOff: (preMs + cueMs) / 1000, end: (preMs + cueMs + delayMs) / 1000, cueDeg });
  const result = { nE, nI, neurons: nE + nI, synapses: net.numSynapses, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, spikesE: spikes(se), spikesI: spikes(si), stats };
  net.close();
  return result;
}
