import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineNeuron, NeuronModel, Network, NeuronGroup, LIF, SpikeMonitor, FixedProb, Rng, values, withSynapses, Expon, DualExpon, Alpha, NMDA, COBA, CUBA, MgBlock, type FoldedSynapse } from '../src/index.js';
import * as neurons from '../src/neurons/index.js';
import {
  SNN,
  type Layer,
  type Events,
  type Param,
  sigmoid,
  fastSigmoid,
  atan,
  triangle,
  gaussian,
  erf,
  mse,
  crossEntropy,
  rateRegularizer,
  spikeCountLoss,
  Adam,
  AdamW,
  SGD,
  clipGradNorm,
  cosineLR,
  stepLR,
  synapticLIF,
  leakyReadout,
  type Surrogate,
} from '../src/train/index.js';
import { type Check, gradCheck, assertChecks } from './support/gradcheck.js';
import { analogEvents } from './support/events.js';
import { syntheticDataset, latencySteps, latencyEvents, permutation, batches } from '../src/data/index.js';

// ------------------------------------------------------------------------------------------------
// Helpers


/** Deterministic targets for an MSE loss. */
function targets(n: number, seed: number, lo: number, hi: number): Float64Array {
  const r = new Rng(seed, 99);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * r.uniform());
}

const SUBTHRESHOLD: Record<string, { value: number; dt?: string; steps?: number }> = {};

/** The neuron's input (an 'input' value) or, without one, its first state variable. */
function targetOf(m: NeuronModel): string {
  return m.inputNames()[0] ?? m.stateNames()[0];
}

/** A sub-threshold gradient check of one model: input → dense → layer; loss on its first state variable. */
function checkModel(model: NeuronModel, o: { amp: number; dt: string; steps: number; train?: string[]; seed?: number; target?: string }): Check[] {
  const B = 2;
  const nIn = 3;
  const n = 3;
  const net = new SNN({ steps: o.steps, batch: B, dt: o.dt, dtype: 'float64', seed: o.seed ?? 1 });
  const x = net.input(nIn, 'x');
  // The membrane: the state variable the threshold reads (else the first one).
  const thr = model.threshold && model.threshold.k === 'cmp' && model.threshold.a.k === 'sym' ? model.threshold.a.name : undefined;
  const state = thr && model.stateNames().includes(thr) ? thr : model.stateNames()[0];
  const target = o.target ?? targetOf(model);
  const dim = model.dimOf(target)!;
  const trainable = o.train ?? [];
  const layer = net.layer(n, model, { name: 'L', train: trainable, trainInit: true }).record(state);
  net.dense(x, layer, { target, name: 'W', weight: { dist: 'normal', mean: { value: o.amp, dim }, std: { value: 0.3 * o.amp, dim } } });
  net.build();
  const ev = analogEvents(new Rng(o.seed ?? 3, 5), o.steps, B, nIn, 0.2, 1);
  const y = new Float64Array(B * n);
  const run = () => net.forward(ev, B);
  const base = (() => {
    run();
    const tr = layer.traces.get(state)!.data;
    return tr[(o.steps - 1) * layer.S];
  })();
  for (let k = 0; k < y.length; k++) y[k] = base * (1 + 0.01 * (k + 1)) + 1e-3 * Math.abs(base);
  const loss = () => mse(net, layer, state, y, { reduce: 'mean' });
  const checks = gradCheck(net, loss, run);
  run();
  assert.equal(layer.evPtr[o.steps], 0, `${model.name}: the check must stay sub-threshold, but the layer spiked`);
  return checks;
}

// ------------------------------------------------------------------------------------------------
// Surrogates

