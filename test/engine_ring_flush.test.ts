/**
 * The delay ring's flush (src/engine/ring_flush.ts): two post neurons per turn without branches,
 * a last odd neuron one by one. Per-synapse delays onto a current and onto a gated membrane
 * potential (increments to refractory neurons dropped), groups of odd sizes, float32 and float64:
 * the spikes and the final state must be those of the JavaScript loop on 1, 2 and 3 threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, LIF, FixedProb, Expon, CUBA, SpikeMonitor, uniform, normal } from '../src/index.js';

function run(threads: number, engine: boolean, dtype: 'float32' | 'float64') {
  const net = new Network({ dt: '0.1 ms', seed: 5, threads, engine, dtype });
  const A = net.add(new NeuronGroup(203, LIF, { name: 'A', params: { El: '-49 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '2 ms', R: '100 Mohm' }, init: { v: uniform('-60 mV', '-50 mV') } }));
  const B = net.add(new NeuronGroup(151, LIF, { name: 'B', params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '10 ms', tref: '3 ms', R: '100 Mohm' }, init: { v: normal('-55 mV', '2 mV') } }));
  // onto a synaptic current, weights of both signs, delays of 1 to 20 steps
  net.connect(A, B, { comm: new FixedProb(0.2), weight: uniform('-40 pA', '90 pA'), delay: uniform('0.1 ms', '2 ms'), syn: Expon({ tau: '5 ms' }), out: CUBA() });
  // onto v itself (held while refractory: the flush drops those increments)
  net.connect(B, B, { comm: new FixedProb(0.1), weight: '0.4 mV', delay: uniform('0.1 ms', '1.5 ms'), target: 'v' });
  net.connect(B, A.slice(1, 102), { comm: new FixedProb(0.1), weight: '-0.3 mV', delay: uniform('0.2 ms', '1 ms'), target: 'v' });
  const sa = net.add(new SpikeMonitor(A));
  const sb = net.add(new SpikeMonitor(B));
  net.run('120 ms');
  const out = { a: sa.spikes(), b: sb.spikes(), va: Float64Array.from(A.get('v')), vb: Float64Array.from(B.get('v')), backend: B.runtime!.backend };
  net.close();
  return out;
}

for (const dtype of ['float32', 'float64'] as const) {
  test(`per-synapse delays onto a current and a gated v, odd group sizes (${dtype}): spikes and state of the JavaScript loop on 1, 2 and 3 threads`, () => {
    const js = run(1, false, dtype);
    assert.ok(js.a.indices.length > 200 && js.b.indices.length > 100, `${js.a.indices.length} / ${js.b.indices.length} spikes`);
    for (const threads of [1, 2, 3]) {
      const e = run(threads, true, dtype);
      assert.match(e.backend ?? '', /engine/, `threads ${threads}: ${e.backend}`);
      for (const k of ['a', 'b'] as const) {
        assert.deepEqual(e[k].indices, js[k].indices, `${k} spikes, ${threads} thread(s)`);
        assert.deepEqual(e[k].times, js[k].times, `${k} times, ${threads} thread(s)`);
      }
      assert.deepEqual(e.va, js.va, `A.v, ${threads} thread(s)`);
      assert.deepEqual(e.vb, js.vb, `B.v, ${threads} thread(s)`);
    }
  });
}
