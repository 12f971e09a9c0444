/**
 * Short-term plasticity and state monitors on the step engine: a network with Tsodyks–Markram STP
 * on a projection and state monitors runs on the engine (no fallback to the JavaScript loop),
 * with spikes and monitored traces identical for any thread count and to the JavaScript loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Network, NeuronGroup, LIF, FixedProb, Expon, CUBA, STP, SpikeMonitor, StateMonitor, normal, uniform, type Monitor } from '../src/index.js';
import { StateStreamMonitor, NpyReader } from '../src/node/index.js';

interface Build {
  threads?: number;
  engine?: boolean;
  backend?: 'js';
  dtype?: 'float32' | 'float64';
  /** Transmission delay of the STP projection: none, one for all synapses, or one per synapse. */
  delay?: 'none' | 'fixed' | 'per-synapse';
  /** STP on the inhibitory projections too (see the float32 test). */
  stpEverywhere?: boolean;
  /** Without STP (to see that it matters). */
  noStp?: boolean;
}

/** 200 excitatory and 50 inhibitory LIF neurons (current synapses); STP on E → E. */
function eiNetwork(o: Build = {}) {
  const net = new Network({ dt: '0.1 ms', seed: 5, dtype: o.dtype ?? 'float64', threads: o.threads, engine: o.engine, backend: o.backend });
  const params = { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '2 ms', R: '100 Mohm' };
  const E = net.add(new NeuronGroup(200, LIF, { name: 'E', params, init: { v: normal('-57 mV', '3 mV') } }));
  const I = net.add(new NeuronGroup(50, LIF, { name: 'I', params: { ...params, tau: '10 ms' }, init: { v: uniform('-60 mV', '-51 mV') } }));
  E.setInput('I', '125 pA');
  I.setInput('I', '110 pA');
  const delay = o.delay === 'fixed' ? '1.5 ms' : o.delay === 'per-synapse' ? uniform('0.5 ms', '2 ms') : undefined;
  const stp = (U: number) => (o.noStp ? undefined : STP({ U, tau_f: '50 ms', tau_d: '100 ms' }));
  net.connect(E, E, { comm: new FixedProb(0.1), weight: '80 pA', syn: Expon({ tau: '5 ms' }), out: CUBA(), stp: stp(0.3), delay });
  net.connect(E, I, { comm: new FixedProb(0.2), weight: uniform('10 pA', '30 pA'), syn: Expon({ tau: '5 ms' }), out: CUBA(), delay: '0.5 ms' });
  const stpI = o.stpEverywhere ? STP({ U: 0.5, tau_f: '20 ms', tau_d: '60 ms' }) : undefined;
  net.connect(I, E, { comm: new FixedProb(0.2), weight: '-20 pA', syn: Expon({ tau: '10 ms' }), out: CUBA(), stp: stpI });
  net.connect(I, I, { comm: new FixedProb(0.2), weight: '-20 pA', syn: Expon({ tau: '10 ms' }), out: CUBA(), stp: stpI });
  const se = net.add(new SpikeMonitor(E));
  const si = net.add(new SpikeMonitor(I));
  // v of chosen neurons (one twice), STP state of E neurons every 3 steps, and every E neuron's v
  // and synaptic current from E (which the step's deliveries change): 400 values a step, so the
  // engine cuts a 2000-step run into two to fit its 4 MiB record buffer
  const vm = net.add(new StateMonitor(E, ['v'], { indices: [0, 7, 63, 130, 199, 7] }));
  const stpVars = o.noStp ? ['v'] : ['stp0$u', 'stp0$x'];
  const um = net.add(new StateMonitor(E.slice(40, 140), stpVars, { indices: [0, 17, 99], every: 3 }));
  const all = net.add(new StateMonitor(E, ['v', 'syn0$g'], { indices: Array.from({ length: 200 }, (_, i) => i) }));
  return { net, E, I, se, si, vm, um, all, stpVars };
}

type Net = ReturnType<typeof eiNetwork>;

