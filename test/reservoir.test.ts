import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EchoStateNetwork,
  LiquidStateMachine,
  Lms,
  LORENZ_LYAPUNOV,
  Nvar,
  Ridge,
  Rls,
  cholesky,
  choleskySolve,
  fromRows,
  lorenz,
  mackeyGlass,
  matrix,
  memoryCapacity,
  narma10,
  nrmse,
  randomMatrix,
  sliceRows,
  spectralRadius,
  squaredCorrelation,
  validTime,
  hconcat,
  type Matrix,
  type WeightedCSR,
} from '../src/reservoir/index.js';
import { Rng } from '../src/math/rng.js';
import { FixedProb } from '../src/connect/connectors.js';
import { BuildError } from '../src/lang/errors.js';
import { Network } from '../src/core/network.js';
import { NeuronGroup } from '../src/model/group.js';
import { uniform } from '../src/model/init.js';
import { SpikeMonitor } from '../src/runner/monitors.js';
import { LIF } from '../src/neurons/lif.js';

function randn(rows: number, cols: number, seed: number): Matrix {
  const m = matrix(rows, cols);
  new Rng(seed, 77).fillNormal(m.data);
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// ---------------------------------------------------------------------------------------------
// Linear algebra and readouts

test('cholesky solves a small SPD system exactly', () => {
  const A = new Float64Array([4, 2, 2, 3]);
  assert.equal(cholesky(A, 2), -1);
  const b = new Float64Array([6, 5]);
  choleskySolve(A, 2, b, 1);
  assert.ok(maxAbsDiff(b, [1, 1]) < 1e-15);
  assert.equal(cholesky(new Float64Array([1, 2, 2, 1]), 2), 1, 'indefinite matrix reports its pivot');
});

test('ridge recovers a known linear map: noise-free to 1e-8, batched = one batch, noisy close', () => {
  const n = 400;
  const d = 8;
  const m = 3;
  const X = randn(n, d, 1);
  // Offset features so that centring matters.
  for (let t = 0; t < n; t++) for (let i = 0; i < d; i++) X.data[t * d + i] = 5 + 3 * X.data[t * d + i] * (i + 1);
  const A = randn(d, m, 2);
  const b = [0.5, -2, 10];
  const Y = matrix(n, m);
  for (let t = 0; t < n; t++) {
    for (let c = 0; c < m; c++) {
      let s = b[c];
      for (let i = 0; i < d; i++) s += X.data[t * d + i] * A.data[i * m + c];
      Y.data[t * m + c] = s;
    }
  }
  for (const scale of [false, true]) {
    const r = new Ridge(d, m, { lambda: 0, scale }).fit(X, Y);
    assert.ok(maxAbsDiff(r.weights, A.data) < 1e-8, `weights exact (scale=${scale}): ${maxAbsDiff(r.weights, A.data)}`);
    assert.ok(maxAbsDiff(r.intercept, b) < 1e-8, 'intercept exact');
    assert.ok(maxAbsDiff(r.predict(X).data, Y.data) < 1e-8);
  }
  // Many batches give the same answer as one.
  const rb = new Ridge(d, m, { lambda: 1e-3 });
  for (let s = 0; s < n; s += 37) {
    const e = Math.min(n, s + 37);
    rb.add(sliceRows(X, s, e), sliceRows(Y, s, e));
  }
  rb.solve();
  const r1 = new Ridge(d, m, { lambda: 1e-3 }).fit(X, Y);
  assert.ok(maxAbsDiff(rb.weights, r1.weights) < 1e-10, 'batched accumulation matches');
  // Noise σ = 0.1: error of the weights about σ/(√n · feature std) ≈ 1e-3.
  const noise = randn(n, m, 3);
  const Yn = matrix(n, m);
  for (let k = 0; k < Yn.data.length; k++) Yn.data[k] = Y.data[k] + 0.1 * noise.data[k];
  const rn = new Ridge(d, m, { lambda: 1e-6 }).fit(X, Yn);
  assert.ok(maxAbsDiff(rn.weights, A.data) < 0.01, `noisy weights close: ${maxAbsDiff(rn.weights, A.data)}`);
  assert.ok(nrmse(rn.predict(X), Y) < 0.01);
});

test('ridge refuses a singular system with a message naming the fix', () => {
  const X = fromRows([[1, 2], [1, 3], [1, 5]]); // first column constant: zero after centring
  const Y = fromRows([[1], [2], [3]]);
  assert.throws(() => new Ridge(2, 1, { lambda: 0 }).fit(X, Y), (e: unknown) => e instanceof BuildError && /increase lambda/.test(e.message));
  assert.doesNotThrow(() => new Ridge(2, 1, { lambda: 1e-6 }).fit(X, Y));
  assert.throws(() => new Ridge(2, 1).fit(X, fromRows([[1], [2]])), /rows/);
});

test('RLS converges to a linear target; LMS follows more slowly', () => {
  const d = 10;
  const A = randn(d, 2, 4);
  const rng = new Rng(5);
  const x = new Float64Array(d);
  const y = new Float64Array(2);
  const rls = new Rls(d, 2, { alpha: 1e-6 });
  const lms = new Lms(d, 2, { rate: 0.5 });
  let lastRls = 0;
  for (let t = 0; t < 2000; t++) {
    rng.fillNormal(x);
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += x[i] * A.data[i * 2 + c];
      y[c] = s;
    }
    lastRls = rls.update(x, y);
    lms.update(x, y);
    if (t === 50) assert.ok(maxAbsDiff(rls.weights, A.data) < 1e-5, 'RLS exact after a few times d samples');
  }
  assert.ok(lastRls < 1e-16, `a-priori error² ${lastRls}`);
  assert.ok(maxAbsDiff(rls.weights, A.data) < 1e-8);
  assert.ok(maxAbsDiff(lms.weights, A.data) < 1e-6, `LMS converged: ${maxAbsDiff(lms.weights, A.data)}`);
});

