import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  NeuronGroup,
  defineNeuron,
  SpikeGeneratorGroup,
  One2One,
  All2All,
  STDP,
  TripletSTDP,
  RewardSTDP,
  Oja,
  SynapticScaling,
  LIF,
  PoissonInput,
  SpikeMonitor,
  values,
  uniform,
  Rng,
} from '../src/index.js';

/** Weight change of one pre/post pair per Δt, all pairs in one network. */
function stdpCurve(rule: ReturnType<typeof STDP>, deltasMs: number[], t0Ms = 100): Float64Array {
  const n = deltasMs.length;
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const pre = net.add(new SpikeGeneratorGroup(n, { indices: deltasMs.map((_, k) => k), times: deltasMs.map(() => t0Ms), unit: 'ms' }));
  // post spikes come from a second generator; its spikes reach the plastic projection through a
  // population that owns a variable (the projection's target)
  const postGen = net.add(new SpikeGeneratorGroup(n, { indices: deltasMs.map((_, k) => k), times: deltasMs.map((d) => t0Ms + d), unit: 'ms' }));
  // no target: the synapses only learn (a plasticity protocol needs no transmission)
  const proj = net.connect(pre, postGen, { comm: new One2One(), weight: 0.5, plasticity: rule });
  net.run(`${t0Ms + Math.max(...deltasMs.map(Math.abs)) + 50} ms`);
  return Float64Array.from(proj.weights, (w) => w - 0.5);
}

test('pair STDP: the weight change against spike-time difference matches the exponential window', () => {
  const deltas = [-40, -20, -10, -5, -2, 2, 5, 10, 20, 40]; // ms, post − pre
  const dw = stdpCurve(STDP({ A_plus: 0.01, A_minus: 0.012, tau_plus: '20 ms', tau_minus: '20 ms', wmax: 1 }), deltas);
  deltas.forEach((d, k) => {
    const expected = d > 0 ? 0.01 * Math.exp(-d / 20) : -0.012 * Math.exp(d / 20);
    assert.ok(Math.abs(dw[k] - expected) < 1e-9, `Δt = ${d} ms: ${dw[k]} vs ${expected}`);
  });
});

test('multiplicative STDP scales potentiation by (wmax - w) and depression by w', () => {
  const dw = stdpCurve(STDP({ A_plus: 0.01, A_minus: 0.012, wmax: 1, multiplicative: true }), [-10, 10]);
  assert.ok(Math.abs(dw[0] - -0.012 * Math.exp(-0.5) * 0.5) < 1e-9);
  assert.ok(Math.abs(dw[1] - 0.01 * Math.exp(-0.5) * 0.5) < 1e-9);
});

test('triplet STDP reproduces the frequency dependence of pairing protocols (Pfister & Gerstner 2006)', () => {
  // 60 pairings (Δt = ±10 ms) at 1–50 Hz; the triplet rule turns depression into potentiation as frequency grows
  const change = (freq: number, delta: number) => {
    const period = 1000 / freq;
    const times: number[] = [];
    for (let k = 0; k < 60; k++) times.push(10 + k * period);
    const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
    const pre = net.add(new SpikeGeneratorGroup(1, { indices: times.map(() => 0), times: times.map((t) => t), unit: 'ms' }));
    const post = net.add(new SpikeGeneratorGroup(1, { indices: times.map(() => 0), times: times.map((t) => t + delta), unit: 'ms' }));
    const proj = net.connect(pre, post, { comm: new One2One(), weight: 0.5, plasticity: TripletSTDP({ wmax: 1 }) });
    net.run(`${times[59] + 200} ms`);
    return proj.weights[0] - 0.5;
  };
  const ltdLow = change(1, -10);
  const ltdHigh = change(50, -10);
  const ltpLow = change(1, 10);
  const ltpHigh = change(50, 10);
  assert.ok(ltdLow < 0, `post-pre at 1 Hz depresses (${ltdLow})`);
  assert.ok(ltdHigh > 0, `post-pre at 50 Hz potentiates (${ltdHigh})`);
  assert.ok(ltpHigh > ltpLow && ltpHigh > 0, `pre-post potentiation grows with frequency (${ltpLow} → ${ltpHigh})`);
});

