/**
 * Gap junctions (electrical synapses) in training: the simulator's `gap` option on dense and sparse
 * training projections. Forward against the simulator, gradients against central differences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineNeuron, Network, NeuronGroup, LIF, StateMonitor, SpikeMonitor, All2All, FromCSR, FixedProb, Rng, values, AMPA } from '../src/index.js';
import { SNN, type Events, type Layer, mse, crossEntropy, rateRegularizer, atan, sigmoid, type Surrogate, SGD, trainTBPTT, windowMSE } from '../src/train/index.js';
import { gradCheck, assertChecks } from './support/gradcheck.js';
import { analogEvents } from './support/events.js';


/** The same values for every step (one batch row): a constant current through an identity projection. */
function constantEvents(steps: number, v: readonly number[]): Events {
  const n = v.length;
  return {
    ptr: Int32Array.from({ length: steps + 1 }, (_, t) => n * t),
    idx: Int32Array.from({ length: n * steps }, (_, e) => e % n),
    val: Float64Array.from({ length: n * steps }, (_, e) => v[e % n]),
  };
}

const identity = (n: number, unit: string) => values(Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0)), unit);

/** Targets near a layer's last membrane values (so the loss is small but its gradient is not 0). */
function targetsNear(L: Layer, steps: number, B: number): Float64Array {
  const tr = L.traces.get('v')!.data;
  return Float64Array.from({ length: B * L.n }, (_, k) => tr[(steps - 1) * L.S + k] * (1 + 0.01 * (k + 1)) + 1e-4);
}

// ------------------------------------------------------------------------------------------------
// Forward: one declaration, the simulator's trajectory

