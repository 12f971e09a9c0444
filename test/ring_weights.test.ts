/**
 * Weights from a profile over the offset on a ring (`ring`, src/model/ring_weights.ts): the
 * weight matrix they give, that a simulation uses them, and the refusals of bad profiles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, LIF, All2All, FixedProb, SpikeGeneratorGroup, ring, toModelFile, BuildError } from '../src/index.js';

test('ring: with equal sizes the weight of i → j is profile[(j − i) mod n]', () => {
  const n = 7;
  const profile = [5, 4, 3, 2, 1, 0.5, 0.25]; // deliberately asymmetric
  const net = new Network({ dt: '0.1 ms' });
  const P = net.add(new NeuronGroup(n, LIF, { name: 'P' }));
  const proj = net.connect(P, P, { name: 'rec', comm: new All2All(), weight: ring(profile, 'mV'), target: 'v' });
  net.build();
  const w = proj.weights; // float32 by default: compared to 1e-9 V
  const { indptr, indices } = proj.runtime!.csr;
  let checked = 0;
  for (let i = 0; i < n; i++) {
    for (let s = indptr[i]; s < indptr[i + 1]; s++) {
      const j = indices[s];
      assert.ok(Math.abs(w[s] - profile[(j - i + n) % n] * 1e-3) < 1e-9, `w(${i}→${j}) = ${w[s]}`);
      checked++;
    }
  }
  assert.equal(checked, n * n);
  net.close();
});

test('ring: with different sizes each synapse takes the profile entry nearest to its offset', () => {
  // pre at 0, 1/4, 2/4, 3/4 of a turn; post at k/8; an 8-entry profile is read at (j/8 − i/4) mod 1
  const net = new Network({ dt: '0.1 ms' });
  const A = net.add(new NeuronGroup(4, LIF, { name: 'A' }));
  const B = net.add(new NeuronGroup(8, LIF, { name: 'B' }));
  const profile = [0, 1, 2, 3, 4, 5, 6, 7];
  const proj = net.connect(A, B, { name: 'AB', comm: new All2All(), weight: ring(profile, 'mV'), target: 'v' });
  net.build();
  const w = proj.weights; // float32 by default: compared to 1e-9 V
  const { indptr, indices } = proj.runtime!.csr;
  for (let i = 0; i < 4; i++) {
    for (let s = indptr[i]; s < indptr[i + 1]; s++) {
      const j = indices[s];
      assert.ok(Math.abs(w[s] - ((j - 2 * i + 8) % 8) * 1e-3) < 1e-9, `w(${i}→${j}) = ${w[s]}`);
    }
  }
  net.close();
});

test('ring: a spike of one cell moves each target by the weight of its offset', () => {
  const n = 6;
  const profile = [3, 2, 1, 0, 0.5, 0.25]; // asymmetric: the direction of the offset matters
  const net = new Network({ dt: '0.1 ms' });
  const src = net.add(new SpikeGeneratorGroup(n, { indices: [2], times: [1], unit: 'ms' }));
  // a high threshold: the post cells only integrate; leak slow enough to read the jump
  const P = net.add(new NeuronGroup(n, LIF, { name: 'P', params: { El: '0 mV', Vreset: '0 mV', Vth: '100 mV', tau: '1000 s' }, init: { v: '0 mV' } }));
  net.connect(src, P, { name: 'in', comm: new All2All(), weight: ring(profile, 'mV'), target: 'v' });
  net.run('2 ms');
  const v = P.get('v');
  for (let j = 0; j < n; j++) assert.ok(Math.abs(v[j] - profile[(j - 2 + n) % n] * 1e-3) < 1e-8, `v[${j}] = ${v[j]}`);
  net.close();
});

test('ring: bad profiles, units and uses are refused with the field named', () => {
  const net = new Network({ dt: '0.1 ms' });
  const P = net.add(new NeuronGroup(4, LIF, { name: 'P' }));
  const refused = (weight: unknown, field: RegExp) =>
    assert.throws(() => net.connect(P, P, { name: 'bad', comm: new All2All(), weight: weight as never, target: 'v' }), (e: unknown) => e instanceof BuildError && field.test((e as Error).message), String(weight));
  refused(ring([], 'mV'), /weight\.profile/);
  refused(ring([1, NaN], 'mV'), /weight\.profile.*entry 1/);
  refused(ring([1, 2], 'not a unit'), /weight\.unit/);
  refused({ dist: 'ring', profile: [1], unit: 'mV', extra: 1 }, /weight\.extra/);
  // a weight of the wrong dimension is refused when the network is built
  const net2 = new Network({ dt: '0.1 ms' });
  const Q = net2.add(new NeuronGroup(4, LIF, { name: 'Q' }));
  net2.connect(Q, Q, { name: 'nS onto v', comm: new FixedProb(1), weight: ring([1, 2], 'nS'), target: 'v' });
  assert.throws(() => net2.build(), (e: unknown) => e instanceof BuildError && /weight/.test((e as Error).message));
  // a ring is for weights: as a neuron parameter it is refused
  assert.throws(() => new NeuronGroup(4, LIF, { name: 'R', params: { tau: ring([1, 2], 'ms') as never } }), (e: unknown) => e instanceof BuildError && /params\.tau/.test((e as Error).message));
  // and a model file cannot hold it
  const net3 = new Network({ dt: '0.1 ms' });
  const S = net3.add(new NeuronGroup(4, LIF, { name: 'S' }));
  net3.connect(S, S, { name: 'ringed', comm: new All2All(), weight: ring([1, 2], 'mV'), target: 'v' });
  assert.throws(() => toModelFile(net3), /ring/);
});
