/**
 * Batched runs (src/core/batch.ts, src/engine/batch.ts): B copies of one network with shared
 * connectivity must give, copy for copy, the spikes of B separate networks, for any thread count;
 * bad batch input is refused naming the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, LIF, defineNeuron, FixedProb, SpikeMonitor, StateMonitor, PoissonInput, PoissonGroup, BuildError, uniform, type NetworkOptions, type SpikeTrains } from '../src/index.js';
import { defineExperiment, grid, sweep, batchedInProcess, meanRateMetric, spikeCountMetric } from '../src/index.js';
import { cobaNetwork } from '../examples/models.js';

const SCALE = 0.25; // 1000 neurons, built as bench/README's COBA (LIF, Expon COBA synapses, FixedProb 0.02)
const SEED = 11;
const CURRENTS = ['0 pA', '40 pA', '80 pA', '120 pA', '160 pA', '200 pA', '240 pA', '280 pA'];

function same(a: SpikeTrains, b: SpikeTrains, label: string): void {
  assert.equal(b.indices.length, a.indices.length, `${label}: spike count`);
  assert.deepEqual(Array.from(b.indices), Array.from(a.indices), `${label}: spike indices`);
  assert.deepEqual(Array.from(b.times), Array.from(a.times), `${label}: spike times`);
}

function batched(threads: number, ms: number) {
  const { net, spikes } = cobaNetwork({ scale: SCALE, seed: SEED, threads });
  const batch = net.runBatch(`${ms} ms`, { copies: CURRENTS.length, params: { 'P.I': CURRENTS } });
  net.close();
  return CURRENTS.map((_, c) => batch.spikes(spikes, c));
}

test('8 batched COBA copies with 8 input currents give, copy for copy, the spikes of 8 separate networks', () => {
  const ms = 150;
  const copies = batched(1, ms);
  CURRENTS.forEach((current, c) => {
    const { net, P, spikes } = cobaNetwork({ scale: SCALE, seed: SEED });
    P.setInput('I', current);
    net.run(`${ms} ms`);
    const alone = spikes.spikes();
    assert.ok(alone.indices.length > 100, `copy ${c}: ${alone.indices.length} spikes`);
    same(alone, copies[c], `copy ${c} (${current})`);
    net.close();
  });
  // the currents matter: no two copies give the same spikes (so the copies did not all run one value)
  const keys = copies.map((s) => `${s.indices.length}:${Array.from(s.indices.subarray(0, 200)).join(',')}`);
  assert.equal(new Set(keys).size, CURRENTS.length, `spike counts ${copies.map((s) => s.indices.length).join(', ')}`);
});

test('a batch on 2 threads gives the spikes of the batch on 1 thread', () => {
  const one = batched(1, 100);
  const two = batched(2, 100);
  one.forEach((s, c) => same(s, two[c], `copy ${c}`));
});

/** A noisy network: white noise, rand() in the threshold, randn() in the reset, Poisson input; connectivity with its own seed. */
function noisy(opts: NetworkOptions) {
  const Noisy = defineNeuron({
    name: 'NoisyLIF',
    equations: 'dv/dt = (El - v + R*I)/tau + sigma*sqrt(2/tau)*xi : volt\nI : amp (input)',
    params: { El: '-60 mV', tau: '10 ms', R: '100 Mohm', Vth: '-50 mV', Vr: '-60 mV', sigma: '3 mV' },
    threshold: 'v > Vth + 0.5*mV*rand()',
    reset: 'v = Vr + 1*mV*randn()',
    refractory: '2 ms',
    init: { v: '-58 mV' },
  });
  const net = new Network({ dt: '0.1 ms', ...opts });
  const P = net.add(new NeuronGroup(203, Noisy, { name: 'P' }));
  P.setInput('I', '90 pA');
  net.add(new PoissonInput(P, { num: 20, rate: '20 Hz', weight: '0.4 mV', target: 'v' }));
  net.connect(P, P, { comm: new FixedProb(0.1, { seed: 5 }), weight: '0.3 mV', target: 'v', delay: '1 ms' });
  const sm = net.add(new SpikeMonitor(P));
  return { net, P, sm };
}