test('surrogates: σ\' is the derivative of σ, integrates to 1, and atan(2) is 1/(1 + (πh)²)', () => {
  const all: Surrogate[] = [sigmoid(3), fastSigmoid(5), atan(2), triangle(1.5), gaussian(2)];
  for (const s of all) {
    for (const h of [-0.9, -0.31, -0.05, 0.02, 0.2, 0.55]) {
      const e = 1e-6;
      const num = (s.soft(h + e) - s.soft(h - e)) / (2 * e);
      assert.ok(Math.abs(num - s.grad(h)) < 1e-6, `${s.name} at ${h}: ${num} vs ${s.grad(h)}`);
    }
    let integral = 0;
    for (let h = -200; h < 200; h += 0.001) integral += s.grad(h + 0.0005) * 0.001;
    assert.ok(Math.abs(integral - 1) < 2e-2, `${s.name} integrates to ${integral}`);
  }
  for (const h of [-1, 0, 0.3]) assert.ok(Math.abs(atan(2).grad(h) - 1 / (1 + (Math.PI * h) ** 2)) < 1e-15);
  assert.ok(Math.abs(erf(0.5) - 0.5204998778130465) < 1e-15);
  assert.ok(Math.abs(erf(2.4999) - erf(2.5001)) < 1e-4 && Math.abs(erf(3) - 0.9999779095030014) < 1e-14);
  assert.throws(() => atan(-1), /sharpness must be a positive/);
});

// ------------------------------------------------------------------------------------------------
// One declaration: a training layer integrates a model exactly as the simulator does

test('a LIF training layer reproduces the simulator (NeuronGroup) trace and spikes exactly', () => {
  const steps = 400;
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const G = net.add(new NeuronGroup(2, LIF));
  G.setInput('I', values([180, 320], 'pA'));
  const sm = net.add(new SpikeMonitor(G));
  net.run(`${steps * 0.1} ms`);

  const snn = new SNN({ steps, batch: 1, dt: '0.1 ms', dtype: 'float64' });
  const x = snn.input(2, 'x');
  const L = snn.layer(2, LIF, { name: 'lif' }).record('v');
  snn.dense(x, L, { target: 'I', weight: { dist: 'values', values: [1, 0, 0, 1], unit: 'pA' } });
  const ptr = Int32Array.from({ length: steps + 1 }, (_, t) => 2 * t);
  const idx = Int32Array.from({ length: 2 * steps }, (_, e) => e % 2);
  const val = Float64Array.from({ length: 2 * steps }, (_, e) => (e % 2 ? 320 : 180));
  snn.forward({ ptr, idx, val }, 1);
  const v = L.traces.get('v')!.data;
  const { indices, times } = sm.spikes();
  const simSpikes = Array.from(indices, (i, k) => `${i}@${Math.round(times[k] / 1e-4)}`);
  const ours: string[] = [];
  for (let t = 0; t < steps; t++) for (let e = L.evPtr[t]; e < L.evPtr[t + 1]; e++) ours.push(`${L.ev[e]}@${t}`);
  assert.ok(simSpikes.length > 5);
  assert.deepEqual(ours, simSpikes);
  const final = G.get('v');
  assert.ok(Math.abs(v[(steps - 1) * L.S] - final[0]) < 1e-12 && Math.abs(v[(steps - 1) * L.S + 1] - final[1]) < 1e-12);
});

test('the Fashion-MNIST cell (synapticLIF, 1-step refractory) equals the PyTorch reference recurrence', () => {
  const T = 60;
  const B = 3;
  const nIn = 8;
  const nH = 6;
  const nO = 4;
  const alpha = 0.9;
  const beta = 0.85;
  const rng = new Rng(7, 1);
  const W1 = Float64Array.from({ length: nIn * nH }, () => rng.normal() * 0.9);
  const W2 = Float64Array.from({ length: nH * nO }, () => rng.normal() * 0.5);
  const spikesIn: Uint8Array[] = Array.from({ length: T }, () => Uint8Array.from({ length: B * nIn }, () => (rng.uniform() < 0.3 ? 1 : 0)));
  // The reference: spike from the membrane before the update, reset factor (1 - s).
  const ref: number[] = [];
  for (let b = 0; b < B; b++) {
    const I1 = new Float64Array(nH), V1 = new Float64Array(nH), I2 = new Float64Array(nO), V2 = new Float64Array(nO);
    for (let t = 0; t < T; t++) {
      const s = new Float64Array(nH);
      for (let j = 0; j < nH; j++) {
        let d = 0;
        for (let i = 0; i < nIn; i++) d += spikesIn[t][b * nIn + i] * W1[i * nH + j];
        I1[j] = alpha * I1[j] + d;
        s[j] = V1[j] - 1 > 0 ? 1 : 0;
        V1[j] = (beta * V1[j] + I1[j]) * (1 - s[j]);
      }
      for (let c = 0; c < nO; c++) {
        let d = 0;
        for (let j = 0; j < nH; j++) d += s[j] * W2[j * nO + c];
        I2[c] = alpha * I2[c] + d;
        V2[c] = beta * V2[c] + I2[c];
        ref.push(V2[c]);
      }
    }
  }
  const net = new SNN({ steps: T, batch: B, dt: '1 ms', dtype: 'float64' });
  const x = net.input(nIn, 'x');
  const h = net.layer(nH, synapticLIF({ alpha, beta, refractorySteps: 2 }), { name: 'h' });
  const o = net.layer(nO, leakyReadout({ alpha, beta }), { name: 'o' }).record('v');
  net.dense(x, h, { target: 'I', weight: { dist: 'values', values: W1, unit: '1' } });
  net.dense(h, o, { target: 'I', weight: { dist: 'values', values: W2, unit: '1' } });
  const ptr = new Int32Array(T + 1);
  const idx: number[] = [];
  for (let t = 0; t < T; t++) {
    spikesIn[t].forEach((s, k) => s && idx.push(k));
    ptr[t + 1] = idx.length;
  }
  net.forward({ ptr, idx: Int32Array.from(idx) }, B);
  assert.ok(h.evPtr[T] > 10, 'hidden layer should spike');
  const v = o.traces.get('v')!.data;
  let worst = 0;
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let c = 0; c < nO; c++) worst = Math.max(worst, Math.abs(v[t * o.S + b * nO + c] - ref[(b * T + t) * nO + c]));
  assert.ok(worst < 1e-9, `readout differs from the reference by ${worst}`);
});

