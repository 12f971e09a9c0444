import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/math/rng.js';
import { Adam, crossEntropy, countCorrect, synapticLIF, leakyReadout, HebbianSubspace, OrthogonalProjection, orthonormalRows, subspaceAngle } from '../src/train/index.js';
import { syntheticDataset, latencySteps, latencyEvents, permutation } from '../src/data/index.js';
import { Network } from '../src/core/network.js';
import { NeuronGroup } from '../src/model/group.js';
import { normal } from '../src/model/init.js';
import { All2All } from '../src/connect/index.js';
import { InputGroup } from '../src/inputs/input_group.js';

/** n-dimensional Gaussian samples with covariance Q diag(lambda) Qᵀ (Q random orthonormal). */
function gaussianWithSpectrum(n: number, lambda: number[], count: number, seed: number): { Q: Float64Array; X: Float64Array[] } {
  const rng = new Rng(seed, 1);
  const Q = orthonormalRows(Float64Array.from({ length: n * n }, () => rng.normal()), n);
  const X: Float64Array[] = [];
  for (let s = 0; s < count; s++) {
    const x = new Float64Array(n);
    for (let c = 0; c < n; c++) {
      const z = Math.sqrt(lambda[c]) * rng.normal();
      for (let i = 0; i < n; i++) x[i] += z * Q[c * n + i];
    }
    X.push(x);
  }
  return { Q, X };
}

const N = 16;
const LAMBDA = [9, 7, 5, 4, ...Array.from({ length: N - 4 }, (_, i) => 0.4 - 0.02 * i)];

test('online Hebbian/anti-Hebbian rule converges to the principal subspace of a known covariance', () => {
  const { Q, X } = gaussianWithSpectrum(N, LAMBDA, 6000, 3);
  const s = new HebbianSubspace({ n: N, seed: 1 });
  s.begin(4);
  for (let epoch = 0; epoch < 2; epoch++) X.forEach((x, i) => s.hebbianStep(x, (epoch === 0 ? 0.01 : 0.003) * (i < 3000 ? 1 : 0.5)));
  const top = Q.subarray(0, 4 * N);
  const angle = subspaceAngle(top, s.H, N);
  assert.ok(angle < 0.15, `largest principal angle ${angle.toFixed(3)} rad`);
  // The rows of H are close to orthonormal (the anti-Hebbian lateral term normalises them).
  for (let a = 0; a < 4; a++) {
    let norm = 0;
    for (let i = 0; i < N; i++) norm += s.H[a * N + i] ** 2;
    assert.ok(Math.abs(Math.sqrt(norm) - 1) < 0.1, `row ${a} norm ${Math.sqrt(norm)}`);
  }
  assert.equal(s.consolidate(), 4);
  assert.ok(subspaceAngle(top, s.basis, N) < 0.15);
});

test('averaged Hebbian rule on the correlation, with lateral inhibition from an old subspace', () => {
  const { Q, X } = gaussianWithSpectrum(N, LAMBDA, 4000, 5);
  const s = new HebbianSubspace({ n: N, seed: 2 });
  for (const x of X) s.accumulateDense(x);
  s.begin(2);
  const cap = s.fit({ iterations: 400 });
  assert.ok(cap[0] > 3.5 && cap[1] > 3.5, `captured ${Array.from(cap)}`);
  assert.ok(subspaceAngle(Q.subarray(0, 2 * N), s.H, N) < 0.2);
  s.consolidate();
  // Second "task" with the same data: the new neurons find the next principal directions.
  for (const x of X) s.accumulateDense(x);
  s.begin(2);
  s.fit({ iterations: 400 });
  s.consolidate();
  assert.equal(s.m, 4);
  assert.ok(subspaceAngle(Q.subarray(0, 4 * N), s.basis, N) < 0.2, 'the 4 rows span the top-4 subspace');
  // Sparse accumulation equals dense accumulation.
  const a = new HebbianSubspace({ n: 5 });
  const b = new HebbianSubspace({ n: 5 });
  a.accumulate(Int32Array.of(11, 13), Float64Array.of(2, 3), 0, 2, 10);
  b.accumulateDense([0, 2, 0, 3, 0]);
  assert.deepEqual(Array.from(a.corr), Array.from(b.corr));
});