test('one declaration: gap junctions (dense, CSR, recurrent, with a delta synapse on v) train and simulate alike; Float64 traces agree to 1e-9 and the spikes are the same', () => {
  const steps = 400;
  const IA = [190, 260, 120];
  const IB = [230, 90];
  const vA = [-60, -70, -55];
  const vB = [-68, -52];
  // The declarations, written once and given to both the simulator and the training network.
  const gAB = { name: 'gAB', gap: 'v', target: 'I', weight: values([2, 0.5, 1, 3, 0.8, 1.5], 'nS') }; // A → B, all to all (3 × 2, row-major)
  const gBA = { name: 'gBA', gap: 'v', weight: values([1.2, 0.7, 2.5], 'nS'), comm: new FromCSR([0, 2, 3], [0, 2, 1]) };
  const gAA = { name: 'gAA', gap: 'v', weight: values([0.9, 1.1, 0.4, 1.6], 'nS'), comm: new FromCSR([0, 1, 3, 4], [1, 0, 2, 0]) };
  // A chemical (delta) projection onto the same variable, declared after the gap junctions.
  const jAB = { name: 'jAB', target: 'v', weight: values([1.5, 0.5, 0.8, 2, 1, 1.2], 'mV') };

  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const A = net.add(new NeuronGroup(3, LIF, { name: 'A', init: { v: values(vA, 'mV') } }));
  const B = net.add(new NeuronGroup(2, LIF, { name: 'B', init: { v: values(vB, 'mV') } }));
  A.setInput('I', values(IA, 'pA'));
  B.setInput('I', values(IB, 'pA'));
  net.connect(A, B, { ...gAB, comm: new All2All() });
  net.connect(B, A, gBA);
  net.connect(A, A, gAA);
  net.connect(A, B, { ...jAB, comm: new All2All() });
  const mA = net.add(new StateMonitor(A, ['v'], { indices: [0, 1, 2] }));
  const mB = net.add(new StateMonitor(B, ['v'], { indices: [0, 1] }));
  const sA = net.add(new SpikeMonitor(A));
  const sB = net.add(new SpikeMonitor(B));
  net.run(`${steps * 0.1} ms`);

  const snn = new SNN({ steps, batch: 1, dt: '0.1 ms', dtype: 'float64' });
  const xa = snn.input(3, 'xa');
  const xb = snn.input(2, 'xb');
  const a = snn.layer(3, LIF, { name: 'A', init: { v: values(vA, 'mV') } }).record('v');
  const b = snn.layer(2, LIF, { name: 'B', init: { v: values(vB, 'mV') } }).record('v');
  snn.dense(xa, a, { name: 'IA', target: 'I', train: false, weight: identity(3, 'pA') });
  snn.dense(xb, b, { name: 'IB', target: 'I', train: false, weight: identity(2, 'pA') });
  const pAB = snn.dense(a, b, gAB);
  const pBA = snn.sparse(b, a, gBA.comm, gBA);
  snn.sparse(a, a, gAA.comm, gAA);
  snn.dense(a, b, jAB);
  snn.forward([constantEvents(steps, IA), constantEvents(steps, IB)], 1);
  assert.equal(pAB.kind, 'dense');
  assert.equal(pBA.kind, 'sparse');
  [1.2e-9, 0.7e-9, 2.5e-9].forEach((w, s) => assert.ok(Math.abs(pBA.w.value[s] - w) < 1e-24, 'weights in CSR order, in SI'));

  let worst = 0;
  for (const [L, m] of [[a, mA], [b, mB]] as const) {
    const sim = m.result().values.v;
    const tr = L.traces.get('v')!.data;
    // The simulator's monitor sees v after the spikes of the step were delivered; the training trace
    // holds them as the next step's increments (IN.v, added when that step starts).
    const jump = L.IN.get('v');
    assert.equal(sim.length, steps * L.n);
    for (let t = 0; t < steps - 1; t++) {
      for (let i = 0; i < L.n; i++) {
        const ours = tr[t * L.S + i] + (jump ? jump[(t + 1) * L.S + i] : 0);
        const d = Math.abs(ours - sim[t * L.n + i]);
        worst = Math.max(worst, d);
        assert.ok(d < 1e-9, `${L.name}[${i}] at step ${t}: training ${ours} V, simulator ${sim[t * L.n + i]} V`);
      }
    }
  }
  assert.ok(b.IN.get('v')!.some((x) => x !== 0), 'the delta synapse transmitted');
  const spikesOf = (L: Layer) => {
    const out: string[] = [];
    for (let t = 0; t < steps; t++) for (let e = L.evPtr[t]; e < L.evPtr[t + 1]; e++) out.push(`${L.ev[e]}@${t}`);
    return out;
  };
  const simSpikes = (s: SpikeMonitor) => {
    const { times, indices } = s.spikes();
    return Array.from(indices, (i, k) => `${i}@${Math.round(times[k] / 1e-4)}`);
  };
  assert.ok(simSpikes(sA).length > 3 && simSpikes(sB).length > 0, 'both populations should spike');
  assert.deepEqual(spikesOf(a), simSpikes(sA));
  assert.deepEqual(spikesOf(b), simSpikes(sB));
  console.log(`  sim vs train: ${steps} steps, ${spikesOf(a).length + spikesOf(b).length} spikes, largest |Δv| ${worst.toExponential(2)} V`);
});

test('the coupling current: none at step 0, then Σ w·(V_pre − V_post) from the state at the start of the step; one-directional', () => {
  const snn = new SNN({ steps: 3, batch: 2, dt: '0.1 ms', dtype: 'float64' });
  const a = snn.layer(1, LIF, { name: 'A', init: { v: '-50 mV' }, params: { Vth: '0 mV' } }).record('v');
  const b = snn.layer(1, LIF, { name: 'B', params: { Vth: '0 mV' } }).record('v');
  snn.dense(a, b, { name: 'g', gap: 'v', target: 'I', weight: '10 nS' });
  snn.forward([], 2);
  const va = a.traces.get('v')!.data;
  const vb = b.traces.get('v')!.data;
  // LIF, exponential Euler: v' = v + (1 - e^{-dt/τ})·(El + R·I - v).
  const f = 1 - Math.exp(-1e-4 / 1e-2);
  const step = (v: number, I: number) => v + f * (-0.065 + 1e8 * I - v);
  const a1 = step(-0.05, 0);
  assert.ok(Math.abs(va[0] - a1) < 1e-15 && Math.abs(vb[0] + 0.065) < 1e-15, 'step 0: B receives nothing');
  const I1 = 1e-8 * (a1 - -0.065);
  assert.ok(Math.abs(vb[b.S] - step(-0.065, I1)) < 1e-15, 'step 1: I = w·(V_A − V_B) at the start of the step');
  assert.ok(Math.abs(va[a.S] - step(a1, 0)) < 1e-15, 'A receives no counter-current');
  assert.equal(vb[b.S + 1], vb[b.S], 'batch rows are independent and alike');
});