test('per-copy seeds and currents: each copy of a noisy network draws what a separate network with that seed draws', () => {
  const seeds = [17, 4, 9];
  const currents = ['90 pA', '90 pA', '120 pA'];
  const { net, sm } = noisy({ seed: 17, threads: 2 });
  const batch = net.runBatch('100 ms', { copies: 3, params: { 'P.I': currents }, seeds });
  net.close();
  seeds.forEach((seed, c) => {
    const alone = noisy({ seed });
    alone.P.setInput('I', currents[c]);
    alone.net.run('100 ms');
    assert.ok(alone.sm.numSpikes > 50, `copy ${c}: ${alone.sm.numSpikes} spikes`);
    same(alone.sm.spikes(), batch.spikes(sm, c), `copy ${c} (seed ${seed}, ${currents[c]})`);
  });
  // the same current, other seeds: other spikes
  assert.notDeepEqual(Array.from(batch.spikes(sm, 0).indices), Array.from(batch.spikes(sm, 1).indices));
  // the state is per copy, and the network's own state did not move
  assert.equal(net.stepIndex, 0);
  assert.notDeepEqual(Array.from(batch.get(batch_group(net), 'v', 0)), Array.from(batch.get(batch_group(net), 'v', 1)));
});

function batch_group(net: Network): NeuronGroup {
  return net.populations[0] as NeuronGroup;
}

function refused(f: () => unknown, field: RegExp, problem: RegExp): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof BuildError, `expected a BuildError, got ${String(err)}`);
    assert.match(err.field, field);
    assert.match(err.message, problem);
    return true;
  });
}

test('bad batch input is refused with a message naming the field', () => {
  const { net } = cobaNetwork({ scale: 0.05, seed: 1 });
  refused(() => net.batch({ copies: 3, params: { 'P.I': ['1 pA', '2 pA'] } }), /params\['P\.I'\]/, /2 values for 3 copies/);
  refused(() => net.batch({ copies: 2, params: { 'P.I': ['1 pA', NaN] } }), /params\['P\.I'\]\[1\]/, /finite/);
  refused(() => net.batch({ copies: 2, params: { 'P.I': ['1 pA', Infinity] } }), /params\['P\.I'\]\[1\]/, /finite/);
  refused(() => net.batch({ copies: 2, params: { 'P.I': ['1 pA', '2 mV'] } }), /params\['P\.I'\]\[1\]/, /dimension/);
  refused(() => net.batch({ copies: 2, params: { 'P.Ix': ['1 pA', '2 pA'] } }), /params\['P\.Ix'\]/, /not an input, parameter or state variable.*did you mean 'I'/);
  refused(() => net.batch({ copies: 2, params: { 'Q.I': ['1 pA', '2 pA'] } }), /params\['Q\.I'\]/, /no group named 'Q'/);
  refused(() => net.batch({ copies: 2, params: { 'P.El': ['-60 mV', '-55 mV'] } }), /params\['P\.El'\]/, /scalar parameter.*compiled into its update/);
  refused(() => net.batch({ copies: 0 }), /copies/, /integer in \[1, 4096\]/);
  refused(() => net.batch({ copies: 2, seeds: [1] }), /seeds/, /1 values for 2 copies/);
  refused(() => net.batch({ copies: 2, seeds: [1, -3] }), /seeds\[1\]/, /integer/);
  refused(() => net.batch({ copies: 2, cpoies: 3 } as never), /options\.cpoies/, /unknown key/);
  net.close();
});

test('what a batch cannot run is refused at build, naming the reason', () => {
  const a = cobaNetwork({ scale: 0.05, seed: 1 });
  a.net.add(new StateMonitor(a.P, ['v'], { indices: [0] }));
  refused(() => a.net.batch({ copies: 2 }), /monitor/, /StateMonitor; batched runs record spike monitors only/);
  const b = cobaNetwork({ scale: 0.05, seed: 1, engine: false });
  refused(() => b.net.batch({ copies: 2 }), /network/, /need the step engine, but engine is false/);
  const c = cobaNetwork({ scale: 0.05, seed: 1 });
  c.net.run('1 ms');
  refused(() => c.net.batch({ copies: 2 }), /network/, /already run 10 steps/);
  // continuous coupling runs on the step engine, but not in a batch yet
  const d = new Network({ dt: '0.1 ms', seed: 1 });
  const P = d.add(new NeuronGroup(40, LIF, { name: 'P', params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '2 ms' } }));
  d.connect(P, P, { name: 'gaps', comm: new FixedProb(0.3), gap: 'v', target: 'I', weight: '0.3 nS' });
  d.build();
  assert.equal(d.loopReason, undefined);
  refused(() => d.batch({ copies: 2 }), /projection 'gaps'/, /continuous coupling/);
});