/** Everything a run produced, as plain arrays (spike steps, indices, traces, final state). */
function results(n: Net) {
  const r: Record<string, number[]> = {
    eIdx: Array.from(n.se.spikes().indices),
    eSteps: Array.from(n.se.spikeSteps()),
    iIdx: Array.from(n.si.spikes().indices),
    iSteps: Array.from(n.si.spikeSteps()),
    vT: Array.from(n.vm.result().t),
    v: Array.from(n.vm.result().values.v),
    uT: Array.from(n.um.result().t),
    allV: Array.from(n.all.result().values.v),
    allG: Array.from(n.all.result().values.syn0$g),
    finalE: Array.from(n.E.get('v')),
    finalI: Array.from(n.I.get('v')),
  };
  for (const v of n.stpVars) r[`um.${v}`] = Array.from(n.um.result().values[v]);
  return r;
}

function simulate(o: Build, ms = 200) {
  const n = eiNetwork(o);
  n.net.run(`${ms} ms`);
  const out = { r: results(n), loop: n.net.loopReason, backend: n.E.runtime!.backend ?? 'js' };
  n.net.close();
  return out;
}

/** Asserts two result sets are identical, naming the first field that differs. */
function assertSame(a: Record<string, number[]>, b: Record<string, number[]>, what: string) {
  for (const k of Object.keys(a)) {
    assert.equal(b[k].length, a[k].length, `${what}: ${k} has ${b[k].length} values, expected ${a[k].length}`);
    const i = a[k].findIndex((x, j) => !Object.is(x, b[k][j]));
    assert.equal(i, -1, `${what}: ${k}[${i}] is ${b[k][i]}, expected ${a[k][i]}`);
  }
}

for (const delay of ['none', 'fixed', 'per-synapse'] as const) {
  test(`STP (${delay === 'none' ? 'no delay' : delay === 'fixed' ? 'a homogeneous delay' : 'per-synapse delays'}) and state monitors: on the engine, identical for 1, 2 and 3 threads and to the JavaScript loop (float64)`, () => {
    const js = simulate({ backend: 'js', delay });
    const loop = simulate({ engine: false, delay });
    const one = simulate({ threads: 1, delay });
    const two = simulate({ threads: 2, delay });
    const three = simulate({ threads: 3, delay });
    assert.match(js.loop ?? '', /backend is 'js'/);
    assert.match(one.backend, /engine×1/);
    assert.match(two.backend, /engine×2/);
    assert.match(three.backend, /engine×3/);
    for (const r of [one, two, three]) assert.equal(r.loop, undefined, `${r.backend}: runs on the engine`);
    assert.ok(js.r.eIdx.length > 300 && js.r.iIdx.length > 100, `${js.r.eIdx.length} E and ${js.r.iIdx.length} I spikes`);
    assert.equal(js.r.v.length, 2000 * 6);
    assert.equal(js.r.allV.length, 2000 * 200);
    // the recorded STP state moves at spikes: u rises from 0, x falls from 1
    assert.ok(js.r['um.stp0$u'].some((u) => u > 0.2) && js.r['um.stp0$x'].some((x) => x < 0.8), 'u and x change at spikes');
    assertSame(js.r, loop.r, 'JavaScript loop with WebAssembly groups');
    assertSame(js.r, one.r, 'engine, 1 thread');
    assertSame(one.r, two.r, 'engine, 2 threads');
    assertSame(one.r, three.r, 'engine, 3 threads');
  });
}

test('STP on the engine changes the spikes (the release scales each spike\'s weight)', () => {
  const withStp = simulate({ threads: 2 }, 100).r;
  const without = simulate({ threads: 2, noStp: true }, 100).r;
  assert.notDeepEqual(withStp.eIdx, without.eIdx);
  // with U = 0.3 the first spike of each E neuron transmits 0.3 of the weight: fewer E spikes
  assert.ok(withStp.eIdx.length < without.eIdx.length, `${withStp.eIdx.length} E spikes with STP, ${without.eIdx.length} without`);
});