// ------------------------------------------------------------------------------------------------
// Gradient checks (Float64, central differences)

/** Sub-threshold LIF layers: input → A (chemical), gap junctions between and within A and B. */
function lifNet(kind: 'focused' | 'full', o: { checkpoint?: number; truncate?: number } = {}) {
  const steps = 60;
  const Bt = 2;
  const net = new SNN({ steps, batch: Bt, dt: '0.1 ms', dtype: 'float64', seed: 5, ...o });
  const x = net.input(3, 'x');
  const A = net.layer(3, LIF, { name: 'A', params: { Vth: '0 mV' }, train: ['tau', 'El'], trainInit: true, init: { v: { dist: 'uniform', low: '-70 mV', high: '-60 mV' } } }).record('v');
  const B = net.layer(2, LIF, { name: 'B', params: { Vth: '0 mV' }, train: ['tau'], trainInit: true, init: { v: { dist: 'uniform', low: '-68 mV', high: '-62 mV' } } }).record('v');
  net.dense(x, A, { name: 'in', target: 'I', weight: { dist: 'normal', mean: '200 pA', std: '60 pA' } });
  net.dense(A, B, { name: 'gAB', gap: 'v', target: 'I', weight: { dist: 'normal', mean: '3 nS', std: '1 nS' } });
  if (kind === 'full') {
    net.sparse(B, A, new FixedProb(0.7), { name: 'gBA', gap: 'v', weight: { dist: 'uniform', low: '1 nS', high: '4 nS' } });
    net.sparse(A, A, new FixedProb(0.7, { allowSelf: false }), { name: 'gAA', gap: 'v', weight: { dist: 'uniform', low: '0.5 nS', high: '2 nS' } });
    net.dense(B, B, { name: 'gBB', gap: 'v', train: false, weight: '1.5 nS' });
  }
  net.build();
  const ev = analogEvents(new Rng(9, 2), steps, Bt, 3, 0.2, 1, 0.7);
  const run = () => net.forward(ev, Bt);
  run();
  const yB = targetsNear(B, steps, Bt);
  const yA = targetsNear(A, steps, Bt);
  const loss = () => mse(net, B, 'v', yB, { reduce: 'mean' }) + (kind === 'full' ? mse(net, A, 'v', yA, { reduce: 'mean' }) : 0);
  return { net, A, B, run, loss, steps };
}

test('gradient check: gap junction A → B (dense), loss on B only: the adjoint reaches both membranes (initial values of A and B), the conductances and the input weights', () => {
  const { net, A, B, run, loss, steps } = lifNet('focused');
  const checks = gradCheck(net, loss, run, { rel: 1e-4 });
  const names = new Set(checks.map((c) => c.param));
  for (const p of ['gAB.w', 'A.init.v', 'B.init.v', 'in.w', 'A.tau', 'A.El', 'B.tau']) assert.ok(names.has(p), `${p} not checked`);
  const worst = assertChecks(checks, 'gap A → B', 1e-3, { requireNonZero: true });
  run();
  assert.equal(A.evPtr[steps] + B.evPtr[steps], 0, 'must stay sub-threshold');
  // A is not driven by B (one-directional), so everything that reaches A's parameters went through the gap's pre adjoint.
  const byParam = (p: string) => Math.max(...checks.filter((c) => c.param === p).map((c) => c.rel));
  console.log(`  gap A → B (dense): ${checks.length} entries, worst relative error ${worst.toExponential(2)} (gAB.w ${byParam('gAB.w').toExponential(1)}, A.init.v ${byParam('A.init.v').toExponential(1)}, B.init.v ${byParam('B.init.v').toExponential(1)})`);
});

