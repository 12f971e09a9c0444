/**
 * Validation of the built-in neuron and rate models against analytic results or against a
 * reference integration written here, independently of BrainTS: a plain float64 RK4 of the same
 * equations (written in mV, ms, pA... rather than SI), with a time step at least 10× finer than
 * the BrainTS run, and threshold, reset and refractoriness handled with the same semantics (a
 * spike is detected at the end of a step and stamped with the step's start time; during the
 * refractory period the clamped variables do not evolve and no spike is detected).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  NeuronGroup,
  SpikeMonitor,
  StateMonitor,
  values,
  type NeuronModel,
  type Init,
  ExpIF,
  AdEx,
  ADEX_PRESETS,
  type AdExPattern,
  QIF,
  AdQIF,
  GIF,
  GIF_PRESETS,
  Izhikevich,
  IZHIKEVICH_PRESETS,
  type IzhikevichClass,
  HH,
  hhSteadyState,
  HHTraubMiles,
  MorrisLecar,
  MORRIS_LECAR_PRESETS,
  FitzHughNagumo,
  HindmarshRose,
  WilsonCowan,
  ThresholdLinear,
  MPR,
  StuartLandau,
} from '../src/index.js';

// ---------------------------------------------------------------------------------------------
// Reference integrator

type Rhs = (t: number, y: Float64Array, dy: Float64Array) => void;

interface RefSpec {
  /** Right-hand side (any consistent units; time in ms). */
  f: Rhs;
  y0: readonly number[];
  /** Step and duration (ms). */
  dt: number;
  T: number;
  /** Spike condition on the state after the step (`prev`: before it). */
  threshold?: (y: Float64Array, prev: Float64Array) => boolean;
  reset?: (y: Float64Array) => void;
  /** Refractory period (ms) and which variables it clamps. */
  tref?: number;
  clamped?: readonly number[];
  /** Called after every step with the time at its end. */
  observe?: (t: number, y: Float64Array) => void;
}

