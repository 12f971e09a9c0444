/**
 * The step engine (src/engine/): whole steps in one WebAssembly module, on one or more threads.
 * Results must not depend on the thread count, and must agree with the JavaScript step loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  NeuronGroup,
  LIF,
  defineNeuron,
  FixedProb,
  Expon,
  CUBA,
  SpikeMonitor,
  RateMonitor,
  BuildError,
  DivergenceError,
  values,
  uniform,
  normal,
} from '../src/index.js';
import { cobaNetwork, cubaNetwork } from '../examples/models.js';

function trains(build: typeof cobaNetwork, opts: { threads?: number; engine?: boolean; dtype?: 'float32' | 'float64' }, ms = 200) {
  const { net, spikes, P } = build({ scale: 0.25, seed: 11, ...opts });
  net.run(`${ms} ms`);
  const s = spikes.spikes();
  const v = Float64Array.from(P.get('v'));
  const backend = P.runtime!.backend;
  net.close();
  return { s, v, backend };
}

test('COBA and CUBA: identical spike trains and final state with 1 and 2 threads', () => {
  for (const build of [cobaNetwork, cubaNetwork]) {
    const one = trains(build, { threads: 1 });
    const two = trains(build, { threads: 2 });
    assert.match(one.backend ?? '', /engine×1/);
    assert.match(two.backend ?? '', /engine×2/);
    assert.ok(one.s.indices.length > 200, `${build.name}: ${one.s.indices.length} spikes`);
    assert.deepEqual(two.s.indices, one.s.indices);
    assert.deepEqual(two.s.times, one.s.times);
    assert.deepEqual(two.v, one.v);
  }
});

test('three threads and float64 state: still identical to one thread', () => {
  const one = trains(cobaNetwork, { threads: 1, dtype: 'float64' }, 100);
  const three = trains(cobaNetwork, { threads: 3, dtype: 'float64' }, 100);
  assert.match(three.backend ?? '', /f64x2 engine×3/);
  assert.deepEqual(three.s.indices, one.s.indices);
  assert.deepEqual(three.v, one.v);
});

test('the engine agrees with the JavaScript step loop (same model, same seed)', () => {
  // float64 state: both compute the same float64 operations except the update kernel's
  // (SIMD f64x2 vs scalar JS, identical IEEE arithmetic), so the trains coincide.
  const eng = trains(cubaNetwork, { dtype: 'float64' });
  const js = trains(cubaNetwork, { engine: false, dtype: 'float64' });
  assert.match(eng.backend ?? '', /engine/);
  assert.doesNotMatch(js.backend ?? '', /engine/);
  assert.deepEqual(eng.s.indices, js.s.indices);
  assert.deepEqual(eng.s.times, js.s.times);
  // float32: the rates stay close
  const e32 = trains(cobaNetwork, {}).s.indices.length;
  const j32 = trains(cobaNetwork, { engine: false }).s.indices.length;
  assert.ok(Math.abs(e32 - j32) / j32 < 0.05, `engine ${e32} vs JS ${j32} spikes`);
});

/** Two groups, slices, a homogeneous delay and per-synapse weights. */
function delayedNet(threads: number, engine = true) {
  const net = new Network({ dt: '0.1 ms', seed: 3, threads, engine, dtype: 'float64' });
  const A = net.add(new NeuronGroup(203, LIF, { name: 'A', params: { El: '-49 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '2 ms', R: '100 Mohm' }, init: { v: uniform('-60 mV', '-50 mV') } }));
  const B = net.add(new NeuronGroup(150, LIF, { name: 'B', params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '10 ms', tref: '2 ms', R: '100 Mohm' }, init: { v: normal('-55 mV', '2 mV') } }));
  net.connect(A.slice(10, 190), B, { comm: new FixedProb(0.2), weight: uniform('20 pA', '80 pA'), delay: '1.5 ms', syn: Expon({ tau: '5 ms' }), out: CUBA() });
  net.connect(B, A.slice(0, 100), { comm: new FixedProb(0.1), weight: '-30 pA', delay: '0.3 ms', syn: Expon({ tau: '10 ms' }), out: CUBA() });
  net.connect(B, B.slice(40, 150), { comm: new FixedProb(0.1), weight: '0.2 mV', target: 'v' });
  const sa = net.add(new SpikeMonitor(A));
  const sb = net.add(new SpikeMonitor(B.slice(20, 140)));
  const rb = net.add(new RateMonitor(B));
  net.run('150 ms');
  const out = { a: sa.spikes(), b: sb.spikes(), rate: rb.result().rate, backend: B.runtime!.backend };
  net.close();
  return out;
}

test('delays, slices, per-synapse weights and two groups: same results for 1, 2 threads and the JS loop', () => {
  const one = delayedNet(1);
  const two = delayedNet(2);
  const js = delayedNet(1, false);
  assert.match(two.backend ?? '', /engine×2/);
  assert.ok(one.a.indices.length > 100 && one.b.indices.length > 20, `${one.a.indices.length} / ${one.b.indices.length} spikes`);
  for (const k of ['a', 'b'] as const) {
    assert.deepEqual(two[k].indices, one[k].indices);
    assert.deepEqual(two[k].times, one[k].times);
    assert.deepEqual(js[k].indices, one[k].indices);
  }
  assert.deepEqual(two.rate, one.rate);
  assert.deepEqual(js.rate, one.rate);
});

test('record buffers that fill up end a chunk early and lose no spike', () => {
  // 20 000 neurons firing every step: the per-thread record buffer (16 × range) fills every 16 steps.
  const Fire = defineNeuron({ name: 'Fire', equations: 'dv/dt = 1/ms : 1', threshold: 'v > 0.05', reset: 'v = 0' });
  const net = new Network({ dt: '0.1 ms', threads: 2 });
  const G = net.add(new NeuronGroup(20000, Fire, { method: 'euler' }));
  const sm = net.add(new SpikeMonitor(G));
  net.run('10 ms');
  net.close();
  // v: 0, 0.1 → spike every step from step 0 on (v + 0.1 > 0.05), reset to 0
  assert.equal(sm.numSpikes, 20000 * 100);
  const steps = sm.spikeSteps();
  for (let k = 1; k < steps.length; k++) assert.ok(steps[k] >= steps[k - 1]);
});

test('a diverging run on the engine stops with the variable, neuron and step, and keeps the spikes', () => {
  const Blowup = defineNeuron({ name: 'Blowup', equations: 'dx/dt = x*x/ms : 1', threshold: 'x > 0.6', reset: 'x = x', init: { x: 0 } });
  for (const threads of [1, 2]) {
    const net = new Network({ dt: '0.1 ms', dtype: 'float64', threads });
    const G = net.add(new NeuronGroup(40, Blowup, { init: { x: values(Array.from({ length: 40 }, (_, i) => (i === 33 ? 0.5 : 0))) }, method: 'euler' }));
    const sm = net.add(new SpikeMonitor(G));
    assert.throws(
      () => net.run('100 ms'),
      (e: Error) => e instanceof DivergenceError && e.variable === 'x' && e.neuron === 33 && e.step > 10 && e.step < 40,
    );
    net.close();
    assert.ok(sm.numSpikes > 0, 'spikes before the divergence are kept');
  }
});

test('threads > 1 are refused with the part that prevents them', () => {
  const net = new Network({ threads: 2 });
  const P = net.add(new NeuronGroup(10, LIF));
  // a monitor of one's own (not a spike, rate or state monitor) keeps a network off the engine
  net.add({ name: 'mine', source: P.slice(0, 10), reserve: () => undefined, record: () => undefined, clear: () => undefined });
  assert.throws(() => net.build(), (e: Error) => e instanceof BuildError && /threads/.test(e.message) && /monitor 'mine'/.test(e.message));
  assert.throws(() => new Network({ threads: 0 }).build(), (e: Error) => e instanceof BuildError && /threads/.test(e.message));
});

test('closing the threads between runs and running on gives the same trains as one run', () => {
  const whole = trains(cobaNetwork, { threads: 2 }, 100).s;
  const { net, spikes } = cobaNetwork({ scale: 0.25, seed: 11, threads: 2 });
  net.run('40 ms');
  net.close();
  net.run('60 ms');
  net.close();
  const parts = spikes.spikes();
  assert.deepEqual(parts.indices, whole.indices);
  assert.deepEqual(parts.times, whole.times);
});

test('an input that is uniform, then per-neuron, then uniform again: the engine follows (same as the JS loop)', () => {
  const run = (engine: boolean) => {
    const net = new Network({ dt: '0.1 ms', seed: 5, dtype: 'float64', engine });
    const P = net.add(new NeuronGroup(37, LIF, { params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '2 ms' }, init: { v: uniform('-60 mV', '-50 mV') } }));
    net.connect(P, P, { comm: new FixedProb(0.2), weight: '0.5 mV', target: 'v' });
    const sm = net.add(new SpikeMonitor(P));
    P.setInput('I', '150 pA');
    net.run('50 ms');
    P.setInput('I', values(Array.from({ length: 37 }, (_, i) => 100 + 10 * i), 'pA'));
    net.run('50 ms');
    P.setInput('I', '300 pA');
    net.run('50 ms');
    return { s: sm.spikes(), backend: P.runtime!.backend };
  };
  const eng = run(true);
  const js = run(false);
  assert.match(eng.backend ?? '', /engine/);
  assert.ok(eng.s.indices.length > 100);
  assert.deepEqual(eng.s.indices, js.s.indices);
  assert.deepEqual(eng.s.times, js.s.times);
});

test('a constant external input is read as one value by the engine (not streamed per neuron)', () => {
  // The network keys its arrays by minted symbols; the engine must still know which are inputs.
  const { net, P } = cobaNetwork({ scale: 0.1, seed: 1 });
  net.build();
  const engine = (net as unknown as { engine: { uniformInputs(g: number): string[] } }).engine;
  assert.equal(engine.uniformInputs(0).length, 1, 'the input current I of the COBA group');
  // a per-neuron input keeps the streaming update, with the same result as the JavaScript loop
  const a = cobaNetwork({ scale: 0.1, seed: 1 });
  const b = cobaNetwork({ scale: 0.1, seed: 1, engine: false });
  for (const x of [a, b]) x.P.setInput('I', values(Array.from({ length: x.P.size }, (_, i) => 200 + (i % 7)), 'pA'));
  a.net.run('100 ms');
  b.net.run('100 ms');
  assert.deepEqual(a.spikes.spikes().indices, b.spikes.spikes().indices);
  void P;
});
