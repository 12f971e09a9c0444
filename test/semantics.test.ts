/**
 * Semantics as Brian2 and NEST define them (issue 12, part 1). Each test states the rule, the
 * number the rule gives, and runs it on every path the network can take: the JavaScript step
 * loop, the step engine (WebAssembly, 1 and 2 threads) where the network runs there, and the
 * training forward pass where it applies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import {
  Network,
  NeuronGroup,
  defineNeuron,
  All2All,
  One2One,
  FixedProb,
  SpikeGeneratorGroup,
  PoissonInput,
  InputGroup,
  StateMonitor,
  SpikeMonitor,
  values,
  BuildError,
  STDP,
  PoissonGroup,
  timed,
} from '../src/index.js';
import { CurrentLIF } from './support/current_lif.js';

// ------------------------------------------------------------------------------------------------
// 1. Increments to a variable held by (unless refractory) are discarded while refractory

/** Leaky, clamped while refractory (2 ms = 20 steps of 0.1 ms). */
const Clamped = defineNeuron({
  name: 'Clamped',
  equations: 'dv/dt = -v/tau : 1 (unless refractory)',
  params: { tau: '10 ms' },
  threshold: 'v > 1',
  reset: 'v = 0',
  refractory: '2 ms',
});

/** Fires once, at the step its initial value puts it over threshold (v grows by 0.1 per step), then never again. */
const Driver = defineNeuron({
  name: 'Driver',
  equations: 'dv/dt = 1/(1*ms) : 1',
  threshold: 'v > 1',
  reset: 'v = -1000',
  method: 'euler',
});
/** Initial value of a Driver that fires at step s (crossing in the middle of a step, far from rounding). */
const firesAt = (s: number) => 1.05 - 0.1 * (s + 1);

/**
 * Three post neurons that spike at step 0 (v = 1.5) and are refractory for steps 0–19; each gets
 * one kick of 0.5, at step 5, 19 and 20. Brian2 2.5.1 (numpy target, `on_pre='v += 0.5'`) gives
 * v = 0, 0 and 0.5·exp(−0.4 ms/10 ms) after 2.5 ms: only the kick at step 20 lands.
 */
function kicked(o: { engine: boolean; threads?: number; perSynapseDelay?: boolean }) {
  const net = new Network({ dt: '0.1 ms', dtype: 'float64', engine: o.engine, threads: o.threads });
  // with per-synapse delays of 2 steps, the drivers fire 2 steps earlier: the kicks arrive at the same steps
  const lead = o.perSynapseDelay ? 2 : 0;
  const D = net.add(new NeuronGroup(3, Driver, { name: 'D', init: { v: values([5, 19, 20].map((s) => firesAt(s - lead))) } }));
  const G = net.add(new NeuronGroup(3, Clamped, { name: 'G', init: { v: 1.5 } }));
  net.connect(D, G, { comm: new One2One(), weight: 0.5, target: 'v', delay: o.perSynapseDelay ? values([0.2, 0.2, 0.2], 'ms') : undefined });
  net.run('2.5 ms');
  const v = Array.from(G.get('v'));
  const backend = G.runtime!.backend ?? 'js';
  net.close();
  return { v, backend };
}

test('a kick delivered while the post neuron is refractory is discarded, on the JavaScript loop and on the step engine (1 and 2 threads); Brian2 gives the same values', () => {
  const expected = [0, 0, 0.5 * Math.exp(-0.04)];
  const js = kicked({ engine: false });
  const one = kicked({ engine: true, threads: 1 });
  const two = kicked({ engine: true, threads: 2 });
  assert.match(one.backend, /engine×1/);
  assert.match(two.backend, /engine×2/);
  for (const r of [js, one, two]) {
    assert.equal(r.v[0], 0, `kick at step 5 (refractory until step 20) must be lost: ${r.backend} ${r.v}`);
    assert.equal(r.v[1], 0, `kick at step 19 must be lost: ${r.backend} ${r.v}`);
    assert.ok(Math.abs(r.v[2] - expected[2]) < 1e-12, `kick at step 20 lands: ${r.backend} ${r.v[2]} vs ${expected[2]}`);
  }
  assert.deepEqual(one.v, js.v);
  assert.deepEqual(two.v, js.v);
});

test('the rule holds through per-synapse delays (the increment is judged when it arrives), on the JavaScript loop and the step engine', () => {
  for (const o of [{ engine: false }, { engine: true, threads: 1 }, { engine: true, threads: 2 }]) {
    const r = kicked({ ...o, perSynapseDelay: true });
    if (o.engine) assert.match(r.backend, /engine/);
    assert.deepEqual(r.v.slice(0, 2), [0, 0], `${r.backend}`);
    assert.ok(Math.abs(r.v[2] - 0.5 * Math.exp(-0.04)) < 1e-12, `${r.backend}: ${r.v}`);
  }
});