// ---------------------------------------------------------------------------------------------
// Spectral radius

function randomSparse(n: number, p: number, seed: number): WeightedCSR {
  const csr = new FixedProb(p).build({ nPre: n, nPost: n, seed, where: 'test', selfOffset: 0 });
  const w = new Float64Array(csr.indices.length);
  new Rng(seed, 9).fillNormal(w);
  return { ...csr, weights: w };
}

function denseToCsr(a: Float64Array, n: number): WeightedCSR {
  // a is W[post, pre] row-major by post; CSR rows are pre.
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(n * n);
  const weights = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    indptr[j + 1] = (j + 1) * n;
    for (let i = 0; i < n; i++) {
      indices[j * n + i] = i;
      weights[j * n + i] = a[i * n + j];
    }
  }
  return { nPre: n, nPost: n, indptr, indices, weights };
}

test('spectral radius: exact on matrices with known spectra, 1e-3 against numpy on random reservoirs', () => {
  // W = S B S⁻¹: B has 2×2 rotation blocks r·R(θ) (eigenvalues r e^{±iθ}) and real entries;
  // S = I + u vᵀ (inverse by Sherman–Morrison) makes W non-normal with the same spectrum.
  const n = 40;
  for (const [top, next] of [
    [1.3, 1.1],
    [0.95, 0.94],
  ]) {
    const B = new Float64Array(n * n);
    const moduli: number[] = [];
    for (let k = 0; k < n / 2; k++) {
      const r = k === 0 ? top : k === 1 ? next : 0.9 * next * (1 - k / n);
      const th = 0.3 + k;
      const i = 2 * k;
      B[i * n + i] = r * Math.cos(th);
      B[i * n + i + 1] = -r * Math.sin(th);
      B[(i + 1) * n + i] = r * Math.sin(th);
      B[(i + 1) * n + i + 1] = r * Math.cos(th);
      moduli.push(r);
    }
    const rng = new Rng(11);
    const u = new Float64Array(n);
    const v = new Float64Array(n);
    rng.fillNormal(u, 0, 0.3);
    rng.fillNormal(v, 0, 0.3);
    const uv = u.reduce((s, ui, i) => s + ui * v[i], 0);
    // W = (I + u vᵀ) B (I − u vᵀ / (1 + vᵀu)).
    const S = new Float64Array(n * n);
    const Si = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        S[i * n + j] = (i === j ? 1 : 0) + u[i] * v[j];
        Si[i * n + j] = (i === j ? 1 : 0) - (u[i] * v[j]) / (1 + uv);
      }
    }
    const tmp = new Float64Array(n * n);
    const W = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) tmp[i * n + j] += S[i * n + k] * B[k * n + j];
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) W[i * n + j] += tmp[i * n + k] * Si[k * n + j];
    const est = spectralRadius(denseToCsr(W, n), { tolerance: 1e-12, maxIterations: 5000 });
    assert.ok(Math.abs(est.radius - top) < 1e-6 * top, `top ${top} next ${next}: got ${est.radius}`);
  }
  // A cycle (permutation): every eigenvalue has modulus 1.
  const nR = 30;
  const ringCsr: WeightedCSR = {
    nPre: nR,
    nPost: nR,
    indptr: Int32Array.from({ length: nR + 1 }, (_, i) => i),
    indices: Int32Array.from({ length: nR }, (_, i) => (i + 1) % nR),
    weights: new Float64Array(nR).fill(0.7),
  };
  assert.ok(Math.abs(spectralRadius(ringCsr).radius - 0.7) < 1e-3);
  // Random sparse reservoirs: reference values from numpy.linalg.eigvals on the same matrices
  // (regenerate them if the connectivity generator changes: the matrices are exported by the
  // same FixedProb and Rng calls as randomSparse).
  for (const [n2, p, seed, ref] of [
    [100, 0.1, 1, 3.1580980902775395],
    [200, 0.05, 2, 3.2983648474729423],
    [50, 0.1, 7, 2.54287802997135],
  ] as const) {
    const r = spectralRadius(randomSparse(n2, p, seed)).radius;
    assert.ok(Math.abs(r / ref - 1) < 1e-3, `N=${n2} p=${p}: ${r} vs ${ref}`);
  }
  // An ESN scaled to ρ = 0.9 has ρ = 0.9.
  const esn = new EchoStateNetwork({ size: 300, inputSize: 1, spectralRadius: 0.9, density: 0.05, seed: 3 });
  assert.ok(Math.abs(spectralRadius(esn.W, { seed: 9 }).radius - 0.9) < 2e-3);
});

