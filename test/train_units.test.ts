/**
 * Training in physical units: parameter scales (Param.scale, paramScale) and the optimizers that
 * work on value/scale. The last test is a Network written the way the README writes it (LIF
 * groups, weights in pA, times in ms) that learns a small spike-pattern task with Adam at its
 * default settings, and the same recipe with the scales removed as the control.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, InputGroup, All2All, normal, Expon, CUBA, LIF, synapticLIF, leakyReadout, initialScale, atan, Adam, AdamW, SGD, crossEntropy, countCorrect, clipGradNorm, clipGradValue, paramScale, unitScale, Rng, FixedProb, unitDim, VOLT, SECOND, DIMENSIONLESS, values, type Events, type Param, type Optimizer } from '../src/index.js';

// ------------------------------------------------------------------------------------------------
// paramScale and unitScale

test('paramScale: the root mean square of the initial values, else the fallback', () => {
  // Zero-mean weights: the standard deviation.
  const r = new Rng(1, 0);
  const w = Float64Array.from({ length: 20000 }, () => 50e-12 * r.normal());
  assert.ok(Math.abs(paramScale(w) / 50e-12 - 1) < 0.02, `${paramScale(w)}`);
  // A constant (one time constant, or all equal): its magnitude, whatever its sign.
  assert.equal(paramScale([0.02]), 0.02);
  assert.equal(paramScale(new Float32Array(5).fill(-0.065)), Math.fround(0.065));
  // A small spread around a large mean stays at the mean's size (no jump to the spread).
  assert.ok(Math.abs(paramScale([0.0199, 0.0201]) - 0.02) < 1e-6);
  // √(mean² + std²) exactly: values ±3 around 4 → √(16 + 9) = 5.
  assert.ok(Math.abs(paramScale([1, 7]) - 5) < 1e-12);
  // All zero, or nothing: the fallback (default 1).
  assert.equal(paramScale(new Float64Array(4)), 1);
  assert.equal(paramScale(new Float64Array(4), 1e-12), 1e-12);
  assert.equal(paramScale([]), 1);
  // SI magnitudes whose squares would underflow are still measured.
  assert.ok(Math.abs(paramScale([1e-170, -1e-170]) / 1e-170 - 1) < 1e-12);
  assert.throws(() => paramScale([1, NaN]), /not finite/);
  assert.throws(() => paramScale([0], 0), /fallback/);
});

test('unitScale: the unit an initializer is written in, else the usual unit of the dimension', () => {
  const amp = unitDim('amp');
  assert.equal(unitScale('0 pA', amp), 1e-12);
  assert.equal(unitScale({ dist: 'normal', mean: '0 nA', std: '0 nA' }, amp), 1e-9);
  assert.equal(unitScale({ dist: 'uniform', low: '0 mV', high: '0 mV' }, VOLT), 1e-3);
  assert.equal(unitScale(values([0, 0], 'ms'), SECOND), 1e-3);
  assert.equal(unitScale(undefined, VOLT), 1e-3); // mV
  assert.equal(unitScale(undefined, amp), 1e-12); // pA
  assert.equal(unitScale(0, DIMENSIONLESS), 1);
  assert.equal(unitScale(undefined, unitDim('metre^3')), 1); // no usual unit: SI
});

test('initialScale: paramScale with the unit as fallback for a quantity with a dimension; none for a dimensionless one', () => {
  const amp = unitDim('amp');
  assert.equal(initialScale([0.5e-10, -0.5e-10], '0 pA', amp), 0.5e-10);
  assert.equal(initialScale([0, 0], '0 pA', amp), 1e-12);
  assert.equal(initialScale([0.05, -0.05], { dist: 'normal', mean: 0, std: 0.05 }, DIMENSIONLESS), undefined);
});

test('the parameters of groups, projections and synapses carry the scale of their initial values (when they have a dimension)', () => {
  const net = new Network({ dt: '1 ms', seed: 3, batch: 2 });
  const x = net.add(new InputGroup(8, 'x'));
  const h = net.add(new NeuronGroup(200, LIF, { name: 'h', train: ['tau', 'Vth'], trainInit: ['v'], params: { Vth: normal('-50 mV', '1 mV') } }));
  const o = net.add(new NeuronGroup(3, LIF, { name: 'o' }));
  net.connect(x, h, { name: 'd', comm: new All2All(), weight: normal('0 pA', '50 pA'), syn: Expon({ tau: '5 ms' }), out: CUBA(), train: ['weight'] });
  net.connect(h, o, { name: 'z', comm: new All2All(), weight: '0 pA', syn: Expon({ tau: '5 ms' }), out: CUBA(), train: ['weight'] });
  net.connect(h, o, { name: 's', comm: new FixedProb(0.5), weight: normal('0 pA', '20 pA'), syn: Expon({ tau: '5 ms' }), out: CUBA(), train: ['weight'] });
  net.connect(x, o, { name: 'a', comm: new All2All(), weight: '10 pA', syn: Expon({ tau: '5 ms' }), out: CUBA(), train: ['weight', 'tau'] });
  // A dimensionless network (the Fashion-MNIST recipe's kind) keeps its numbers unscaled.
  const y = net.add(new NeuronGroup(5, synapticLIF(), { name: 'y', train: ['Vth'] }));
  const r = net.add(new NeuronGroup(2, leakyReadout(), { name: 'r' }));
  net.connect(x, y, { name: 'u', comm: new All2All(), target: 'I', weight: normal(0, 0.3), train: ['weight'] });
  net.connect(y, r, { name: 'k', comm: new FixedProb(0.5), target: 'I', weight: normal(0, 0.1), train: ['weight'] });
  net.build();
  const params = new Map(net.parameters().map((p) => [p.name, p]));
  const sc = (name: string) => {
    const p = params.get(name);
    assert.ok(p, `parameter ${name} (have ${[...params.keys()].join(', ')})`);
    return p.scale as number;
  };
  const near = (got: number, want: number, tol: number, what: string) => assert.ok(Math.abs(got / want - 1) < tol, `${what}: scale ${got}, expected ≈ ${want}`);
  near(sc('h.tau'), 0.01, 1e-6, 'tau');
  near(sc('h.Vth'), 0.05, 1e-3, 'Vth'); // √(50² + 1²) mV
  near(sc('h.init.v'), 0.065, 1e-6, 'init v');
  near(sc('d.weight'), 50e-12, 0.03, 'all-to-all N(0, 50 pA)');
  assert.equal(sc('z.weight'), 1e-12, 'all-zero weights: the unit they are written in');
  near(sc('s.weight'), 20e-12, 0.1, 'sparse N(0, 20 pA)');
  near(sc('a.weight'), 10e-12, 1e-6, 'one weight of 10 pA');
  near(sc('a.syn.tau'), 5e-3, 1e-6, 'Expon tau');
  const unscaled = ['y.Vth', 'u.weight', 'k.weight'];
  for (const name of unscaled) assert.equal(params.get(name)!.scale, undefined, `${name} is dimensionless: no scale`);
  for (const p of params.values()) if (!unscaled.includes(p.name)) assert.ok(typeof p.scale === 'number' && p.scale > 0, `${p.name} has a scale`);
});

// ------------------------------------------------------------------------------------------------
// Optimizers in the scaled space

type Make = (ps: Param[]) => Optimizer;
const OPTIMIZERS: [string, Make][] = [
  ['SGD', (ps) => new SGD(ps, { lr: 0.05 })],
  ['SGD momentum + L2', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, weightDecay: 0.1 })],
  ['SGD Nesterov', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true })],
  ['Adam', (ps) => new Adam(ps)],
  ['Adam + L2', (ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.1 })],
  ['AdamW', (ps) => new AdamW(ps, { lr: 0.01, weightDecay: 0.1 })],
];

/** Runs `steps` steps on a fixed, coordinate-dependent gradient field g(θ) = c·(θ − target). */
function run(make: Make, p: Param, g: (x: Float64Array, out: Float64Array) => void, steps = 20): Float64Array {
  const opt = make([p]);
  const out = new Float64Array(p.value.length);
  for (let k = 0; k < steps; k++) {
    opt.zeroGrad();
    g(p.value as Float64Array, out);
    p.grad.set(out);
    opt.step();
  }
  return Float64Array.from(p.value);
}