test('PoissonInput onto a variable held by (unless refractory) is discarded while refractory, and lands otherwise (Brian2 2.5.1: the same)', () => {
  const run = (engine: boolean) => {
    const net = new Network({ dt: '0.1 ms', dtype: 'float64', seed: 3, engine });
    const Long = defineNeuron({ name: 'Long', equations: 'dv/dt = -v/tau : 1 (unless refractory)', params: { tau: '10 ms' }, threshold: 'v > 1', reset: 'v = 0', refractory: '1 s' });
    // neuron 0 spikes at step 0 and stays refractory; neuron 1 never reaches threshold
    const G = net.add(new NeuronGroup(2, Long, { name: 'G', init: { v: values([1.5, 0]) } }));
    net.add(new PoissonInput(G, { num: 10, rate: '1000 Hz', weight: 0.01, target: 'v' }));
    net.run('5 ms');
    return Array.from(G.get('v'));
  };
  for (const engine of [false, true]) {
    const v = run(engine);
    assert.equal(v[0], 0, 'every Poisson kick to the refractory neuron is lost');
    // about 10·1000 Hz·5 ms = 50 kicks of 0.01 (leaky): clearly received
    assert.ok(v[1] > 0.2 && v[1] < 0.8, `the non-refractory neuron integrates its kicks: ${v[1]}`);
  }
});

test('a variable without (unless refractory) keeps receiving kicks during the refractory period', () => {
  const Free = defineNeuron({ name: 'Free', equations: 'dv/dt = -v/tau : 1', params: { tau: '10 ms' }, threshold: 'v > 1', reset: 'v = 0', refractory: '2 ms' });
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const D = net.add(new NeuronGroup(1, Driver, { name: 'D', init: { v: firesAt(5) } }));
  const G = net.add(new NeuronGroup(1, Free, { name: 'G', init: { v: 1.5 } }));
  net.connect(D, G, { comm: new One2One(), weight: 0.5, target: 'v' });
  net.run('2.5 ms');
  // kick at step 5 lands, then decays for 19 steps
  assert.ok(Math.abs(G.get('v')[0] - 0.5 * Math.exp(-0.19)) < 1e-12, `${G.get('v')[0]}`);
});

for (const TB of ['js', 'engine'] as const) {
  test(`training forward pass drops a kick to a refractory neuron exactly as net.run does (${TB === 'js' ? 'JavaScript lowering' : 'step engine, 2 threads'})`, () => {
    const sim = () => {
      const net = new Network({ dt: '0.1 ms', dtype: 'float64', engine: false });
      const gen = net.add(new SpikeGeneratorGroup(1, { indices: [0, 0], times: [0.5, 2.0], unit: 'ms', name: 'gen' }));
      const G = net.add(new NeuronGroup(1, Clamped, { name: 'G', init: { v: 1.5 } }));
      net.connect(gen, G, { comm: new All2All(), weight: 0.5, target: 'v' });
      const m = net.add(new StateMonitor(G, ['v']));
      net.run('2.5 ms');
      return Array.from(m.result().values.v);
    };
    const train = () => {
      const net = new Network({ dt: '0.1 ms', dtype: 'float64', engine: false, trainBackend: TB, threads: TB === 'engine' ? 2 : 1 });
      const x = net.add(new InputGroup(1, 'x'));
      const G = net.add(new NeuronGroup(1, Clamped, { name: 'G', init: { v: 1.5 } }));
      net.connect(x, G, { comm: new All2All(), weight: 0.5, target: 'v', train: ['weight'] });
      const ptr = new Int32Array(26);
      for (let n = 0; n < 26; n++) ptr[n] = (n > 5 ? 1 : 0) + (n > 20 ? 1 : 0);
      net.forward({ steps: 25, batch: 1, inputs: [[x, { ptr, idx: Int32Array.of(0, 0) }]] });
      const tr = net.trace(G, 'v');
      const out = Array.from({ length: 25 }, (_, n) => tr.data[tr.offset + n * tr.stride]);
      // dL/dw of L = v(end): only the kick at step 20 reaches it, through 4 steps of decay
      tr.grad[tr.offset + 24 * tr.stride] = 1;
      net.backward();
      return { out, dw: net.parameters()[0].grad[0] };
    };
    const s = sim();
    const t = train();
    assert.equal(s[10], 0, 'the kick at step 5 is lost in the simulation');
    for (let n = 0; n < 25; n++) assert.ok(Math.abs(s[n] - t.out[n]) < 1e-15, `step ${n}: simulation ${s[n]}, training ${t.out[n]}`);
    assert.ok(Math.abs(t.dw - Math.exp(-0.04)) < 1e-12, `gradient of the landed kick only: ${t.dw}`);
  });
}