test('float32 state: identical for 1 and 2 threads; with STP on every projection that sums, identical to the JavaScript loop too', () => {
  const one = simulate({ threads: 1, dtype: 'float32', delay: 'fixed' });
  const two = simulate({ threads: 2, dtype: 'float32', delay: 'fixed' });
  assert.match(two.backend, /f32x4 engine×2/);
  assertSame(one.r, two.r, 'float32, 2 threads');
  // The engine adds a spike's weight·release to a float32 target in float64 and rounds once, as
  // the JavaScript loop does, and a float32 per-synapse weight in float32 (the same rounding).
  // It adds a single weight without STP (here −20 pA) in float32 after rounding the weight, where
  // the loop adds the float64 weight: with STP on the projections that have a single weight, the
  // two agree bit for bit.
  const eng = simulate({ threads: 2, dtype: 'float32', stpEverywhere: true });
  const loop = simulate({ engine: false, dtype: 'float32', stpEverywhere: true });
  assert.match(loop.backend, /^wasm f32x4$/);
  assertSame(loop.r, eng.r, 'float32 engine vs the JavaScript loop with WebAssembly groups');
});

test('store → run → restore → run on the engine with 2 threads (STP releases in flight, state monitors) repeats the run exactly', () => {
  const whole = eiNetwork({ threads: 2, delay: 'fixed' });
  whole.net.run('100 ms');
  const expected = results(whole);
  whole.net.close();

  const dir = mkdtempSync(join(tmpdir(), 'braints-stp-'));
  try {
    const file = join(dir, 'mid.bts');
    const a = eiNetwork({ threads: 2, delay: 'fixed' });
    assert.equal(a.net.loopReason, undefined);
    a.net.run('37 ms');
    a.net.store({ name: 'mid', monitors: true });
    a.net.store({ file, monitors: true });
    a.net.run('63 ms');
    const straight = results(a);
    a.net.restore('mid');
    a.net.run('63 ms');
    assertSame(expected, straight, 'run in two parts');
    assertSame(expected, results(a), 'after restore');
    a.net.close();
    // a new network (release rings still zero) restored from the file: spikes in flight at the
    // store transmit the releases they were emitted with
    const b = eiNetwork({ threads: 2, delay: 'fixed' });
    b.net.restore({ file });
    b.net.run('63 ms');
    assertSame(expected, results(b), 'a new network restored from the file');
    b.net.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a StateStreamMonitor streams the same rows on the engine (2 threads) as on the JavaScript loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'braints-stp-'));
  try {
    const rows = (o: Build, file: string) => {
      const n = eiNetwork({ ...o, delay: 'fixed' });
      const st = n.net.add(new StateStreamMonitor(n.E.slice(100), ['v'], { file, indices: [5, 99, 5], every: 2, chunk: 7 }));
      n.net.run('30 ms');
      n.net.run('12.3 ms');
      st.close();
      const loop = n.net.loopReason;
      n.net.close();
      const rd = new NpyReader(file);
      const out = Array.from(rd.rows(0, rd.shape[0]));
      rd.close();
      return { out, loop, shape: rd.shape };
    };
    const js = rows({ engine: false }, join(dir, 'js.npy'));
    const eng = rows({ threads: 2 }, join(dir, 'eng.npy'));
    assert.equal(eng.loop, undefined);
    assert.deepEqual(js.shape, [212, 4]);
    assert.deepEqual(eng.out, js.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what the engine still cannot run is named: a monitor that is neither a spike, rate nor state monitor; a state monitor of an unknown variable', () => {
  const n = eiNetwork();
  const custom: Monitor = { name: 'mine', source: n.E.slice(0, 200), reserve: () => undefined, record: () => undefined, clear: () => undefined };
  n.net.add(custom);
  n.net.build();
  assert.match(n.net.loopReason ?? '', /monitor 'mine' is not a spike, rate or state monitor/);
  n.net.close();
  const m = eiNetwork({ threads: 2 });
  m.net.add(new StateMonitor(m.E, ['w'], { indices: [0] }));
  assert.throws(() => m.net.build(), /more than one thread needs the step engine, but monitor '\w+' records 'w', which is not a per-neuron array of its group/);
});
