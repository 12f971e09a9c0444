/**
 * Poisson input whose draws have a branch-free part (mean ≥ about 0.3 per step): two neurons per
 * float64x2 pair in the step engine (src/engine/poisson.ts, emitPairs). Onto a gated v (increments
 * to refractory neurons dropped) and onto a synaptic current, on a group of odd size (the last
 * neurons take the one-by-one draw), float32 and float64: spikes and final state must be the
 * JavaScript loop's on 1, 2 and 3 threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, LIF, Expon, CUBA, PoissonInput, SpikeMonitor, uniform } from '../src/index.js';

function run(engine: boolean, threads: number, dtype: 'float32' | 'float64') {
  const net = new Network({ dt: '0.1 ms', seed: 21, threads, engine, dtype });
  const G = net.add(new NeuronGroup(203, LIF, { name: 'G', params: { El: '-65 mV', Vth: '-50 mV', Vreset: '-65 mV', tau: '10 ms', tref: '3 ms', R: '100 Mohm' }, init: { v: uniform('-65 mV', '-52 mV') } }));
  // mean 1.5 and 3 increments per neuron and step: the pair path with its tail (k beyond the branch-free steps)
  net.add(new PoissonInput(G, { name: 'onV', num: 200, rate: '75 Hz', weight: '0.11 mV', target: 'v' }));
  net.add(new PoissonInput(G.slice(5, 190), { name: 'onI', num: 300, rate: '100 Hz', weight: '2 pA', syn: Expon({ tau: '2 ms' }), out: CUBA() }));
  const sm = net.add(new SpikeMonitor(G));
  net.run('80 ms');
  const out = { trains: sm.spikes(), v: Float64Array.from(G.get('v')), backend: G.runtime!.backend ?? 'js', loop: net.loopReason };
  net.close();
  return out;
}

for (const dtype of ['float32', 'float64'] as const) {
  test(`Poisson input drawn in pairs (${dtype}): spikes and v of the JavaScript loop on 1, 2 and 3 threads, onto a gated v and a current`, () => {
    const js = run(false, 1, dtype);
    assert.ok(js.trains.indices.length > 300, `the group fires (${js.trains.indices.length} spikes)`);
    for (const threads of [1, 2, 3]) {
      const e = run(true, threads, dtype);
      assert.equal(e.loop, undefined, 'on the step engine');
      assert.deepEqual(Array.from(e.trains.indices), Array.from(js.trains.indices), `${threads} thread(s): spikes`);
      assert.deepEqual(Array.from(e.trains.times), Array.from(js.trains.times), `${threads} thread(s): times`);
      assert.deepEqual(e.v, js.v, `${threads} thread(s): final v`);
    }
  });
}
