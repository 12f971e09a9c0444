/**
 * Just-in-time connectivity on the step engine (src/engine/jit.ts): rows regenerated in
 * WebAssembly on each spike must be the rows the JavaScript loop regenerates (and the rows
 * FixedProb stores), so the spikes agree whatever the thread count and whichever loop runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, LIF, defineNeuron, FixedProb, Expon, COBA, SpikeMonitor, normal } from '../src/index.js';
import { ROW_BLOCK } from '../src/connect/geometric.js';
import { partition } from '../src/engine/engine.js';

/** A recurrent COBA-style LIF population: self-connections left out (at offsets 0 and ne − 100), slices, a delay, a delta synapse onto v. */
function jitNet(opts: { threads?: number; engine?: boolean; dtype?: 'float32' | 'float64'; jit?: boolean; N?: number; p?: number; ms?: number }) {
  const N = opts.N ?? 1200;
  const p = opts.p ?? 0.05;
  const jit = opts.jit ?? true;
  const net = new Network({ dt: '0.1 ms', seed: 9, threads: opts.threads ?? 1, engine: opts.engine ?? true, dtype: opts.dtype ?? 'float64' });
  const P = net.add(new NeuronGroup(N, LIF, { params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '5 ms' }, init: { v: normal('-55 mV', '5 mV') } }));
  P.setInput('I', '200 pA');
  const ne = Math.floor(0.8 * N);
  const k = p * N;
  net.connect(P.slice(0, ne), P, { comm: new FixedProb(p, { allowSelf: false }), weight: `${480 / k} nS`, syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), jit });
  net.connect(P.slice(ne), P.slice(100), { comm: new FixedProb(p, { allowSelf: false }), weight: `${5360 / k} nS`, delay: '1 ms', syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-80 mV' }), jit });
  net.connect(P.slice(0, 300), P.slice(0, 600), { comm: new FixedProb(p), weight: '0.05 mV', target: 'v', jit });
  const sm = net.add(new SpikeMonitor(P));
  net.run(`${opts.ms ?? 150} ms`);
  const s = sm.spikes();
  const out = { indices: Array.from(s.indices), times: Array.from(s.times), loopReason: net.loopReason, backend: P.runtime!.backend ?? '' };
  net.close();
  return out;
}

test('just-in-time rows on the engine: identical spikes for 1, 2 and 3 threads and the JavaScript loop', () => {
  const js = jitNet({ engine: false });
  const one = jitNet({ threads: 1 });
  const two = jitNet({ threads: 2 });
  const three = jitNet({ threads: 3 });
  assert.doesNotMatch(js.backend, /engine/);
  assert.match(one.backend, /engine×1/);
  assert.match(two.backend, /engine×2/);
  assert.match(three.backend, /engine×3/);
  assert.equal(one.loopReason, undefined, 'the just-in-time network runs on the engine');
  assert.ok(one.indices.length > 1000, `${one.indices.length} spikes`);
  for (const other of [js, two, three]) {
    assert.deepEqual(other.indices, one.indices);
    assert.deepEqual(other.times, one.times);
  }
});

test('float32 on two threads: the just-in-time network spikes as the one with the same rows stored', () => {
  const stored = jitNet({ threads: 2, dtype: 'float32', jit: false });
  const jit = jitNet({ threads: 2, dtype: 'float32' });
  assert.match(jit.backend, /engine×2/);
  assert.ok(stored.indices.length > 1000);
  assert.deepEqual(jit.indices, stored.indices);
  assert.deepEqual(jit.times, stored.times);
});

test('sparse rows that take exact (logarithm) skips: still identical to the JavaScript loop, on 2 threads too', () => {
  // p = 0.002: the skip table of 2^15 buckets leaves the draws with u < 2^-15 / p (about 1.5 %) to the exact skip
  const opts = { N: 20000, p: 0.002, ms: 40 };
  const js = jitNet({ ...opts, engine: false });
  const two = jitNet({ ...opts, threads: 2 });
  assert.match(two.backend, /engine×2/);
  assert.ok(two.indices.length > 5000, `${two.indices.length} spikes`);
  assert.deepEqual(two.indices, js.indices);
  assert.deepEqual(two.times, js.times);
});

test('rows of two blocks (posts > ROW_BLOCK): identical spikes for 1, 2 and 3 threads, the JavaScript loop and stored rows', () => {
  // thread ranges cut the first block (2 and 3 threads), one cuts the second (3 threads); E→E and I→E(slice 100..) have two blocks
  const N = ROW_BLOCK + 40_000;
  const opts = { N, p: 30 / N, ms: 8 };
  const one = jitNet({ ...opts, threads: 1 });
  assert.match(one.backend, /engine×1/);
  assert.ok(one.indices.length > 20_000, `${one.indices.length} spikes`);
  // the second block's targets do receive: neurons there spike after the first volley
  assert.ok(one.indices.some((i, k) => i >= ROW_BLOCK && one.times[k] > 0.003), 'spikes in the second block after 3 ms');
  for (const other of [jitNet({ ...opts, engine: false }), jitNet({ ...opts, threads: 2 }), jitNet({ ...opts, threads: 3 }), jitNet({ ...opts, threads: 2, jit: false })]) {
    assert.deepEqual(other.indices, one.indices);
    assert.deepEqual(other.times, one.times);
  }
});

test('posts of several blocks per thread: thread ranges on block edges, identical spikes for 1 and 2 threads', () => {
  // each of 2 threads owns at least one block: the engine puts the boundary on a block edge
  const N = 2 * ROW_BLOCK + 40_000;
  assert.deepEqual(Array.from(partition(N, 2, ROW_BLOCK)), [0, ROW_BLOCK, N]);
  assert.deepEqual(Array.from(partition(N, 2)), [0, Math.round(N / 2 / 16) * 16, N], 'other groups keep the even split');
  const opts = { N, p: 20 / N, ms: 4 };
  const one = jitNet({ ...opts, threads: 1 });
  const two = jitNet({ ...opts, threads: 2 });
  assert.match(two.backend, /engine×2/);
  assert.ok(one.indices.length > 20_000, `${one.indices.length} spikes`);
  assert.deepEqual(two.indices, one.indices);
  assert.deepEqual(two.times, one.times);
});

test('the engine row generator: each synapse delivered once, mean out-degree p·nPost within 4 standard deviations', () => {
  // Every pre neuron spikes at step 0; each delivery adds 1 to x of its target, so x[j] counts j's synapses.
  const Fire = defineNeuron({ name: 'Fire', equations: 'dv/dt = 1/ms : 1', threshold: 'v > 0.05', reset: 'v = -1000' });
  const Count = defineNeuron({ name: 'Count', equations: 'dx/dt = 0/ms : 1' });
  const nPre = 400;
  const nPost = 5000;
  const p = 0.01;
  const counts = (threads: number) => {
    const net = new Network({ dt: '0.1 ms', seed: 4, threads, dtype: 'float64' });
    const A = net.add(new NeuronGroup(nPre, Fire, { method: 'euler' }));
    const B = net.add(new NeuronGroup(nPost, Count, { method: 'euler' }));
    net.connect(A, B, { comm: new FixedProb(p), weight: 1, target: 'x', jit: true });
    net.run('0.1 ms');
    const x = Float64Array.from(B.get('x'));
    const out = { x, synapses: net.numSynapses, loopReason: net.loopReason, backend: B.runtime!.backend ?? '' };
    net.close();
    return out;
  };
  const one = counts(1);
  const two = counts(2);
  assert.match(two.backend, /engine×2/);
  assert.equal(one.loopReason, undefined);
  let total = 0;
  for (const c of one.x) total += c;
  // the engine delivered exactly the synapses the JavaScript generator counts
  assert.equal(total, one.synapses);
  assert.deepEqual(two.x, one.x);
  const mean = total / nPre;
  const sd = Math.sqrt((nPost * p * (1 - p)) / nPre);
  assert.ok(Math.abs(mean - p * nPost) < 4 * sd, `mean out-degree ${mean}, expected ${p * nPost} ± ${4 * sd}`);
  // in-degrees: binomial(nPre, p), variance nPre·p·(1 − p)
  let v = 0;
  for (const c of one.x) v += (c - nPre * p) ** 2;
  v /= nPost;
  assert.ok(Math.abs(v / (nPre * p * (1 - p)) - 1) < 0.1, `in-degree variance ${v}`);
});