test('gradient check: dense + CSR + recurrent gap junctions in both directions, sub-threshold, conductances (sparse gradients) + parameters + initial state', () => {
  const { net, A, B, run, loss, steps } = lifNet('full');
  const checks = gradCheck(net, loss, run, { rel: 1e-4, per: 5 });
  const names = new Set(checks.map((c) => c.param));
  for (const p of ['gAB.w', 'gBA.w', 'gAA.w', 'A.init.v', 'B.init.v']) assert.ok(names.has(p), `${p} not checked`);
  assert.ok(!names.has('gBB.w'), 'an untrained gap junction has no parameter');
  const worst = assertChecks(checks, 'gap dense + CSR', 1e-3, { requireNonZero: true });
  run();
  assert.equal(A.evPtr[steps] + B.evPtr[steps], 0, 'must stay sub-threshold');
  const sparse = net.projections.find((p) => p.name === 'gAA')!;
  assert.equal(sparse.parameters()[0].grad.length, (sparse as unknown as { csr: { indices: Int32Array } }).csr.indices.length, 'one gradient per synapse');
  console.log(`  gap dense + CSR + recurrent: ${checks.length} entries, worst relative error ${worst.toExponential(2)}`);
});

/** A dimensionless LIF with a smooth ('soft') spike so that the surrogate gradient is the true gradient. */
const SoftCell = defineNeuron({
  name: 'SoftCell',
  equations: `
    dv/dt = (-v + I) / tau : 1
    I : 1 (input)`,
  params: { tau: '5 ms', Vth: 1, Vr: 0.2 },
  threshold: 'v > Vth',
  reset: 'v = Vr*v',
});

/** A non-spiking leaky unit with an input (a gap junction may couple it too). */
const Leaky = defineNeuron({
  name: 'Leaky',
  equations: `
    dv/dt = (-v + I) / tau : 1
    I : 1 (input)`,
  params: { tau: '4 ms' },
});

function spikingNet(surrogate: Surrogate, o: { checkpoint?: number; truncate?: number } = {}) {
  const T = 25;
  const Bt = 2;
  const net = new SNN({ steps: T, batch: Bt, dt: '1 ms', dtype: 'float64', seed: 13, ...o });
  const x = net.input(6, 'x');
  const h1 = net.layer(5, SoftCell, { name: 'h1', surrogate, spikeMode: 'soft', detachReset: false, train: ['tau', 'Vth'], trainInit: true });
  const h2 = net.layer(4, SoftCell, { name: 'h2', surrogate, spikeMode: 'soft', detachReset: false, train: ['tau'], trainInit: true });
  const out = net.layer(3, Leaky, { name: 'o', trainInit: true }).record('v');
  net.dense(x, h1, { name: 'in', weight: { dist: 'normal', mean: 0.45, std: 1.5 } });
  net.sparse(h1, h1, new FixedProb(0.6, { allowSelf: false }), { name: 'g11', gap: 'v', weight: { dist: 'uniform', low: 0.05, high: 0.4 } });
  net.dense(h1, h2, { name: 'g12', gap: 'v', weight: { dist: 'uniform', low: 0.1, high: 0.5 } });
  net.dense(h1, h2, { name: 'w12', weight: { dist: 'normal', mean: 0.3, std: 0.8 } });
  net.dense(h2, out, { name: 'out', weight: { dist: 'normal', mean: 0.3, std: 1 } });
  net.sparse(out, h2, new FixedProb(0.7), { name: 'gback', gap: 'v', weight: { dist: 'uniform', low: 0.05, high: 0.3 } }); // from a non-spiking layer
  net.build();
  const ev = analogEvents(new Rng(4, 4), T, Bt, 6, 0, 1, 0.4);
  const run = () => net.forward(ev, Bt);
  const loss = () => crossEntropy(net, out, 'v', [1, 2], { reduce: 'mean' }).loss + rateRegularizer(net, h2, { target: 0.3, weight: 0.5 });
  return { net, h1, h2, run, loss };
}