for (const TB of ['js', 'engine'] as const) {
  test(`training forward pass with per-synapse delays and a homogeneous delay drops what arrives during refractoriness, as net.run does; the gradient reaches only the landed kicks (${TB === 'js' ? 'JavaScript lowering' : 'step engine, 2 threads'})`, () => {
    // kicks emitted at steps 2 and 17 arrive 3 steps later (steps 5: lost, 20: lands), through either delay form
    for (const delay of [values([0.3], 'ms'), '0.3 ms'] as const) {
      const sim = () => {
        const net = new Network({ dt: '0.1 ms', dtype: 'float64', engine: false });
        const gen = net.add(new SpikeGeneratorGroup(1, { indices: [0, 0], times: [0.2, 1.7], unit: 'ms', name: 'gen' }));
        const G = net.add(new NeuronGroup(1, Clamped, { name: 'G', init: { v: 1.5 } }));
        net.connect(gen, G, { comm: new All2All(), weight: 0.5, target: 'v', delay });
        const m = net.add(new StateMonitor(G, ['v']));
        net.run('2.5 ms');
        return Array.from(m.result().values.v);
      };
      const train = () => {
        const net = new Network({ dt: '0.1 ms', dtype: 'float64', engine: false, trainBackend: TB, threads: TB === 'engine' ? 2 : 1 });
        const x = net.add(new InputGroup(1, 'x'));
        const G = net.add(new NeuronGroup(1, Clamped, { name: 'G', init: { v: 1.5 } }));
        net.connect(x, G, { comm: new All2All(), weight: 0.5, target: 'v', delay, train: ['weight'] });
        const ptr = new Int32Array(26);
        for (let n = 0; n < 26; n++) ptr[n] = (n > 2 ? 1 : 0) + (n > 17 ? 1 : 0);
        net.forward({ steps: 25, batch: 1, inputs: [[x, { ptr, idx: Int32Array.of(0, 0) }]] });
        const tr = net.trace(G, 'v');
        const out = Array.from({ length: 25 }, (_, n) => tr.data[tr.offset + n * tr.stride]);
        tr.grad[tr.offset + 24 * tr.stride] = 1;
        net.backward();
        return { out, dw: net.parameters()[0].grad[0] };
      };
      const s = sim();
      const t = train();
      assert.equal(s[10], 0, 'the kick arriving at step 5 is lost');
      for (let n = 0; n < 25; n++) assert.ok(Math.abs(s[n] - t.out[n]) < 1e-15, `delay ${JSON.stringify(delay)}, step ${n}: simulation ${s[n]}, training ${t.out[n]}`);
      assert.ok(Math.abs(t.dw - Math.exp(-0.04)) < 1e-12, `delay ${JSON.stringify(delay)}: gradient of the landed kick only: ${t.dw}`);
    }
  });
}

test('with a refractory condition, increments are dropped from the spike until the condition turns false (Brian2: not_refractory = not_refractory or not cond)', () => {
  // neuron 0 spikes at step 0 (v > 1) and stays refractory while v > 0.5: held at its value, its kick at step 2 lost
  const Cond = defineNeuron({ name: 'Cond', equations: 'dv/dt = -v/tau : 1 (unless refractory)', params: { tau: '1 ms' }, threshold: 'v > 1', refractory: 'v > 0.5' });
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const D = net.add(new NeuronGroup(2, Driver, { name: 'D', init: { v: values([firesAt(2), firesAt(2)]) } }));
  const G = net.add(new NeuronGroup(2, Cond, { name: 'G', init: { v: values([1.5, 0]) } }));
  net.connect(D, G, { comm: new One2One(), weight: 0.25, target: 'v' });
  net.run('0.3 ms');
  const v = G.get('v');
  assert.ok(Math.abs(v[0] - 1.5 * Math.exp(-0.1)) < 1e-12, `integrated at step 0 only, then held without the kick: ${v[0]}`);
  assert.ok(Math.abs(v[1] - 0.25) < 1e-12, `the other neuron takes its kick: ${v[1]}`);
});

test('the rule holds for just-in-time connectivity', () => {
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const D = net.add(new NeuronGroup(2, Driver, { name: 'D', init: { v: values([firesAt(5), firesAt(20)]) } }));
  const G = net.add(new NeuronGroup(1, Clamped, { name: 'G', init: { v: 1.5 } }));
  net.connect(D, G, { comm: new FixedProb(1), weight: 0.5, target: 'v', jit: true });
  net.run('2.5 ms');
  assert.ok(Math.abs(G.get('v')[0] - 0.5 * Math.exp(-0.04)) < 1e-12, `only the kick at step 20 lands: ${G.get('v')[0]}`);
});

// ------------------------------------------------------------------------------------------------
// 2. Delta-current synapses onto an (input) variable


function deltaRun(o: { engine: boolean; target: 'I' | 'v'; weight: string; poisson?: boolean }) {
  const net = new Network({ dt: '0.1 ms', dtype: 'float64', engine: o.engine, seed: 4 });
  const D = net.add(new NeuronGroup(2, Driver, { name: 'D', init: { v: values([firesAt(5), firesAt(12)]) } }));
  const G = net.add(new NeuronGroup(2, CurrentLIF, { name: 'G' }));
  net.connect(D, G, { comm: new One2One(), weight: o.weight, target: o.target });
  if (o.poisson) net.add(new PoissonInput(G, { num: 5, rate: '200 Hz', weight: o.target === 'I' ? '2 pC' : '20 mV', target: o.target }));
  const m = o.engine ? undefined : net.add(new StateMonitor(G, ['v'], { indices: [0, 1] }));
  net.run('3 ms');
  const v = Array.from(G.get('v'));
  const backend = G.runtime!.backend ?? 'js';
  net.close();
  return { v, trace: m ? Array.from(m.result().values.v) : [], backend };
}