test('projected gradients are orthogonal to the stored subspace', () => {
  const n = 12;
  const cols = 5;
  const rng = new Rng(9, 1);
  const s = new HebbianSubspace({ n });
  for (let k = 0; k < 200; k++) {
    const x = new Float64Array(n);
    for (let c = 0; c < 3; c++) {
      const z = rng.normal();
      for (let i = 0; i < n; i++) x[i] += z * Math.sin((c + 1) * (i + 1));
    }
    s.accumulateDense(x);
  }
  s.begin(3);
  s.fit({ iterations: 400 });
  assert.equal(s.consolidate(), 3);
  const G = Float32Array.from({ length: n * cols }, () => rng.normal());
  s.project(G, cols);
  // Uᵀ-components of every column vanish: Σ_i U[c, i] G[i, j] ≈ 0.
  for (let c = 0; c < s.m; c++) for (let j = 0; j < cols; j++) {
    let d = 0;
    for (let i = 0; i < n; i++) d += s.basis[c * n + i] * G[i * cols + j];
    assert.ok(Math.abs(d) < 1e-5, `component ${c}, column ${j}: ${d}`);
  }
  // And the stored inputs: W changed by G leaves their drive unchanged.
  for (let j = 0; j < cols; j++) {
    let d = 0;
    for (let i = 0; i < n; i++) d += Math.sin(i + 1) * G[i * cols + j];
    assert.ok(Math.abs(d) < 1e-4);
  }
});

// ------------------------------------------------------------------------------------------------
// Two tasks, one shared 2-class head (domain-incremental), synthetic data.

const D = 30;
const STEPS = 12;
const BATCH = 32;

function makeTask(second: boolean): { when: Uint16Array; y: Int32Array; n: number; testWhen: Uint16Array; testY: Int32Array; testN: number } {
  // Task 1: two random class prototypes over 30 inputs. Task 2 conflicts with it: the same first
  // 15 features with the labels swapped, and its own features on the other 15.
  const all = syntheticDataset({ n: 384, d: D, classes: 2, noise: 0.1, seed: 1 });
  const x = new Float32Array(all.x);
  const y = Int32Array.from(all.y);
  if (second) {
    const other = syntheticDataset({ n: 384, d: D, classes: 2, noise: 0.1, seed: 2 });
    for (let s = 0; s < all.n; s++) {
      for (let i = 15; i < D; i++) x[s * D + i] = other.x[s * D + i];
      y[s] = 1 - y[s];
    }
  }
  const when = latencySteps(x, { steps: STEPS, tau: 5, threshold: 0.2 });
  // Samples 0..255 train, 256..383 test.
  return { when, y, n: 256, testWhen: when.subarray(256 * D), testY: y.subarray(256), testN: 128 };
}

function twoTaskForgetting(useProjection: boolean): { before: number; after: number } {
  const net = new Network({ dt: '1 ms', seed: 4, batch: BATCH, name: 'two-task' });
  const x = net.add(new InputGroup(D, 'x'));
  const h = net.add(new NeuronGroup(40, synapticLIF({ alpha: 0.9, beta: 0.85, threshold: 1, refractorySteps: 2 }), { name: 'h' }));
  const o = net.add(new NeuronGroup(2, leakyReadout({ alpha: 0.9, beta: 0.85 }), { name: 'o' }));
  const W1 = net.connect(x, h, { name: 'W1', comm: new All2All(), target: 'I', weight: normal(0, 3 / Math.sqrt(D)), train: ['weight'] });
  const W2 = net.connect(h, o, { name: 'W2', comm: new All2All(), target: 'I', weight: normal(0, 2 / Math.sqrt(40)), train: ['weight'] });
  net.build();
  const hlop = useProjection ? new OrthogonalProjection(net, { projections: [W1, W2], k: 12, iterations: 200 }) : undefined;
  const tasks = [makeTask(false), makeTask(true)];
  const labels = new Int32Array(BATCH);
  const forward = (when: Uint16Array, rows: ArrayLike<number>) => net.forward({ steps: STEPS, batch: BATCH, inputs: [[x, latencyEvents(when, D, rows, STEPS)]] });
  const acc = (t: (typeof tasks)[number]) => {
    let c = 0;
    for (let lo = 0; lo + BATCH <= t.testN; lo += BATCH) {
      forward(t.testWhen, Int32Array.from({ length: BATCH }, (_, b) => lo + b));
      c += countCorrect(net.trace(o, 'v'), t.testY.subarray(lo, lo + BATCH));
    }
    return c / (Math.floor(t.testN / BATCH) * BATCH);
  };
  let before = 0;
  tasks.forEach((t, k) => {
    const opt = new Adam(net.parameters(), { lr: 1e-2 });
    for (let e = 0; e < 6; e++) {
      const order = permutation(t.n, 1, e + 10 * k);
      for (let lo = 0; lo + BATCH <= t.n; lo += BATCH) {
        const rows = order.subarray(lo, lo + BATCH);
        for (let b = 0; b < BATCH; b++) labels[b] = t.y[rows[b]];
        forward(t.when, rows);
        crossEntropy(net.trace(o, 'v'), labels);
        opt.zeroGrad();
        net.backward();
        if (hlop) hlop.step(opt);
        else opt.step();
      }
    }
    if (k === 0) {
      before = acc(t);
      if (hlop) {
        for (let lo = 0; lo + BATCH <= t.n; lo += BATCH) {
          forward(t.when, Int32Array.from({ length: BATCH }, (_, b) => lo + b));
          hlop.observe();
        }
        hlop.consolidate();
      }
    }
  });
  return { before, after: acc(tasks[0]) };
}