test('gradient check: gap junctions between spiking layers through the surrogate path (soft spikes, non-detached reset), from a non-spiking layer too', () => {
  const parts: string[] = [];
  for (const s of [atan(2), sigmoid(4)]) {
    const { net, h1, h2, run, loss } = spikingNet(s);
    const checks = gradCheck(net, loss, run, { per: 4, rel: 1e-4 });
    const names = new Set(checks.map((c) => c.param));
    for (const p of ['g11.w', 'g12.w', 'gback.w', 'h1.init.v', 'h2.init.v']) assert.ok(names.has(p), `${s.name}: ${p} not checked`);
    run();
    assert.ok(h1.counts.reduce((x, y) => x + y, 0) > 1 && h2.counts.reduce((x, y) => x + y, 0) > 1, 'soft spikes should carry signal');
    const worst = assertChecks(checks, `surrogate ${s.name}`, 1e-3, { requireNonZero: true });
    parts.push(`${s.name} ${worst.toExponential(2)}`);
  }
  console.log(`  gap, soft spikes (worst relative error): ${parts.join(', ')}`);
});

test('gap junctions: checkpointing gives the same gradients, truncation at T changes nothing and shorter truncation cuts', () => {
  for (const mk of [(o: { checkpoint?: number; truncate?: number }) => lifNet('full', o), (o: { checkpoint?: number; truncate?: number }) => spikingNet(atan(2), o)]) {
    const grads = (o: { checkpoint?: number; truncate?: number }) => {
      const { net, run, loss } = mk(o);
      net.zeroGrad();
      run();
      loss();
      net.backward();
      return net.parameters().map((p) => Array.from(p.grad));
    };
    const full = grads({});
    for (const o of [{ checkpoint: 1 }, { checkpoint: 7 }, { truncate: 1000 }]) {
      const other = grads(o);
      full.forEach((g, k) => g.forEach((v, i) => assert.ok(Math.abs(v - other[k][i]) <= 1e-12 * (1 + Math.abs(v)), `${JSON.stringify(o)}: ${v} vs ${other[k][i]}`)));
    }
    const cut = grads({ truncate: 5, checkpoint: 5 });
    assert.ok(full.some((g, k) => g.some((v, i) => Math.abs(v - cut[k][i]) > 1e-9 * Math.abs(v))), 'truncation should change the gradient');
  }
});

test('gap junctions in truncated BPTT windows: the carried state reproduces the full run; the last window equals BPTT cut at its start', () => {
  const a = lifNet('full');
  const b = lifNet('full');
  const { steps } = a;
  const Bt = 2;
  const ev = analogEvents(new Rng(9, 2), steps, Bt, 3, 0.2, 1, 0.7);
  const y = new Float64Array(Bt * 2).fill(-0.062);
  const opt = new SGD(b.net.parameters(), { lr: 0 });
  trainTBPTT(b.net, opt, ev, Bt, (t0, t1) => windowMSE(b.net, b.B, 'v', y, t0, t1), { window: 10 });
  a.net.forward(ev, Bt);
  assert.deepEqual(Array.from(b.B.traces.get('v')!.data), Array.from(a.B.traces.get('v')!.data));
  const d = lifNet('full', { truncate: 50 });
  d.net.forward(ev, Bt);
  d.net.zeroGrad();
  windowMSE(d.net, d.B, 'v', y, 50, 60);
  d.net.backward();
  const want = d.net.parameters();
  let n = 0;
  b.net.parameters().forEach((p, k) => {
    if (p.name.includes('init')) return; // the last window gives the initial values nothing
    p.grad.forEach((v, i) => assert.ok(Math.abs(v - want[k].grad[i]) <= 1e-12 * (1 + Math.abs(v)), `${p.name}[${i}]: ${v} vs ${want[k].grad[i]}`));
    if (p.name.startsWith('g')) n += p.grad.filter((v) => v !== 0).length;
  });
  assert.ok(n > 0, 'the window reaches the conductances');
});