test('optimizers: without a scale (or with 1) the update is the formula of before, bit for bit', () => {
  // The unscaled formulas, written out as they were before scales existed.
  const reference = (kind: string, x: Float64Array, gs: Float64Array[]): Float64Array => {
    x = Float64Array.from(x);
    const n = x.length;
    const m = new Float64Array(n);
    const v = new Float64Array(n);
    gs.forEach((g, k) => {
      for (let i = 0; i < n; i++) {
        if (kind === 'SGD momentum + L2') {
          const d = g[i] + 0.1 * x[i];
          m[i] = 0.9 * m[i] + d;
          x[i] -= 0.05 * m[i];
        } else {
          let gi = g[i];
          if (kind === 'AdamW') x[i] -= 0.01 * 0.1 * x[i];
          else gi += 0.1 * x[i];
          m[i] = 0.9 * m[i] + (1 - 0.9) * gi;
          v[i] = 0.999 * v[i] + (1 - 0.999) * gi * gi;
          x[i] -= (0.01 * (m[i] / (1 - 0.9 ** (k + 1)))) / (Math.sqrt(v[i] / (1 - 0.999 ** (k + 1))) + 1e-8);
        }
      }
    });
    return x;
  };
  const r = new Rng(5, 1);
  const x0 = Float64Array.from({ length: 7 }, () => r.normal());
  const gs = Array.from({ length: 15 }, () => Float64Array.from({ length: 7 }, () => r.normal() * 10 ** (4 * r.uniform() - 2)));
  for (const kind of ['SGD momentum + L2', 'Adam + L2', 'AdamW']) {
    const make = OPTIMIZERS.find(([k]) => k === kind)![1];
    for (const scale of [undefined, 1, new Float64Array(7).fill(1)]) {
      const p: Param = { name: 'p', value: Float64Array.from(x0), grad: new Float64Array(7), scale };
      const opt = make([p]);
      for (const g of gs) {
        p.grad.set(g);
        opt.step();
      }
      assert.deepEqual(Array.from(p.value), Array.from(reference(kind, x0, gs)), `${kind}, scale ${scale === undefined ? 'undefined' : String(scale)}`);
    }
  }
  // Clipping too.
  const g0 = Float64Array.of(3, -4, 0.25, -0);
  for (const scale of [undefined, 1]) {
    const p: Param = { name: 'p', value: new Float64Array(4), grad: Float64Array.from(g0), scale };
    clipGradValue([p], 1);
    assert.deepEqual(Array.from(p.grad), [1, -1, 0.25, -0]);
    p.grad.set(g0);
    assert.equal(clipGradNorm([p], 1), Math.sqrt(9 + 16 + 0.0625));
  }
});