// ------------------------------------------------------------------------------------------------
// Gradient checks: sub-threshold dynamics

test('gradient check (Float64, central differences): LIF, sub-threshold, weights + tau + El + initial v', () => {
  const checks = checkModel(LIF, { amp: 20e-12, dt: '0.5 ms', steps: 30, train: ['tau', 'El', 'R'] });
  const worst = assertChecks(checks, 'LIF');
  assert.ok(checks.some((c) => c.param === 'L.tau') && checks.some((c) => c.param === 'L.init.v') && checks.some((c) => c.param === 'W.w'));
  console.log(`  LIF: ${checks.length} entries, worst relative error ${worst.toExponential(2)}`);
});

test('gradient check: a user-declared two-variable nonlinear model (rk2), weights, parameters, initial state', () => {
  const Mine = defineNeuron({
    name: 'MyAdaptiveQuadratic',
    equations: `
      dv/dt = (k*(v - El)*(v - Vc) - R*w + R*I) / tau : volt
      dw/dt = (a*(v - El) - w) / tau_w : amp
      I : amp (input)`,
    params: { El: '-65 mV', Vc: '-50 mV', k: '0.04 / mV', R: '50 Mohm', tau: '10 ms', tau_w: '80 ms', a: '2 nS', Vth: '0 mV', b: '10 pA' },
    threshold: 'v > Vth',
    reset: 'v = El; w += b',
    init: { v: '-64 mV', w: '5 pA' },
    method: 'rk2',
  });
  const checks = checkModel(Mine, { amp: 40e-12, dt: '0.2 ms', steps: 40, train: ['tau', 'tau_w', 'a', 'k', 'Vc'] });
  const worst = assertChecks(checks, 'user model');
  console.log(`  user model: ${checks.length} entries, worst relative error ${worst.toExponential(2)}`);
});

test('gradient check: every model in src/neurons, sub-threshold, weights + all parameters + initial state', () => {
  const models = Object.entries(neurons).filter(([, m]) => m instanceof NeuronModel) as [string, NeuronModel][];
  assert.ok(models.length >= 10, `only ${models.length} models found`);
  const results: string[] = [];
  for (const [name, model] of models) {
    // Small inputs in the unit of the model's input, a short window that stays below threshold.
    const target = targetOf(model);
    const dim = model.dimOf(target)!;
    const isAmp = dim[3] === 1 && dim[0] === 0;
    const amp = SUBTHRESHOLD[name]?.value ?? (isAmp ? 5e-12 : dim.every((d) => d === 0) ? 0.05 : 1e-4);
    const refParam = typeof model.spec.refractory === 'string' ? model.spec.refractory : undefined;
    const train = [...model.params.keys()].filter((p) => p !== refParam);
    const checks = checkModel(model, { amp, dt: SUBTHRESHOLD[name]?.dt ?? '0.05 ms', steps: SUBTHRESHOLD[name]?.steps ?? 20, train });
    // Parameters that do not influence the sub-threshold window (reset values, thresholds) have 0 gradients on both sides.
    const worst = assertChecks(
      // Gradients at round-off level (a loss change below 1e-10 of itself per unit relative change) are not informative.
      checks.filter((c) => c.analytic !== 0 && c.sens > 1e-10),
      name,
    );
    for (const c of checks.filter((c) => c.analytic === 0)) assert.ok(Math.abs(c.numeric) < 1e-6 * Math.max(...checks.map((d) => Math.abs(d.numeric))) || c.numeric === 0, `${name}: ${c.param} analytic 0, numeric ${c.numeric}`);
    results.push(`${name} ${worst.toExponential(1)}`);
    if (process.env.BRAINTS_DEBUG) for (const c of checks) console.log(name, c.param, c.index, c.analytic, c.numeric, c.rel.toExponential(1), c.sens.toExponential(1));
  }
  console.log(`  models (worst relative error): ${results.join(', ')}`);
});

