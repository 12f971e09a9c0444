import { test } from 'node:test';
import assert from 'node:assert/strict';
import { branchingFactor, branchingRatio, branchingProcess, networkBranchingProcess } from '../src/analysis/index.js';
import {
  Astrocyte,
  NalsmLiquid,
  SpikeRaster,
  SoftmaxReadout,
  liquid3D,
  exactDensity,
  normalizeCounts,
  pixelProbabilities,
  matrix,
} from '../src/reservoir/index.js';
import { Rng } from '../src/math/rng.js';

test('branchingRatio recovers the branching ratio of a driven branching process', () => {
  for (const m of [0.5, 0.9]) {
    const A = branchingProcess({ m, drive: 2, steps: 40000, seed: 3 });
    const one = branchingRatio(A).value;
    const mr = branchingRatio(A, { maxLag: 4 }).value;
    assert.ok(Math.abs(one - m) < 0.02, `m = ${m}: regression estimate ${one}`);
    assert.ok(Math.abs(mr - m) < 0.03, `m = ${m}: multistep estimate ${mr}`);
  }
});

test('branchingFactor (network estimator) recovers σ of a sparse branching process on a graph', () => {
  // Random graph: 1 000 neurons, 20 targets each.
  const n = 1000;
  const k = 20;
  const rng = new Rng(5, 1);
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = new Set<number>();
    while (row.size < k) {
      const j = rng.int(n);
      if (j !== i) row.add(j);
    }
    indices.set(Int32Array.from([...row].sort((a, b) => a - b)), i * k);
    indptr[i + 1] = (i + 1) * k;
  }
  const csr = { indptr, indices };
  const est: number[] = [];
  for (const m of [0.4, 0.8]) {
    const spikes = networkBranchingProcess(csr, n, { m, steps: 4000, spontaneous: 1e-4, seed: 7 });
    const bf = branchingFactor(spikes, csr, n, { window: 1 });
    assert.ok(bf.events > 300, `too few spikes (${bf.events})`);
    assert.ok(Math.abs(bf.value - m) < 0.1, `σ = ${m}: estimate ${bf.value}`);
    est.push(bf.value);
  }
  assert.ok(est[1] > est[0] + 0.25);
  // Known small case: 0 → 1 → 2 chain; a spike of 1 with its source spiking before and its target after.
  const chain = { indptr: Int32Array.of(0, 1, 2, 2), indices: Int32Array.of(1, 2) };
  const r = branchingFactor({ steps: [0, 1, 2], indices: [0, 1, 2] }, chain, 3, { window: 1 });
  assert.equal(r.perNeuron[1], 1);
  assert.equal(r.events, 1);
});

test('Astrocyte integrates the signed spike balance and decays', () => {
  const a = new Astrocyte({ tau: 100, weight: 0.015, bias: 0.15 });
  assert.equal(a.level, 0.15);
  a.step(120, 15);
  assert.ok(Math.abs(a.level - (0.15 + (0.015 * 105) / 100)) < 1e-12);
  // Without imbalance it relaxes to the bias.
  for (let k = 0; k < 2000; k++) a.step(10, 10);
  assert.ok(Math.abs(a.level - 0.15) < 1e-6);
  a.decay(0.5);
  assert.ok(Math.abs(a.level - 0.075) < 1e-6 && a.weight === 0.0075 && a.bias === 0.075);
  a.reset();
  assert.equal(a.level, 0.15);
});

test('liquid3D, exactDensity and the input scaling follow their definitions', () => {
  const c = liquid3D({ dims: [6, 6, 6], seed: 2 });
  assert.equal(c.size, 216);
  assert.equal(c.nExc, Math.round(216 * 0.8));
  // Expected synapse count: Σ over ordered pairs of C·exp(-(d/λ)²).
  const pos = c.positions;
  let expected = 0;
  for (let i = 0; i < 216; i++)
    for (let j = 0; j < 216; j++) {
      if (i === j) continue;
      const d2 = (pos[3 * i] - pos[3 * j]) ** 2 + (pos[3 * i + 1] - pos[3 * j + 1]) ** 2 + (pos[3 * i + 2] - pos[3 * j + 2]) ** 2;
      const ie = i < c.nExc, je = j < c.nExc;
      expected += (ie ? (je ? 0.2 : 0.1) : je ? 0.3 : 0.05) * Math.exp(-d2 / 9);
    }
  const got = c.exc.indices.length + c.inh.indices.length;
  assert.ok(Math.abs(got - expected) < 4 * Math.sqrt(expected), `synapses ${got}, expected ${expected.toFixed(0)}`);
  const d = exactDensity(50, 40, 0.15, 3);
  assert.equal(d.indices.length, 300);
  for (let i = 0; i < 50; i++) for (let s = d.indptr[i] + 1; s < d.indptr[i + 1]; s++) assert.ok(d.indices[s] > d.indices[s - 1]);
  const p = pixelProbabilities([0, 10, 30], 0.5);
  assert.deepEqual(Array.from(p), [0, 0.5, 1]);
  const X = matrix(2, 2, Float64Array.of(1, 3, 2, 2));
  const s = normalizeCounts(X);
  assert.equal(s, 0.75);
  assert.deepEqual(Array.from(X.data), [1 / 3, 1, 2 / 3, 2 / 3]);
});