test('OrthogonalProjection on a Network: default projections, slices of the pre group, inputs and spiking groups observed', () => {
  const net = new Network({ dt: '1 ms', seed: 2, batch: 3, dtype: 'float64', name: 'slices' });
  const x = net.add(new InputGroup(6, 'x'));
  const h = net.add(new NeuronGroup(5, synapticLIF({ threshold: 0.2 }), { name: 'h' }));
  const o = net.add(new NeuronGroup(2, leakyReadout(), { name: 'o' }));
  const A = net.connect(x.slice(2, 5), h, { name: 'A', comm: new All2All(), target: 'I', weight: normal(0.5, 0.1), train: ['weight'] });
  const B = net.connect(h, o, { name: 'B', comm: new All2All(), target: 'I', weight: normal(0, 0.5), train: ['weight'] });
  net.connect(x, o, { name: 'fixed', comm: new All2All(), target: 'I', weight: 0.1 });
  const hlop = new OrthogonalProjection(net, { k: 2, iterations: 400 });
  assert.deepEqual(hlop.projections, [A, B], 'default: the all-to-all projections with a trained weight');
  // Input x: row 0 spikes on units 2 and 3, row 2 on unit 4, at step 0, rows 0 and 2 on unit 0 (outside the slice) at step 1.
  const ev = { ptr: Int32Array.of(0, 3, 5, 5, 5, 5), idx: Int32Array.of(2, 3, 16, 0, 12) };
  net.forward({ steps: 5, batch: 3, inputs: [[x, ev]] });
  hlop.observe();
  const s = hlop.subspaces[0];
  assert.equal(s.n, 3);
  assert.equal(s.count, 2, 'one vector per (step, row) with spikes in the slice');
  // x = e0 + e1 (row 0) and e2 (row 2), in slice coordinates
  assert.deepEqual(Array.from(s.corr), [1, 1, 0, 1, 1, 0, 0, 0, 1]);
  // the hidden group's spikes, counted from its events
  const hs = net.spikeEvents(h);
  const steps = new Set<number>();
  for (let t = 0; t < 5; t++) for (let e = hs.ptr[t]; e < hs.ptr[t + 1]; e++) steps.add(t * 3 + ((hs.idx[e] / 5) | 0));
  assert.equal(hlop.subspaces[1].count, steps.size);
  assert.ok(steps.size > 0, 'the hidden group spiked');
  const dims = hlop.consolidate();
  assert.equal(dims.A, 2, 'the span of the two observed input vectors');
  // projected gradients and updates leave the observed input directions unchanged
  net.forward({ steps: 5, batch: 3, inputs: [[x, ev]] });
  crossEntropy(net.trace(o, 'v'), [0, 1, 0]);
  net.zeroGrad();
  net.backward();
  const wA = net.parameters().find((p) => p.name === 'A.weight')!;
  const before = Float64Array.from(wA.value);
  hlop.step(new Adam(net.parameters(), { lr: 0.1 }));
  const drive = (w: ArrayLike<number>, u: number[], j: number) => u.reduce((acc, ui, i) => acc + ui * w[i * 5 + j], 0);
  for (const u of [[1, 1, 0], [0, 0, 1]]) for (let j = 0; j < 5; j++) assert.ok(Math.abs(drive(wA.value, u, j) - drive(before, u, j)) < 1e-9, `drive of ${u} on ${j} unchanged`);
  assert.ok(wA.value.some((v, i) => v !== before[i]), 'the weights still learn');
  assert.throws(() => new OrthogonalProjection(net, { projections: [net.allProjections.find((p) => p.name === 'fixed')!] }), /no trained per-synapse weight/);
});

test('on a 2-task synthetic problem, forgetting with the projection is smaller than without', () => {
  const plain = twoTaskForgetting(false);
  const proj = twoTaskForgetting(true);
  const fPlain = plain.before - plain.after;
  const fProj = proj.before - proj.after;
  console.log(`plain ${JSON.stringify(plain)} projected ${JSON.stringify(proj)}`);
  assert.ok(plain.before > 0.8 && proj.before > 0.8, `task 1 learnt: ${plain.before}, ${proj.before}`);
  assert.ok(fProj < fPlain, `forgetting: plain ${fPlain.toFixed(3)}, projected ${fProj.toFixed(3)}`);
  assert.ok(fProj < 0.05, `forgetting with projection ${fProj.toFixed(3)}`);
});