test('reward-modulated STDP: nothing changes without reward; the eligibility trace decides the sign', () => {
  const build = () => {
    const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
    const pre = net.add(new SpikeGeneratorGroup(2, { indices: [0, 1], times: [10, 20], unit: 'ms' }));
    const post = net.add(new SpikeGeneratorGroup(2, { indices: [0, 1], times: [15, 15], unit: 'ms' })); // pre→post for 0, post→pre for 1
    const proj = net.connect(pre, post, { comm: new One2One(), weight: 0.5, plasticity: RewardSTDP({ A_plus: 1, A_minus: 1, eta: 0.1, wmax: 1, tau_e: '1 s' }) });
    net.run('100 ms');
    return proj;
  };
  const proj = build();
  assert.deepEqual(Array.from(proj.weights), [0.5, 0.5]);
  proj.modulate({ R: 1 });
  const w = Array.from(proj.weights);
  assert.ok(w[0] > 0.5 && w[1] < 0.5, `${w}`);
  // e = exp(-5/20) decayed over ~85 ms with tau_e = 1 s
  assert.ok(Math.abs(w[0] - 0.5 - 0.1 * Math.exp(-5 / 20) * Math.exp(-0.085)) < 2e-3, `${w[0]}`);
});

test("Oja's rule finds the principal component of its inputs with unit norm", () => {
  const Rate = defineNeuron({ name: 'RateIn', equations: 'r : 1' });
  const Lin = defineNeuron({ name: 'Linear', equations: 'r = I : 1\nI : 1 (input)' });
  // Inputs x = (a, 0.5 a + 0.2 b) with a, b ~ N(0,1): covariance [[1, .5], [.5, .29]]
  void Lin;
  const Out = defineNeuron({ name: 'Out', equations: 'dr/dt = (I - r)/tau : 1\nI : 1 (input)', params: { tau: '0.1 ms' } });
  const net = new Network({ dt: '0.1 ms', seed: 3, dtype: 'float64' });
  const X = net.add(new NeuronGroup(2, Rate));
  const Y = net.add(new NeuronGroup(1, Out, { method: 'euler' }));
  const proj = net.connect(X, Y, { comm: new All2All(), weight: values([0.3, -0.2]), source: 'r', plasticity: Oja({ eta: '10 Hz' }) });
  net.build();
  const rng = new Rng(1);
  const x = X.get('r');
  for (let k = 0; k < 20000; k++) {
    const a = rng.normal();
    const b = rng.normal();
    x[0] = a;
    x[1] = 0.5 * a + 0.2 * b;
    // the output follows its input one step later: hold each sample for 20 steps, so that 19 of
    // them pair x with its own y (the one mismatched step shrinks |w|² to 19/20)
    net.run('2 ms');
  }
  const w = proj.weights;
  const norm = Math.hypot(w[0], w[1]);
  // principal eigenvector of [[1, .5], [.5, .29]]
  const lam = (1.29 + Math.sqrt(0.71 ** 2 + 1)) / 2;
  const v = [0.5, lam - 1];
  const vn = Math.hypot(v[0], v[1]);
  const cos = Math.abs((w[0] * v[0] + w[1] * v[1]) / (norm * vn));
  assert.ok(Math.abs(norm - Math.sqrt(19 / 20)) < 0.03, `norm ${norm}`);
  assert.ok(cos > 0.99, `alignment ${cos}`);
});

test('synaptic scaling pulls the post-synaptic rate toward its target', () => {
  const run = (plastic: boolean) => {
    const net = new Network({ dt: '0.1 ms', seed: 8 });
    const src = net.add(new NeuronGroup(200, defineNeuron({ name: 'Src', equations: 'rates : Hz', threshold: 'rand() < rates*dt', init: { rates: '20 Hz' } })));
    const P = net.add(new NeuronGroup(50, LIF));
    const proj = net.connect(src, P, { comm: new All2All(), weight: uniform('0.5 mV', '1 mV'), target: 'v', ...(plastic ? { plasticity: SynapticScaling({ target: '5 Hz', eta: 0.2, wmax: '5 mV', tau_rate: '500 ms', period: '50 ms' }) } : {}) });
    void proj;
    const sm = net.add(new SpikeMonitor(P));
    net.run('3 s');
    sm.clear();
    net.run('1 s');
    return sm.numSpikes / 50;
  };
  const free = run(false);
  const scaled = run(true);
  assert.ok(free > 15, `without scaling the population fires at ${free} Hz`);
  assert.ok(Math.abs(scaled - 5) < 2.5, `with scaling ${scaled} Hz (target 5 Hz)`);
  void PoissonInput;
});