// A small liquid: 125 neurons, 100 inputs, every pixel probability fixed; 50 ms snapshots.
function liquidBF(liq: NalsmLiquid, p: Float64Array): { bf: number; rate: number } {
  const csr = liq.liquidCSR();
  const raster = new SpikeRaster();
  const w = liq.saveWeights();
  let sum = 0;
  let spikes = 0;
  for (let k = 0; k < 4; k++) {
    raster.clear();
    spikes += liq.present(p, 200, { plastic: false, raster, seed: 100 + k });
    sum += branchingFactor(raster.view(), csr, liq.size, { window: 4, start: 25, stop: 175 }).value;
  }
  liq.restoreWeights(w);
  return { bf: sum / 4, rate: spikes / 4 / 0.2 / liq.size };
}

test('astrocyte-modulated STDP moves the branching factor toward 1 from both sides; plain STDP does not', () => {
  const p = new Float64Array(100);
  for (let i = 0; i < 100; i++) p[i] = i % 3 === 0 ? 0.06 : 0.01;
  const run = (weight: number, plasticity: 'astrocyte' | 'stdp') => {
    const liq = new NalsmLiquid({ dims: [5, 5, 5], inputs: 100, weight, plasticity, seed: 3, astrocyte: { weight: 0.1 } });
    const before = liquidBF(liq, p);
    for (let k = 0; k < 800; k++) liq.present(p, 50);
    return { before, after: liquidBF(liq, p) };
  };
  const sup = run(3, 'astrocyte'); // every |w| at the maximum: super-critical
  const sub = run(1.5, 'astrocyte'); // weak weights: sub-critical
  assert.ok(sup.before.bf > 1.3 && sub.before.bf < 0.6, `starts: ${sup.before.bf}, ${sub.before.bf}`);
  assert.ok(Math.abs(sup.after.bf - 1) < Math.abs(sup.before.bf - 1) - 0.05, `super-critical: ${sup.before.bf} → ${sup.after.bf}`);
  assert.ok(Math.abs(sub.after.bf - 1) < Math.abs(sub.before.bf - 1) - 0.2, `sub-critical: ${sub.before.bf} → ${sub.after.bf}`);
  assert.ok(sup.after.rate < sup.before.rate / 2, `rate ${sup.before.rate} → ${sup.after.rate} Hz`);
  // Both starts end in the same regime.
  assert.ok(Math.abs(sup.after.bf - sub.after.bf) < 0.3 && Math.abs(Math.log(sup.after.rate / sub.after.rate)) < Math.log(2));
  // Without the astrocyte (depression rate fixed at the potentiation rate) the weak liquid runs away.
  const plain = run(1.5, 'stdp');
  assert.ok(plain.after.rate > 2 * sub.after.rate, `plain STDP ${plain.after.rate} Hz vs astrocyte ${sub.after.rate} Hz`);
});

test('NalsmLiquid: presentations are reproducible, frozen presentations leave the weights alone', () => {
  const p = new Float64Array(100).fill(0.03);
  const a = new NalsmLiquid({ dims: [4, 4, 4], inputs: 100, seed: 9, astrocyte: { weight: 0.1 } });
  const b = new NalsmLiquid({ dims: [4, 4, 4], inputs: 100, seed: 9, astrocyte: { weight: 0.1 } });
  const ca = new Float64Array(64);
  const cb = new Float64Array(64);
  a.present(p, 100, { counts: ca, seed: 4 });
  b.present(p, 100, { counts: cb, seed: 4 });
  assert.deepEqual(ca, cb);
  const w = a.saveWeights();
  a.present(p, 100, { plastic: false });
  assert.deepEqual(a.saveWeights(), w);
  a.present(p, 100);
  assert.notDeepEqual(a.saveWeights().exc, w.exc);
});

test('SoftmaxReadout separates linearly separable classes', () => {
  const rng = new Rng(2, 0);
  const n = 300;
  const X = matrix(n, 3);
  const y = new Int32Array(n);
  const centers = [
    [2, 0, 0],
    [0, 2, 0],
    [0, 0, 2],
  ];
  for (let r = 0; r < n; r++) {
    const c = r % 3;
    y[r] = c;
    for (let j = 0; j < 3; j++) X.data[r * 3 + j] = centers[c][j] + 0.3 * rng.normal();
  }
  const ro = new SoftmaxReadout(3, 3, { lr: 0.05 });
  const fit = ro.fit(X, y, { epochs: 20 });
  assert.ok(fit.loss[19] < fit.loss[0]);
  assert.ok(ro.accuracy(X, y) > 0.97);
});