test('a delta-current synapse onto an (input) variable: a charge q makes v jump by R·q/tau (1 pC → 10 mV), exactly as a kick of 10 mV on v, on the JavaScript loop and the step engine', () => {
  const viaInput = deltaRun({ engine: false, target: 'I', weight: '1 pC' });
  const viaV = deltaRun({ engine: false, target: 'v', weight: '10 mV' });
  // step 5: v jumps from El to El + 10 mV, then relaxes for 24 steps
  const expected = -0.07 + 0.01 * Math.exp(-0.24);
  assert.ok(Math.abs(viaInput.v[0] - expected) < 1e-12, `${viaInput.v[0]} vs ${expected}`);
  for (let k = 0; k < viaV.trace.length; k++) assert.ok(Math.abs(viaInput.trace[k] - viaV.trace[k]) < 1e-15, `sample ${k}`);
  const engine = deltaRun({ engine: true, target: 'I', weight: '1 pC' });
  assert.match(engine.backend, /engine/);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(engine.v[i] - viaInput.v[i]) < 1e-15, `engine: ${engine.v} vs ${viaInput.v}`);
  // PoissonInput takes the same route
  const pIn = deltaRun({ engine: false, target: 'I', weight: '1 pC', poisson: true });
  const pV = deltaRun({ engine: false, target: 'v', weight: '10 mV', poisson: true });
  assert.notDeepEqual(pIn.v, viaInput.v, 'the Poisson drive acts');
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(pIn.v[i] - pV.v[i]) < 1e-15, `Poisson onto I and onto v: ${pIn.v} vs ${pV.v}`);
});

test('delta currents onto an input are refused, with the fix, when the jump is not one constant: wrong weight unit, per-neuron coefficients, an input read by two equations', () => {
  const build = (model: ReturnType<typeof defineNeuron>, weight: string, params?: Record<string, unknown>) => {
    const net = new Network({ dt: '0.1 ms' });
    const D = net.add(new NeuronGroup(1, Driver, { name: 'D' }));
    const G = net.add(new NeuronGroup(2, model, { name: 'G', params: params as never }));
    net.connect(D, G, { comm: new All2All(), weight, target: 'I' });
    net.build();
  };
  const refused = (f: () => void, field: string, text: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof BuildError && e.field === field && text.test(e.message) && /Fix:/.test(e.message));
  refused(() => build(CurrentLIF, '10 pA'), 'weight', /integral over time/);
  refused(() => build(CurrentLIF, '1 pC', { R: values([100, 200], 'Mohm') }), 'target', /not one constant/);
  const Two = defineNeuron({ name: 'Two', equations: 'dv/dt = (-v + R*I)/tau : volt\ndw/dt = (-w + R*I)/tau : volt\nI : amp (input)', params: { R: '1 Mohm', tau: '10 ms' } });
  refused(() => build(Two, '1 pC'), 'target', /several variables/);
  // and the rule of part 1 holds: a charge into a refractory neuron is lost
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const D = net.add(new NeuronGroup(1, Driver, { name: 'D', init: { v: firesAt(5) } }));
  const G = net.add(new NeuronGroup(1, CurrentLIF, { name: 'G', init: { v: '-49 mV' } }));
  net.connect(D, G, { comm: new One2One(), weight: '1 pC', target: 'I' });
  net.run('1 ms');
  assert.equal(G.get('v')[0], -0.07, 'spiked at step 0, clamped at Vr, the kick at step 5 is lost');
});

// ------------------------------------------------------------------------------------------------
// 3. Plasticity traces decay exactly whatever the host group's integrator

test('the post-trace of STDP decays exactly (exp(−dt/τ) per step) under forward Euler, RK2, RK4 and exponential Euler, on the JavaScript and the WebAssembly group kernels', () => {
  // post spikes at step 0 (apost = 1), pre spikes at step 100: Δw = −A_minus·exp(−100·dt/tau_minus)
  const expected = 0.5 - 0.01 * Math.exp(-100 * 1e-4 / 20e-3);
  for (const backend of ['js', 'auto'] as const) {
    for (const method of ['euler', 'rk2', 'rk4', 'exp_euler'] as const) {
      const net = new Network({ dt: '0.1 ms', dtype: 'float64', backend });
      const D = net.add(new NeuronGroup(1, Driver, { name: 'D', init: { v: firesAt(100) } }));
      const G = net.add(new NeuronGroup(1, Clamped, { name: 'G', init: { v: 1.5 }, method }));
      const P = net.connect(D, G, { comm: new All2All(), weight: 0.5, plasticity: STDP({ A_plus: 0.01, A_minus: 0.01, wmax: 1 }) });
      net.run('10.5 ms');
      const w = P.runtime!.weights![0];
      if (backend === 'auto') assert.match(G.runtime!.backend ?? '', /wasm/, 'the host group runs on the WebAssembly kernel');
      assert.ok(Math.abs(w - expected) < 1e-15, `${backend}/${method}: w = ${w}, exact ${expected} (forward Euler on the trace would give ${0.5 - 0.01 * (1 - 1e-4 / 20e-3) ** 100})`);
    }
  }
});