test('gradient check: every built-in synapse model folded into a LIF neuron (weights into the synaptic state, synaptic and output parameters)', () => {
  // amplitudes keep 30 steps of input below threshold (the check needs smooth, spike-free dynamics)
  const cases: [string, FoldedSynapse, number][] = [
    ['Expon+COBA', { name: 's', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), unit: 'nS' }, 0.02e-9],
    ['Expon+CUBA', { name: 's', syn: Expon({ tau: '3 ms' }), out: CUBA(), unit: 'pA' }, 2e-12],
    ['DualExpon+COBA', { name: 's', syn: DualExpon({ tauRise: '1 ms', tauDecay: '5 ms' }), out: COBA({ E: '-80 mV' }), unit: 'nS' }, 0.05e-9],
    ['Alpha+CUBA', { name: 's', syn: Alpha({ tau: '2 ms' }), out: CUBA(), unit: 'pA' }, 2e-12],
    ['NMDA+MgBlock', { name: 's', syn: NMDA(), out: MgBlock({ E: '0 mV' }), unit: '1', gmax: '5 nS' }, 0.05],
  ];
  const results: string[] = [];
  for (const [name, folded, amp] of cases) {
    const model = withSynapses(LIF, [folded], `LIF+${name}`);
    const stateOf = `s_${folded.syn.onPreSpike ? 'x' : folded.syn.onSpike}`;
    const train = [...model.params.keys()].filter((p) => p.startsWith('s_') || p === 'tau' || p === 'El');
    const checks = checkModel(model, { amp, dt: '0.05 ms', steps: 30, train, target: stateOf });
    const worst = assertChecks(checks.filter((c) => c.analytic !== 0 && c.sens > 1e-10), name);
    results.push(`${name} ${worst.toExponential(1)}`);
  }
  console.log(`  synapses (worst relative error): ${results.join(', ')}`);
});

// ------------------------------------------------------------------------------------------------
// Gradient checks: the surrogate path and the projections

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

function surrogateNet(kind: 'dense' | 'sparse' | 'jit', surrogate: Surrogate, o: { recurrent?: boolean; checkpoint?: number; truncate?: number } = {}) {
  const T = 25;
  const B = 2;
  const net = new SNN({ steps: T, batch: B, dt: '1 ms', dtype: 'float64', seed: 11, checkpoint: o.checkpoint, truncate: o.truncate });
  const x = net.input(6, 'x');
  const h = net.layer(5, SoftCell, { name: 'h', surrogate, spikeMode: 'soft', detachReset: false, train: ['tau', 'Vth'], trainInit: true });
  const out = net.layer(3, leakyReadout({ alpha: 0.8, beta: 0.9 }), { name: 'o' }).record('v');
  const connect = (pre: typeof x | Layer, post: Layer, name: string, scale: number) => {
    const target = post === out ? 'I' : undefined;
    if (kind === 'dense') net.dense(pre, post, { name, target, weight: { dist: 'normal', mean: 0.3 * scale, std: scale } });
    else if (kind === 'sparse') net.sparse(pre, post, new FixedProb(0.6), { name, target, weight: { dist: 'normal', mean: 0.3 * scale, std: scale } });
    else net.jit(pre, post, new FixedProb(0.6), { name, target, weight: { mean: 0.4 * scale, std: scale } });
  };
  connect(x, h, 'in', 1.5);
  connect(h, out, 'out', 1);
  if (o.recurrent) connect(h, h, 'rec', 0.3);
  net.build();
  const ev = analogEvents(new Rng(4, 4), T, B, 6, 0, 1, 0.4);
  const labels = [1, 2];
  const run = () => net.forward(ev, B);
  const loss = () => crossEntropy(net, out, 'v', labels, { reduce: 'mean' }).loss + rateRegularizer(net, h, { target: 0.3, weight: 0.5 });
  return { net, h, out, run, loss };
}

