import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, Izhikevich, FixedProb, SpikeMonitor, PoissonInput, values, uniform } from '../src/index.js';
import { Rng } from '../src/math/rng.js';
import { LiquidStateMachine, ThreeFactorReadout, matrix, sliceRows, type Matrix } from '../src/reservoir/index.js';

// A small fixed spiking reservoir (60 Izhikevich neurons) driven by two alternating symbols of
// different durations (40 and 90 ms, 5 ms bins); targets: next symbol (one-hot) and time to next.
const N = 60;
const T = 1400;
function task(): { X: Matrix; Y: Matrix; since: Float64Array } {
  const input = matrix(T, 2);
  const Y = matrix(T, 3);
  const since = new Float64Array(T);
  for (let b = 0, s = 0; b < T; s = 1 - s) {
    const len = s === 0 ? 8 : 18;
    for (let k = 0; k < len && b < T; k++, b++) {
      input.data[b * 2 + s] = 1;
      Y.data[b * 3 + (1 - s)] = 1;
      Y.data[b * 3 + 2] = (len - k - 1) / len;
      since[b] = k;
    }
  }
  const rng = new Rng(3, 1);
  const net = new Network({ dt: '0.1 ms', seed: 3 });
  const P = net.add(new NeuronGroup(N, Izhikevich, { params: { a: values(Array.from({ length: N }, (_, i) => (i < 48 ? 0.02 : 0.02 + 0.08 * rng.uniform()))) } }));
  net.connect(P.slice(0, 48), P, { comm: new FixedProb(0.2), weight: uniform('0 mV', '1.5 mV'), target: 'v' });
  net.connect(P.slice(48), P, { comm: new FixedProb(0.2), weight: uniform('-4 mV', '0 mV'), target: 'v' });
  net.add(new PoissonInput(P, { num: 100, rate: '20 Hz', weight: '1 mV', target: 'v' }));
  const sm = net.add(new SpikeMonitor(P));
  const W = matrix(N, 2);
  for (let i = 0; i < 10; i++) {
    W.data[i * 2] = 15;
    W.data[(10 + i) * 2 + 1] = 15;
  }
  const F = new LiquidStateMachine(net, { input: P, unit: 'nA', inputWeights: W, readout: sm, bin: '5 ms', tau: '30 ms' }).run(input);
  return { X: F, Y, since };
}
const data = task();
const Xtr = sliceRows(data.X, 100, 1100);
const Ytr = sliceRows(data.Y, 100, 1100);
const sinceTr = data.since.subarray(100, 1100);
let m2 = 0;
for (const v of Xtr.data) m2 += v * v;
const rate = 0.2 / (m2 / Xtr.rows);

const mse = (r: ThreeFactorReadout, X: Matrix, Y: Matrix) => {
  const P = r.predict(X);
  let e = 0;
  for (let k = 0; k < P.data.length; k++) e += (P.data[k] - Y.data[k]) ** 2;
  return e / X.rows;
};

test('three-factor readout reduces its error on a small fixed spiking reservoir', () => {
  assert.ok(m2 > 0, 'the reservoir is silent');
  const r = new ThreeFactorReadout(N, 3, { rate, gateFloor: 0.1, gateTau: 4, errorThreshold: 0.5 });
  const Xte = sliceRows(data.X, 1100, T);
  const Yte = sliceRows(data.Y, 1100, T);
  const before = mse(r, Xte, Yte);
  const curve = r.train(Xtr, Ytr, sinceTr, 8);
  const after = mse(r, Xte, Yte);
  assert.ok(curve[curve.length - 1] < 0.8 * curve[0], `training MSE ${curve[0]} → ${curve[curve.length - 1]}`);
  assert.ok(after < 0.5 * before, `test MSE ${before} → ${after}`);
  // 'what': argmax of the two symbol outputs is right on most test bins.
  const P = r.predict(Xte);
  let ok = 0;
  for (let t = 0; t < P.rows; t++) if ((P.data[t * 3] > P.data[t * 3 + 1] ? 0 : 1) === (Yte.data[t * 3] > 0.5 ? 0 : 1)) ok++;
  assert.ok(ok / P.rows > 0.8, `what accuracy ${ok / P.rows}`);
});

test('the rule is deterministic for a seed, and the gate follows its definition', () => {
  const make = (seed: number) => new ThreeFactorReadout(N, 3, { rate, gateFloor: 0.2, gateTau: 4, errorThreshold: 0.5, initScale: 0.01, seed, decay: 1e-3 });
  const a = make(7);
  const b = make(7);
  const c = make(8);
  const ca = a.train(Xtr, Ytr, sinceTr, 2);
  const cb = b.train(Xtr, Ytr, sinceTr, 2);
  c.train(Xtr, Ytr, sinceTr, 2);
  assert.deepEqual(Array.from(a.weights), Array.from(b.weights));
  assert.deepEqual(Array.from(a.bias), Array.from(b.bias));
  assert.deepEqual(Array.from(ca), Array.from(cb));
  assert.notDeepEqual(Array.from(a.weights), Array.from(c.weights));
  assert.equal(a.gateValue(0, 0), 1); // open at an onset
  assert.equal(a.gateValue(Infinity, 0), 0.2); // floor far from onsets with no error
  assert.equal(a.gateValue(Infinity, 1), 1); // large error opens it (‖e‖ ≥ θ)
  assert.ok(Math.abs(a.gateValue(4, 0) - (0.2 + 0.8 * Math.exp(-1))) < 1e-12);
  // One update by hand: Δw_ic = η g e_c x_i − η κ w_ic.
  const r = new ThreeFactorReadout(2, 1, { rate: 0.1, gateFloor: 0.5, gateTau: 0, errorThreshold: Infinity });
  r.update([1, 2], [1], Infinity);
  assert.deepEqual(Array.from(r.weights), [0.1 * 0.5 * 1, 0.1 * 0.5 * 2]);
  assert.equal(r.bias[0], 0.05);
});