test('the pre-trace of STDP decays exactly under forward Euler on the pre group (potentiation A_plus·exp(−Δt/τ+))', () => {
  const EulerDriver = defineNeuron({ name: 'EulerDriver', equations: 'dv/dt = 1/(1*ms) + 0*v/ms : 1', threshold: 'v > 1', reset: 'v = -1000', method: 'euler' });
  const Late = defineNeuron({ name: 'Late', equations: 'dv/dt = 1/(1*ms) : 1', threshold: 'v > 1', reset: 'v = -1000', method: 'euler' });
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const D = net.add(new NeuronGroup(1, EulerDriver, { name: 'D', init: { v: firesAt(10) } }));
  const G = net.add(new NeuronGroup(1, Late, { name: 'G', init: { v: firesAt(70) } }));
  const P = net.connect(D, G, { comm: new All2All(), weight: 0.5, plasticity: STDP({ A_plus: 0.01, A_minus: 0.01, wmax: 1, tau_plus: '10 ms' }) });
  net.run('8 ms');
  const w = P.runtime!.weights![0];
  const expected = 0.5 + 0.01 * Math.exp(-60 * 1e-4 / 10e-3);
  assert.ok(Math.abs(w - expected) < 1e-15, `w = ${w}, exact ${expected}`);
});

// ------------------------------------------------------------------------------------------------
// 4. dt and t are symbols of equations, thresholds, resets and refractoriness

/** Spike steps per neuron 0 of a 2-neuron group of `spec`, run 1 ms at dt = 0.1 ms, and the final v. */
function dtRun(spec: Parameters<typeof defineNeuron>[0], engine: boolean) {
  const net = new Network({ dt: '0.1 ms', dtype: 'float64', engine });
  const G = net.add(new NeuronGroup(2, defineNeuron(spec), { name: 'G' }));
  const sm = net.add(new SpikeMonitor(G));
  net.run('1 ms');
  const { times, indices } = sm.spikes();
  const steps = Array.from(times).filter((_, k) => indices[k] === 0).map((t) => Math.round(t / 1e-4));
  return { steps, v: G.get('v')[0], backend: G.runtime!.backend ?? 'js' };
}

test('dt and t in equations, thresholds, resets and refractory periods: the values and spike steps Brian2 2.5.1 gives, on the JavaScript loop and the step engine', () => {
  for (const engine of [false, true]) {
    const on = (spec: Parameters<typeof defineNeuron>[0]) => {
      const r = dtRun(spec, engine);
      if (engine) assert.match(r.backend, /engine/, `${spec.name} runs on the step engine`);
      return r;
    };
    // dv/dt = 1/dt with Euler: +1 per step
    assert.equal(on({ name: 'EqDt', equations: 'dv/dt = 1/dt : 1', method: 'euler' }).v, 10);
    // dv/dt = t/ms² with Euler, t = n·dt at step n: Σ 0.01·n for n < 10 = 0.45
    assert.ok(Math.abs(on({ name: 'EqT', equations: 'dv/dt = t/ms/ms : 1', method: 'euler' }).v - 0.45) < 1e-12);
    // threshold on t with a 0.2 ms refractory period: steps 5, 7, 9
    assert.deepEqual(on({ name: 'ThrT', equations: 'dv/dt = 0/ms : 1', threshold: 't > 0.45*ms', reset: 'v += 1', refractory: '0.2 ms' }).steps, [5, 7, 9]);
    // reset to −dt/ms: v climbs 0.1 per step from −0.1, spikes above 0.25
    const r = on({ name: 'ResetDt', equations: 'dv/dt = 1/ms : 1', threshold: 'v > 0.25', reset: 'v = -dt/ms', method: 'euler' });
    assert.deepEqual(r.steps, [2, 6]);
    assert.ok(Math.abs(r.v - 0.2) < 1e-12);
    // refractory = '3*dt' (Brian2: spikes at 0, 0.3, 0.6, 0.9 ms)
    assert.deepEqual(on({ name: 'RefDt', equations: 'dv/dt = 1/ms : 1', threshold: 'v > 0.05', reset: 'v = 0', refractory: '3*dt', method: 'euler' }).steps, [0, 3, 6, 9]);
  }
});

test('t in a refractory condition: refractory from a spike while the condition holds (Brian2 2.5.1: spikes at 0, 0.5, 0.6, 0.7, 0.8, 0.9 ms)', () => {
  const r = dtRun({ name: 'RefT', equations: 'dv/dt = 1/ms : 1', threshold: 'v > 0.05', reset: 'v = 0', refractory: 't < 0.5*ms', method: 'euler' }, true);
  assert.deepEqual(r.steps, [0, 5, 6, 7, 8, 9]);
});

// ------------------------------------------------------------------------------------------------
// 5. PoissonGroup

/** Spike counts per neuron of a PoissonGroup of `n` neurons over `steps` steps of 0.1 ms, and the spike trains. */
function poissonCounts(n: number, rates: ConstructorParameters<typeof PoissonGroup>[1]['rates'], steps: number, seed = 1) {
  const net = new Network({ dt: '0.1 ms', seed });
  const P = net.add(new PoissonGroup(n, { rates, name: 'P' }));
  const sm = net.add(new SpikeMonitor(P));
  net.run(`${steps / 10} ms`);
  const { times, indices } = sm.spikes();
  const counts = new Float64Array(n);
  for (const i of indices) counts[i]++;
  return { counts, times, indices, backend: P.runtime!.backend ?? 'js' };
}

/** The binomial band of a total count: mean and standard deviation for per-step probabilities p_n (summed over neurons). */
function band(ps: number[], neurons: number) {
  let mean = 0;
  let variance = 0;
  for (const p of ps) {
    mean += neurons * p;
    variance += neurons * p * (1 - p);
  }
  return { mean, sd: Math.sqrt(variance) };
}
const within = (x: number, b: { mean: number; sd: number }, k = 4) => Math.abs(x - b.mean) < k * b.sd;
const sum = (a: ArrayLike<number>, from = 0, to = a.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s;
};