test('optimizers: a scaled parameter follows the unscaled run on θ/scale, scaled back', () => {
  const n = 6;
  const target = Float64Array.of(1, -2, 0.5, 3, -1, 0.25);
  const curv = Float64Array.of(1, 4, 0.5, 2, 8, 1);
  for (const [name, make] of OPTIMIZERS) {
    for (const scale of [3e-11, Float64Array.of(1e-12, 2e-9, 5e-3, 1, 40, 1e6)]) {
      const s = (i: number) => (typeof scale === 'number' ? scale : scale[i]);
      // Reference: plain parameter θ̃ with loss Σ curv (θ̃ − target)² / 2.
      const ref = run(make, { name: 'r', value: new Float64Array(n).fill(0.1), grad: new Float64Array(n) }, (x, out) => {
        for (let i = 0; i < n; i++) out[i] = curv[i] * (x[i] - target[i]);
      });
      // The same problem in SI: θ = s·θ̃, so dL/dθ = dL/dθ̃ / s.
      const got = run(make, { name: 'p', value: Float64Array.from({ length: n }, (_, i) => 0.1 * s(i)), grad: new Float64Array(n), scale }, (x, out) => {
        for (let i = 0; i < n; i++) out[i] = (curv[i] * (x[i] / s(i) - target[i])) / s(i);
      });
      for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] / s(i) - ref[i]) <= 1e-9 * (1 + Math.abs(ref[i])), `${name}, coordinate ${i}: ${got[i] / s(i)} vs ${ref[i]}`);
    }
  }
});