test('a sweep over a batchable current, run as batches, gives the table of the unbatched sweep', async () => {
  const experiment = defineExperiment({
    name: 'batch-coba',
    params: ['I'],
    build: (p, seed) => {
      const m = cobaNetwork({ scale: 0.1, seed });
      m.P.setInput('I', `${p.I} pA`);
      return m;
    },
    duration: '100 ms',
    metrics: { rate: meanRateMetric(), spikes: spikeCountMetric() },
    batch: { I: { target: 'P.I', unit: 'pA' } },
  });
  const space = grid({ I: [0, 100, 200] }, { seeds: 2 });
  const plain = await sweep(experiment, space);
  const batched = await sweep(experiment, space, { runner: batchedInProcess() });
  assert.equal(batched.failed, 0, [...batched.errors.values()].join('; '));
  for (const name of plain.names) assert.deepEqual(Array.from(batched.column(name)), Array.from(plain.column(name)), `column ${name}`);
  // the jobs measured different runs
  assert.equal(new Set(Array.from(plain.column('spikes'))).size, 6);
});

test('a long run whose spikes fill the record buffers several times: every copy still equals its separate network', () => {
  // 1 000 fast-firing neurons (≈ 300 Hz): about 3·10⁵ spikes per copy, 5 times a buffer of 65 536
  const build = (threads = 1) => {
    const net = new Network({ dt: '0.1 ms', seed: 3, threads });
    const P = net.add(new NeuronGroup(1000, LIF, { name: 'P', params: { tau: '10 ms', Vth: '-50 mV', El: '-60 mV', Vreset: '-60 mV', R: '100 Mohm', tref: '1 ms' }, init: { v: uniform('-60 mV', '-50 mV') } }));
    net.connect(P, P, { comm: new FixedProb(0.02), weight: '0.1 mV', target: 'v' });
    return { net, P, sm: net.add(new SpikeMonitor(P)) };
  };
  const currents = ['400 pA', '450 pA'];
  const { net, sm } = build(2);
  const batch = net.runBatch('1 s', { copies: 2, params: { 'P.I': currents } });
  net.close();
  currents.forEach((current, c) => {
    const alone = build();
    alone.P.setInput('I', current);
    alone.net.run('1 s');
    assert.ok(alone.sm.numSpikes > 2 * 65536, `${alone.sm.numSpikes} spikes`);
    same(alone.sm.spikes(), batch.spikes(sm, c), `copy ${c}`);
    assert.equal(batch.stepOf(c), 10000);
  });
});

test('per-copy values of a per-neuron parameter and of a starting state equal separate networks given those values', () => {
  const build = (tau: string, v0: string) => {
    const net = new Network({ dt: '0.1 ms', seed: 5 });
    const P = net.add(new NeuronGroup(300, LIF, { name: 'P', params: { tau: uniform(tau, tau), Vth: '-50 mV', El: '-60 mV', Vreset: '-60 mV', R: '100 Mohm' }, init: { v: v0 } }));
    P.setInput('I', '120 pA');
    net.connect(P, P, { comm: new FixedProb(0.05), weight: '0.2 mV', target: 'v' });
    return { net, P, sm: net.add(new SpikeMonitor(P)) };
  };
  const taus = ['8 ms', '12 ms', '20 ms'];
  const v0s = ['-60 mV', '-52 mV', '-55 mV'];
  const { net, sm } = build('10 ms', '-58 mV');
  const batch = net.runBatch('100 ms', { copies: 3, params: { 'P.tau': taus, 'P.v': v0s } });
  taus.forEach((tau, c) => {
    const alone = build(tau, v0s[c]);
    alone.net.run('100 ms');
    assert.ok(alone.sm.numSpikes > 100, `copy ${c}: ${alone.sm.numSpikes} spikes`);
    same(alone.sm.spikes(), batch.spikes(sm, c), `copy ${c} (tau ${tau}, v ${v0s[c]})`);
    assert.deepEqual(Array.from(batch.get(net.populations[0] as NeuronGroup, 'v', c)), Array.from(alone.P.get('v')), `copy ${c}: final v`);
  });
});