test('gradient check: surrogate path (soft spikes, non-detached reset), all five surrogates, dense + recurrent', () => {
  const parts: string[] = [];
  for (const s of [sigmoid(4), fastSigmoid(3), atan(2), triangle(0.8), gaussian(1.5)]) {
    const { net, h, run, loss } = surrogateNet('dense', s, { recurrent: true });
    const checks = gradCheck(net, loss, run, { per: 3 });
    run();
    assert.ok(h.counts.reduce((a, b) => a + b, 0) > 1, 'soft spikes should carry signal');
    const worst = assertChecks(checks, `surrogate ${s.name}`);
    parts.push(`${s.name} ${worst.toExponential(1)}`);
  }
  console.log(`  surrogates (worst relative error): ${parts.join(', ')}`);
});

test('gradient check: dense projections (event-driven input, spiking source, recurrent)', () => {
  const { net, run, loss } = surrogateNet('dense', atan(2), { recurrent: true });
  const worst = assertChecks(gradCheck(net, loss, run, { per: 5 }), 'dense');
  console.log(`  dense: worst relative error ${worst.toExponential(2)}`);
});

test('gradient check: sparse (CSR) projections', () => {
  const { net, run, loss } = surrogateNet('sparse', sigmoid(4), { recurrent: true });
  const checks = gradCheck(net, loss, run, { per: 5 });
  assert.ok(checks.some((c) => c.param === 'rec.w'));
  const worst = assertChecks(checks, 'sparse');
  console.log(`  sparse: worst relative error ${worst.toExponential(2)}`);
});

test('gradient check: just-in-time projections (connectivity and weights regenerated from the seed)', () => {
  const { net, run, loss } = surrogateNet('jit', fastSigmoid(3), { recurrent: true });
  const checks = gradCheck(net, loss, run, { per: 2 });
  assert.ok(checks.some((c) => c.param === 'rec.std') && checks.some((c) => c.param === 'in.mean'));
  const worst = assertChecks(checks, 'jit');
  console.log(`  jit: worst relative error ${worst.toExponential(2)}`);
});

test('checkpointing gives the same gradients; truncation cuts long paths', () => {
  const grads = (o: { checkpoint?: number; truncate?: number }) => {
    const { net, run, loss } = surrogateNet('dense', atan(2), { recurrent: true, ...o });
    net.zeroGrad();
    run();
    loss();
    net.backward();
    return net.parameters().map((p) => Array.from(p.grad));
  };
  const full = grads({});
  for (const c of [1, 4, 7, 25]) {
    const ck = grads({ checkpoint: c });
    full.forEach((g, k) => g.forEach((v, i) => assert.ok(Math.abs(v - ck[k][i]) <= 1e-12 * (1 + Math.abs(v)), `checkpoint ${c}: ${v} vs ${ck[k][i]}`)));
  }
  const same = grads({ truncate: 25 });
  full.forEach((g, k) => g.forEach((v, i) => assert.equal(v, same[k][i])));
  const cut = grads({ truncate: 5, checkpoint: 5 });
  assert.ok(full.some((g, k) => g.some((v, i) => Math.abs(v - cut[k][i]) > 1e-9)), 'truncation should change the gradient');
  assert.ok(cut.every((g) => g.every(Number.isFinite)));
  // Loss at the last step only, input only at step 0: with truncation every 5 steps nothing reaches the input weights.
  const T = 20;
  const mk = (truncate?: number) => {
    const net = new SNN({ steps: T, batch: 1, dt: '1 ms', dtype: 'float64', truncate });
    const x = net.input(2, 'x');
    const o = net.layer(2, leakyReadout(), { name: 'o' }).record('v');
    const p = net.dense(x, o, { name: 'w', target: 'I' });
    net.forward({ ptr: Int32Array.from({ length: T + 1 }, (_, t) => (t === 0 ? 0 : 2)), idx: Int32Array.of(0, 1) }, 1);
    mse(net, o, 'v', [1, 1], { reduce: 'last' });
    net.backward();
    return Math.max(...Array.from(p.w.grad, Math.abs));
  };
  assert.ok(mk() > 1e-3);
  assert.equal(mk(5), 0);
});