test('clipping acts on the scaled gradient g·scale; a bad scale is refused before anything changes', () => {
  const p: Param = { name: 'w', value: new Float64Array(2), grad: Float64Array.of(3e11, 4e11), scale: 1e-11 };
  const q: Param = { name: 'u', value: new Float64Array(1), grad: Float64Array.of(0.5), scale: Float64Array.of(2) };
  // Scaled gradients (3, 4) and (1): norm √26.
  assert.ok(Math.abs(clipGradNorm([p, q], 1) - Math.sqrt(26)) < 1e-12);
  assert.ok(Math.abs(Math.hypot(p.grad[0] * 1e-11, p.grad[1] * 1e-11, q.grad[0] * 2) - 1) < 1e-12);
  p.grad.set([3e11, -0.5e11]);
  clipGradValue([p], 1);
  assert.ok(Math.abs(p.grad[0] - 1e11) < 1 && p.grad[1] === -0.5e11);

  const good: Param = { name: 'good', value: Float64Array.of(1), grad: Float64Array.of(1) };
  for (const scale of [0, -1, NaN, Infinity, Float64Array.of(1, 0), Float64Array.of(1)]) {
    const bad: Param = { name: 'bad', value: Float64Array.of(1, 1), grad: Float64Array.of(1, 1), scale };
    for (const opt of [new Adam([good, bad]), new SGD([good, bad], { lr: 0.1 })]) assert.throws(() => opt.step(), /scale/);
    assert.throws(() => clipGradNorm([bad], 1), /scale/);
    assert.throws(() => clipGradValue([bad], 1), /scale/);
    assert.deepEqual([good.value[0], ...bad.value], [1, 1, 1], 'nothing was updated');
  }
});

// ------------------------------------------------------------------------------------------------
// The task: C classes of Poisson spike patterns over D input channels. Each class fires its own
// random half of the channels at a high rate and the rest at a low one; every sample is a fresh
// Poisson draw. The class patterns come from one seed, the training and test samples from two others.

const T = 40;
const D = 40;
const C = 4;
const DT = 1e-3; // s, the network's dt
const BATCH = 16;

interface SpikeSet {
  /** spikes[(s·T + t)·D + i] = 1 when channel i of sample s fires at step t. */
  readonly spikes: Uint8Array;
  readonly y: Uint8Array;
  readonly n: number;
}

function classRates(seed: number): Float64Array {
  const r = new Rng(seed, 1);
  return Float64Array.from({ length: C * D }, () => (r.uniform() < 0.5 ? 100 : 10)); // Hz
}

function sampleSet(rates: Float64Array, n: number, seed: number): SpikeSet {
  const r = new Rng(seed, 2);
  const spikes = new Uint8Array(n * T * D);
  const y = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const c = s % C;
    y[s] = c;
    for (let t = 0; t < T; t++) for (let i = 0; i < D; i++) spikes[(s * T + t) * D + i] = r.uniform() < rates[c * D + i] * DT ? 1 : 0;
  }
  return { spikes, y, n };
}

/** Events of samples `rows` (batch row b is sample rows[b]): flat indices b·D + i at each step. */
function events(set: SpikeSet, rows: ArrayLike<number>): Events {
  const ptr = new Int32Array(T + 1);
  const idx: number[] = [];
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < rows.length; b++) {
      const o = (rows[b] * T + t) * D;
      for (let i = 0; i < D; i++) if (set.spikes[o + i]) idx.push(b * D + i);
    }
    ptr[t + 1] = idx.length;
  }
  return { ptr, idx: Int32Array.from(idx) };
}

/**
 * The README's network, in physical units (Expon 5 ms current synapses, CUBA). The weights are
 * N(0, 50 pA) in and N(0, 30 pA) out: with 40 inputs at these rates they bring the hidden layer to
 * spiking (without spikes no gradient reaches the readout); 100 pA or more saturates it and
 * default Adam learns only part of the task in 10 epochs.
 */
