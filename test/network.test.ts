import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  NeuronGroup,
  LIF,
  defineNeuron,
  FixedProb,
  FromPairs,
  One2One,
  All2All,
  Expon,
  COBA,
  GABAa,
  CUBA,
  SpikeMonitor,
  StateMonitor,
  RateMonitor,
  BuildError,
  DivergenceError,
  values,
  spikeTrainsEqual,
  uniform,
} from '../src/index.js';
import { cobaNetwork, cubaNetwork } from '../examples/models.js';

function rateOf(build: typeof cobaNetwork, seed: number): number {
  const { net, spikes, P } = build({ scale: 1, seed });
  net.run('1 s');
  return spikes.numSpikes / P.size;
}

// Bands: Brian2 2.5.1 C++ standalone on the same models over 10 seeds (bench/peers/REFERENCE.md):
// COBA 20.46–23.45 Hz, CUBA 5.30–6.08 Hz; the bands below add about one seed-to-seed spread.
test('COBA at scale 1 over 1 s fires inside the band Brian2 gives', () => {
  const rate = rateOf(cobaNetwork, 1);
  assert.ok(rate > 19.5 && rate < 24.5, `COBA mean rate ${rate.toFixed(2)} Hz`);
});

test('CUBA at scale 1 over 1 s fires inside the band Brian2 gives', () => {
  const rate = rateOf(cubaNetwork, 1);
  assert.ok(rate > 4.8 && rate < 6.6, `CUBA mean rate ${rate.toFixed(2)} Hz`);
});

test('the same seed gives identical spike trains; another seed does not', () => {
  const run = (seed: number) => {
    const { net, spikes } = cobaNetwork({ scale: 0.25, seed });
    net.run('200 ms');
    return spikes.spikes();
  };
  const a = run(5);
  const b = run(5);
  const c = run(6);
  assert.ok(a.indices.length > 100);
  assert.ok(spikeTrainsEqual(a, b));
  assert.deepEqual(a.indices, b.indices);
  assert.ok(!spikeTrainsEqual(a, c));
});