test('PoissonGroup: the total count is inside the binomial band of the rate (4 standard errors), a band narrow enough to reject a 25 % error in the rate; per-neuron counts have binomial variance', () => {
  const N = 1000;
  const steps = 5000;
  const { counts } = poissonCounts(N, '20 Hz', steps);
  const b = band(new Array(steps).fill(20 * 1e-4), N);
  const total = sum(counts);
  assert.ok(within(total, b), `${total} spikes, expected ${b.mean} ± ${b.sd.toFixed(1)}`);
  // the check can fail: 4 standard errors are 4 % of the mean, and the count of a 25 Hz group would fall outside
  assert.ok((4 * b.sd) / b.mean < 0.05);
  assert.ok(!within(total, band(new Array(steps).fill(25 * 1e-4), N)), 'a 25 Hz rate is rejected by the same check');
  // independent neurons: the per-neuron counts' variance is the binomial one, steps·p·(1 − p) (sampling error of a variance over 1000 neurons: ±4.5 %)
  const m = total / N;
  let v = 0;
  for (const c of counts) v += (c - m) ** 2;
  v /= N - 1;
  const binomialVar = steps * 2e-3 * (1 - 2e-3);
  assert.ok(Math.abs(v / binomialVar - 1) < 4 * Math.sqrt(2 / (N - 1)), `variance of counts ${v.toFixed(2)}, binomial ${binomialVar.toFixed(2)}`);
});

test('PoissonGroup: per-neuron rates, a timed table and an expression of t each give counts inside their binomial bands', () => {
  const N = 1000;
  const steps = 5000;
  // per neuron: half at 5 Hz, half at 40 Hz
  const per = poissonCounts(N, values(Array.from({ length: N }, (_, i) => (i < N / 2 ? 5 : 40)), 'Hz'), steps, 2);
  assert.ok(within(sum(per.counts, 0, N / 2), band(new Array(steps).fill(5e-4), N / 2)), `5 Hz half: ${sum(per.counts, 0, N / 2)}`);
  assert.ok(within(sum(per.counts, N / 2), band(new Array(steps).fill(40e-4), N / 2)), `40 Hz half: ${sum(per.counts, N / 2)}`);
  // a timed table: 10 Hz for 250 ms, then 50 Hz
  const tab = poissonCounts(N, timed([10, 50], { dt: '250 ms', unit: 'Hz' }), steps, 3);
  const early = tab.times.filter((t) => t < 0.25 - 1e-9).length;
  assert.ok(within(early, band(new Array(2500).fill(1e-3), N)), `first 250 ms: ${early}`);
  assert.ok(within(tab.times.length - early, band(new Array(2500).fill(5e-3), N)), `last 250 ms: ${tab.times.length - early}`);
  // an expression of t: 20 Hz·(1 + sin(2π·10 Hz·t)); counts in the rising and falling half-cycles
  const ex = poissonCounts(N, '20*Hz*(1 + sin(2*pi*10*Hz*t))', steps, 4);
  const p = (n: number) => 20 * (1 + Math.sin(2 * Math.PI * 10 * n * 1e-4)) * 1e-4;
  const firstHalf = (n: number) => n % 1000 < 500;
  const steps0 = Array.from({ length: steps }, (_, n) => n);
  const b1 = band(steps0.filter(firstHalf).map(p), N);
  const b2 = band(steps0.filter((n) => !firstHalf(n)).map(p), N);
  const k1 = Array.from(ex.times).filter((t) => firstHalf(Math.round(t / 1e-4))).length;
  assert.ok(within(k1, b1), `positive half-cycles: ${k1}, expected ${b1.mean.toFixed(0)} ± ${b1.sd.toFixed(0)}`);
  assert.ok(within(ex.times.length - k1, b2), `negative half-cycles: ${ex.times.length - k1}, expected ${b2.mean.toFixed(0)} ± ${b2.sd.toFixed(0)}`);
});

