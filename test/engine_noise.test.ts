/**
 * Noise on the step engine: white noise (xi) and rand()/randn() draws are computed in the
 * WebAssembly update kernels from the same counters as the JavaScript loop, with a normal draw
 * made of float64 +, −, ×, ÷ and √ only (src/math/normal.ts), so that in float64 the engine on 1
 * or 2 threads and the JavaScript loop give the same spikes, bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, defineNeuron, FixedProb, PoissonInput, SpikeMonitor, normal, uniform, type NetworkOptions } from '../src/index.js';
import { KERNEL_HELPERS } from '../src/equations/codegen.js';
import { logOpenUnit, cosTurn } from '../src/math/normal.js';
import { threefry2x32, threefryOut } from '../src/math/rng.js';
import { ModuleBuilder, ValType } from '../src/wasm/encoder.js';
import { randomFunctions } from '../src/wasm/random.js';
import { instantiateSync, newMemory } from '../src/wasm/runtime.js';

/** 32-bit words for the accuracy checks (a Threefry stream: no sample shared with the draws tested below). */
function words(count: number, stream: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let k = 0; k < count; k += 2) {
    threefry2x32(2024, stream, k, 0);
    out[k] = threefryOut[0];
    if (k + 1 < count) out[k + 1] = threefryOut[1];
  }
  return out;
}

test('the pure-arithmetic logarithm and cosine agree with Math.log and Math.cos to a few ulp, ends included', () => {
  const ulp = 2 ** -52;
  const ws = [...words(200000, 1), 0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x20000000, 0x20000001, 0x40000000, 0xc0000000];
  let logErr = 0;
  let cosErr = 0;
  for (const x of ws) {
    const ref = Math.log((x + 1) * 2 ** -32);
    const got = logOpenUnit(x);
    logErr = Math.max(logErr, ref === 0 ? Math.abs(got) : Math.abs(got - ref) / Math.abs(ref));
    cosErr = Math.max(cosErr, Math.abs(cosTurn(x) - Math.cos(6.283185307179586 * x * 2 ** -32)));
  }
  assert.ok(logErr < 4 * ulp, `log: worst relative error ${logErr / ulp} ulp`);
  // the reference rounds 2π·u before its cosine: its own error is up to ~2 ulp of the angle
  assert.ok(cosErr < 8 * ulp, `cos: worst absolute error ${cosErr / ulp} ulp`);
  assert.equal(logOpenUnit(0xffffffff), 0);
  assert.equal(cosTurn(0), 1);
  assert.equal(cosTurn(0x80000000), -1);
  assert.equal(cosTurn(0x40000000), -0);
});

test('the WebAssembly draws are the JavaScript helpers bit for bit (uniform and normal)', () => {
  const m = new ModuleBuilder();
  m.importMemory({ initial: 1 });
  const fns = randomFunctions(m);
  assert.deepEqual(randomFunctions(m), fns, 'added once per module');
  const params = [ValType.i32, ValType.i32, ValType.i32, ValType.i32];
  m.addFunction('normal', params, [ValType.f64]).get(0).get(1).get(2).get(3).call(fns.normal);
  m.addFunction('uniform', params, [ValType.f64]).get(0).get(1).get(2).get(3).call(fns.uniform);
  const exports = instantiateSync(m.toBytes(), newMemory(1));
  const wasmNormal = exports.normal as (a: number, b: number, c: number, d: number) => number;
  const wasmUniform = exports.uniform as (a: number, b: number, c: number, d: number) => number;
  let differ = 0;
  for (const [seed, stream] of [[0, 0], [7, 0x52000800], [0xfffffffe, 0x52001801]]) {
    for (let i = 0; i < 30000; i++) {
      const n = (i * 7919) % 5000;
      if (!Object.is(wasmNormal(seed | 0, stream | 0, i, n), KERNEL_HELPERS.normal(seed, stream, i, n))) differ++;
      if (!Object.is(wasmUniform(seed | 0, stream | 0, i, n), KERNEL_HELPERS.uniform(seed, stream, i, n))) differ++;
    }
  }
  assert.equal(differ, 0);
});

