/**
 * Store and restore: a network stored mid-run, restored (in memory or from a file, into the same
 * or a freshly built network) and run on gives exactly the spikes of an uninterrupted run — on the
 * JavaScript step loop, the WebAssembly group kernels, and the step engine with 1 and 2 threads;
 * with noise, Poisson input, delays, short-term and long-term plasticity, spike generators. Loading
 * is atomic: a refused file or snapshot changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Network,
  NeuronGroup,
  defineNeuron,
  LIF,
  FixedProb,
  All2All,
  Expon,
  COBA,
  STP,
  STDP,
  PoissonInput,
  SpikeGeneratorGroup,
  SpikeMonitor,
  StateMonitor,
  RateMonitor,
  BuildError,
  RunFault,
  normal,
  type NetworkOptions,
} from '../src/index.js';
import { cobaNetwork } from '../examples/models.js';

const dir = mkdtempSync(join(tmpdir(), 'braints-store-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The spike trains as comparable plain arrays. */
function trains(sm: SpikeMonitor): { steps: number[]; idx: number[] } {
  return { steps: Array.from(sm.spikeSteps()), idx: Array.from(sm.spikes().indices) };
}

const COMBOS: [string, NetworkOptions, RegExp][] = [
  ['JavaScript loop', { backend: 'js' }, /^(?!.*wasm)/],
  ['WebAssembly groups, JavaScript loop', { engine: false }, /wasm/],
  ['step engine, 1 thread', { threads: 1 }, /engine×1/],
  ['step engine, 2 threads', { threads: 2 }, /engine×2/],
];

for (const [label, opts, backend] of COMBOS) {
  test(`store → run → restore → run gives the uninterrupted spikes (COBA, ${label})`, () => {
    const whole = cobaNetwork({ scale: 0.25, seed: 5, ...opts });
    whole.net.run('120 ms');
    const expected = trains(whole.spikes);
    const vEnd = Float64Array.from(whole.P.get('v'));
    assert.match(whole.P.runtime!.backend ?? 'js', backend);
    whole.net.close();
    assert.ok(expected.idx.length > 500, `${expected.idx.length} spikes`);

    // in memory, the same network: store at 50 ms, run, go back, run again
    const a = cobaNetwork({ scale: 0.25, seed: 5, ...opts });
    a.net.run('50 ms');
    a.net.store({ name: 'mid', monitors: true });
    const file = join(dir, `coba-${label.replace(/\W+/g, '_')}.bts`);
    a.net.store({ file, monitors: true });
    a.net.run('70 ms');
    assert.deepEqual(trains(a.spikes), expected, 'the first pass');
    a.net.restore('mid');
    assert.equal(a.net.stepIndex, 500);
    a.net.run('70 ms');
    assert.deepEqual(trains(a.spikes), expected, 'after restoring in memory');
    assert.deepEqual(Float64Array.from(a.P.get('v')), vEnd);
    a.net.close();

    // from a file, into a network built again
    const b = cobaNetwork({ scale: 0.25, seed: 5, ...opts });
    b.net.restore({ file });
    assert.equal(b.net.stepIndex, 500);
    b.net.run('70 ms');
    assert.deepEqual(trains(b.spikes), expected, 'after restoring from a file');
    assert.deepEqual(Float64Array.from(b.P.get('v')), vEnd);
    b.net.close();
  });
}