// ---------------------------------------------------------------------------------------------
// Echo-state networks

test('ESN: deterministic, batch = separate runs, leak and washout', () => {
  const opts = { size: 50, inputSize: 2, leak: 0.3, biasScaling: 0.2, inputScaling: [0.5, 1], seed: 9 } as const;
  const a = new EchoStateNetwork(opts);
  const b = new EchoStateNetwork(opts);
  const u1 = randn(100, 2, 1);
  const u2 = randn(60, 2, 2);
  const Xa = a.run(u1, { washout: 10 });
  assert.equal(Xa.rows, 90);
  assert.deepEqual(Xa.data, b.run(u1, { washout: 10 }).data);
  const { states, parts } = a.runBatch([u1, u2], { washout: 10 });
  assert.equal(states.rows, 90 + 50);
  assert.deepEqual(parts[0].data, Xa.data);
  assert.deepEqual(parts[1].data, b.run(u2, { washout: 10 }).data);
  for (const v of states.data) assert.ok(Math.abs(v) < 1);
  // Leak: one step from zero with input u gives x = a tanh(W_in u + b).
  a.reset();
  const x = a.step([1, 0]);
  for (let i = 0; i < 50; i++) assert.ok(Math.abs(x[i] - 0.3 * Math.tanh(a.Win[i * 2] + a.bias[i])) < 1e-15);
  assert.throws(() => new EchoStateNetwork({ size: 10, inputSize: 1, leak: 0 }), /leak/);
  assert.throws(() => a.run(randn(10, 3, 1)), /columns/);
});

test('linear ESN on a ring (orthogonal W/ρ): memory capacity reaches N', () => {
  // For x(t) = ρ P x(t−1) + w u(t) with P a cyclic permutation and i.i.d. input, the state is an
  // invertible image of the N aliased sums v_r(t) = Σ_m ρ^{r+mN} u(t−r−mN), r = 0..N−1. So
  // r²_k = ρ^{2k} / Σ_m ρ^{2(r+mN)} = (1 − ρ^{2N}) ρ^{2mN} for k = r + mN, and Σ_k r²_k = N.
  // With N = 20, ρ = 0.95: r²_k = 1 − 0.95⁴⁰ = 0.871 for k < 20, 0.112 for 20 ≤ k < 40, ...
  const N = 20;
  const rho = 0.95;
  const T = 6000;
  const esn = new EchoStateNetwork({ size: N, inputSize: 1, topology: 'ring', spectralRadius: rho, activation: 'identity', seed: 3 });
  const rng = new Rng(5);
  const u = new Float64Array(T);
  for (let i = 0; i < T; i++) u[i] = 2 * rng.uniform() - 1;
  const X = esn.run(matrix(T, 1, u));
  const mc = memoryCapacity(X, u, { minDelay: 0, maxDelay: 80 });
  assert.ok(mc.total >= 0.9 * N && mc.total <= N + 0.2, `MC = ${mc.total}`);
  const first = 1 - rho ** (2 * N);
  for (let k = 0; k < 20; k++) assert.ok(Math.abs(mc.perDelay[k] - first) < 0.02, `r² at delay ${k}: ${mc.perDelay[k]} vs ${first}`);
  for (let k = 20; k < 40; k++) assert.ok(Math.abs(mc.perDelay[k] - first * rho ** (2 * N)) < 0.02);
  // A tanh ESN of the same size remembers less.
  const nl = new EchoStateNetwork({ size: N, inputSize: 1, spectralRadius: 0.95, inputScaling: 1, density: 0.5, seed: 3 });
  const mcNl = memoryCapacity(nl.run(matrix(T, 1, u)), u, { minDelay: 0, maxDelay: 80 });
  assert.ok(mcNl.total < mc.total);
});