test('normal draws: mean 0, variance 1, normal tails; neighbouring counters are uncorrelated', () => {
  const N = 1_000_000;
  let s1 = 0;
  let s2 = 0;
  let s4 = 0;
  let lag = 0;
  let prev = 0;
  const beyond = [0, 0, 0, 0]; // |z| > 1, 2, 3, 4
  let max = 0;
  for (let k = 0; k < N; k++) {
    // counters (neuron, step) as a network uses them: 1000 neurons × 1000 steps
    const z = KERNEL_HELPERS.normal(99, 0x52000800, k % 1000, Math.floor(k / 1000));
    s1 += z;
    s2 += z * z;
    s4 += z ** 4;
    lag += z * prev;
    prev = z;
    const a = Math.abs(z);
    for (let j = 0; j < 4; j++) if (a > j + 1) beyond[j]++;
    max = Math.max(max, a);
  }
  const mean = s1 / N;
  const variance = s2 / N - mean * mean;
  // five standard errors: mean 1/√N, variance √(2/N), fourth moment √(96/N), lag-1 product 1/√N
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(N), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 5 * Math.sqrt(2 / N), `variance ${variance}`);
  assert.ok(Math.abs(s4 / N - 3) < 5 * Math.sqrt(96 / N), `fourth moment ${s4 / N}`);
  assert.ok(Math.abs(lag / N) < 5 / Math.sqrt(N), `lag-1 correlation ${lag / N}`);
  // P(|Z| > k) for k = 1..4, each count within five binomial standard deviations
  const tails = [0.31731050786291415, 0.04550026389635842, 0.0026997960632601866, 6.334248366623996e-5];
  tails.forEach((p, j) => {
    const sd = Math.sqrt(N * p * (1 - p));
    assert.ok(Math.abs(beyond[j] - N * p) < 5 * sd, `|z| > ${j + 1}: ${beyond[j]} draws, expected ${N * p}`);
  });
  // the largest value a 32-bit u1 allows is √(−2 ln 2^-32) ≈ 6.66
  assert.ok(max > 4 && max <= Math.sqrt(64 * Math.LN2), `max |z| ${max}`);
});

/** A noisy LIF population (white noise, a random reset, a randn() jitter) with recurrent connections and Poisson drive. */
function noisyNetwork(opts: NetworkOptions) {
  const Noisy = defineNeuron({
    name: 'NoisyLIF',
    equations: 'dv/dt = (El - v + R*I)/tau + sigma*sqrt(2/tau)*xi : volt\nI : amp (input)',
    params: { El: '-60 mV', tau: '10 ms', R: '100 Mohm', Vth: '-50 mV', Vr: '-60 mV', sigma: '3 mV' },
    threshold: 'v > Vth + 0.5*mV*rand()',
    reset: 'v = Vr + 1*mV*randn()',
    refractory: '2 ms',
    init: { v: '-60 mV' },
  });
  const net = new Network({ dt: '0.1 ms', seed: 17, ...opts });
  const P = net.add(new NeuronGroup(203, Noisy, { name: 'P', init: { v: uniform('-60 mV', '-52 mV') } }));
  P.setInput('I', '90 pA');
  net.add(new PoissonInput(P, { num: 20, rate: '20 Hz', weight: '0.4 mV', target: 'v' }));
  net.connect(P, P, { comm: new FixedProb(0.1), weight: '0.3 mV', target: 'v', delay: '1 ms' });
  const sm = net.add(new SpikeMonitor(P));
  return { net, P, sm };
}

function runNoisy(opts: NetworkOptions, ms = 150) {
  const { net, P, sm } = noisyNetwork(opts);
  net.run(`${ms} ms`);
  const r = { idx: Array.from(sm.spikes().indices), steps: Array.from(sm.spikeSteps()), v: Array.from(P.get('v')), backend: P.runtime!.backend ?? 'js', loop: net.loopReason };
  net.close();
  return r;
}

test('a noisy LIF network (xi, rand() threshold, randn() reset, Poisson input): engine on 1 and 2 threads and the JavaScript loop give the same spikes (float64)', () => {
  const js = runNoisy({ backend: 'js', dtype: 'float64' });
  const groups = runNoisy({ engine: false, dtype: 'float64' });
  const one = runNoisy({ threads: 1, dtype: 'float64' });
  const two = runNoisy({ threads: 2, dtype: 'float64' });
  assert.match(one.backend, /f64x2 engine×1/);
  assert.match(two.backend, /f64x2 engine×2/);
  assert.match(groups.backend, /^wasm/);
  assert.equal(one.loop, undefined);
  assert.ok(js.idx.length > 500, `${js.idx.length} spikes`);
  for (const [label, r] of [['WebAssembly groups', groups], ['engine×1', one], ['engine×2', two]] as const) {
    assert.deepEqual(r.idx, js.idx, `${label}: spike indices`);
    assert.deepEqual(r.steps, js.steps, `${label}: spike steps`);
    assert.deepEqual(r.v, js.v, `${label}: final v`);
  }
});

