import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  NeuronGroup,
  defineNeuron,
  LIF,
  All2All,
  SpikeGeneratorGroup,
  PoissonInput,
  SpikeMonitor,
  StateMonitor,
  timed,
  sectionInput,
  rampInput,
  BuildError,
  values,
} from '../src/index.js';

test('a spike generator emits exactly the scheduled spikes', () => {
  const net = new Network({ dt: '0.1 ms' });
  const G = net.add(new SpikeGeneratorGroup(3, { indices: [2, 0, 1, 0], times: [1.0, 0.5, 2.35, 3.0], unit: 'ms' }));
  const sm = net.add(new SpikeMonitor(G));
  net.run('2 ms');
  net.run('2 ms'); // continues across runs
  assert.deepEqual(Array.from(sm.spikeSteps()), [5, 10, 24, 30]);
  assert.deepEqual(Array.from(sm.spikes().indices), [0, 2, 1, 0]);
});

test('a spike generator refuses two spikes of one neuron in one step', () => {
  const net = new Network({ dt: '0.1 ms' });
  net.add(new SpikeGeneratorGroup(2, { indices: [1, 1], times: [1.0, 1.02], unit: 'ms', name: 'gen' }));
  assert.throws(() => net.build(), (e: Error) => e instanceof BuildError && /gen/.test(e.message) && /times/.test(e.message));
});

test('Poisson input: the mean number of events per neuron and step is num · rate · dt, and its variance binomial', () => {
  const Sum = defineNeuron({ name: 'Sum', equations: 'x : 1' });
  const net = new Network({ dt: '0.1 ms', seed: 9 });
  const P = net.add(new NeuronGroup(2000, Sum));
  net.add(new PoissonInput(P, { num: 500, rate: '20 Hz', weight: 1, target: 'x' }));
  net.run('100 ms');
  const x = P.get('x'); // events over 1000 steps: Binomial(500, 0.002) per step, summed
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s2 = 0;
  for (const v of x) s2 += (v - m) ** 2;
  s2 /= x.length - 1;
  const mean = 500 * 20 * 0.1;
  const variance = 1000 * 500 * 0.002 * 0.998;
  assert.ok(Math.abs(m / mean - 1) < 0.01, `mean ${m} vs ${mean}`);
  assert.ok(Math.abs(s2 / variance - 1) < 0.1, `variance ${s2} vs ${variance}`);
});

test('Poisson input drives a LIF population like its mean current (diffusion limit)', () => {
  const net = new Network({ dt: '0.1 ms', seed: 2 });
  const P = net.add(new NeuronGroup(200, LIF, { params: { Vth: '0 V' } })); // never spikes
  net.add(new PoissonInput(P, { num: 1000, rate: '10 Hz', weight: '0.1 mV', target: 'v' }));
  net.run('200 ms');
  // dv/dt = -(v - El)/tau + num·rate·w  →  v = El + tau·num·rate·w = -65 mV + 10 ms · 10 kHz · 0.1 mV = -55 mV
  const v = P.get('v');
  let m = 0;
  for (const x of v) m += x;
  m /= v.length;
  assert.ok(Math.abs(m - -0.055) < 5e-4, `mean v ${m}`);
});

test('section and ramp currents drive the input through a timed table', () => {
  const I = sectionInput([0, 300, 0], [20, 50, 30], 0.1); // pA, ms
  assert.equal(I.length, 1000);
  const ramp = rampInput(0, 100, 10, 0.1, 2, 8);
  assert.equal(ramp[19], 0);
  assert.ok(Math.abs(ramp[50] - 50) < 1e-9);
  assert.equal(ramp[90], 0);
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const P = net.add(new NeuronGroup(1, LIF, { params: { Vth: '1 V' }, method: 'exp_euler' }));
  P.setInput('I', timed(I, { dt: '0.1 ms', unit: 'pA' }));
  const vm = net.add(new StateMonitor(P, ['v']));
  net.run('100 ms');
  const v = vm.trace('v');
  assert.ok(Math.abs(v[199] - -0.065) < 1e-12, 'no current before 20 ms');
  // after 50 ms of 300 pA: v = El + R I (1 - e^{-5})
  assert.ok(Math.abs(v[699] - (-0.065 + 0.03 * (1 - Math.exp(-5)))) < 1e-9, `${v[699]}`);
  assert.ok(v[999] < v[699], 'decays after the pulse');
});

test('per-neuron timed inputs and refusals', () => {
  const net = new Network({ dt: '1 ms', dtype: 'float64' });
  const Leak = defineNeuron({ name: 'Leak', equations: 'dx/dt = (I - x)/ms : 1\nI : 1 (input)' });
  const P = net.add(new NeuronGroup(2, Leak, { method: 'exp_euler' }));
  P.setInput('I', timed([1, 2, 3, 4], { dt: '1 ms', perNeuron: 2 }));
  net.run('5 ms');
  assert.ok(P.get('x')[1] > P.get('x')[0]);
  const bad = new Network();
  const Q = bad.add(new NeuronGroup(1, LIF));
  Q.setInput('I', timed([1, 2], { dt: '1 ms', unit: 'mV' }));
  assert.throws(() => bad.build(), (e: Error) => e instanceof BuildError && /input I/.test(e.message) && /pA/.test(e.message));
  const late = new Network();
  const R = late.add(new NeuronGroup(3, LIF));
  late.build();
  R.setInput('I', values([1, 2, 3], 'pA')); // explicit values may change after build
  assert.ok(Math.abs(R.get('ext$I')[2] / 3e-12 - 1) < 1e-6);
});