test('hard spikes: detached vs attached reset differ; spike-count loss and regularizer reach the weights', () => {
  const make = (detachReset: boolean) => {
    const net = new SNN({ steps: 30, batch: 2, dt: '1 ms', dtype: 'float64', seed: 2 });
    const x = net.input(6, 'x');
    const h = net.layer(8, synapticLIF({ threshold: 0.5 }), { name: 'h', detachReset });
    const o = net.layer(3, synapticLIF({ threshold: 0.5 }), { name: 'o', detachReset });
    net.dense(x, h, { name: 'a', target: 'I', weight: { dist: 'normal', mean: 0.3, std: 0.5 } });
    net.dense(h, o, { name: 'b', target: 'I', weight: { dist: 'normal', mean: 0.2, std: 0.5 } });
    net.forward(analogEvents(new Rng(1, 1), 30, 2, 6, 0, 1, 0.3), 2);
    const l = spikeCountLoss(net, o, [0, 2]);
    rateRegularizer(net, h, { target: 0.05, weight: 0.1, mode: 'upper' });
    net.backward();
    assert.ok(Number.isFinite(l.loss) && h.counts.some((c) => c > 0));
    return net.parameters().map((p) => Array.from(p.grad));
  };
  const d = make(true);
  const a = make(false);
  assert.ok(d.every((g) => g.some((v) => v !== 0)), 'gradients reach both weight matrices');
  assert.ok(d.some((g, k) => g.some((v, i) => v !== a[k][i])), 'detaching the reset changes the gradient');
});

// ------------------------------------------------------------------------------------------------
// Optimizers, parameters, training

test('optimizers: SGD+momentum, Adam, AdamW minimise a quadratic; schedules; clipping', () => {
  const mk = (): Param => ({ name: 'p', value: Float64Array.of(3, -2), grad: new Float64Array(2) });
  const run = (opt: { step(): void; zeroGrad(): void }, p: Param, n = 500) => {
    for (let k = 0; k < n; k++) {
      opt.zeroGrad();
      p.grad[0] = 2 * (p.value[0] - 1);
      p.grad[1] = 2 * (p.value[1] + 1);
      opt.step();
    }
  };
  let p = mk();
  run(new SGD([p], { lr: 0.05, momentum: 0.9 }), p);
  assert.ok(Math.abs(p.value[0] - 1) < 1e-6 && Math.abs(p.value[1] + 1) < 1e-6);
  p = mk();
  run(new Adam([p], { lr: 0.05 }), p, 2000);
  assert.ok(Math.abs(p.value[0] - 1) < 1e-3 && Math.abs(p.value[1] + 1) < 1e-3);
  // First Adam step moves every coordinate by lr (bias correction).
  p = mk();
  const a = new Adam([p], { lr: 0.01 });
  p.grad[0] = 123;
  p.grad[1] = -1e-3;
  a.step();
  assert.ok(Math.abs(p.value[0] - 2.99) < 1e-9 && Math.abs(p.value[1] + 1.99) < 1e-6);
  p = mk();
  run(new AdamW([p], { lr: 0.05, weightDecay: 0.1 }), p, 2000);
  assert.ok(p.value[0] < 1 && p.value[0] > 0.8, `AdamW shrinks towards 0: ${p.value[0]}`);
  assert.equal(stepLR(1, 10, 0.5)(25), 0.25);
  assert.ok(Math.abs(cosineLR(1, 10)(5) - 0.5) < 1e-12 && cosineLR(1, 10, 0.1)(10) === 0.1);
  p = mk();
  p.grad.set([3, 4]);
  assert.equal(clipGradNorm([p], 1), 5);
  assert.ok(Math.abs(Math.hypot(p.grad[0], p.grad[1]) - 1) < 1e-12);
});