test('float32 noise on the engine: identical for 1 and 2 threads, with the JavaScript loop\'s rate', () => {
  const one = runNoisy({ threads: 1 });
  const two = runNoisy({ threads: 2 });
  const js = runNoisy({ backend: 'js' });
  assert.match(two.backend, /f32x4 engine×2/);
  assert.deepEqual(two.idx, one.idx);
  assert.deepEqual(two.v, one.v);
  // float32 state rounds differently from the loop's float64 arithmetic: the trains part, the rates agree
  assert.ok(Math.abs(one.idx.length / js.idx.length - 1) < 0.05, `engine ${one.idx.length} vs loop ${js.idx.length} spikes`);
});

test('multiplicative noise (Milstein) and an Ornstein–Uhlenbeck process: the engine\'s state is the JavaScript loop\'s, bit for bit (float64)', () => {
  const GBM = defineNeuron({ name: 'GBM', equations: 'dx/dt = mu*x + s*x*xi : 1', params: { mu: '1 Hz', s: '0.5 Hz**0.5' }, init: { x: 1 } });
  const OU = defineNeuron({ name: 'OU', equations: 'dy/dt = -y/tau + sigma*sqrt(2/tau)*xi_a + 0.1*sigma*sqrt(2/tau)*xi_b : 1', params: { tau: '10 ms', sigma: 0.5 } });
  const final = (opts: NetworkOptions) => {
    const net = new Network({ dt: '0.1 ms', seed: 3, dtype: 'float64', ...opts });
    const A = net.add(new NeuronGroup(37, GBM, { name: 'A' }));
    const B = net.add(new NeuronGroup(61, OU, { name: 'B', init: { y: normal(0, 0.5) } }));
    net.run('50 ms');
    const r = { x: Array.from(A.get('x')), y: Array.from(B.get('y')), method: A.runtime!.method, backend: A.runtime!.backend ?? 'js' };
    net.close();
    return r;
  };
  const js = final({ backend: 'js' });
  const two = final({ threads: 2 });
  assert.equal(js.method, 'milstein');
  assert.match(two.backend, /engine×2/);
  assert.deepEqual(two.x, js.x);
  assert.deepEqual(two.y, js.y);
  assert.ok(new Set(js.x).size === js.x.length, 'every path differs');
});

test('Poisson input with a large mean (Binomial(2000, 0.01) per step, draws beyond the unrolled inversion) on 1, 2 and 3 threads: the JavaScript loop\'s increments, bit for bit (float64)', () => {
  const Leaky = defineNeuron({ name: 'Leaky', equations: 'dx/dt = -x/tau : 1', params: { tau: '5 ms' } });
  const final = (opts: NetworkOptions) => {
    const net = new Network({ dt: '0.1 ms', seed: 5, dtype: 'float64', ...opts });
    // 41 neurons: four-lane draws plus a tail of one on every thread split
    const G = net.add(new NeuronGroup(41, Leaky, { name: 'G' }));
    net.add(new PoissonInput(G, { num: 2000, rate: '100 Hz', weight: 0.001, target: 'x' }));
    net.run('100 ms');
    const r = { x: Array.from(G.get('x')), backend: G.runtime!.backend ?? 'js', loop: net.loopReason };
    net.close();
    return r;
  };
  const js = final({ backend: 'js' });
  for (const threads of [1, 2, 3]) {
    const e = final({ threads });
    assert.match(e.backend, new RegExp(`engine×${threads}`));
    assert.equal(e.loop, undefined);
    assert.deepEqual(e.x, js.x, `engine×${threads}`);
  }
  // x settles near num·p·weight·tau/dt = 20·0.001·50 = 1 (the drive is on)
  const mean = js.x.reduce((s, v) => s + v, 0) / js.x.length;
  assert.ok(Math.abs(mean - 1) < 0.2, `mean x ${mean}`);
});