function build(): { net: Network; x: InputGroup; out: NeuronGroup } {
  const net = new Network({ dt: '1 ms', seed: 1, batch: BATCH, name: 'units' });
  const x = net.add(new InputGroup(D, 'x'));
  const h = net.add(new NeuronGroup(64, LIF, { name: 'h', surrogate: atan(2), train: ['tau'] }));
  const out = net.add(new NeuronGroup(C, LIF, { name: 'out', params: { Vth: '1 V' } })); // a non-spiking readout
  net.connect(x, h, { name: 'in', comm: new All2All(), weight: normal('0 pA', '50 pA'), syn: Expon({ tau: '5 ms' }), out: CUBA(), train: ['weight'] });
  net.connect(h, out, { name: 'ro', comm: new All2All(), weight: normal('0 pA', '30 pA'), syn: Expon({ tau: '5 ms' }), out: CUBA(), train: ['weight'] });
  net.build();
  return { net, x, out };
}

function accuracy(net: Network, x: InputGroup, out: NeuronGroup, set: SpikeSet): number {
  let correct = 0;
  for (let s = 0; s < set.n; s += BATCH) {
    const rows = Int32Array.from({ length: BATCH }, (_, b) => s + b);
    net.forward({ steps: T, batch: BATCH, inputs: [[x, events(set, rows)]] });
    correct += countCorrect(net.trace(out, 'v'), Array.from(rows, (r) => set.y[r]), 'max');
  }
  return correct / set.n;
}

function train(scaled: boolean, epochs: number, trainSet: SpikeSet, testSet: SpikeSet): { acc: number; loss: number } {
  const { net, x, out } = build();
  const params = net.parameters();
  if (!scaled) for (const p of params) p.scale = undefined;
  const opt = new Adam(params); // default settings: lr 1e-3
  const order = Int32Array.from({ length: trainSet.n }, (_, i) => i);
  const shuffle = new Rng(7, 3);
  let loss = 0;
  for (let e = 0; e < epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(shuffle.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let sum = 0;
    for (let s = 0; s < trainSet.n; s += BATCH) {
      const rows = order.subarray(s, s + BATCH);
      net.forward({ steps: T, batch: BATCH, inputs: [[x, events(trainSet, rows)]] });
      // The logits are the readout's peak membrane potential. In volts their differences are a few
      // mV, so softmax never saturates and the loss pushes forever (the hidden time constants drift
      // towards 0 and accuracy decays after ~10 epochs); scale 1e3 reads them in mV.
      sum += crossEntropy(net.trace(out, 'v'), Array.from(rows, (k) => trainSet.y[k]), { reduce: 'max', scale: 1e3 }).loss;
      opt.zeroGrad();
      net.backward();
      opt.step();
    }
    loss = sum / (trainSet.n / BATCH);
  }
  return { acc: accuracy(net, x, out, testSet), loss };
}

test('physical units: default Adam learns a spike-pattern task with parameter scales, and not without', () => {
  const rates = classRates(11);
  const trainSet = sampleSet(rates, 1024, 21);
  const testSet = sampleSet(rates, 128, 22);
  const key = (set: SpikeSet, s: number) => Buffer.from(set.spikes.subarray(s * T * D, (s + 1) * T * D)).toString('base64');
  const seen = new Set(Array.from({ length: trainSet.n }, (_, s) => key(trainSet, s)));
  for (let s = 0; s < testSet.n; s++) assert.ok(!seen.has(key(testSet, s)), `test sample ${s} is also a training sample`);

  const epochs = 10;
  const t0 = performance.now();
  const withScale = train(true, epochs, trainSet, testSet);
  const t1 = performance.now();
  const without = train(false, epochs, trainSet, testSet);
  const t2 = performance.now();
  console.log(
    `physical units, default Adam, ${epochs} epochs of ${trainSet.n}: test accuracy ${withScale.acc.toFixed(3)} with scales (training loss ${withScale.loss.toFixed(4)}, ${((t1 - t0) / 1000).toFixed(1)} s), ` +
      `${without.acc.toFixed(3)} without (loss ${without.loss.toFixed(4)}, ln ${C} = ${Math.log(C).toFixed(4)}, ${((t2 - t1) / 1000).toFixed(1)} s)`,
  );
  assert.ok(withScale.acc >= 0.9, `with scales: test accuracy ${withScale.acc}`);
  assert.ok(without.acc < 0.5, `without scales: test accuracy ${without.acc}`);
  assert.ok(without.loss > 0.95 * Math.log(C), `without scales the loss stays near ln ${C}: ${without.loss}`);
});