/** Classical RK4 with threshold/reset; returns spike times (ms, start of the detecting step). */
function reference(s: RefSpec): number[] {
  const n = s.y0.length;
  const y = Float64Array.from(s.y0);
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const tmp = new Float64Array(n);
  const saved = new Float64Array(n);
  const prev = new Float64Array(n);
  const steps = Math.round(s.T / s.dt);
  const refSteps = Math.round((s.tref ?? 0) / s.dt);
  const spikes: number[] = [];
  let last = -1e9;
  const dt = s.dt;
  for (let k = 0; k < steps; k++) {
    const t = k * dt;
    const refractory = k - last < refSteps;
    if (refractory) for (const i of s.clamped ?? []) saved[i] = y[i];
    prev.set(y);
    s.f(t, y, k1);
    for (let i = 0; i < n; i++) tmp[i] = y[i] + (dt / 2) * k1[i];
    s.f(t + dt / 2, tmp, k2);
    for (let i = 0; i < n; i++) tmp[i] = y[i] + (dt / 2) * k2[i];
    s.f(t + dt / 2, tmp, k3);
    for (let i = 0; i < n; i++) tmp[i] = y[i] + dt * k3[i];
    s.f(t + dt, tmp, k4);
    for (let i = 0; i < n; i++) y[i] += (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    if (refractory) for (const i of s.clamped ?? []) y[i] = saved[i];
    if (!refractory && s.threshold?.(y, prev)) {
      spikes.push(t);
      s.reset?.(y);
      last = k;
    }
    s.observe?.(t + dt, y);
  }
  return spikes;
}

// ---------------------------------------------------------------------------------------------
// BrainTS runs

interface Run {
  /** Spike times (ms) of each neuron. */
  spikes: number[][];
  /** Recorded traces by variable: one Float64Array per neuron (SI units). */
  traces: Record<string, Float64Array[]>;
  /** Final state by variable (SI units). */
  final: Record<string, Float64Array>;
}

function simulate(
  model: NeuronModel,
  n: number,
  opts: {
    dt: string;
    T: string;
    params?: Record<string, Init>;
    init?: Record<string, Init>;
    inputs?: Record<string, Init>;
    record?: string[];
    method?: 'euler' | 'rk2' | 'rk4' | 'exp_euler';
  },
): Run {
  const net = new Network({ dt: opts.dt, dtype: 'float64', seed: 1 });
  const G = net.add(new NeuronGroup(n, model, { params: opts.params, init: opts.init, method: opts.method }));
  for (const [k, v] of Object.entries(opts.inputs ?? {})) G.setInput(k, v);
  const sm = net.add(new SpikeMonitor(G));
  const idx = [...Array(n).keys()];
  const vm = opts.record ? net.add(new StateMonitor(G, opts.record, { indices: idx })) : undefined;
  net.run(opts.T);
  const { times, indices } = sm.spikes();
  const spikes: number[][] = idx.map(() => []);
  for (let k = 0; k < times.length; k++) spikes[indices[k]].push(times[k] * 1000);
  const traces: Record<string, Float64Array[]> = {};
  for (const v of opts.record ?? []) traces[v] = idx.map((j) => vm!.trace(v, j));
  const final: Record<string, Float64Array> = {};
  for (const l of model.lines) if (l.kind === 'diff') final[l.name] = Float64Array.from(G.get(l.name));
  return { spikes, traces, final };
}

const isis = (s: readonly number[]) => s.slice(1).map((t, k) => t - s[k]);
const mean = (a: readonly number[]) => a.reduce((x, y) => x + y, 0) / a.length;

/** |a - b| ≤ abs + rel·|b|, with a message. */
function close(a: number, b: number, abs: number, rel: number, what: string): void {
  assert.ok(Math.abs(a - b) <= abs + rel * Math.abs(b), `${what}: BrainTS ${a.toFixed(4)} vs reference ${b.toFixed(4)} (tolerance ${abs} + ${rel * 100}%)`);
}

/** Compares two spike trains: count within `count`, first `k` spike times within `abs`. */
function sameTrain(a: readonly number[], b: readonly number[], k: number, abs: number, count: number, what: string): void {
  assert.ok(Math.abs(a.length - b.length) <= count, `${what}: ${a.length} spikes vs reference ${b.length}`);
  for (let i = 0; i < Math.min(k, b.length); i++) close(a[i], b[i], abs, 0, `${what}: spike ${i} time (ms)`);
}

// ---------------------------------------------------------------------------------------------
// Integrate-and-fire family

test('QIF: period equals the closed-form time from reset to cut-off (f–I curve)', (t) => {
  // tau dv/dt = c (v - El)(v - Vc) + R I; with m = (El + Vc)/2, d = (Vc - El)/2, K = R I - c d²:
  // T = tau/sqrt(cK) [atan(sqrt(c/K)(Vth - m)) - atan(sqrt(c/K)(Vreset - m))] + tref.
  const El = -65, Vc = -50, c = 0.07, R = 100, tau = 10, Vth = -30, Vreset = -68, tref = 1; // mV, /mV, MΩ, ms
  const currents = [45, 60, 100, 200, 400]; // pA
  const run = simulate(QIF, currents.length, { dt: '0.005 ms', T: '300 ms', params: { tref: `${tref} ms` }, inputs: { I: values(currents, 'pA') } });
  currents.forEach((I, j) => {
    const m = (El + Vc) / 2, d = (Vc - El) / 2;
    const K = R * I * 1e-3 - c * d * d; // mV (MΩ·pA = µV)
    const q = Math.sqrt(c / K);
    const T = (tau / Math.sqrt(c * K)) * (Math.atan(q * (Vth - m)) - Math.atan(q * (Vreset - m))) + tref;
    const sim = mean(isis(run.spikes[j]));
    t.diagnostic(`QIF I = ${I} pA: mean ISI ${sim.toFixed(4)} ms, closed form ${T.toFixed(4)} ms`);
    // every interval is a whole number of steps: allow one step (0.005 ms) plus 0.1 %
    close(sim, T, 0.0075, 0.001, `QIF I = ${I} pA: mean ISI (ms)`);
  });
  // below rheobase (c d²/R = 39.4 pA) it stays silent
  const sub = simulate(QIF, 1, { dt: '0.01 ms', T: '200 ms', inputs: { I: '39 pA' } });
  assert.equal(sub.spikes[0].length, 0);
});

test('ExpIF: f–I curve matches the reference integration', (t) => {
  const currents = [20, 50, 100, 200, 400]; // pA; rheobase gL (VT - El - DeltaT) ≈ 16 pA
  const run = simulate(ExpIF, currents.length, { dt: '0.01 ms', T: '500 ms', inputs: { I: values(currents, 'pA') } });
  currents.forEach((I, j) => {
    const ref = reference({
      f: (_t, y, dy) => {
        dy[0] = (-(y[0] + 65) + 3.48 * Math.exp((Math.min(y[0], -30) + 59.9) / 3.48) + 100 * I * 1e-3) / 10;
      },
      y0: [-65],
      dt: 0.001,
      T: 500,
      threshold: (y) => y[0] > -30,
      reset: (y) => (y[0] = -68),
      tref: 1.7,
      clamped: [0],
    });
    assert.ok(ref.length >= 3, `reference fires at ${I} pA`);
    t.diagnostic(`ExpIF I = ${I} pA: ${run.spikes[j].length} spikes (reference ${ref.length}), mean ISI ${mean(isis(run.spikes[j])).toFixed(4)} ms (${mean(isis(ref)).toFixed(4)})`);
    assert.ok(Math.abs(run.spikes[j].length - ref.length) <= 1, `ExpIF ${I} pA: ${run.spikes[j].length} spikes vs ${ref.length}`);
    close(mean(isis(run.spikes[j])), mean(isis(ref)), 0.02, 0.003, `ExpIF I = ${I} pA: mean ISI (ms)`);
    close(run.spikes[j][0], ref[0], 0.05, 0.003, `ExpIF I = ${I} pA: first spike (ms)`);
  });
});

test('AdQIF (Izhikevich 2007 regular spiking): adapting spike train matches the reference', (t) => {
  const I = 200; // pA
  const run = simulate(AdQIF, 1, { dt: '0.01 ms', T: '500 ms', inputs: { I: `${I} pA` } });
  // C dv/dt = k (v - vr)(v - vt) - u + I, du/dt = a (b (v - vr) - u): C = 100 pF, k = 0.7 nS/mV, a = 0.03/ms, b = -2 nS
  const ref = reference({
    f: (_t, y, dy) => {
      dy[0] = (0.7 * (y[0] + 60) * (y[0] + 40) - y[1] + I) / 100; // pA/pF = mV/ms
      dy[1] = 0.03 * (-2 * (y[0] + 60) - y[1]);
    },
    y0: [-60, 0],
    dt: 0.001,
    T: 500,
    threshold: (y) => y[0] > 35,
    reset: (y) => {
      y[0] = -50;
      y[1] += 100;
    },
  });
  assert.ok(ref.length >= 5);
  t.diagnostic(`AdQIF at ${I} pA: ${run.spikes[0].length} spikes (reference ${ref.length}); ISIs ${isis(run.spikes[0]).slice(0, 4).map((x) => x.toFixed(2))} ms (${isis(ref).slice(0, 4).map((x) => x.toFixed(2))})`);
  sameTrain(run.spikes[0], ref, 6, 0.1, 0, 'AdQIF');
  const r = isis(ref);
  assert.ok(r[r.length - 1] > 1.25 * r[0], 'the reference adapts');
});

test('GIF (Mihalaş–Niebur): tonic spiking period is analytic; adaptation and bursting match the reference', (t) => {
  const presets = ['tonicSpiking', 'adaptation', 'tonicBursting', 'mixedMode'] as const;
  const P = presets.map((k) => GIF_PRESETS[k]);
  const num = (x: string | number) => (typeof x === 'number' ? x : parseFloat(x));
  const run = simulate(GIF, P.length, {
    dt: '0.01 ms',
    T: '500 ms',
    params: { a: values(P.map((p) => num(p.params.a)), 'Hz'), A1: values(P.map((p) => num(p.params.A1)), 'nA'), A2: values(P.map((p) => num(p.params.A2)), 'nA') },
    inputs: { I: values(P.map((p) => parseFloat(p.I)), 'nA') },
  });
  // tonic: LIF with threshold -50 mV reset to El: T = tau ln(RI / (RI - 20 mV)) = 20 ln(30/10) ms
  const T = 20 * Math.log(30 / 10);
  t.diagnostic(`GIF tonic spiking: ISI ${mean(isis(run.spikes[0])).toFixed(4)} ms, closed form ${T.toFixed(4)} ms`);
  close(mean(isis(run.spikes[0])), T, 0.015, 0, 'GIF tonic spiking: ISI (ms)');
  P.forEach((p, j) => {
    const a = num(p.params.a) * 1e-3, A1 = num(p.params.A1), A2 = num(p.params.A2), Ie = parseFloat(p.I); // /ms, nA
    // units: mV, ms, nA; R = 20 MΩ, tau = 20 ms; y = [I1, I2, v, Θ]
    const ref = reference({
      f: (_t, y, dy) => {
        dy[0] = -0.2 * y[0];
        dy[1] = -0.02 * y[1];
        dy[2] = (-(y[2] + 70) + 20 * (Ie + y[0] + y[1])) / 20;
        dy[3] = a * (y[2] + 70) - 0.01 * (y[3] + 50);
      },
      y0: [0, 0, -70, -50],
      dt: 0.001,
      T: 500,
      threshold: (y) => y[2] > y[3],
      reset: (y) => {
        y[0] = 0 * y[0] + A1;
        y[1] = 1 * y[1] + A2;
        y[2] = -70;
        y[3] = Math.max(-60, y[3]);
      },
    });
    assert.ok(ref.length >= 5, `${presets[j]} fires`);
    t.diagnostic(`GIF ${presets[j]}: ${run.spikes[j].length} spikes (reference ${ref.length}); first ISIs ${isis(run.spikes[j]).slice(0, 4).map((x) => x.toFixed(2))} ms (${isis(ref).slice(0, 4).map((x) => x.toFixed(2))})`);
    sameTrain(run.spikes[j], ref, 8, 0.15, 1, `GIF ${presets[j]}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Izhikevich

test('Izhikevich presets: spike counts and first intervals match the reference', (t) => {
  const names = Object.keys(IZHIKEVICH_PRESETS) as IzhikevichClass[];
  const P = names.map((k) => IZHIKEVICH_PRESETS[k]);
  const I = 10; // the paper's units (10 nA with R = 1 MΩ)
  const run = simulate(Izhikevich, names.length, {
    dt: '0.01 ms',
    T: '500 ms',
    params: { a: values(P.map((p) => p.a)), b: values(P.map((p) => p.b)), c: values(P.map((p) => p.c), 'mV'), d: values(P.map((p) => p.d), 'mV') },
    init: { v: '-65 mV', u: values(P.map((p) => -65 * p.b), 'mV') },
    inputs: { I: `${I} nA` },
  });
  names.forEach((name, j) => {
    const { a, b, c, d } = P[j];
    const ref = reference({
      f: (_t, y, dy) => {
        dy[0] = 0.04 * y[0] * y[0] + 5 * y[0] + 140 - y[1] + I;
        dy[1] = a * (b * y[0] - y[1]);
      },
      y0: [-65, -65 * b],
      dt: 0.001,
      T: 500,
      threshold: (y) => y[0] >= 30,
      reset: (y) => {
        y[0] = c;
        y[1] += d;
      },
    });
    assert.ok(ref.length >= 3, `${name} fires`);
    const sim = run.spikes[j];
    const late = (x: number[]) => x.filter((v) => v >= 200).length;
    t.diagnostic(`Izhikevich ${name}: ${late(sim)} spikes in 200–500 ms (reference ${late(ref)}); first ISIs ${isis(sim).slice(0, 4).map((x) => x.toFixed(2))} ms (${isis(ref).slice(0, 4).map((x) => x.toFixed(2))})`);
    assert.ok(Math.abs(late(sim) - late(ref)) <= 1, `${name}: ${late(sim)} spikes in 200–500 ms vs reference ${late(ref)}`);
    assert.ok(Math.abs(sim.length - ref.length) <= 1, `${name}: ${sim.length} spikes vs reference ${ref.length}`);
    const si = isis(sim), ri = isis(ref);
    for (let k = 0; k < Math.min(5, ri.length); k++) close(si[k], ri[k], 0.05, 0.01, `${name}: ISI ${k} (ms)`);
  });
});

// ---------------------------------------------------------------------------------------------
// AdEx firing patterns (Naud et al. 2008)

/** Adaptation index of Naud et al.: mean of (ISI_{k+1} - ISI_k)/(ISI_{k+1} + ISI_k). */
function adaptationIndex(isi: readonly number[]): number {
  const r: number[] = [];
  for (let k = 0; k + 1 < isi.length; k++) r.push((isi[k + 1] - isi[k]) / (isi[k + 1] + isi[k]));
  return r.length ? mean(r) : 0;
}
/** Number of bursts: groups of ≥ 2 spikes separated by intervals < 1/3 of the longest interval. */
function burstCount(isi: readonly number[]): number {
  if (isi.length < 2) return 0;
  const cut = Math.max(...isi) / 3;
  let bursts = 0;
  let inBurst = false;
  for (const x of isi) {
    if (x < cut && !inBurst) (bursts++, (inBurst = true));
    else if (x >= cut) inBurst = false;
  }
  return bursts;
}

function adexReference(p: (typeof ADEX_PRESETS)[AdExPattern], T: number): number[] {
  const v = (k: keyof typeof p.params) => parseFloat(p.params[k]);
  const C = v('C'), gL = v('gL'), EL = v('EL'), VT = v('VT'), DT = v('DeltaT'), a = v('a'), tw = v('tau_w'), b = v('b'), Vr = v('Vr');
  const I = parseFloat(p.I);
  // mV, ms, pA, nS, pF: nS·mV = pA, pA/pF = mV/ms
  return reference({
    f: (_t, y, dy) => {
      const vc = Math.min(y[0], 0);
      dy[0] = (-gL * (y[0] - EL) + gL * DT * Math.exp((vc - VT) / DT) - y[1] + I) / C;
      dy[1] = (a * (vc - EL) - y[1]) / tw;
    },
    y0: [EL, 0],
    dt: 0.001,
    T,
    threshold: (y) => y[0] > 0,
    reset: (y) => {
      y[0] = Vr;
      y[1] += b;
    },
  });
}

test('AdEx firing patterns of Naud et al. (2008) match the reference', (t) => {
  const names = Object.keys(ADEX_PRESETS) as AdExPattern[];
  const P = names.map((k) => ADEX_PRESETS[k]);
  const col = (k: keyof (typeof P)[0]['params'], unit: string) => values(P.map((p) => parseFloat(p.params[k])), unit);
  const T = 500;
  const run = simulate(AdEx, names.length, {
    dt: '0.01 ms',
    T: `${T} ms`,
    params: { C: col('C', 'pF'), gL: col('gL', 'nS'), EL: col('EL', 'mV'), VT: col('VT', 'mV'), DeltaT: col('DeltaT', 'mV'), a: col('a', 'nS'), tau_w: col('tau_w', 'ms'), b: col('b', 'pA'), Vr: col('Vr', 'mV') },
    init: { v: col('EL', 'mV'), w: '0 pA' },
    inputs: { I: values(P.map((p) => parseFloat(p.I)), 'pA') },
  });
  /** Coefficient of variation of the intervals that start after 100 ms. */
  const lateCV = (s: readonly number[]) => {
    const x = isis(s).filter((_, k) => s[k] > 100);
    const m = mean(x);
    return Math.sqrt(mean(x.map((v) => (v - m) ** 2))) / m;
  };
  // What each pattern must look like (checked on both the BrainTS run and the reference).
  const pattern: Record<AdExPattern, (s: number[]) => string | undefined> = {
    tonic: (s) => (s.length >= 40 && Math.abs(adaptationIndex(isis(s))) < 0.01 && lateCV(s) < 0.02 ? undefined : 'regular firing'),
    adapting: (s) => {
      const x = isis(s);
      return adaptationIndex(x) > 0.05 && x.every((v, k) => k === 0 || v >= x[k - 1] - 0.05) && x[x.length - 1] > 3 * x[0] ? undefined : 'lengthening intervals';
    },
    initialBurst: (s) => {
      const x = isis(s), last = x[x.length - 1];
      return x[0] < 0.2 * last && x[1] < 0.2 * last && x.slice(-4).every((v) => Math.abs(v - last) < 0.01 * last) ? undefined : 'an initial burst, then regular';
    },
    regularBursting: (s) => (burstCount(isis(s)) >= 3 && Math.max(...isis(s)) > 10 * Math.min(...isis(s)) ? undefined : 'repeated bursts'),
    delayedAccelerating: (s) => {
      const x = isis(s);
      return adaptationIndex(x) < 0 && x[x.length - 1] < 0.8 * x[0] && s[0] > 1.5 * x[x.length - 1] ? undefined : 'a delay, then shortening intervals';
    },
    delayedRegularBursting: (s) => (s[0] > 50 && burstCount(isis(s)) >= 3 ? undefined : 'a delay, then bursts'),
    transient: (s) => (s.length >= 1 && s.every((x) => x < 100) ? undefined : 'spikes only at the onset'),
    irregular: (s) => (lateCV(s) > 0.15 ? undefined : 'irregular intervals'),
  };
  names.forEach((name, j) => {
    const ref = adexReference(P[j], T);
    const sim = run.spikes[j];
    const si = isis(sim), ri = isis(ref);
    t.diagnostic(
      `AdEx ${name}: ${sim.length} spikes (reference ${ref.length}), first at ${sim[0]?.toFixed(2)} ms (${ref[0]?.toFixed(2)}), ` +
        `adaptation index ${adaptationIndex(si).toFixed(3)} (${adaptationIndex(ri).toFixed(3)}), bursts ${burstCount(si)} (${burstCount(ri)})`,
    );
    assert.equal(pattern[name](ref), undefined, `${name}: the reference shows ${pattern[name](ref)}`);
    assert.equal(pattern[name](sim), undefined, `${name}: BrainTS shows ${pattern[name](sim)}`);
    if (name === 'irregular') {
      // chaotic: trajectories separate after a few spikes, compare the onset and the statistics
      assert.ok(Math.abs(sim.length - ref.length) <= 0.15 * ref.length, `irregular: ${sim.length} spikes vs ${ref.length}`);
      for (let k = 0; k < 3; k++) close(si[k], ri[k], 0.1, 0.01, `irregular: ISI ${k} (ms)`);
      return;
    }
    assert.ok(Math.abs(sim.length - ref.length) <= 1, `${name}: ${sim.length} spikes vs ${ref.length}`);
    close(sim[0], ref[0], 0.05, 0, `${name}: first spike (ms)`);
    for (let k = 0; k < Math.min(6, ri.length); k++) close(si[k], ri[k], 0.1, 0.01, `${name}: ISI ${k} (ms)`);
  });
});

// ---------------------------------------------------------------------------------------------
// Conductance-based models

const exprel = (x: number) => (Math.abs(x) < 1e-9 ? 1 + x / 2 : Math.expm1(x) / x);

/** Hodgkin–Huxley 1952 in mV, ms, µA/cm², mS/cm²; y = [v, m, h, n]. */
function hhRhs(I: number): Rhs {
  return (_t, y, dy) => {
    const v = y[0];
    const am = 0.1 * (v + 40) / (1 - Math.exp(-(v + 40) / 10));
    const bm = 4 * Math.exp(-(v + 65) / 18);
    const ah = 0.07 * Math.exp(-(v + 65) / 20);
    const bh = 1 / (1 + Math.exp(-(v + 35) / 10));
    const an = 0.01 * (v + 55) / (1 - Math.exp(-(v + 55) / 10));
    const bn = 0.125 * Math.exp(-(v + 65) / 80);
    dy[0] = 120 * y[1] ** 3 * y[2] * (50 - v) + 36 * y[3] ** 4 * (-77 - v) + 0.3 * (-54.387 - v) + I;
    dy[1] = am * (1 - y[1]) - bm * y[1];
    dy[2] = ah * (1 - y[2]) - bh * y[2];
    dy[3] = an * (1 - y[3]) - bn * y[3];
  };
}
function hhRest(): number[] {
  const v = -65;
  const am = 0.1 * (v + 40) / (1 - Math.exp(-(v + 40) / 10)), bm = 4 * Math.exp(-(v + 65) / 18);
  const ah = 0.07 * Math.exp(-(v + 65) / 20), bh = 1 / (1 + Math.exp(-(v + 35) / 10));
  const an = 0.01 * (v + 55) / (1 - Math.exp(-(v + 55) / 10)), bn = 0.125 * Math.exp(-(v + 65) / 80);
  return [v, am / (am + bm), ah / (ah + bh), an / (an + bn)];
}

test('HH: rheobase for repetitive firing and spike amplitude match the reference', (t) => {
  // repetitive firing: after a step of constant current from rest, spikes continue past 200 ms (of 300)
  const repetitive = (spikes: readonly number[]) => spikes.some((x) => x > 200);
  const refFires = (I: number) => repetitive(reference({ f: hhRhs(I), y0: hhRest(), dt: 0.001, T: 300, threshold: (y) => y[0] > 0, tref: 2 }));
  let lo = 6, hi = 6.5; // µA/cm²
  assert.ok(!refFires(lo) && refFires(hi));
  while (hi - lo > 0.01) {
    const m = (lo + hi) / 2;
    if (refFires(m)) hi = m;
    else lo = m;
  }
  const currents = Array.from({ length: 26 }, (_, k) => 6 + 0.02 * k); // pA = µA/cm² with the default area
  const run = simulate(HH, currents.length, { dt: '0.01 ms', T: '300 ms', inputs: { I: values(currents, 'pA') } });
  const fires = currents.map((_, j) => repetitive(run.spikes[j]));
  const first = fires.indexOf(true);
  assert.ok(first > 0, 'the current grid brackets the BrainTS rheobase');
  for (let j = first; j < currents.length; j++) assert.ok(fires[j], `fires repetitively above rheobase (${currents[j]} µA/cm²)`);
  t.diagnostic(`HH rheobase: BrainTS in [${currents[first - 1].toFixed(2)}, ${currents[first].toFixed(2)}], reference in [${lo.toFixed(3)}, ${hi.toFixed(3)}] µA/cm²`);
  // the two brackets overlap within one grid step
  assert.ok(currents[first] >= lo - 0.02 && currents[first - 1] <= hi + 0.02, 'HH rheobase brackets agree');

  // spike amplitude and timing at 10 µA/cm²: default integrator (exponential Euler) and RK4
  const I = 10;
  let peakRef = -Infinity;
  const ref = reference({ f: hhRhs(I), y0: hhRest(), dt: 0.001, T: 100, threshold: (y) => y[0] > 0, tref: 2, observe: (x, y) => x > 50 && (peakRef = Math.max(peakRef, y[0])) });
  for (const method of ['exp_euler', 'rk4'] as const) {
    const one = simulate(HH, 1, { dt: '0.01 ms', T: '100 ms', inputs: { I: `${I} pA` }, record: ['v'], method });
    const v = one.traces.v[0];
    let peak = -Infinity;
    for (let k = 5000; k < v.length; k++) peak = Math.max(peak, v[k] * 1000);
    const isiSim = mean(isis(one.spikes[0])), isiRef = mean(isis(ref));
    t.diagnostic(`HH at 10 µA/cm², ${method}: peak ${peak.toFixed(3)} mV (reference ${peakRef.toFixed(3)}), mean ISI ${isiSim.toFixed(3)} ms (${isiRef.toFixed(3)})`);
    assert.equal(one.spikes[0].length, ref.length);
    if (method === 'exp_euler') {
      // first order: at dt = 0.01 ms the interval is ~0.5 % long and the peak ~0.3 mV low
      close(peak, peakRef, 0.5, 0, 'HH spike peak, exp_euler (mV)');
      close(isiSim, isiRef, 0, 0.01, 'HH mean ISI, exp_euler (ms)');
    } else {
      close(peak, peakRef, 0.02, 0, 'HH spike peak, rk4 (mV)');
      sameTrain(one.spikes[0], ref, ref.length, 0.015, 0, 'HH rk4');
    }
  }
});

test('Traub–Miles HH (COBAHH neuron): spike train matches the reference', (t) => {
  const I = 0.5; // nA
  const VT = -63;
  // mV, ms, nA, µS, nF: µS·mV = nA, nA/nF = mV/ms
  const ref = reference({
    f: (_t, y, dy) => {
      const v = y[0];
      const am = (0.32 * (13 - v + VT)) / (Math.exp((13 - v + VT) / 4) - 1);
      const bm = (0.28 * (v - VT - 40)) / (Math.exp((v - VT - 40) / 5) - 1);
      const ah = 0.128 * Math.exp((17 - v + VT) / 18);
      const bh = 4 / (1 + Math.exp((40 - v + VT) / 5));
      const an = (0.032 * (15 - v + VT)) / (Math.exp((15 - v + VT) / 5) - 1);
      const bn = 0.5 * Math.exp((10 - v + VT) / 40);
      dy[0] = (0.01 * (-60 - v) - 20 * y[1] ** 3 * y[3] * (v - 50) - 6 * y[2] ** 4 * (v + 90) + I) / 0.2;
      dy[1] = am * (1 - y[1]) - bm * y[1];
      dy[2] = an * (1 - y[2]) - bn * y[2];
      dy[3] = ah * (1 - y[3]) - bh * y[3];
    },
    y0: [-60, 0, 0, 0],
    dt: 0.001,
    T: 200,
    threshold: (y) => y[0] > -20,
    tref: 3,
  });
  assert.ok(ref.length >= 5);
  for (const method of ['exp_euler', 'rk4'] as const) {
    const run = simulate(HHTraubMiles, 1, { dt: '0.01 ms', T: '200 ms', inputs: { I: `${I} nA` }, method });
    const isiSim = mean(isis(run.spikes[0])), isiRef = mean(isis(ref));
    t.diagnostic(`Traub–Miles at ${I} nA, ${method}: ${run.spikes[0].length} spikes (reference ${ref.length}), mean ISI ${isiSim.toFixed(3)} ms (${isiRef.toFixed(3)})`);
    assert.equal(run.spikes[0].length, ref.length);
    if (method === 'exp_euler') close(isiSim, isiRef, 0, 0.02, 'Traub–Miles mean ISI, exp_euler (ms)');
    else sameTrain(run.spikes[0], ref, ref.length, 0.015, 0, 'Traub–Miles rk4');
  }
});

/** Mean of the last `k` intervals: the period of a settled oscillation. */
const period = (s: readonly number[], k = 4) => mean(isis(s).slice(-k));

test('Morris–Lecar: oscillation period (Hopf and SNIC sets) matches the reference', (t) => {
  const sets = [
    { name: 'hopf', I: 100, p: { gCa: 4.4, V3: 2, V4: 30, phi: 0.04 } },
    { name: 'snic', I: 60, p: { gCa: 4, V3: 12, V4: 17.4, phi: 1 / 15 } },
  ];
  sets.forEach(({ name, I, p }) => {
    const preset = MORRIS_LECAR_PRESETS[name as keyof typeof MORRIS_LECAR_PRESETS];
    const tref = parseFloat(preset.tref);
    const run = simulate(MorrisLecar, 1, { dt: '0.01 ms', T: '1000 ms', params: preset, inputs: { I: `${I} pA` } });
    const ref = reference({
      f: (_t, y, dy) => {
        const v = y[0];
        const minf = 0.5 * (1 + Math.tanh((v + 1.2) / 18));
        const winf = 0.5 * (1 + Math.tanh((v - p.V3) / p.V4));
        const tw = 1 / Math.cosh((v - p.V3) / (2 * p.V4));
        dy[0] = (I - 2 * (v + 60) - p.gCa * minf * (v - 120) - 8 * y[1] * (v + 84)) / 20;
        dy[1] = (p.phi * (winf - y[1])) / tw;
      },
      y0: [-60, 0.0149],
      dt: 0.001,
      T: 1000,
      threshold: (y) => y[0] > 0,
      tref,
    });
    t.diagnostic(`Morris–Lecar ${name}: period ${period(run.spikes[0]).toFixed(3)} vs ${period(ref).toFixed(3)} ms`);
    assert.ok(ref.length >= 8);
    close(period(run.spikes[0]), period(ref), 0.05, 0.002, `Morris–Lecar ${name}: period (ms)`);
  });
});

test('FitzHugh–Nagumo: oscillation period matches the reference; rest below the Hopf point', (t) => {
  const currents = [0.2, 0.5, 1.0];
  const run = simulate(FitzHughNagumo, 3, { dt: '0.01 ms', T: '1000 ms', inputs: { I: values(currents) } });
  // below the Hopf point (I ≈ 0.33) the step from rest elicits at most one spike, then the cell rests
  assert.ok(run.spikes[0].every((x) => x < 100), 'I = 0.2 does not oscillate');
  currents.slice(1).forEach((I, k) => {
    const ref = reference({
      f: (_t, y, dy) => {
        dy[0] = y[0] - y[0] ** 3 / 3 - y[1] + I;
        dy[1] = (y[0] + 0.7 - 0.8 * y[1]) / 12.5;
      },
      y0: [-1.1994, -0.6243],
      dt: 0.001,
      T: 1000,
      threshold: (y) => y[0] > 1,
      tref: 25,
    });
    t.diagnostic(`FitzHugh–Nagumo I = ${I}: period ${period(run.spikes[k + 1]).toFixed(3)} vs ${period(ref).toFixed(3)} ms`);
    close(period(run.spikes[k + 1]), period(ref), 0.02, 0.001, `FitzHugh–Nagumo I = ${I}: period (ms)`);
  });
});

test('Hindmarsh–Rose: bursts (spikes per burst, burst period) match the reference', (t) => {
  const I = 2.5;
  const run = simulate(HindmarshRose, 1, { dt: '0.005 ms', T: '1000 ms', inputs: { I } });
  const ref = reference({
    f: (_t, y, dy) => {
      dy[0] = y[1] - y[0] ** 3 + 3 * y[0] ** 2 - y[2] + I;
      dy[1] = 1 - 5 * y[0] ** 2 - y[1];
      dy[2] = 0.006 * (4 * (y[0] + 1.6) - y[2]);
    },
    y0: [-1.6, -11.8, 0],
    dt: 0.0005,
    T: 1000,
    threshold: (y) => y[0] > 1,
    tref: 2,
  });
  const bursts = (s: readonly number[]) => {
    const out: number[][] = [];
    s.forEach((t, k) => (k === 0 || t - s[k - 1] > 30 ? out.push([t]) : out[out.length - 1].push(t)));
    return out;
  };
  const bs = bursts(run.spikes[0]), br = bursts(ref);
  t.diagnostic(`Hindmarsh–Rose: ${bs.length} vs ${br.length} bursts, sizes ${bs.map((b) => b.length)} vs ${br.map((b) => b.length)}`);
  assert.ok(br.length >= 5);
  assert.deepEqual(bs.slice(0, -1).map((b) => b.length), br.slice(0, -1).map((b) => b.length));
  const bp = (b: number[][]) => mean(isis(b.map((x) => x[0])).slice(-3));
  close(bp(bs), bp(br), 0.1, 0.002, 'Hindmarsh–Rose burst period (ms)');
});

// ---------------------------------------------------------------------------------------------
// Rate models

test('Wilson–Cowan: steady states equal the fixed points of the rate equations; P = 1.25 oscillates', (t) => {
  const c1 = 16, c2 = 12, c3 = 15, c4 = 3, ae = 1.3, te = 4, ai = 2, ti = 3.7;
  const S = (x: number, a: number, th: number) => 1 / (1 + Math.exp(-a * (x - th))) - 1 / (1 + Math.exp(a * th));
  const Fe = (E: number, I: number, P: number) => -E + (1 - E) * S(c1 * E - c2 * I + P, ae, te);
  const Fi = (E: number, I: number) => -I + (1 - I) * S(c3 * E - c4 * I, ai, ti);
  // I*(E) solves Fi = 0 (decreasing in I); then E solves Fe(E, I*(E)) = 0 by bisection on a scan
  const Istar = (E: number) => {
    let lo = -1, hi = 1;
    for (let k = 0; k < 100; k++) {
      const m = (lo + hi) / 2;
      if (Fi(E, m) > 0) lo = m;
      else hi = m;
    }
    return (lo + hi) / 2;
  };
  const fixedPoints = (P: number) => {
    const g = (E: number) => Fe(E, Istar(E), P);
    const roots: number[] = [];
    const N = 2000;
    for (let k = 0; k < N; k++) {
      let a = -0.2 + (1.2 * k) / N, b = a + 1.2 / N;
      if (g(a) < 0 === g(b) < 0) continue;
      for (let j = 0; j < 80; j++) {
        const m = (a + b) / 2;
        if (g(a) < 0 === g(m) < 0) a = m;
        else b = m;
      }
      roots.push((a + b) / 2);
    }
    return roots.map((E) => [E, Istar(E)]);
  };
  const Ps = [0.5, 1, 3, 4, 1.25];
  const run = simulate(WilsonCowan, Ps.length, { dt: '0.01 ms', T: '1000 ms', inputs: { P: values(Ps) }, record: ['E'] });
  Ps.slice(0, 4).forEach((P, j) => {
    const fps = fixedPoints(P);
    // from E = I = 0 the activity settles on the lowest fixed point (P = 1 is bistable)
    const [E0, I0] = fps[0];
    t.diagnostic(`Wilson–Cowan P = ${P}: fixed points ${fps.map(([e, i]) => `(${e.toFixed(5)}, ${i.toFixed(5)})`).join(' ')}; simulated (${run.final.E[j].toFixed(5)}, ${run.final.I[j].toFixed(5)})`);
    close(run.final.E[j], E0, 1e-4, 0, `Wilson–Cowan P = ${P}: E*`);
    close(run.final.I[j], I0, 1e-4, 0, `Wilson–Cowan P = ${P}: I*`);
  });
  assert.equal(fixedPoints(1).length, 3, 'P = 1 has three fixed points');
  const e = run.traces.E[4].slice(-20000);
  assert.ok(Math.max(...e) - Math.min(...e) > 0.1, 'P = 1.25 is on a limit cycle');
});

test('threshold-linear unit: exact relaxation to gain·[I - theta]+', (t) => {
  const inputs = [-1, 0.1, 0.5, 2];
  const run = simulate(ThresholdLinear, inputs.length, { dt: '0.1 ms', T: '25 ms', params: { gain: 2, theta: 0.2 }, inputs: { I: values(inputs) } });
  inputs.forEach((I, j) => {
    const expected = 2 * Math.max(I - 0.2, 0) * (1 - Math.exp(-25 / 10));
    close(run.final.r[j], expected, 1e-12, 1e-9, `threshold-linear I = ${I}: r(25 ms)`);
  });
});

test('MPR mean field: steady states equal the analytic fixed points (mono- and bistable)', (t) => {
  const Delta = 1, J = 15, tau = 10; // ms
  // fixed points: with x = tau r > 0, (Delta/(2 pi x))² + eta + J x - (pi x)² = 0 and v = -Delta/(2 pi x)
  const roots = (eta: number) => {
    const g = (x: number) => (Delta / (2 * Math.PI * x)) ** 2 + eta + J * x - (Math.PI * x) ** 2;
    const out: number[] = [];
    const xs = Array.from({ length: 20001 }, (_, k) => 1e-4 * Math.pow(10, (5 * k) / 20000)); // 1e-4 … 10
    for (let k = 0; k + 1 < xs.length; k++) {
      let a = xs[k], b = xs[k + 1];
      if (g(a) < 0 === g(b) < 0) continue;
      for (let j = 0; j < 100; j++) {
        const m = (a + b) / 2;
        if (g(a) < 0 === g(m) < 0) a = m;
        else b = m;
      }
      out.push((a + b) / 2);
    }
    return out;
  };
  const cases = [
    { eta: -10, init: { r: 0, v: -2 } },
    { eta: 0, init: { r: 0, v: -2 } },
    { eta: -5, init: { r: 0, v: -2 } },
    { eta: -5, init: { r: 100, v: 0 } }, // r in Hz
  ];
  const run = simulate(MPR, cases.length, {
    dt: '0.01 ms',
    T: '2000 ms',
    params: { eta: values(cases.map((c) => c.eta)) },
    init: { r: values(cases.map((c) => c.init.r), 'Hz'), v: values(cases.map((c) => c.init.v)) },
  });
  const r5 = roots(-5);
  assert.equal(r5.length, 3, 'eta = -5 is bistable: two stable states and a saddle');
  assert.equal(roots(-10).length, 1);
  assert.equal(roots(0).length, 1);
  const expected = [roots(-10)[0], roots(0)[0], r5[0], r5[2]];
  cases.forEach((c, j) => {
    const x = expected[j];
    const rSim = run.final.r[j] * tau * 1e-3;
    t.diagnostic(`MPR eta = ${c.eta} from r = ${c.init.r} Hz: tau r = ${rSim.toFixed(6)} (analytic ${x.toFixed(6)}), v = ${run.final.v[j].toFixed(6)} (analytic ${(-Delta / (2 * Math.PI * x)).toFixed(6)})`);
    close(rSim, x, 1e-6, 1e-4, `MPR eta = ${c.eta}: tau r*`);
    close(run.final.v[j], -Delta / (2 * Math.PI * x), 1e-6, 1e-4, `MPR eta = ${c.eta}: v*`);
  });
});

test('Stuart–Landau: limit-cycle radius √a and frequency f; a < 0 decays', (t) => {
  const as = [0.25, 1, 4, -1];
  const f = 10, T = 0.5; // Hz, s
  const run = simulate(StuartLandau, as.length, { dt: '0.01 ms', T: `${T * 1000} ms`, params: { a: values(as), f: `${f} Hz` }, init: { x: 0.1, y: 0 }, record: ['x'] });
  as.forEach((a, j) => {
    const r = Math.hypot(run.final.x[j], run.final.y[j]);
    if (a > 0) {
      close(r, Math.sqrt(a), 1e-6, 1e-5, `Stuart–Landau a = ${a}: radius`);
      // phase turns at exactly 2πf: after T = 0.5 s (5 turns) it is back at angle 0
      const phase = Math.atan2(run.final.y[j], run.final.x[j]);
      assert.ok(Math.abs(phase) < 1e-3, `Stuart–Landau a = ${a}: phase after 5 periods ${phase}`);
      // upward zero crossings of x in the last 0.4 s: 4 per 0.4 s
      const x = run.traces.x[j];
      let ups = 0;
      for (let k = 10000; k < x.length; k++) if (x[k - 1] < 0 && x[k] >= 0) ups++;
      assert.equal(ups, 4);
    } else {
      assert.ok(r < 1e-6, `a = ${a} decays to the focus (r = ${r})`);
    }
  });
});
