import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  NeuronGroup,
  defineNeuron,
  LIF,
  All2All,
  One2One,
  FromPairs,
  Expon,
  Alpha,
  AMPA,
  NMDA,
  COBA,
  CUBA,
  MgBlock,
  STP,
  StateMonitor,
  SpikeMonitor,
  values,
  mgBlockFraction,
} from '../src/index.js';

/** A source that spikes at the given steps (a counter crossing integer marks). */
function clockSource(stepsPerSpike: number, first: number) {
  // c counts steps; a spike when c hits first, first + period, ...
  return defineNeuron({
    name: 'Clock',
    equations: 'dc/dt = 1/dt : 1',
    threshold: `c >= ${first} - 0.5 and (c - ${first} + 0.5) - floor((c - ${first} + 0.5)/${stepsPerSpike})*${stepsPerSpike} < 1`,
  });
}

test('alpha synapse: a single spike of weight w peaks at w, tau after the spike', () => {
  const net = new Network({ dt: '0.01 ms', dtype: 'float64' });
  const S = net.add(new NeuronGroup(1, clockSource(1e9, 100), { method: 'euler' }));
  const P = net.add(new NeuronGroup(1, LIF, { params: { Vth: '1 V' } }));
  net.connect(S, P, { comm: new All2All(), weight: '3 nS', syn: Alpha({ tau: '2 ms' }), out: COBA({ E: '0 mV' }) });
  const gm = net.add(new StateMonitor(P, ['syn0$g']));
  const sm = net.add(new SpikeMonitor(S));
  net.run('10 ms');
  assert.equal(sm.numSpikes, 1);
  const g = gm.trace('syn0$g');
  let peak = 0;
  let at = 0;
  g.forEach((x, k) => (x > peak ? ((peak = x), (at = k)) : 0));
  const spikeStep = sm.spikeSteps()[0];
  // exponential Euler holds x fixed over each step in g's equation: an O(dt/tau) = 0.5 % error
  assert.ok(Math.abs(peak / 3e-9 - 1) < 5e-3, `peak ${peak}`);
  assert.ok(Math.abs((at - spikeStep) * 0.01 - 2) < 0.03, `peak ${(at - spikeStep) * 0.01} ms after the spike`);
});

test('Tsodyks–Markram short-term plasticity: PSC amplitudes of a regular train follow the closed-form recurrence', () => {
  const U = 0.2;
  const tauF = 0.1; // s
  const tauD = 0.3;
  const periodSteps = 250; // 25 ms at dt 0.1 ms: 40 Hz
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const S = net.add(new NeuronGroup(1, clockSource(periodSteps, 10), { method: 'euler' }));
  // the post variable sums the transmitted weights: one jump per spike equals w × r
  const Sum = defineNeuron({ name: 'Sum', equations: 'x : 1' });
  const P = net.add(new NeuronGroup(1, Sum));
  net.connect(S, P, { comm: new All2All(), weight: 1, target: 'x', stp: STP({ U, tau_f: `${tauF * 1000} ms`, tau_d: `${tauD * 1000} ms` }) });
  const xm = net.add(new StateMonitor(P, ['x']));
  const sm = net.add(new SpikeMonitor(S));
  net.run('400 ms');
  const x = xm.trace('x');
  const steps = sm.spikeSteps();
  assert.ok(steps.length >= 12);
  // amplitudes = jumps of x at each spike step
  const amp = Array.from(steps, (s) => x[s] - (s > 0 ? x[s - 1] : 0));
  // closed form between spikes: u decays, x recovers; at a spike u += U(1-u), r = u x, x -= r
  let u = 0;
  let xr = 1;
  const dtSpike = periodSteps * 1e-4;
  const expected: number[] = [];
  for (let k = 0; k < steps.length; k++) {
    if (k > 0) {
      u *= Math.exp(-dtSpike / tauF);
      xr = 1 - (1 - xr) * Math.exp(-dtSpike / tauD);
    }
    u += U * (1 - u);
    const r = u * xr;
    xr -= r;
    expected.push(r);
  }
  for (let k = 0; k < steps.length; k++) {
    // the model is integrated with the group's method (Euler) at dt = 0.1 ms: agreement to 1 %
    assert.ok(Math.abs(amp[k] / expected[k] - 1) < 0.01, `spike ${k}: ${amp[k]} vs ${expected[k]}`);
  }
  assert.ok(expected[1] > expected[0], 'facilitation first');
  assert.ok(expected[steps.length - 1] < expected[1], 'then depression');
});

test('AMPA kinetics: the open fraction rises during the transmitter pulse and decays with beta, as the closed form', () => {
  const net = new Network({ dt: '0.01 ms', dtype: 'float64' });
  const S = net.add(new NeuronGroup(1, clockSource(1e9, 100), { method: 'exp_euler' }));
  const P = net.add(new NeuronGroup(1, LIF, { params: { Vth: '1 V' } }));
  net.connect(S, P, { comm: new All2All(), weight: '1 nS', syn: AMPA(), out: COBA({ E: '0 mV' }) });
  const gm = net.add(new StateMonitor(S, ['pre0$g']));
  const sm = net.add(new SpikeMonitor(S));
  net.run('5 ms');
  const g = gm.trace('pre0$g');
  const s0 = sm.spikeSteps()[0];
  const alphaT = 0.98e3 * 0.5; // 1/s
  const beta = 0.18e3;
  const ginf = alphaT / (alphaT + beta);
  const gEnd = ginf * (1 - Math.exp(-(alphaT + beta) * 0.5e-3));
  // the pulse covers the 50 steps after the spike; afterwards g decays with rate beta
  const atPulseEnd = g[s0 + 50];
  assert.ok(Math.abs(atPulseEnd / gEnd - 1) < 0.03, `g at pulse end ${atPulseEnd} vs ${gEnd}`);
  const later = g[s0 + 250];
  assert.ok(Math.abs(later / (atPulseEnd * Math.exp(-beta * 2e-3)) - 1) < 0.01, `decay ${later}`);
});