test('PoissonGroup: reproducible by seed; a source for connect() and monitors, on the step engine with spikes identical for 1, 2, 3 threads and the JavaScript loop; with rates in t the network names why it stays on the loop', () => {
  const a = poissonCounts(200, '30 Hz', 1000, 7);
  const b = poissonCounts(200, '30 Hz', 1000, 7);
  const c = poissonCounts(200, '30 Hz', 1000, 8);
  assert.deepEqual(Array.from(a.indices), Array.from(b.indices));
  assert.deepEqual(Array.from(a.times), Array.from(b.times));
  assert.notDeepEqual(Array.from(a.indices), Array.from(c.indices));
  // 100 sources at 50 Hz (per neuron: 40–60 Hz), each kick 1 mV onto a LIF (no threshold reached): v follows the kicks' sum
  const build = (o: { engine: boolean; threads?: number; dtype?: 'float32' | 'float64'; rates?: string }) => {
    const net = new Network({ dt: '0.1 ms', dtype: o.dtype ?? 'float64', seed: 5, engine: o.engine, threads: o.threads });
    const P = net.add(new PoissonGroup(100, { rates: o.rates ?? values(Array.from({ length: 100 }, (_, i) => 40 + (i % 21)), 'Hz'), name: 'P' }));
    const G = net.add(new NeuronGroup(2, CurrentLIF, { name: 'G', params: { tau: '1000 s', Vth: '1 V' } }));
    net.connect(P, G, { comm: new FixedProb(0.7), weight: '1 mV', target: 'v', delay: '0.5 ms' });
    const sm = net.add(new SpikeMonitor(P));
    return { net, G, sm };
  };
  const runs = [{ engine: false }, { engine: true, threads: 1 }, { engine: true, threads: 2 }, { engine: true, threads: 3 }].map((o) => {
    const { net, G, sm } = build(o);
    net.run('100 ms');
    const r = { trains: sm.spikes(), v: Array.from(G.get('v')), backend: G.runtime!.backend ?? 'js', loop: net.loopReason, n: sm.numSpikes };
    net.close();
    return r;
  });
  assert.match(runs[1].backend, /engine×1/);
  assert.match(runs[3].backend, /engine×3/);
  assert.equal(runs[1].loop, undefined, 'a PoissonGroup with per-neuron rates runs on the step engine');
  assert.ok(runs[0].n > 300, `${runs[0].n} source spikes`);
  assert.ok(runs[0].v[0] + 0.07 > 0.1 * runs[0].n * 1e-3, 'the kicks reach the LIF');
  for (const r of runs.slice(1)) {
    assert.deepEqual(Array.from(r.trains.indices), Array.from(runs[0].trains.indices), `${r.backend}: the same source spikes as the JavaScript loop`);
    assert.deepEqual(Array.from(r.trains.times), Array.from(runs[0].trains.times));
    assert.deepEqual(r.v, runs[0].v, `${r.backend}: the same membrane`);
  }
  // float32 state: the engine still draws the JavaScript kernel's numbers
  const f32 = [false, true].map((engine) => {
    const { net, sm } = build({ engine, threads: engine ? 2 : undefined, dtype: 'float32' });
    net.run('50 ms');
    net.close();
    return Array.from(sm.spikes().indices);
  });
  assert.deepEqual(f32[1], f32[0]);
  // rates as an expression of t: the group stays on the JavaScript loop, and the network says why
  const { net } = build({ engine: true, rates: '50*Hz*(1 + sin(2*pi*5*Hz*t))' });
  net.build();
  assert.match(net.loopReason ?? '', /PoissonGroup group 'P' does not run on the WebAssembly backend: it draws random numbers/);
  assert.throws(() => build({ engine: true, threads: 2, rates: '50*Hz*(1 + sin(2*pi*5*Hz*t))' }).net.build(), (e: unknown) => e instanceof BuildError && /PoissonGroup/.test(e.message) && /random/.test(e.message));
});

test('PoissonGroup with timed rates (one column, or one per neuron) runs on the step engine with the JavaScript loop\'s spikes, for 1 and 2 threads', () => {
  const shared = timed([10, 80, 30], { dt: '20 ms', unit: 'Hz' });
  const perNeuron = timed(Array.from({ length: 3 * 50 }, (_, k) => 5 + (k % 50) + 20 * Math.floor(k / 50)), { dt: '20 ms', unit: 'Hz', perNeuron: 50 });
  for (const rates of [shared, perNeuron]) {
    const runs = [{ engine: false }, { engine: true, threads: 1 }, { engine: true, threads: 2 }].map((o) => {
      const net = new Network({ dt: '0.1 ms', seed: 9, engine: o.engine, threads: o.threads });
      const P = net.add(new PoissonGroup(50, { rates, name: 'P' }));
      const sm = net.add(new SpikeMonitor(P));
      net.run('80 ms');
      const r = { trains: sm.spikes(), backend: P.runtime!.backend ?? 'js', loop: net.loopReason };
      net.close();
      return r;
    });
    assert.equal(runs[1].loop, undefined);
    assert.match(runs[2].backend, /engine×2/);
    assert.ok(runs[0].trains.indices.length > 50);
    for (const r of runs.slice(1)) {
      assert.deepEqual(Array.from(r.trains.indices), Array.from(runs[0].trains.indices), r.backend);
      assert.deepEqual(Array.from(r.trains.times), Array.from(runs[0].trains.times), r.backend);
    }
  }
});