/** LIF with white noise, Poisson drive, a spike generator, delays, STP and STDP: the JavaScript loop. */
function richNetwork(seed: number): { net: Network; sm: SpikeMonitor; vm: StateMonitor; rm: RateMonitor; proj: { runtime?: { weights: unknown } } } {
  const Noisy = defineNeuron({
    name: 'NoisyLIF',
    equations: 'dv/dt = (El - v + R*I)/tau + sigma*sqrt(2/tau)*xi : volt\nI : amp (input)',
    params: { El: '-60 mV', tau: '10 ms', R: '100 Mohm', Vth: '-50 mV', Vr: '-60 mV', sigma: '3 mV' },
    threshold: 'v > Vth',
    reset: 'v = Vr',
    refractory: '2 ms',
    init: { v: '-60 mV' },
  });
  const net = new Network({ dt: '0.1 ms', seed });
  const P = net.add(new NeuronGroup(80, Noisy, { name: 'P', init: { v: normal('-58 mV', '2 mV') } }));
  P.setInput('I', '80 pA');
  net.add(new PoissonInput(P, { num: 20, rate: '20 Hz', weight: '0.5 mV', target: 'v' }));
  const gen = net.add(new SpikeGeneratorGroup(3, { indices: [0, 1, 2, 0, 1], times: [5, 12, 33, 61, 88], unit: 'ms' }));
  net.connect(gen, P, { comm: new All2All(), weight: '3 mV', target: 'v', delay: '1.5 ms' });
  net.connect(P, P, { comm: new FixedProb(0.1), weight: '0.4 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), stp: STP({ U: 0.2, tau_f: '50 ms', tau_d: '100 ms' }), delay: '2 ms' });
  const proj = net.connect(P, P, { comm: new FixedProb(0.05), weight: '0.2 mV', target: 'v', plasticity: STDP({ A_plus: '0.01 mV', A_minus: '0.012 mV', wmax: '1 mV' }) });
  const sm = net.add(new SpikeMonitor(P));
  const vm = net.add(new StateMonitor(P, ['v'], { indices: [0, 7] }));
  const rm = net.add(new RateMonitor(P));
  return { net, sm, vm, rm, proj: proj as never };
}

test('store/restore with noise, Poisson input, a spike generator, delays, STP and STDP (JavaScript loop)', () => {
  const whole = richNetwork(3);
  whole.net.run('100 ms');
  const expected = trains(whole.sm);
  const wEnd = Array.from(whole.proj.runtime!.weights as Float32Array);
  const vTrace = Array.from(whole.vm.result().values.v);
  const rate = Array.from(whole.rm.result().rate);
  assert.ok(expected.idx.length > 100, `${expected.idx.length} spikes`);

  const a = richNetwork(3);
  a.net.run('37 ms');
  a.net.store({ name: 'x', monitors: true });
  const file = join(dir, 'rich.bts');
  a.net.store({ file, monitors: true });
  a.net.run('63 ms');
  a.net.restore('x');
  a.net.run('63 ms');
  assert.deepEqual(trains(a.sm), expected);
  assert.deepEqual(Array.from(a.proj.runtime!.weights as Float32Array), wEnd, 'plastic weights');
  assert.deepEqual(Array.from(a.vm.result().values.v), vTrace, 'state monitor');
  assert.deepEqual(Array.from(a.rm.result().rate), rate, 'rate monitor');

  const b = richNetwork(3);
  b.net.restore({ file });
  b.net.run('63 ms');
  assert.deepEqual(trains(b.sm), expected);
  assert.deepEqual(Array.from(b.proj.runtime!.weights as Float32Array), wEnd);
  assert.deepEqual(Array.from(b.vm.result().values.v), vTrace);
});

/** LIF with white noise, a rand() threshold, Poisson input and delayed recurrent synapses: every part runs on the step engine. */
function noisyNetwork(opts: NetworkOptions): { net: Network; sm: SpikeMonitor; P: NeuronGroup } {
  const Noisy = defineNeuron({
    name: 'NoisyLIF',
    equations: 'dv/dt = (El - v + R*I)/tau + sigma*sqrt(2/tau)*xi : volt\nI : amp (input)',
    params: { El: '-60 mV', tau: '10 ms', R: '100 Mohm', Vth: '-50 mV', Vr: '-60 mV', sigma: '3 mV' },
    threshold: 'v > Vth + 0.5*mV*rand()',
    reset: 'v = Vr',
    refractory: '2 ms',
    init: { v: '-60 mV' },
  });
  const net = new Network({ dt: '0.1 ms', seed: 21, ...opts });
  const P = net.add(new NeuronGroup(150, Noisy, { name: 'P', init: { v: normal('-58 mV', '2 mV') } }));
  P.setInput('I', '80 pA');
  net.add(new PoissonInput(P, { num: 20, rate: '20 Hz', weight: '0.5 mV', target: 'v' }));
  net.connect(P, P, { comm: new FixedProb(0.1), weight: '0.3 mV', target: 'v', delay: '1.5 ms' });
  const sm = net.add(new SpikeMonitor(P));
  return { net, sm, P };
}

for (const [label, opts, backend] of COMBOS) {
  test(`store → run → restore → run gives the uninterrupted spikes with noise and Poisson input (${label})`, () => {
    const whole = noisyNetwork(opts);
    whole.net.run('100 ms');
    const expected = trains(whole.sm);
    const vEnd = Float64Array.from(whole.P.get('v'));
    assert.match(whole.P.runtime!.backend ?? 'js', backend);
    assert.ok(expected.idx.length > 300, `${expected.idx.length} spikes`);
    whole.net.close();

    const a = noisyNetwork(opts);
    a.net.run('37 ms');
    a.net.store({ name: 'x', monitors: true });
    const file = join(dir, `noisy-${label.replace(/\W+/g, '_')}.bts`);
    a.net.store({ file, monitors: true });
    a.net.run('63 ms');
    assert.deepEqual(trains(a.sm), expected, 'the first pass');
    a.net.restore('x');
    a.net.run('63 ms');
    assert.deepEqual(trains(a.sm), expected, 'after restoring in memory');
    assert.deepEqual(Float64Array.from(a.P.get('v')), vEnd);
    a.net.close();

    const b = noisyNetwork(opts);
    b.net.restore({ file });
    b.net.run('63 ms');
    assert.deepEqual(trains(b.sm), expected, 'after restoring from a file');
    assert.deepEqual(Float64Array.from(b.P.get('v')), vEnd);
    b.net.close();
  });
}

test('restore without monitors keeps the current recordings; an unknown snapshot name is refused', () => {
  const { net, spikes } = cobaNetwork({ scale: 0.1, seed: 2, backend: 'js' });
  net.run('20 ms');
  net.store('a');
  net.run('20 ms');
  const n = spikes.numSpikes;
  net.restore({ name: 'a', monitors: false });
  assert.equal(spikes.numSpikes, n);
  assert.equal(net.stepIndex, 200);
  assert.throws(() => net.restore('nope'), (e: Error) => e instanceof BuildError && /no stored state named 'nope'/.test(e.message) && /stored: a/.test(e.message));
  assert.throws(() => net.store({ nmae: 'x' } as never), (e: Error) => e instanceof BuildError && /unknown option/.test(e.message));
});

/** Everything a refused load must leave alone. */
function observe(net: Network, P: NeuronGroup, sm: SpikeMonitor): string {
  return JSON.stringify([net.stepIndex, Array.from(P.get('v')), Array.from(P.get('syn0$g')), sm.numSpikes, Array.from(sm.spikeSteps())]);
}

test('loading a state file is atomic: corrupted, truncated, foreign or missing files change nothing', () => {
  const src = cobaNetwork({ scale: 0.1, seed: 4, backend: 'js' });
  src.net.run('30 ms');
  const file = join(dir, 'good.bts');
  src.net.store({ file, monitors: true });
  const good = readFileSync(file);

  const dst = cobaNetwork({ scale: 0.1, seed: 4, backend: 'js' });
  dst.net.run('10 ms');
  const before = observe(dst.net, dst.P, dst.spikes);

  const variants: [string, Uint8Array, RegExp][] = [];
  const flip = (at: number) => {
    const b = Uint8Array.from(good);
    b[at] ^= 0x40;
    return b;
  };
  variants.push(['a flipped payload byte', flip(good.length - 12), /checksum/]);
  variants.push(['a flipped byte in the middle', flip(Math.floor(good.length / 2)), /checksum|malformed|unreadable/]);
  variants.push(['truncated', good.subarray(0, Math.floor(good.length * 0.7)), /truncated/]);
  variants.push(['the header only', good.subarray(0, 40), /truncated|header/]);
  variants.push(['not a state file', new TextEncoder().encode('{"format":"braints-network-params"}'), /not a BrainTS state file/]);
  variants.push(['empty', new Uint8Array(0), /not a BrainTS state file/]);
  const header = new TextDecoder().decode(good.subarray(0, 2000));
  variants.push(['a changed version', Uint8Array.from(good).map((c, i) => (i === header.indexOf('"version":1') + 10 ? 0x37 : c)), /version/]);
  for (const [what, bytes, msg] of variants) {
    const f = join(dir, `bad-${what.replace(/\W+/g, '_')}.bts`);
    writeFileSync(f, bytes);
    assert.throws(() => dst.net.restore({ file: f }), (e: Error) => e instanceof BuildError && msg.test(e.message), what);
    assert.equal(observe(dst.net, dst.P, dst.spikes), before, `${what}: nothing changed`);
  }
  assert.throws(() => dst.net.restore({ file: join(dir, 'missing.bts') }), (e: Error) => e instanceof BuildError && /cannot read/.test(e.message));

  // a different network (seed, size, backend) refuses the file, naming why
  for (const opts of [{ seed: 5, backend: 'js' as const }, { seed: 4, backend: 'js' as const, dtype: 'float64' as const }, { seed: 4 }]) {
    const other = cobaNetwork({ scale: 0.1, ...opts });
    other.net.run('5 ms');
    const b = observe(other.net, other.P, other.spikes);
    assert.throws(() => other.net.restore({ file }), (e: Error) => e instanceof BuildError && /different network|fingerprint/.test(e.message));
    assert.equal(observe(other.net, other.P, other.spikes), b);
    other.net.close();
  }
  const small = cobaNetwork({ scale: 0.05, seed: 4, backend: 'js' });
  assert.throws(() => small.net.restore({ file }), (e: Error) => e instanceof BuildError && /different network/.test(e.message));

  // the good file still loads
  dst.net.restore({ file });
  assert.equal(dst.net.stepIndex, 300);
  assert.equal(dst.spikes.numSpikes, src.spikes.numSpikes);
});

test('a state file is written atomically (no temporary file is left, an unwritable path is refused)', () => {
  const { net } = cobaNetwork({ scale: 0.05, seed: 1, backend: 'js' });
  net.run('5 ms');
  const file = join(dir, 'atomic.bts');
  net.store({ file });
  net.store({ file }); // overwrite
  assert.ok(existsSync(file));
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
  assert.throws(() => net.store({ file: join(dir, 'no', 'such', 'dir', 'x.bts') }), (e: Error) => e instanceof BuildError && /cannot write/.test(e.message));
});

test('after a worker thread fails, the network refuses to run until a stored state is restored; then it runs on identically', () => {
  const whole = cobaNetwork({ scale: 0.25, seed: 8, threads: 2 });
  whole.net.run('80 ms');
  const expected = trains(whole.spikes);
  whole.net.close();

  const { net, spikes } = cobaNetwork({ scale: 0.25, seed: 8, threads: 2, injectFault: { thread: 1, step: 500, kind: 'throw' } });
  net.run('30 ms');
  net.store({ name: 'safe', monitors: true });
  assert.throws(() => net.run('50 ms'), (e: Error) => e instanceof RunFault && e.step === 500 && /injected fault at step 500/.test(e.message));
  // spikes before the failing step are kept, and they are the uninterrupted run's
  const kept = trains(spikes);
  const before = expected.steps.filter((s) => s < 500).length;
  assert.deepEqual(kept, { steps: expected.steps.slice(0, before), idx: expected.idx.slice(0, before) });
  assert.throws(() => net.run('1 ms'), (e: Error) => e instanceof BuildError && /cannot run/.test(e.message) && /restore/.test(e.message));
  assert.throws(() => net.store('torn'), (e: Error) => e instanceof BuildError && /cannot store/.test(e.message));
  net.restore('safe');
  net.run('50 ms');
  assert.deepEqual(trains(spikes), expected);
  net.close();
});

test('loadParams is atomic and refuses values float32 storage cannot hold, getters and prototype keys', () => {
  const net = new Network({ seed: 1 });
  net.add(new NeuronGroup(3, LIF, { name: 'P', train: ['tau', 'El'] }));
  const saved = net.saveParams();
  const before = JSON.stringify(net.saveParams());
  const names = Object.keys(saved.params);
  const withValue = (name: string, v: unknown) => ({ ...saved, params: { ...saved.params, [name]: v } });
  const bad: [unknown, RegExp][] = [
    [withValue(names[1], [1e39, 0, 0]), /out of the range of float32/],
    [withValue(names[0], ['0.01', 0.01, 0.01]), /finite number/],
    [withValue(names[1], [NaN, 0, 0]), /finite number/],
    [withValue(names[0], [0.01, -1, 0.01]), /time constant must be positive/],
    [{ ...saved, params: { ...saved.params, get [names[0]]() { return [0.02, 0.02, 0.02]; } } }, /getter/],
    [JSON.parse(`{"format":"braints-network-params","version":1,"params":{"__proto__":{"x":[1]}}}`), /not a parameter|reserved|__proto__/],
    [{ ...saved, params: { ...saved.params, [names[0]]: Object.assign([0.02, 0.02], { 2: undefined }) } }, /finite number/],
  ];
  // the first parameter is valid in every case but the ones that target it: nothing may be half-loaded
  for (const [file, msg] of bad) {
    assert.throws(() => net.loadParams(file), (e: Error) => e instanceof BuildError && msg.test(e.message));
    assert.equal(JSON.stringify(net.saveParams()), before);
  }
  const ok = withValue(names[1], [-0.07, -0.065, -0.06]);
  net.loadParams(ok);
  assert.deepEqual(Array.from(net.saveParams().params[names[1]], (x) => Math.round(x * 1e4) / 1e4), [-0.07, -0.065, -0.06]);
});