test('NMDA with Mg²⁺ block: the current at clamped voltages follows the Jahr–Stevens curve', () => {
  // Post neurons with a fixed membrane potential integrate their synaptic current into Q.
  const Probe = defineNeuron({ name: 'Probe', equations: 'dQ/dt = I : coulomb\nv : volt\nI : amp (input)' });
  const vs = [-0.08, -0.06, -0.04, -0.02, 0.02];
  const net = new Network({ dt: '0.05 ms', dtype: 'float64' });
  const S = net.add(new NeuronGroup(1, clockSource(1e9, 10), { method: 'euler' }));
  const P = net.add(new NeuronGroup(vs.length, Probe, { init: { v: values(vs, 'volt') } }));
  net.connect(S, P, { comm: new All2All(), weight: '1 nS', syn: NMDA(), out: MgBlock({ E: '0 mV' }) });
  net.run('50 ms');
  const Q = P.get('Q');
  const perDrive = vs.map((v, j) => Q[j] / (0 - v)); // ∝ block fraction
  const ref = perDrive[4] / mgBlockFraction(vs[4]);
  vs.forEach((v, j) => assert.ok(Math.abs(perDrive[j] / ref / mgBlockFraction(v) - 1) < 1e-9, `v = ${v}`));
  assert.ok(mgBlockFraction(-0.08) < 0.1 && mgBlockFraction(0.02) > 0.7, 'strong block at rest, relieved when depolarized');
});

test('rate coupling: a threshold-linear unit driven by another settles at w × r_pre', () => {
  const Rate = defineNeuron({ name: 'Rate', equations: 'dr/dt = (-r + I)/tau : 1\nI : 1 (input)', params: { tau: '10 ms' } });
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const A = net.add(new NeuronGroup(1, Rate));
  const B = net.add(new NeuronGroup(1, Rate));
  A.setInput('I', 2);
  net.connect(A, B, { comm: new All2All(), weight: 0.5, source: 'r' });
  net.run('300 ms');
  assert.ok(Math.abs(A.get('r')[0] - 2) < 1e-6);
  assert.ok(Math.abs(B.get('r')[0] - 1) < 1e-4, `${B.get('r')[0]}`);
});

test('gap junctions pull two passive cells together at rate 1/tau + 2 g R / tau', () => {
  const net = new Network({ dt: '0.01 ms', dtype: 'float64' });
  const P = net.add(new NeuronGroup(2, LIF, { params: { Vth: '1 V' }, init: { v: values([-55, -75], 'mV') }, method: 'exp_euler' }));
  net.connect(P, P, { comm: new FromPairs([0, 1], [1, 0]), weight: '5 nS', gap: 'v' });
  const vm = net.add(new StateMonitor(P, ['v'], { indices: [0, 1] }));
  net.run('5 ms');
  const v0 = vm.trace('v', 0);
  const v1 = vm.trace('v', 1);
  const rate = 1 / 0.01 + (2 * 5e-9 * 1e8) / 0.01; // 1/tau + 2 g R / tau
  const k = 300; // 3 ms
  const measured = -Math.log((v0[k] - v1[k]) / (v0[0] - v1[0])) / (k * 1e-5);
  assert.ok(Math.abs(measured / rate - 1) < 0.01, `${measured} vs ${rate}`);
});

test('heterogeneous delays: each synapse delivers exactly its own delay later', () => {
  const Sum = defineNeuron({ name: 'Sum', equations: 'x : 1' });
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const S = net.add(new NeuronGroup(1, clockSource(1e9, 20), { method: 'euler' }));
  const P = net.add(new NeuronGroup(3, Sum));
  net.connect(S, P, { comm: new All2All(), weight: 1, target: 'x', delay: values([0.5, 1.2, 3], 'ms') });
  const xm = net.add(new StateMonitor(P, ['x'], { indices: [0, 1, 2] }));
  const sm = net.add(new SpikeMonitor(S));
  net.run('6 ms');
  const s0 = sm.spikeSteps()[0];
  [5, 12, 30].forEach((d, j) => {
    const x = xm.trace('x', j);
    assert.equal(x.findIndex((v) => v !== 0), s0 + d, `synapse ${j}`);
  });
});

test('projections with per-synapse weights and CUBA/COBA outputs share one state per dynamics', () => {
  const net = new Network({ seed: 4 });
  const P = net.add(new NeuronGroup(10, LIF));
  net.connect(P, P, { comm: new One2One(), weight: values(Array(10).fill(5), 'pA'), syn: Expon({ tau: '5 ms' }), out: CUBA() });
  net.connect(P, P, { comm: new All2All(), weight: '1 pA', syn: Expon({ tau: '5 ms' }), out: CUBA() });
  net.build();
  assert.deepEqual([...P.runtime!.arrays.keys()].filter((k) => k.startsWith('syn')), ['syn0$g']);
});