test('PoissonInput runs on the step engine: spikes and state identical to the JavaScript loop for 1, 2 and 3 threads (float64 and float32), onto a gated variable and as a delta current into an input', () => {
  const build = (o: { engine: boolean; threads?: number; dtype: 'float32' | 'float64'; num?: number }) => {
    const net = new Network({ dt: '0.1 ms', dtype: o.dtype, seed: 12, engine: o.engine, threads: o.threads });
    const G = net.add(new NeuronGroup(300, CurrentLIF, { name: 'G' }));
    G.setInput('I', values(Array.from({ length: 300 }, (_, i) => 150 + (i % 7) * 10), 'pA'));
    net.add(new PoissonInput(G, { num: o.num ?? 200, rate: '10 Hz', weight: '0.5 mV', target: 'v', name: 'onV' }));
    net.add(new PoissonInput(G.slice(37, 250), { num: 50, rate: '40 Hz', weight: '0.02 pC', target: 'I', name: 'onI' }));
    const sm = net.add(new SpikeMonitor(G));
    return { net, G, sm };
  };
  for (const dtype of ['float64', 'float32'] as const) {
    const runs = [{ engine: false }, { engine: true, threads: 1 }, { engine: true, threads: 2 }, { engine: true, threads: 3 }].map((o) => {
      const { net, G, sm } = build({ ...o, dtype });
      net.run('100 ms');
      const r = { trains: sm.spikes(), v: Array.from(G.get('v')), backend: G.runtime!.backend ?? 'js', loop: net.loopReason };
      net.close();
      return r;
    });
    assert.equal(runs[1].loop, undefined, 'the network runs on the engine');
    assert.match(runs[2].backend, /engine×2/);
    assert.ok(runs[0].trains.indices.length > 100, `${dtype}: the group fires (${runs[0].trains.indices.length} spikes)`);
    for (const r of runs.slice(1)) {
      assert.deepEqual(Array.from(r.trains.indices), Array.from(runs[0].trains.indices), `${dtype} ${r.backend}: spikes`);
      assert.deepEqual(Array.from(r.trains.times), Array.from(runs[0].trains.times), `${dtype} ${r.backend}: spike times`);
      assert.deepEqual(r.v, runs[0].v, `${dtype} ${r.backend}: final v`);
    }
  }
  // a count the JavaScript kernel draws from a normal approximation keeps the network on the loop, named
  const { net } = build({ engine: true, dtype: 'float64', num: 100000 });
  net.build();
  assert.match(net.loopReason ?? '', /PoissonInput 'onV' .*normal approximation/);
});

test('a PoissonGroup driving a recurrent LIF network through delta synapses with per-synapse delays runs on the step engine: spikes identical for 1, 2 and 3 threads and the JavaScript loop (float64 and float32)', () => {
  const build = (o: { engine: boolean; threads?: number; dtype: 'float32' | 'float64' }) => {
    const net = new Network({ dt: '0.1 ms', dtype: o.dtype, seed: 21, engine: o.engine, threads: o.threads });
    const P = net.add(new PoissonGroup(400, { rates: '15 Hz', name: 'P' }));
    const E = net.add(new NeuronGroup(250, CurrentLIF, { name: 'E', init: { v: values(Array.from({ length: 250 }, (_, i) => -70 + (i % 13)), 'mV') } }));
    E.setInput('I', '150 pA');
    net.connect(P, E, { comm: new FixedProb(0.1), weight: '0.12 pC', target: 'I', delay: (i: number, j: number) => `${(1 + ((i + j) % 17)) / 10} ms` });
    net.connect(E, E, { comm: new FixedProb(0.05), weight: '0.8 mV', target: 'v', delay: (i: number, j: number) => `${(5 + ((i * 7 + j) % 9) * 3) / 10} ms` });
    const sp = net.add(new SpikeMonitor(P));
    const se = net.add(new SpikeMonitor(E));
    return { net, E, sp, se };
  };
  for (const dtype of ['float64', 'float32'] as const) {
    const runs = [{ engine: false }, { engine: true, threads: 1 }, { engine: true, threads: 2 }, { engine: true, threads: 3 }].map((o) => {
      const { net, E, sp, se } = build({ ...o, dtype });
      net.run('150 ms');
      const r = { p: sp.spikes(), e: se.spikes(), v: Array.from(E.get('v')), backend: E.runtime!.backend ?? 'js', loop: net.loopReason };
      net.close();
      return r;
    });
    assert.equal(runs[1].loop, undefined, 'on the step engine');
    assert.match(runs[3].backend, /engine×3/);
    assert.ok(runs[0].e.indices.length > 50, `${dtype}: E fires (${runs[0].e.indices.length} spikes)`);
    for (const r of runs.slice(1)) {
      assert.deepEqual(Array.from(r.p.indices), Array.from(runs[0].p.indices), `${dtype} ${r.backend}: Poisson spikes`);
      assert.deepEqual(Array.from(r.e.indices), Array.from(runs[0].e.indices), `${dtype} ${r.backend}: E spikes`);
      assert.deepEqual(Array.from(r.e.times), Array.from(runs[0].e.times), `${dtype} ${r.backend}: E spike times`);
      assert.deepEqual(r.v, runs[0].v, `${dtype} ${r.backend}: final v`);
    }
  }
});

// ------------------------------------------------------------------------------------------------
// 6. The README's reference section runs as written

test("the README's semantics block runs as written and prints what the section says", () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const at = text.indexOf('<!-- readme-test: semantics -->');
  assert.ok(at >= 0, 'README has the semantics block');
  const code = /```ts\n([\s\S]*?)```/.exec(text.slice(at))![1];
  const dir = mkdtempSync(join(tmpdir(), 'braints-semantics-'));
  const file = join(dir, 'semantics.mjs');
  writeFileSync(file, code.replace("from 'braints'", `from ${JSON.stringify(pathToFileURL(join(root, 'dist', 'src', 'index.js')).href)}`));
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /v after 2\.5 ms \(mV\): -70 -60\.392\n/);
  const rate = Number(/mean rate \(Hz\): ([\d.]+)/.exec(r.stdout)![1]);
  // 500 sources over 1 s at a mean of 20 Hz: 4 standard errors of the mean rate are 0.8 Hz
  assert.ok(Math.abs(rate - 20) < 0.8, `mean rate ${rate}`);
});

void BuildError;