test('training on a synthetic latency-coded task learns; save/load round-trips the parameters', () => {
  const T = 30;
  const train = syntheticDataset({ n: 384, d: 40, classes: 4, seed: 3 });
  const test = syntheticDataset({ n: 128, d: 40, classes: 4, seed: 3, noise: 0.15 });
  const when = latencySteps(train.x, { steps: T, tau: 10, threshold: 0.2 });
  const whenTest = latencySteps(test.x, { steps: T, tau: 10, threshold: 0.2 });
  const net = new SNN({ steps: T, batch: 32, dt: '1 ms', seed: 5 });
  const x = net.input(40, 'x');
  const h = net.layer(32, synapticLIF({ refractorySteps: 2 }), { name: 'h', surrogate: atan(2) });
  const o = net.layer(4, leakyReadout(), { name: 'o' }).record('v');
  net.dense(x, h, { name: 'w1', target: 'I', weight: { dist: 'normal', mean: 0, std: 1.5 / Math.sqrt(40) } });
  net.dense(h, o, { name: 'w2', target: 'I', weight: { dist: 'normal', mean: 0, std: 1.5 / Math.sqrt(32) } });
  const opt = new Adam(net.parameters(), { lr: 5e-3 });
  const evaluate = () => {
    let correct = 0;
    for (const rows of batches(Int32Array.from({ length: test.n }, (_, i) => i), 32)) {
      net.forward(latencyEvents(whenTest, 40, rows, T), rows.length);
      correct += crossEntropy(net, o, 'v', Array.from(rows, (r) => test.y[r])).correct;
    }
    return correct / test.n;
  };
  const before = evaluate();
  let firstLoss = 0;
  let lastLoss = 0;
  for (let epoch = 0; epoch < 6; epoch++) {
    let sum = 0;
    let nb = 0;
    for (const rows of batches(permutation(train.n, 1, epoch), 32)) {
      net.forward(latencyEvents(when, 40, rows, T), rows.length);
      const { loss } = crossEntropy(net, o, 'v', Array.from(rows, (r) => train.y[r]), { reduce: 'max' });
      opt.zeroGrad();
      net.backward();
      opt.step();
      sum += loss;
      nb++;
    }
    if (epoch === 0) firstLoss = sum / nb;
    lastLoss = sum / nb;
  }
  const after = evaluate();
  console.log(`  synthetic task: accuracy ${before.toFixed(3)} → ${after.toFixed(3)}, loss ${firstLoss.toFixed(3)} → ${lastLoss.toFixed(3)}`);
  assert.ok(lastLoss < firstLoss * 0.8 && after > 0.8, `did not learn: ${before} → ${after}, loss ${firstLoss} → ${lastLoss}`);
  // Save / load.
  const saved = JSON.parse(JSON.stringify(net.save()));
  const net2 = new SNN({ steps: T, batch: 32, dt: '1 ms', seed: 99 });
  const x2 = net2.input(40, 'x');
  const h2 = net2.layer(32, synapticLIF({ refractorySteps: 2 }), { name: 'h' });
  const o2 = net2.layer(4, leakyReadout(), { name: 'o' }).record('v');
  net2.dense(x2, h2, { name: 'w1', target: 'I' });
  net2.dense(h2, o2, { name: 'w2', target: 'I' });
  net2.load(saved);
  net.parameters().forEach((p, k) => assert.deepEqual(Array.from(net2.parameters()[k].value), Array.from(p.value)));
  assert.throws(() => net2.load({ format: 'braints-snn-params', version: 1, params: {} }), /parameter 'w1.w' is missing/);
});

test('refusals name the layer, the field and the fix', () => {
  const net = new SNN({ steps: 5, batch: 1 });
  assert.throws(() => net.layer(3, LIF, { params: { tauu: '5 ms' } as never }), /LIF layer .*params\.tauu.*not a parameter of LIF/);
  assert.throws(() => net.layer(3, LIF, { train: ['nope'] }), /'nope' is not a parameter/);
  const l = net.layer(3, LIF, { name: 'ok' });
  assert.throws(() => net.dense(net.input(2), l, { target: 'zz' }), /'zz' is neither an input nor a state variable/);
  assert.throws(() => new SNN({ steps: 0, batch: 1 }), /steps: must be a positive integer/);
  assert.throws(() => l.record('q'), /'q' is not a state variable/);
  const n2 = new SNN({ steps: 5, batch: 1 });
  n2.layer(2, LIF, { params: { tau: '-5 ms' } });
  assert.throws(() => n2.build(), /params\.tau: must be positive/);
});