test('NARMA-10: an ESN of 200 units reaches NRMSE < 0.4', () => {
  const T = 6000;
  const washout = 200;
  const nTrain = 4000;
  const { input, target } = narma10(T, { seed: 1 });
  for (let k = 0; k < T; k++) assert.ok(input[k] >= 0 && input[k] < 0.5);
  const results: number[] = [];
  for (const seed of [2, 3]) {
    const esn = new EchoStateNetwork({ size: 200, inputSize: 1, spectralRadius: 0.95, inputScaling: 0.5, biasScaling: 0.2, seed });
    const U = matrix(T, 1, input);
    const F = hconcat(esn.run(U), U);
    const Y = matrix(T, 1, target);
    const r = new Ridge(F.cols, 1, { lambda: 1e-6, scale: true }).fit(sliceRows(F, washout, nTrain), sliceRows(Y, washout, nTrain));
    const e = nrmse(r.predict(sliceRows(F, nTrain)), sliceRows(Y, nTrain));
    results.push(e);
    assert.ok(e < 0.4, `NARMA-10 NRMSE ${e}`);
  }
});

test('FORCE: an ESN with output feedback and RLS learns a periodic pattern and generates it', () => {
  const N = 200;
  const period = 40;
  const target = (t: number) => Math.sin((2 * Math.PI * t) / period) + 0.5 * Math.sin((4 * Math.PI * t) / period);
  const esn = new EchoStateNetwork({ size: N, inputSize: 0, feedbackSize: 1, spectralRadius: 1.2, leak: 0.3, seed: 4 });
  const rng = new Rng(1);
  esn.reset(Float64Array.from({ length: N }, () => 0.5 * rng.normal()));
  const rls = new Rls(N, 1, { alpha: 1 });
  const z = new Float64Array(1);
  const y = new Float64Array(1);
  const none = new Float64Array(0);
  for (let t = 0; t < 2000; t++) {
    const x = esn.step(none, 0, z);
    y[0] = target(t);
    rls.update(x, y);
    rls.predictRow(x, z);
  }
  let se = 0;
  let sv = 0;
  for (let t = 2000; t < 2400; t++) {
    const x = esn.step(none, 0, z);
    rls.predictRow(x, z);
    se += (z[0] - target(t)) ** 2;
    sv += target(t) ** 2;
  }
  assert.ok(Math.sqrt(se / sv) < 0.1, `free-running error ${Math.sqrt(se / sv)}`);
});

// ---------------------------------------------------------------------------------------------
// NVAR on Lorenz-63

test('NVAR: Lorenz one-step NRMSE < 1e-2 and closed-loop valid time > 2 Lyapunov times', () => {
  const dt = 0.025;
  const warm = 200;
  const nTrain = Math.round(40 / dt);
  const nvar = new Nvar({ inputSize: 3, delays: 2, stride: 1 });
  assert.equal(nvar.featureSize, 28);
  for (const start of [20, 61.1]) {
    const data = lorenz(warm + nTrain + 1500, { dt, transient: start });
    const train = sliceRows(data, warm, warm + nTrain + 1);
    nvar.fit(train, { lambda: 1e-4, scale: true });
    const test = sliceRows(data, warm + nTrain);
    const one = nrmse(nvar.predictNext(test), sliceRows(test, nvar.window));
    assert.ok(one < 1e-2, `one-step NRMSE ${one}`);
    const steps = 1000;
    const forecast = nvar.forecast(sliceRows(data, 0, warm + nTrain + 1), steps);
    const truth = sliceRows(data, warm + nTrain + 1, warm + nTrain + 1 + steps);
    const vt = validTime(forecast, truth, { reference: train }) * dt * LORENZ_LYAPUNOV;
    assert.ok(vt > 2, `valid time ${vt} Lyapunov times`);
  }
  // Feature layout: [1, x(t), x(t−s), products].
  const small = new Nvar({ inputSize: 1, delays: 2, stride: 2 });
  const F = small.features(fromRows([[1], [5], [2], [7]]));
  assert.deepEqual([...F.data], [1, 2, 1, 4, 2, 1, 1, 7, 5, 49, 35, 25]);
});