test('align-post merging: projections with the same dynamics onto one population share one state', () => {
  const build = (split: boolean) => {
    const net = new Network({ seed: 2, dtype: 'float64' });
    const P = net.add(new NeuronGroup(200, LIF, { init: { v: '-60 mV' } }));
    P.setInput('I', '160 pA');
    const syn = () => ({ syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), weight: '2 nS' });
    // The same connectivity either as one projection or split into two halves of the sources.
    const pairsPre: number[] = [];
    const pairsPost: number[] = [];
    for (let i = 0; i < 200; i++) for (let k = 1; k <= 10; k++) (pairsPre.push(i), pairsPost.push((i * 7 + k * 13) % 200));
    if (split) {
      const half = pairsPre.length / 2;
      const lo = pairsPre.slice(0, half), loPost = pairsPost.slice(0, half);
      const hi = pairsPre.slice(half), hiPost = pairsPost.slice(half);
      net.connect(P, P, { comm: new FromPairs(lo, loPost), ...syn() });
      net.connect(P, P, { comm: new FromPairs(hi, hiPost), ...syn() });
    } else {
      net.connect(P, P, { comm: new FromPairs(pairsPre, pairsPost), ...syn() });
    }
    net.connect(P, P, { comm: new One2One(), weight: '1 nS', syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-80 mV' }) });
    const sm = net.add(new SpikeMonitor(P));
    net.run('300 ms');
    return { P, spikes: sm.spikes() };
  };
  const merged = build(true);
  const single = build(false);
  const synStates = [...merged.P.runtime!.arrays.keys()].filter((k) => k.startsWith('syn'));
  assert.deepEqual(synStates, ['syn0$g', 'syn1$g']); // two dynamics (5 ms/0 mV and 10 ms/-80 mV), not three
  assert.ok(single.spikes.indices.length > 50);
  assert.ok(spikeTrainsEqual(merged.spikes, single.spikes));
});

test('a homogeneous delay postpones the effect of a spike by exactly that many steps', () => {
  const Counter = defineNeuron({ name: 'Counter', equations: 'x : 1' });
  const Driver = defineNeuron({
    name: 'Driver',
    equations: 'dc/dt = 1/ms : 1',
    threshold: 'c > 9.95 and c < 10.05',
    init: { c: 0 },
  });
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const D = net.add(new NeuronGroup(1, Driver, { method: 'euler' }));
  const C = net.add(new NeuronGroup(1, Counter));
  net.connect(D, C, { comm: new All2All(), weight: 1, target: 'x', delay: '2 ms' });
  const sm = net.add(new SpikeMonitor(D));
  const xm = net.add(new StateMonitor(C, ['x']));
  net.run('20 ms');
  const spikeStep = sm.spikeSteps()[0];
  assert.equal(sm.numSpikes, 1);
  const x = xm.trace('x');
  const firstNonZero = x.findIndex((v) => v !== 0);
  assert.equal(firstNonZero, spikeStep + 20);
});

test('CUBA and COBA outputs act with the right sign and size on the post-synaptic neuron', () => {
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const Src = defineNeuron({ name: 'Src', equations: 'dc/dt = 1/ms : 1', threshold: 'c > 0.95 and c < 1.05' });
  const S = net.add(new NeuronGroup(1, Src, { method: 'euler' }));
  const P = net.add(new NeuronGroup(2, LIF, { params: { Vth: '0 mV' } }));
  net.connect(S, P.slice(0, 1), { comm: new All2All(), weight: '10 pA', syn: Expon({ tau: '5 ms' }), out: CUBA() });
  net.connect(S, P.slice(1, 2), { comm: new All2All(), weight: '1 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '-80 mV' }) });
  const vm = net.add(new StateMonitor(P, ['v'], { indices: [0, 1] }));
  net.run('20 ms');
  const v0 = vm.trace('v', 0);
  const v1 = vm.trace('v', 1);
  assert.ok(Math.max(...v0) > -0.065 + 1e-4, 'a positive current depolarizes');
  assert.ok(Math.min(...v1) < -0.065 - 1e-4, 'an inhibitory conductance hyperpolarizes');
});

test('a diverging run stops with the variable, neuron and step, and keeps what was recorded', () => {
  const Blowup = defineNeuron({ name: 'Blowup', equations: 'dx/dt = x*x/ms : 1', init: { x: 0 } });
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const G = net.add(new NeuronGroup(3, Blowup, { init: { x: values([0, 0.5, 0]) }, method: 'euler' }));
  const xm = net.add(new StateMonitor(G, ['x'], { indices: [1] }));
  assert.throws(
    () => net.run('100 ms'),
    (e: Error) => e instanceof DivergenceError && e.variable === 'x' && e.neuron === 1 && e.step > 10 && /Blowup|x/.test(e.message),
  );
  const recorded = xm.result().t.length;
  assert.ok(recorded > 10, 'samples before the divergence are kept');
});

test('rate monitor: population rate matches the spike count', () => {
  const { net, spikes, P } = cobaNetwork({ scale: 0.1, seed: 3 });
  const rm = net.add(new RateMonitor(P));
  net.run('100 ms');
  const { rate } = rm.result();
  const mean = rate.reduce((a, b) => a + b, 0) / rate.length;
  assert.ok(Math.abs(mean - spikes.numSpikes / P.size / 0.1) < 1e-9);
});

// --- Refusals: each names the model (or projection), the field and what would be valid. ---

function refuses(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof BuildError, `expected a BuildError, got ${e.name}: ${e.message}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

test('refuses an unknown symbol in an equation', () => {
  refuses(
    () => defineNeuron({ name: 'Leaky', equations: 'dv/dt = -(v - Vrest)/tau : volt', params: { tau: '10 ms' } }),
    /Leaky/,
    /equations/,
    /unknown symbol 'Vrest'/,
    /declare it as a parameter/,
  );
});

test('refuses a unit mismatch in the equations and in a parameter', () => {
  const NoTau = defineNeuron({ name: 'NoTau', equations: 'dv/dt = -(v - El) : volt', params: { El: '-65 mV' } });
  const net = new Network();
  net.add(new NeuronGroup(1, NoTau));
  refuses(() => net.build(), /NoTau/, /equations/, /volt\/second/, /divide by a time constant/);
  const net2 = new Network();
  net2.add(new NeuronGroup(1, LIF, { params: { tau: '10 mV' } }));
  refuses(() => net2.build(), /LIF/, /params\.tau/, /second/, /ms/);
  const net3 = new Network();
  net3.add(new NeuronGroup(1, LIF, { params: { tau: 10 } }));
  refuses(() => net3.build(), /params\.tau/, /write it with a unit/);
});

test('refuses a negative time constant', () => {
  const net = new Network();
  net.add(new NeuronGroup(10, LIF, { name: 'E', params: { tau: '-5 ms' } }));
  refuses(() => net.build(), /LIF group 'E'/, /params\.tau/, /positive/, /ms/);
  const net2 = new Network();
  const P = net2.add(new NeuronGroup(10, LIF));
  net2.connect(P, P, { comm: new FixedProb(0.1), weight: '1 nS', syn: Expon({ tau: '-2 ms' }), out: COBA({ E: '0 mV' }) });
  refuses(() => net2.build(), /projection/, /syn\.tau/, /positive/);
});

test('refuses a connection probability outside [0, 1]', () => {
  for (const p of [-0.1, 1.5, Number.NaN]) {
    const net = new Network();
    const P = net.add(new NeuronGroup(10, LIF, { name: 'P' }));
    net.connect(P, P, { name: 'recurrent', comm: new FixedProb(p), weight: '1 mV', target: 'v' });
    refuses(() => net.build(), /recurrent/, /prob/, /between 0 and 1/);
  }
});

test('refuses an (i, j) pair out of range', () => {
  const net = new Network();
  const A = net.add(new NeuronGroup(5, LIF, { name: 'A' }));
  const B = net.add(new NeuronGroup(3, LIF, { name: 'B' }));
  net.connect(A, B, { name: 'A→B', comm: new FromPairs([0, 1, 4], [0, 2, 3]), weight: '1 mV', target: 'v' });
  refuses(() => net.build(), /A→B/, /3/);
});

test('refuses a weight whose unit does not fit the output, and a target that does not exist', () => {
  const net = new Network();
  const P = net.add(new NeuronGroup(10, LIF));
  net.connect(P, P, { comm: new FixedProb(0.1), weight: '1 mV', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) });
  refuses(() => net.build(), /weight/, /siemens/);
  const net2 = new Network();
  const Q = net2.add(new NeuronGroup(10, LIF));
  net2.connect(Q, Q, { comm: new FixedProb(0.1), weight: '1 mV', target: 'u' });
  refuses(() => net2.build(), /target/, /'u' is not a state variable/, /v/);
});

test('refuses unknown parameters and bad initializers at declaration', () => {
  refuses(() => new NeuronGroup(10, LIF, { params: { taus: '10 ms' } }), /taus/, /known parameters/);
  refuses(() => new NeuronGroup(10, LIF, { init: { w: '1 mV' } }), /init\.w/, /initialize one of: v/);
});

test('a refractory condition counts one spike per threshold crossing (Brian2 style)', () => {
  const Osc = defineNeuron({
    name: 'Osc',
    equations: 'dphi/dt = 2*pi*f : 1\nx = sin(phi) : 1',
    params: { f: '50 Hz' },
    threshold: 'x > 0.5',
    refractory: 'x > 0.5',
  });
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const G = net.add(new NeuronGroup(1, Osc, { method: 'euler' }));
  const sm = net.add(new SpikeMonitor(G));
  net.run('1 s');
  assert.equal(sm.numSpikes, 50);
  const NoRef = defineNeuron({ name: 'NoRef', equations: 'dphi/dt = 2*pi*f : 1\nx = sin(phi) : 1', params: { f: '50 Hz' }, threshold: 'x > 0.5' });
  const net2 = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const G2 = net2.add(new NeuronGroup(1, NoRef, { method: 'euler' }));
  const sm2 = net2.add(new SpikeMonitor(G2));
  net2.run('1 s');
  assert.ok(sm2.numSpikes > 1000, 'without it the condition fires every step it holds');
});

test('just-in-time connectivity stores no synapses and gives the same spikes as stored connectivity', () => {
  const run = (jit: boolean) => {
    const net = new Network({ seed: 12 });
    const P = net.add(new NeuronGroup(1000, LIF, { init: { v: uniform('-65 mV', '-50 mV') } }));
    P.setInput('I', '160 pA');
    const proj = net.connect(P, P, { comm: new FixedProb(0.05), weight: '0.3 mV', target: 'v', jit });
    const sm = net.add(new SpikeMonitor(P));
    net.run('200 ms');
    return { spikes: sm.spikes(), proj };
  };
  const stored = run(false);
  const jit = run(true);
  assert.equal(jit.proj.csr.indices.length, 0, 'nothing stored');
  assert.equal(jit.proj.numSynapses, stored.proj.numSynapses);
  assert.ok(stored.spikes.indices.length > 100);
  assert.ok(spikeTrainsEqual(stored.spikes, jit.spikes));
});

test('the WebAssembly and JavaScript backends give the same spikes (float64) and the same statistics (float32)', () => {
  const run = (backend: 'js' | 'wasm', dtype: 'float32' | 'float64') => {
    const { net, spikes, P } = cobaNetwork({ scale: 0.25, seed: 4, backend, dtype });
    net.run('300 ms');
    return { spikes: spikes.spikes(), backend: P.runtime!.backend ?? 'js' };
  };
  const js64 = run('js', 'float64');
  const wasm64 = run('wasm', 'float64');
  assert.match(wasm64.backend, /^wasm f64x2/);
  assert.ok(js64.spikes.indices.length > 1000);
  assert.ok(spikeTrainsEqual(js64.spikes, wasm64.spikes));
  const js32 = run('js', 'float32');
  const wasm32 = run('wasm', 'float32');
  assert.match(wasm32.backend, /^wasm f32x4/);
  const ratio = wasm32.spikes.indices.length / js32.spikes.indices.length;
  assert.ok(Math.abs(ratio - 1) < 0.05, `spike counts ${wasm32.spikes.indices.length} vs ${js32.spikes.indices.length}`);
});

test("backend 'wasm' refuses a group it cannot run, naming the group and the fix", () => {
  // the WebAssembly kernels have no sine
  const Wavy = defineNeuron({ name: 'Wavy', equations: 'dx/dt = (sin(x) - x)/tau : 1', params: { tau: '10 ms' } });
  const net = new Network({ backend: 'wasm' });
  net.add(new NeuronGroup(10, Wavy, { name: 'wavy' }));
  refuses(() => net.build(), /wavy/, /backend/, /auto/);
});

test('float32 SIMD groups flush subnormal values to zero (periodically), leaving normal values untouched', () => {
  const Decay = defineNeuron({ name: 'Decay', equations: 'dx/dt = -x/tau : 1', params: { tau: '1 ms' }, init: { x: 1 } });
  const net = new Network({ dt: '0.1 ms' });
  const G = net.add(new NeuronGroup(8, Decay, { method: 'exp_euler' }));
  net.run('120 ms'); // e^-120 ≈ 7.7e-53: below the smallest float32 subnormal only after passing through the range
  assert.match(G.runtime!.backend ?? '', /^wasm f32x4/);
  for (const v of G.get('x')) assert.ok(v === 0 || Math.abs(v) >= 1.1754943508222875e-38, `subnormal ${v} left in the state`);
  const net2 = new Network({ dt: '0.1 ms' });
  const H = net2.add(new NeuronGroup(8, Decay, { method: 'exp_euler' }));
  net2.run('30 ms');
  assert.ok(Math.abs(H.get('x')[0] / Math.exp(-30) - 1) < 1e-5, 'normal values are not touched');
});

test('continuous coupling refuses just-in-time rows, and a gap junction refuses a synapse model', () => {
  const make = (extra: Record<string, unknown>) => {
    const net = new Network();
    const A = net.add(new NeuronGroup(5, LIF, { name: 'A' }));
    net.connect(A, A, { name: 'gj', comm: new FixedProb(0.5), gap: 'v', target: 'I', weight: '1 nS', ...extra });
    return net;
  };
  refuses(() => make({ jit: true }).build(), /gj/, /jit/, /jit: false/);
  refuses(() => make({ syn: GABAa(), out: COBA({ E: '-80 mV' }) }).build(), /gj/, /gap/);
});