test('per-synapse delays, just-in-time rows (skips and rare rows) and a PoissonGroup run in a batch: each copy equals its separate network', () => {
  const build = (I: string, seed: number, threads = 1) => {
    const net = new Network({ dt: '0.1 ms', seed, threads });
    const S = net.add(new PoissonGroup(200, { rates: '30 Hz', name: 'S' }));
    const P = net.add(new NeuronGroup(500, LIF, { name: 'P', params: { tau: '10 ms', Vth: '-50 mV', El: '-60 mV', Vreset: '-60 mV', R: '100 Mohm', tref: '2 ms' }, init: { v: '-55 mV' } }));
    P.setInput('I', I);
    net.connect(S, P, { comm: new FixedProb(0.1), weight: '1 mV', target: 'v', delay: uniform('1 ms', '4 ms') });
    net.connect(P, P, { comm: new FixedProb(0.05), weight: '0.3 mV', target: 'v', jit: true, delay: '1.5 ms' });
    // rare rows (p ≤ 2^-10: a count and positions, src/connect/rare_rows.ts) onto a larger group
    const Q = net.add(new NeuronGroup(4000, LIF, { name: 'Q', params: { tau: '10 ms', Vth: '-50 mV', El: '-60 mV', Vreset: '-60 mV', R: '100 Mohm', tref: '2 ms' }, init: { v: '-55 mV' } }));
    Q.setInput('I', '40 pA');
    net.connect(P, Q, { comm: new FixedProb(0.0009), weight: '6 mV', target: 'v', jit: true });
    return { net, sm: net.add(new SpikeMonitor(P)), ss: net.add(new SpikeMonitor(S)), sq: net.add(new SpikeMonitor(Q)) };
  };
  const currents = ['50 pA', '80 pA'];
  const { net, sm, ss, sq } = build('10 pA', 1, 2);
  assert.equal(net.loopReason, undefined);
  const batch = net.runBatch('200 ms', { copies: 2, params: { 'P.I': currents } });
  net.close();
  currents.forEach((current, c) => {
    const alone = build(current, 1);
    alone.net.run('200 ms');
    assert.ok(alone.sm.numSpikes > 1000, `copy ${c}: ${alone.sm.numSpikes} spikes`);
    same(alone.sm.spikes(), batch.spikes(sm, c), `copy ${c}: P`);
    same(alone.ss.spikes(), batch.spikes(ss, c), `copy ${c}: S`);
    assert.ok(alone.sq.numSpikes > 500, `copy ${c}: ${alone.sq.numSpikes} spikes in Q`);
    same(alone.sq.spikes(), batch.spikes(sq, c), `copy ${c}: Q`);
  });
});

test('a copy that diverges stops alone; the other copies run to the end', () => {
  const Grow = defineNeuron({ name: 'Grow', equations: 'dx/dt = a*x : 1', params: { a: '0 Hz' }, init: { x: 1 } });
  const net = new Network({ dt: '0.1 ms', seed: 1 });
  const G = net.add(new NeuronGroup(8, Grow, { name: 'G', params: { a: uniform('0 Hz', '0 Hz') } }));
  net.add(new SpikeMonitor(G));
  // e^(a·t) passes float32's largest value (e^88.7) after about 44 ms at a = 2000/s
  const batch = net.runBatch('100 ms', { copies: 3, params: { 'G.a': ['0 Hz', '2000 Hz', '10 Hz'] } });
  assert.equal(batch.diverged(0), undefined);
  assert.equal(batch.diverged(2), undefined);
  assert.equal(batch.stepOf(0), 1000);
  assert.equal(batch.stepOf(2), 1000);
  const d = batch.diverged(1);
  assert.ok(d && d.group === 'G' && d.step > 400 && d.step < 500, JSON.stringify(d));
  assert.ok(batch.stepOf(1) < 500);
  assert.ok(Math.abs(batch.get(G, 'x', 2)[0] - Math.exp(1)) < 1e-3);
});