// ---------------------------------------------------------------------------------------------
// Generators and metrics

test('Mackey–Glass: fourth-order convergence in h and the τ = 17 attractor statistics', () => {
  const ref = mackeyGlass(301, { h: 0.02 });
  const err = (h: number) => {
    const x = mackeyGlass(301, { h });
    return Math.max(Math.abs(x[100] - ref[100]), Math.abs(x[200] - ref[200]));
  };
  const e1 = err(0.5);
  const e2 = err(0.25);
  const order = Math.log2(e1 / e2);
  assert.ok(order > 3.5 && order < 4.6, `observed order ${order} (errors ${e1}, ${e2})`);
  assert.ok(e2 < 1e-6);
  const x = mackeyGlass(10000, { transient: 1000 });
  let mean = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    mean += v;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  mean /= x.length;
  assert.ok(mean > 0.9 && mean < 0.96, `attractor mean ${mean}`);
  assert.ok(lo > 0.35 && lo < 0.5 && hi > 1.25 && hi < 1.4, `range [${lo}, ${hi}]`);
});

test('Lorenz generator converges with substeps; metrics behave', () => {
  const a = lorenz(200, { substeps: 10 });
  const b = lorenz(200, { substeps: 40 });
  assert.ok(maxAbsDiff(a.data.subarray(0, 120), b.data.subarray(0, 120)) < 1e-5);
  assert.equal(nrmse([1, 2, 3], [1, 2, 3]), 0);
  assert.ok(Math.abs(nrmse([2, 2, 2], [1, 2, 3]) - 1) < 1e-12, 'predicting the mean gives 1');
  assert.ok(Math.abs(squaredCorrelation([1, 2, 3], [2, 4, 6]) - 1) < 1e-12);
  const truth = fromRows([[0], [1], [0], [1]]);
  assert.equal(validTime(fromRows([[0], [1], [1], [1]]), truth), 2);
  assert.equal(validTime(truth, truth), 4);
});

// ---------------------------------------------------------------------------------------------
// Liquid state machine

test('liquid state machine: a LIF network reports its current input in filtered spike counts', () => {
  const N = 200;
  const make = () => {
    const net = new Network({ dt: '0.1 ms', seed: 1 });
    const P = net.add(new NeuronGroup(N, LIF, { init: { v: uniform('-65 mV', '-50 mV') } }));
    net.connect(P.slice(0, 160), P, { comm: new FixedProb(0.1), weight: '0.5 mV', target: 'v' });
    net.connect(P.slice(160), P, { comm: new FixedProb(0.1), weight: '-2 mV', target: 'v' });
    const sm = net.add(new SpikeMonitor(P));
    const lsm = new LiquidStateMachine(net, { input: P, unit: 'pA', inputWeights: randomMatrix(N, 1, { scale: 200, seed: 2 }), inputBias: 150, readout: sm, bin: '30 ms', tau: '15 ms' });
    return { lsm, sm };
  };
  const T = 400;
  const rng = new Rng(3);
  const u = new Float64Array(T);
  for (let i = 0; i < T; i++) u[i] = 2 * rng.uniform() - 1;
  const { lsm, sm } = make();
  const F = lsm.run(matrix(T, 1, u));
  assert.equal(F.rows, T);
  assert.equal(F.cols, N);
  // With tau = 0 the features would be plain counts; here each spike adds at most 1.
  assert.ok(sm.numSpikes > 0);
  let total = 0;
  for (const v of F.data) total += v;
  assert.ok(total > 0 && total <= sm.numSpikes * 1.5);
  const mc = memoryCapacity(F, u, { minDelay: 0, maxDelay: 2, lambda: 0.1, trainFraction: 0.6 });
  assert.ok(mc.perDelay[0] > 0.7, `r² of the current input ${mc.perDelay[0]}`);
  // Same seed, same features (features depend only on the past: a shorter run gives the first rows).
  assert.deepEqual(make().lsm.run(matrix(50, 1, u.subarray(0, 50))).data, F.data.subarray(0, 50 * N));
  assert.throws(() => new LiquidStateMachine(new Network(), { input: new NeuronGroup(3, LIF), inputWeights: matrix(2, 1), readout: sm, bin: '1 ms' }), /rows/);
});