test('float32 storage runs the same network (close to float64)', () => {
  const mk = (dtype: 'float32' | 'float64') => {
    const net = new SNN({ steps: 50, batch: 1, dt: '0.1 ms', dtype, seed: 3 });
    const x = net.input(2, 'x');
    const A = net.layer(2, LIF, { name: 'A', params: { Vth: '0 mV' } }).record('v');
    const B = net.layer(2, LIF, { name: 'B', params: { Vth: '0 mV' } }).record('v');
    net.dense(x, A, { name: 'in', target: 'I', weight: '300 pA' });
    net.sparse(A, B, new All2All(), { name: 'g', gap: 'v', weight: '5 nS' });
    net.forward(constantEvents(50, [1, 0.5]), 1);
    mse(net, B, 'v', [-0.06, -0.06], { reduce: 'mean' });
    net.backward();
    return { v: Array.from(B.traces.get('v')!.data.subarray(49 * B.S, 49 * B.S + 2)), g: Array.from(net.parameters().find((p) => p.name === 'g.w')!.grad) };
  };
  const a = mk('float32');
  const b = mk('float64');
  a.v.forEach((v, i) => assert.ok(Math.abs(v - b.v[i]) < 1e-6, `v ${v} vs ${b.v[i]}`));
  a.g.forEach((g, i) => assert.ok(Math.abs(g - b.g[i]) <= 1e-3 * Math.abs(b.g[i]) + 1e-30, `grad ${g} vs ${b.g[i]}`));
  assert.ok(b.v[0] > -0.065 + 1e-4, 'B is depolarized through the gap junction');
});

test('gap junction refusals name the projection, the field and the fix', () => {
  const Dimensionless = Leaky;
  const mk = () => {
    const net = new SNN({ steps: 5, batch: 1, dt: '0.1 ms' });
    const x = net.input(2, 'x');
    const A = net.layer(2, LIF, { name: 'A' });
    const B = net.layer(2, LIF, { name: 'B' });
    return { net, x, A, B };
  };
  {
    const { net, x, B } = mk();
    assert.throws(() => net.dense(x, B, { name: 'p', gap: 'v', weight: '1 nS' }), /projection 'p'.*input 'x' has no variable 'v'.*connect two layers/s);
  }
  {
    const { net, A, B } = mk();
    assert.throws(() => net.jit(A, B, new FixedProb(0.5), { name: 'p', gap: 'v', weight: 1e-9 }), /projection 'p'.*just-in-time.*net\.sparse/s);
  }
  {
    const { net, A, B } = mk();
    assert.throws(() => net.dense(A, B, { name: 'p', gap: 'w', weight: '1 nS' }), /'w' must be a state variable of both LIF and LIF.*Fix: choose one of: v/s);
  }
  {
    const { net, A } = mk();
    const D = net.layer(2, Dimensionless, { name: 'D' });
    assert.throws(() => net.dense(A, D, { name: 'p', gap: 'v', weight: 1 }), /'v' must be a state variable of both LIF and Leaky with one dimension/);
  }
  {
    const { net, A, B } = mk();
    assert.throws(() => net.dense(A, B, { name: 'p', gap: 'v', target: 'v', weight: '1 nS' }), /target.*'v' is not an input of LIF.*choose one of its inputs: I/s);
  }
  {
    const { net, A, B } = mk();
    assert.throws(() => net.dense(A, B, { name: 'p', gap: 'v' }), /weight.*needs its conductances.*1 nS/s);
  }
  {
    const { net, A, B } = mk();
    assert.throws(() => net.dense(A, B, { name: 'p', gap: 'v', weight: '1 nS', syn: AMPA() }), /projection 'p'.*syn.*no synapse kinetics/s);
  }
  {
    const { net, A, B } = mk();
    net.dense(A, B, { name: 'p', gap: 'v', weight: '1 pA' });
    assert.throws(() => net.build(), /projection 'p'.*weight.*dimension/s);
  }
  {
    // A non-spiking source is fine for a gap junction, but not for a chemical projection.
    const net = new SNN({ steps: 5, batch: 1 });
    const L = net.layer(2, Leaky, { name: 'L' });
    const M = net.layer(2, Leaky, { name: 'M' });
    net.dense(L, M, { name: 'g', gap: 'v', weight: 0.1 });
    assert.throws(() => net.dense(L, M, { name: 'c', weight: 0.1 }), /no threshold/);
  }
});
