/**
 * Continuous coupling on the step engine: pre-aligned synaptic kinetics (NMDA, summed through the
 * weights every step), rate coupling and gap junctions run on the engine (no fallback to the
 * JavaScript loop), with spikes and state identical for 1, 2 and 3 threads and to the JavaScript
 * loop in float64. Each network mixes the engine's three summation loops: one weight on All2All
 * rows (summed once), per-synapse weights on All2All rows (two lanes at a time), sparse rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  NeuronGroup,
  LIF,
  ThresholdLinear,
  WilsonCowan,
  All2All,
  FixedProb,
  Expon,
  NMDA,
  COBA,
  MgBlock,
  PoissonInput,
  SpikeMonitor,
  StateMonitor,
  normal,
  uniform,
  ring,
  BuildError,
} from '../src/index.js';
import { diagonalTable } from '../src/engine/coupling.js';

interface Build {
  threads?: number;
  rank?: { index: number; count: number };
  engine?: boolean;
  backend?: 'js';
  dtype?: 'float32' | 'float64';
}

const netOf = (o: Build, seed: number) => new Network({ dt: '0.1 ms', seed, dtype: o.dtype ?? 'float64', threads: o.threads, engine: o.engine, backend: o.backend, ...(o.rank ? { rank: o.rank } : {}) });
const cell = { El: '-70 mV', Vth: '-50 mV', Vreset: '-55 mV', tau: '20 ms', R: '40 Mohm', tref: '2 ms' };

/** (a) 100 E and 52 I LIF cells: NMDA (pre-aligned, Mg block) E → E, E → I, E → 51 of the I, 99 E → 99 E on a ring and a sparse slice; GABA spikes I → E. */
function nmdaNetwork(o: Build, nmda = true) {
  const net = netOf(o, 7);
  const E = net.add(new NeuronGroup(100, LIF, { name: 'E', params: cell, init: { v: uniform('-70 mV', '-50 mV') } }));
  const I = net.add(new NeuronGroup(52, LIF, { name: 'I', params: { ...cell, tau: '10 ms', R: '50 Mohm', tref: '1 ms' }, init: { v: uniform('-70 mV', '-50 mV') } }));
  const syn = () => ({ syn: NMDA({ a: '0.5 /ms', tau_rise: '2 ms', tau_decay: '100 ms' }), out: MgBlock({ E: '0 mV', Mg: '1 mM' }) });
  if (nmda) {
    net.connect(E, E, { name: 'nmda EE', comm: new All2All(), weight: '0.8 nS', ...syn() });
    net.connect(E, I, { name: 'nmda EI', comm: new All2All(), weight: uniform('0.2 nS', '1 nS'), ...syn() });
    // dense rows of odd length (51; a 15-cell part on 3 threads): the two-lane loops' last pair and last synapse
    net.connect(E, I.slice(1, 52), { name: 'nmda EI odd', comm: new All2All(), weight: uniform('0.01 nS', '0.05 nS'), ...syn() });
    // weights by offset on a ring of 99 (constant along diagonals: the engine reads its diagonal table), rows of odd length
    const profile = Array.from({ length: 99 }, (_, k) => 0.02 + 0.3 * Math.exp(-(Math.min(k, 99 - k) ** 2) / 50) + 0.001 * k);
    net.connect(E.slice(0, 99), E.slice(1, 100), { name: 'nmda EE ring', comm: new All2All(), weight: ring(profile, 'nS'), ...syn() });
    net.connect(E.slice(10, 90), E.slice(20, 100), { name: 'nmda sparse', comm: new FixedProb(0.3), weight: normal('1 nS', '0.3 nS'), ...syn() });
  }
  net.connect(I, E, { name: 'gaba IE', comm: new FixedProb(0.4), weight: '1.5 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '-70 mV' }) });
  net.add(new PoissonInput(E, { name: 'bgE', num: 800, rate: '3 Hz', weight: '2.1 nS', syn: Expon({ tau: '2 ms' }), out: COBA({ E: '0 mV' }) }));
  net.add(new PoissonInput(I, { name: 'bgI', num: 800, rate: '3 Hz', weight: '1.6 nS', syn: Expon({ tau: '2 ms' }), out: COBA({ E: '0 mV' }) }));
  const se = net.add(new SpikeMonitor(E));
  const si = net.add(new SpikeMonitor(I));
  const vm = net.add(new StateMonitor(E, ['v'], { indices: [0, 17, 55, 99] }));
  return { net, groups: [E, I], monitors: { se, si }, states: [vm] };
}

/**
 * (b) ThresholdLinear R → WilsonCowan W through r (sparse, per-synapse weights), W → W through E
 * (All2All, both weight kinds); `delayed`: per-synapse delays on R → W, one delay on each W → W.
 */
function rateNetwork(o: Build, delayed = false) {
  const net = netOf(o, 11);
  const d = (delay: string | ReturnType<typeof uniform>) => (delayed ? { delay } : {});
  const R = net.add(new NeuronGroup(70, ThresholdLinear, { name: 'R', params: { gain: 1.5, theta: 0.2, tau: '10 ms' }, init: { r: uniform(0, 0.5) } }));
  R.setInput('I', 1);
  const W = net.add(new NeuronGroup(50, WilsonCowan, { name: 'W', init: { E: uniform(0, 0.3), I: uniform(0, 0.3) } }));
  net.connect(R, W, { name: 'rw', comm: new FixedProb(0.6), weight: normal(2, 0.5), source: 'r', target: 'P', ...d(uniform('0 ms', '2 ms')) });
  net.connect(W, W, { name: 'ww', comm: new All2All(), weight: normal(0.3, 0.1), source: 'E', target: 'P', ...d('0.7 ms') });
  net.connect(W.slice(0, 33), W, { name: 'ww one weight', comm: new All2All(), weight: -0.05, source: 'I', target: 'P', ...d('1.5 ms') });
  const wm = net.add(new StateMonitor(W, ['E', 'I'], { indices: [0, 16, 31, 49], every: 5 }));
  return { net, groups: [R, W], monitors: {}, states: [wm] };
}

/** (c) 90 LIF cells with gap junctions through v: sparse with one weight, and All2All with per-synapse weights from a slice. */
function gapNetwork(o: Build) {
  const net = netOf(o, 3);
  const P = net.add(new NeuronGroup(90, LIF, { name: 'P', params: { ...cell, R: '100 Mohm' }, init: { v: uniform('-70 mV', '-50 mV') } }));
  P.setInput('I', uniform('150 pA', '260 pA'));
  net.connect(P, P, { name: 'gap sparse', comm: new FixedProb(0.3), gap: 'v', target: 'I', weight: '0.3 nS' });
  net.connect(P.slice(40, 90), P, { name: 'gap dense', comm: new All2All(), gap: 'v', target: 'I', weight: uniform('0.05 nS', '0.2 nS') });
  const sp = net.add(new SpikeMonitor(P));
  const vm = net.add(new StateMonitor(P, ['v'], { indices: [0, 33, 47, 89] }));
  return { net, groups: [P], monitors: { sp }, states: [vm] };
}

interface Built {
  net: Network;
  groups: NeuronGroup[];
  monitors: Record<string, SpikeMonitor>;
  states: StateMonitor[];
}

/** Runs and returns everything as plain arrays: spikes, traces, every array of every group. */
function simulate(make: (o: Build) => Built, o: Build, ms = 150) {
  const n = make(o);
  n.net.run(`${ms} ms`);
  const r: Record<string, number[]> = {};
  for (const [k, m] of Object.entries(n.monitors)) {
    r[`${k}.idx`] = Array.from(m.spikes().indices);
    r[`${k}.steps`] = Array.from(m.spikeSteps());
  }
  n.states.forEach((m, k) => {
    for (const [v, a] of Object.entries(m.result().values)) r[`state${k}.${v}`] = Array.from(a);
  });
  for (const g of n.groups) for (const [key, a] of g.runtime!.arrays) if (a.length === g.size) r[`${g.name}.${key}`] = Array.from(a);
  const out = { r, loop: n.net.loopReason, backend: n.groups[0].runtime!.backend ?? 'js' };
  n.net.close();
  return out;
}

/** Asserts two result sets are identical, naming the first value that differs. */
function assertSame(a: Record<string, number[]>, b: Record<string, number[]>, what: string) {
  assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort(), `${what}: the same arrays`);
  for (const k of Object.keys(a)) {
    assert.equal(b[k].length, a[k].length, `${what}: ${k} has ${b[k].length} values, expected ${a[k].length}`);
    const i = a[k].findIndex((x, j) => !Object.is(x, b[k][j]));
    assert.equal(i, -1, `${what}: ${k}[${i}] is ${b[k][i]}, expected ${a[k][i]}`);
  }
}

/** Runs a network on the JavaScript loop (JavaScript and WebAssembly groups) and on the engine with 1, 2, 3 threads. */
function engineMatchesLoop(make: (o: Build) => Built, dtype: 'float32' | 'float64' = 'float64') {
  const js = simulate(make, { backend: 'js', dtype });
  const loop = simulate(make, { engine: false, dtype });
  const runs = [1, 2, 3].map((threads) => simulate(make, { threads, dtype }));
  assert.match(js.loop ?? '', /backend is 'js'/);
  runs.forEach((r, k) => {
    assert.equal(r.loop, undefined, `${r.backend}: runs on the engine`);
    assert.match(r.backend, new RegExp(`engine×${k + 1}$`));
  });
  // float32: the JavaScript groups integrate in float64 and round on store, the WebAssembly groups in float32
  if (dtype === 'float64') assertSame(js.r, loop.r, 'JavaScript loop with WebAssembly groups');
  assertSame(loop.r, runs[0].r, 'engine, 1 thread');
  assertSame(runs[0].r, runs[1].r, 'engine, 2 threads');
  assertSame(runs[0].r, runs[2].r, 'engine, 3 threads');
  return js.r;
}

const accumulators = (r: Record<string, number[]>, group: string) => Object.keys(r).filter((k) => k.startsWith(`${group}.`) && /acc/.test(k)).map((k) => r[k]);

test('(a) pre-aligned NMDA kinetics: on the engine, identical for 1, 2 and 3 threads and to the JavaScript loop (float64)', () => {
  const r = engineMatchesLoop(nmdaNetwork);
  assert.ok(r['se.idx'].length > 50 && r['si.idx'].length > 20, `${r['se.idx'].length} E and ${r['si.idx'].length} I spikes`);
  // five NMDA accumulators (three on E, two on I), each summing something, and different across neurons where weights differ
  const accE = accumulators(r, 'E');
  const accI = accumulators(r, 'I');
  assert.equal(accE.length + accI.length, 5);
  for (const a of [...accE, ...accI]) assert.ok(a.some((x) => x > 0), 'the accumulator sums the NMDA state');
  assert.ok(new Set(accI[0]).size > 10, 'per-synapse weights give each I cell its own sum');
  // the NMDA drive changes the spikes (the accumulator reaches the post equations)
  const without = simulate((o) => nmdaNetwork(o, false), { threads: 2 });
  assert.notDeepEqual(without.r['se.idx'], r['se.idx']);
});

test('(a) float32 state: identical for 1, 2 and 3 threads and to the JavaScript loop with WebAssembly groups (each term rounded as the loop stores it)', () => {
  engineMatchesLoop(nmdaNetwork, 'float32');
});

test('(b) rate coupling: on the engine, identical for 1, 2 and 3 threads and to the JavaScript loop (float64)', () => {
  const r = engineMatchesLoop(rateNetwork);
  // W's input moves and differs between units
  const acc = accumulators(r, 'W');
  assert.equal(acc.length, 3);
  for (const a of acc) assert.ok(new Set(a).size > 1 || a[0] !== 0, 'the accumulator sums the source');
  assert.ok(new Set(r['state0.E']).size > 20, 'W.E changes over time and between units');
});

test('(b) delayed rate coupling (per-synapse and single delays, constant history): on the engine, identical for 1, 2 and 3 threads and to the JavaScript loop (float64)', () => {
  const r = engineMatchesLoop((o) => rateNetwork(o, true));
  // the delays matter
  const now = simulate((o) => rateNetwork(o, false), { threads: 2 });
  assert.notDeepEqual(now.r['state0.E'], r['state0.E']);
});

test('(b) the history of delayed rate coupling is engine state: store → run → restore → run repeats the run (2 threads)', () => {
  // stored at 1 ms, while the history still holds the constant start for the longer delays
  const n = rateNetwork({ threads: 2 }, true);
  n.net.run('1 ms');
  n.net.store();
  n.net.run('3 ms');
  const first = Array.from(n.groups[1].get('E'));
  n.net.restore();
  n.net.run('3 ms');
  assert.deepEqual(Array.from(n.groups[1].get('E')), first);
  n.net.close();
});

test('(c) gap junctions: on the engine, identical for 1, 2 and 3 threads and to the JavaScript loop (float64)', () => {
  const r = engineMatchesLoop(gapNetwork);
  assert.ok(r['sp.idx'].length > 50, `${r['sp.idx'].length} spikes`);
  const acc = accumulators(r, 'P');
  assert.equal(acc.length, 2);
  for (const a of acc) assert.ok(a.some((x) => x > 0) && a.some((x) => x < 0), 'gap currents flow both ways');
});

test('what stays on the JavaScript loop says why: a source changed by an earlier spike projection; a split network refuses continuous coupling', () => {
  const delayed = (o: Build, delay?: string) => {
    const net = netOf(o, 1);
    const R = net.add(new NeuronGroup(20, ThresholdLinear, { name: 'R' }));
    const W = net.add(new NeuronGroup(20, WilsonCowan, { name: 'W' }));
    net.connect(R, W, { name: 'rw', comm: new FixedProb(0.5), weight: 1, source: 'r', target: 'P', ...(delay ? { delay } : {}) });
    return net;
  };
  for (const delay of [undefined, '2 ms']) {
    const net = delayed({}, delay).build();
    assert.equal(net.loopReason, undefined);
    net.close();
  }
  // a delta projection onto the source r, declared before the coupling: the loop's sum would see its increments
  const changed = (o: Build) => {
    const net = netOf(o, 1);
    const S = net.add(new NeuronGroup(20, LIF, { name: 'S' }));
    const R = net.add(new NeuronGroup(20, ThresholdLinear, { name: 'R' }));
    const W = net.add(new NeuronGroup(20, WilsonCowan, { name: 'W' }));
    net.connect(S, R, { name: 'kick', comm: new FixedProb(0.5), weight: 0.1, target: 'r' });
    net.connect(R, W, { name: 'rw', comm: new FixedProb(0.5), weight: 1, source: 'r', target: 'P' });
    return net;
  };
  const loop = changed({}).build();
  assert.match(loop.loopReason ?? '', /'rw'.*source 'r'.*'kick'/);
  loop.close();
  assert.throws(() => changed({ threads: 2 }).build(), (e: unknown) => e instanceof BuildError && /threads/.test(e.message) && /'kick'/.test(e.message));
  assert.throws(() => delayed({ rank: { index: 0, count: 2 } }).build(), (e: unknown) => e instanceof BuildError && /rank/.test(e.message) && /continuous coupling/.test(e.message));
});

test('diagonal tables: dense weights constant along diagonals become one table of pre + post − 1 values; anything else keeps its weights', () => {
  const dense = (pre: number, L: number) => ({ indptr: Int32Array.from({ length: pre + 1 }, (_, r) => r * L), indices: Int32Array.from({ length: pre * L }, (_, s) => s % L) });
  // 3 pre × 4 post, w[r][k] = 10·(k − r): row r is t[2 − r .. 5 − r]
  const d = dense(3, 4);
  const w = Float64Array.from({ length: 12 }, (_, s) => 10 * ((s % 4) - Math.floor(s / 4)));
  assert.deepEqual(Array.from(diagonalTable(d.indptr, d.indices, w, 3, false)!), [-20, -10, 0, 10, 20, 30]);
  // one weight off its diagonal: no table
  const w2 = w.slice();
  w2[9] += 1;
  assert.equal(diagonalTable(d.indptr, d.indices, w2, 3, false), null);
  // rows that are not dense: no table
  assert.equal(diagonalTable(Int32Array.of(0, 2, 4), Int32Array.of(0, 1, 1, 2), Float64Array.of(1, 2, 1, 2), 2, false), null);
  // float32 weights: the table holds them as the engine's float32 copy does (0.1 and its float32 rounding are one diagonal)
  const w3 = Float64Array.of(0.1, 0.2, 0.3, Math.fround(0.1));
  const t = diagonalTable(Int32Array.of(0, 2, 4), Int32Array.of(0, 1, 0, 1), w3, 2, true)!;
  assert.deepEqual(Array.from(t), [Math.fround(0.3), Math.fround(0.1), Math.fround(0.2)]);
  assert.equal(diagonalTable(Int32Array.of(0, 2, 4), Int32Array.of(0, 1, 0, 1), w3, 2, false), null);
});
