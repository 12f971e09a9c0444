/**
 * The gradient checks of the old training stack (layers and dense/sparse projections of the
 * retired trainer: test/train.test.ts, test/train_synapses.test.ts, test/train_stp.test.ts,
 * test/train_gap.test.ts, all removed), ported to the one network path: `Network.build()` → step IR → batched JavaScript with a tape (src/backends/js/tape.ts).
 *
 * Every check is float64 with central differences and a relative error below 1e-3 (assertChecks).
 * Sub-threshold checks run hard spikes and assert that nothing spiked; checks through spikes use
 * `spikeMode: 'soft'` with a gentle surrogate, where the surrogate gradient is the true gradient.
 * Forward checks compare the training forward pass (batch 1) with `net.run` of the same
 * declaration (engine: false, float64) through StateMonitor and SpikeMonitor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  NeuronGroup,
  NeuronModel,
  defineNeuron,
  InputGroup,
  SpikeGeneratorGroup,
  StateMonitor,
  SpikeMonitor,
  All2All,
  FixedProb,
  FromCSR,
  Expon,
  DualExpon,
  Alpha,
  CUBA,
  COBA,
  STP,
  normal,
  uniform,
  values,
  mse,
  crossEntropy,
  sigmoid,
  fastSigmoid,
  atan,
  triangle,
  gaussian,
  type Init,
  type Connector,
  type IntegratorName,
  type QuantityLike,
  type Recorded,
  type Surrogate,
  type SynapseDynamics,
  type SynapseOutput,
} from '../../src/index.js';
import * as neurons from '../../src/neurons/index.js';
import { type TapeEvents } from '../../src/backends/js/tape.js';
import { type Check, gradCheck, assertChecks } from './gradcheck.js';
import { poissonEvents } from './conductance_net.js';

/** Registers every model check for one training lowering ('js' or 'engine'). */
export function modelTests(TB: 'js' | 'engine'): void {
  // ------------------------------------------------------------------------------------------------
  // Helpers

  const BATCH = 2;

  /** Targets near each entry's last value of a trace (the loss is small, its gradient is not 0). */
  function targetsNear(rec: Recorded): Float64Array {
    const o = rec.offset + (rec.steps - 1) * rec.stride;
    return Float64Array.from({ length: rec.batch * rec.size }, (_, k) => rec.data[o + k] * (1 + 0.01 * (k + 1)) + 1e-3 * Math.abs(rec.data[o + k]));
  }

  /**
   * A squared error on a whole trace, normalized by `scale` (so variables in any unit weigh alike):
   * mean over steps, rows and neurons of ((x − y)/scale)²; adds its gradient to the trace.
   */
  function traceLoss(rec: Recorded, y: Float64Array, scale: number): number {
    const { data, grad, steps: T, batch: B, size: n, offset, stride } = rec;
    const N = B * n;
    let L = 0;
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < N; k++) {
        const d = (data[offset + t * stride + k] - y[k]) / scale;
        L += d * d;
        grad[offset + t * stride + k] += (2 * d) / scale / (T * N);
      }
    }
    return L / (T * N);
  }

  /** The largest magnitude of a trace (1 for a trace that is 0 throughout). */
  function traceScale(rec: Recorded): number {
    let m = 0;
    for (let t = 0; t < rec.steps; t++) for (let k = 0; k < rec.batch * rec.size; k++) m = Math.max(m, Math.abs(rec.data[rec.offset + t * rec.stride + k]));
    return m > 0 ? m : 1;
  }

  /** The membrane: the variable the threshold reads (else the first state variable). */
  function membraneOf(model: NeuronModel): string {
    const thr = model.threshold;
    const v = thr && thr.k === 'cmp' && thr.a.k === 'sym' ? thr.a.name : undefined;
    return v && model.stateNames().includes(v) ? v : model.stateNames()[0];
  }

  const total = (a: ArrayLike<number>): number => Array.from(a).reduce((s, x) => s + x, 0);

  /** Checks that carry information: non-zero analytic gradients above round-off sensitivity; the zero ones must be zero numerically too. */
  function informative(checks: Check[], what: string): Check[] {
    const scale = Math.max(...checks.map((c) => Math.abs(c.numeric)), 1e-300);
    for (const c of checks.filter((c) => c.analytic === 0)) assert.ok(c.numeric === 0 || Math.abs(c.numeric) < 1e-6 * scale, `${what}: ${c.param}[${c.index}] analytic 0, numeric ${c.numeric}`);
    return checks.filter((c) => c.analytic !== 0 && c.sens > 1e-10);
  }

  function debug(what: string, checks: Check[]): void {
    if (process.env.BRAINTS_DEBUG) for (const c of checks) console.log(what, c.param, c.index, c.analytic, c.numeric, c.rel.toExponential(1), c.sens.toExponential(1));
  }

  interface ModelCheckOptions {
    /** Mean weight of the input projection (SI, in the unit of the model's first input). */
    readonly amp: number;
    readonly dt?: string;
    readonly steps?: number;
    readonly seed?: number;
    /** Trained parameters (default: all but the refractory period). */
    readonly train?: readonly string[];
    readonly params?: Readonly<Record<string, Init>>;
    readonly init?: Readonly<Record<string, Init>>;
    readonly method?: IntegratorName;
    /** A constant value of the input (e.g. to keep a rectifier away from its kink). */
    readonly bias?: QuantityLike;
    /** Relative finite-difference step (gradCheck's default 3e-4). */
    readonly rel?: number;
  }

  /**
   * A check of one model with hard spikes (sub-threshold, unless a bias drives it): input spikes → All2All with an
   * Expon synapse (CUBA) onto the model's first input → 3 neurons; MSE on the membrane's time course
   * plus a normalized squared error on every other state variable. Trains the weights, the synapse's
   * tau, the model's parameters and every initial value.
   */
  function modelCheck(model: NeuronModel, o: ModelCheckOptions): { checks: Check[]; spikes: number; names: string[] } {
    const steps = o.steps ?? 20;
    const net = new Network({ trainBackend: TB, dt: o.dt ?? '0.05 ms', dtype: 'float64', seed: o.seed ?? 1, engine: false, batch: BATCH });
    const x = net.add(new InputGroup(3, 'x'));
    const refParam = typeof model.spec.refractory === 'string' && model.params.has(model.spec.refractory) ? model.spec.refractory : undefined;
    const train = o.train ?? [...model.params.keys()].filter((p) => p !== refParam);
    const G = net.add(new NeuronGroup(3, model, { name: 'G', train, trainInit: model.stateNames(), method: o.method, params: o.params, init: o.init }));
    const target = model.inputNames()[0];
    const dim = model.dimOf(target)!;
    if (o.bias !== undefined) G.setInput(target, o.bias);
    net.connect(x, G, {
      name: 'W',
      comm: new All2All(),
      weight: normal({ value: o.amp, dim }, { value: 0.3 * Math.abs(o.amp), dim }),
      syn: Expon({ tau: '1 ms' }),
      out: CUBA(),
      target,
      train: ['weight', 'tau'],
    });
    const ev = poissonEvents(3, BATCH, steps, 0.2, o.seed ?? 3);
    const state = membraneOf(model);
    const run = () => net.forward({ steps, batch: BATCH, inputs: [[x, ev]] });
    run();
    const y = targetsNear(net.trace(G, state));
    const others = model.stateNames().filter((s) => s !== state).map((s) => {
      const rec = net.trace(G, s);
      const scale = traceScale(rec);
      return { s, scale, y: targetsNear(rec).map((v) => v + 1e-3 * scale) };
    });
    const loss = () => mse(net.trace(G, state), y, { reduce: 'mean' }) + others.reduce((L, o) => L + traceLoss(net.trace(G, o.s), o.y, o.scale), 0);
    const checks = gradCheck(net, loss, run, { per: 2, rel: o.rel });
    run();
    return { checks, spikes: total(net.spikeCounts(G)), names: net.parameters().map((p) => p.name) };
  }

  /** Spikes of `size` units at given steps as training events (batch 1) and as a SpikeGeneratorGroup schedule. */
  function schedule(size: number, steps: number, p: number, seed: number): { events: TapeEvents; indices: number[]; times: number[] } {
    const events = poissonEvents(size, 1, steps, p, seed);
    const indices: number[] = [];
    const times: number[] = [];
    for (let n = 0; n < steps; n++) {
      for (let q = events.ptr[n]; q < events.ptr[n + 1]; q++) {
        indices.push(events.idx[q]);
        times.push(n);
      }
    }
    return { events, indices, times };
  }

  /**
   * Forward check: the training forward pass (batch 1) against `net.run` of the same declaration.
   * `make` builds the network (engine: false, float64) and returns its groups and its generator.
   */
  function forwardAgainstSimulator(
    make: () => { net: Network; groups: NeuronGroup[]; gen: SpikeGeneratorGroup; events: TapeEvents },
    steps: number,
    dt: number,
    tol = 1e-12,
  ): { worst: number; spikes: number; perGroup: number[]; worstPerGroup: number[] } {
    const a = make();
    a.net.forward({ steps, batch: 1, inputs: [[a.gen, a.events]] });
    const traces = a.groups.map((g) => new Map(g.model.stateNames().map((s) => [s, a.net.trace(g, s)])));
    const counts = a.groups.map((g) => a.net.spikeCounts(g));
    const b = make();
    const mons = b.groups.map((g) => b.net.add(new StateMonitor(g, g.model.stateNames(), { indices: Array.from({ length: g.size }, (_, i) => i) })));
    const sms = b.groups.map((g) => b.net.add(new SpikeMonitor(g)));
    b.net.run(`${steps * dt} s`);
    let worst = 0;
    let spikes = 0;
    const perGroup: number[] = [];
    const worstPerGroup: number[] = [];
    b.groups.forEach((g, gi) => {
      const sim = mons[gi].result().values;
      const n = g.size;
      const before = worst;
      worst = 0;
      for (const s of g.model.stateNames()) {
        const tr = traces[gi].get(s)!;
        // differences relative to the variable's largest magnitude (a variable that stays 0 must stay exactly 0)
        const scale = Math.max(...Array.from(sim[s], Math.abs)) || 1e-300;
        for (let t = 0; t < steps; t++) {
          for (let i = 0; i < n; i++) {
            const ours = tr.data[tr.offset + t * tr.stride + i];
            const theirs = sim[s][t * n + i];
            const d = Math.abs(ours - theirs);
            worst = Math.max(worst, d / scale);
            assert.ok(d <= tol * scale, `${g.name}.${s}[${i}] after step ${t}: training ${ours}, simulator ${theirs}`);
          }
        }
      }
      const { indices } = sms[gi].spikes();
      const simCounts = new Float64Array(n);
      for (const i of indices) simCounts[i]++;
      assert.deepEqual(Array.from(counts[gi]), Array.from(simCounts), `${g.name}: spike counts per neuron`);
      spikes += indices.length;
      perGroup.push(indices.length);
      worstPerGroup.push(worst);
      worst = Math.max(worst, before);
    });
    return { worst, spikes, perGroup, worstPerGroup };
  }

  // ------------------------------------------------------------------------------------------------
  // Sub-threshold dynamics: every model, a user model, every integrator

  test(`gradient check (Float64, central differences): every model in src/neurons, sub-threshold, weights + synapse tau + all parameters + initial state (${TB})`, () => {
    const models = Object.entries(neurons).filter(([, m]) => m instanceof NeuronModel) as [string, NeuronModel][];
    assert.ok(models.length >= 14, `only ${models.length} models found`);
    // Per-model settings where the defaults do not fit (the kink of a rectifier at its resting input).
    const special: Record<string, Partial<ModelCheckOptions>> = {
      ThresholdLinear: { bias: 0.3 },
      // adaptation currents and a moving threshold, so that k1, k2, a, b reach the loss
      GIF: { params: { a: '5 Hz' }, init: { I1: '20 pA', I2: '-10 pA', Vth: '-49 mV' } },
      // a parameter that is 0 with a zero gradient gets an absurd finite-difference step (gradCheck scales it by the loss)
      AdEx: { params: { Vpeak: '10 mV' } },
      // hemodynamics act over seconds: sped up 1000× so that a few steps carry gradients above rounding
      BalloonWindkessel: { params: { eps: '1e6 Hz**2', kappa: '650 Hz', gamma: '4.1e5 Hz**2', tau: '0.98 ms' } },
    };
    const results: string[] = [];
    for (const [name, model] of models) {
      const target = model.inputNames()[0];
      assert.ok(target, `${name} has an input`);
      const dim = model.dimOf(target)!;
      const isAmp = dim[3] === 1 && dim.every((d, k) => k === 3 || d === 0);
      const amp = isAmp ? 5e-12 : dim.every((d) => d === 0) ? 0.05 : 1e-4;
      if (/\bxi\b/.test(model.spec.equations)) {
        // a stochastic model (white noise) has no gradient: training refuses it by name
        assert.throws(() => modelCheck(model, { amp, ...special[name] }), (e: unknown) => e instanceof Error && /white noise/.test(e.message) && e.message.includes(name));
        results.push(`${name} refused (white noise)`);
        continue;
      }
      const { checks, spikes, names } = modelCheck(model, { amp, ...special[name] });
      debug(name, checks);
      assert.equal(spikes, 0, `${name}: the check must stay sub-threshold`);
      for (const want of ['W.weight', 'W.syn.tau', `G.init.${membraneOf(model)}`]) assert.ok(names.includes(want), `${name}: parameter ${want} (have ${names.join(', ')})`);
      const worst = assertChecks(informative(checks, name), name, 1e-3);
      assert.ok(checks.some((c) => c.param === 'W.weight' && c.analytic !== 0), `${name}: the weights get a gradient`);
      results.push(`${name} ${worst.toExponential(1)}`);
    }
    console.log(`  models (worst relative error): ${results.join(', ')}`);
  });

  /** The user-declared two-variable model of the old check (nonlinear in v). */
  const MyAdaptiveQuadratic = defineNeuron({
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

  /** A two-variable adaptive LIF, linear in each variable (so exponential Euler applies too). */
  const LinearAdaptive = defineNeuron({
    name: 'LinearAdaptive',
    equations: `
      dv/dt = (El - v + R*(I - w)) / tau : volt
      dw/dt = (a*(v - El) - w) / tau_w : amp
      I : amp (input)`,
    params: { El: '-65 mV', R: '100 Mohm', tau: '10 ms', tau_w: '30 ms', a: '4 nS', Vth: '-50 mV', Vr: '-65 mV', b: '20 pA' },
    threshold: 'v > Vth',
    reset: 'v = Vr; w += b',
    init: { v: '-64 mV', w: '3 pA' },
  });

  test(`gradient check: a user-declared two-variable nonlinear model (rk2), weights, parameters, initial state (${TB})`, () => {
    const { checks, spikes } = modelCheck(MyAdaptiveQuadratic, { amp: 40e-12, dt: '0.2 ms', steps: 40, train: ['tau', 'tau_w', 'a', 'k', 'Vc'] });
    assert.equal(spikes, 0);
    const worst = assertChecks(checks, 'user model', 1e-3, { requireNonZero: true });
    console.log(`  user model (rk2): ${checks.length} entries, worst relative error ${worst.toExponential(2)}`);
  });

  test(`each integrator (euler, rk2, rk4, exp_euler): gradient check, and the training forward pass equals the simulator (${TB})`, () => {
    const parts: string[] = [];
    const cases: [NeuronModel, IntegratorName][] = [
      [LinearAdaptive, 'euler'],
      [LinearAdaptive, 'rk2'],
      [LinearAdaptive, 'rk4'],
      [LinearAdaptive, 'exp_euler'],
      [MyAdaptiveQuadratic, 'euler'],
      [MyAdaptiveQuadratic, 'rk4'],
    ];
    for (const [model, method] of cases) {
      const { checks, spikes } = modelCheck(model, { amp: 30e-12, dt: '0.2 ms', steps: 30, method, train: ['tau', 'tau_w', 'a', 'El'] });
      assert.equal(spikes, 0);
      const worst = assertChecks(checks, `${model.name}/${method}`, 1e-3, { requireNonZero: true });
      // The same declaration simulated: identical trajectories (spiking, with resets).
      const sched = schedule(3, 150, 0.1, 17);
      const fw = forwardAgainstSimulator(() => {
        const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', engine: false });
        const gen = net.add(new SpikeGeneratorGroup(3, { indices: sched.indices, times: sched.times.map((n) => n * 0.1), unit: 'ms', name: 'gen' }));
        const G = net.add(new NeuronGroup(2, model, { name: 'G', method }));
        G.setInput('I', values([200, 120], 'pA'));
        net.connect(gen, G, { name: 'in', comm: new All2All(), weight: '2 mV', target: 'v' });
        return { net, groups: [G], gen, events: sched.events };
      }, 150, 1e-4);
      assert.ok(fw.spikes > 0, `${model.name}/${method}: the forward check should spike`);
      parts.push(`${model.name}/${method} ${worst.toExponential(1)} (forward ${fw.worst.toExponential(1)}, ${fw.spikes} spikes)`);
    }
    console.log(`  integrators (worst relative error): ${parts.join(', ')}`);
  });

  test(`gradient check: hard spikes with refractoriness and resets — the spiking group's own trajectory (detached reset, no surrogate on the path, exact between spikes) (${TB})`, () => {
    // With no projection reading the group's spikes and the reset detached, the backward pass holds no
    // surrogate term: it is the exact gradient of the trajectory for fixed spike times, which small
    // enough finite differences (rel 1e-6) see too. Gated variables are frozen while refractory.
    const cases: [string, NeuronModel, Partial<ModelCheckOptions>, readonly string[]][] = [
      ['LIF (tref 2 ms)', neurons.LIF, { params: { tref: '2 ms' }, bias: '220 pA' }, ['tau', 'El', 'R', 'Vreset']],
      ['AdEx (tref 1 ms)', neurons.AdEx, { params: { tref: '1 ms' }, bias: '900 pA' }, ['C', 'gL', 'EL', 'a', 'tau_w', 'b', 'Vr', 'DeltaT', 'VT']],
      ['Izhikevich', neurons.Izhikevich, { bias: '12 nA' }, ['a', 'b', 'c', 'd']],
    ];
    const parts: string[] = [];
    for (const [name, model, o, train] of cases) {
      const { checks, spikes } = modelCheck(model, { amp: 20e-12, dt: '0.1 ms', steps: 200, rel: 1e-6, train, ...o });
      assert.ok(spikes >= 6, `${name}: the group should spike (${spikes} spikes)`);
      debug(name, checks);
      const worst = assertChecks(informative(checks, name), name, 1e-3);
      for (const p of train) assert.ok(checks.some((c) => c.param === `G.${p}` && c.analytic !== 0), `${name}: ${p} gets a gradient`);
      parts.push(`${name} ${worst.toExponential(1)} (${spikes} spikes)`);
    }
    console.log(`  hard spikes + refractoriness (worst relative error): ${parts.join(', ')}`);
  });

  // ------------------------------------------------------------------------------------------------
  // Through spikes: soft spikes, every surrogate, dense and CSR connectivity, delta synapses, delays

  /** A dimensionless LIF (the old SoftCell): soft spikes with a non-detached reset. */
  const SoftCell = defineNeuron({
    name: 'SoftCell',
    equations: `
      dv/dt = (-v + I) / tau : 1
      I : 1 (input)`,
    params: { tau: '5 ms', Vth: 1, Vr: 0.2 },
    threshold: 'v > Vth',
    reset: 'v = Vr*v',
  });

  /** A leaky readout that never spikes. */
  const Readout = defineNeuron({
    name: 'Readout',
    equations: `
      dv/dt = (-v + I) / tau : 1
      I : 1 (input)`,
    params: { tau: '8 ms' },
  });

  /**
   * input spikes → (Expon, CUBA) → h (soft SoftCell) → (delta on v) → h (recurrent), h → (Expon, CUBA) → readout;
   * cross-entropy on the readout plus MSE on h's membrane.
   */
  function surrogateNet(surrogate: Surrogate, comm: () => Connector, o: { delay?: Init; recDelay?: Init } = {}) {
    const T = 25;
    const net = new Network({ trainBackend: TB, dt: '1 ms', dtype: 'float64', seed: 11, engine: false, batch: BATCH });
    const x = net.add(new InputGroup(6, 'x'));
    const h = net.add(new NeuronGroup(5, SoftCell, { name: 'h', surrogate, spikeMode: 'soft', train: ['tau', 'Vth'], trainInit: ['v'] }));
    const out = net.add(new NeuronGroup(3, Readout, { name: 'o', train: ['tau'] }));
    net.connect(x, h, { name: 'in', comm: comm(), weight: normal(0.6, 1.5), syn: Expon({ tau: '2 ms' }), out: CUBA(), train: ['weight', 'tau'] });
    net.connect(h, h, { name: 'rec', comm: comm(), weight: normal(0.1, 0.3), target: 'v', delay: o.recDelay, train: ['weight'] });
    net.connect(h, out, { name: 'out', comm: comm(), weight: normal(0.3, 1), syn: Expon({ tau: '3 ms' }), out: CUBA(), delay: o.delay, train: ['weight'] });
    // slices on both sides: a part of h onto a part of the readout, delta synapses on v
    net.connect(h.slice(1, 4), out.slice(1), { name: 'sl', comm: comm(), weight: normal(0.2, 0.5), target: 'v', delay: o.delay, train: ['weight'] });
    const ev = poissonEvents(6, BATCH, T, 0.4, 4);
    const labels = [1, 2];
    const run = () => net.forward({ steps: T, batch: BATCH, inputs: [[x, ev]] });
    run();
    const y = targetsNear(net.trace(h, 'v'));
    const loss = () => crossEntropy(net.trace(out, 'v'), labels, { reduce: 'mean' }).loss + mse(net.trace(h, 'v'), y, { reduce: 'mean' });
    return { net, h, out, run, loss };
  }

  test(`gradient check: surrogate path (soft spikes, non-detached reset), all five surrogates, All2All + recurrent (${TB})`, () => {
    const parts: string[] = [];
    for (const s of [sigmoid(4), fastSigmoid(3), atan(2), triangle(0.8), gaussian(1.5)]) {
      const { net, h, run, loss } = surrogateNet(s, () => new All2All());
      const checks = gradCheck(net, loss, run, { per: 2 });
      run();
      assert.ok(total(net.spikeCounts(h)) > 1, 'soft spikes should carry signal');
      debug(s.name, checks);
      const worst = assertChecks(checks, `surrogate ${s.name}`, 1e-3, { requireNonZero: true });
      parts.push(`${s.name} ${worst.toExponential(1)}`);
    }
    console.log(`  surrogates (worst relative error): ${parts.join(', ')}`);
  });

  test(`gradient check: dense-like (All2All, FixedProb(1)) and sparse CSR (FixedProb(0.6)) projections, delta synapses on v, pre and post slices (${TB})`, () => {
    const parts: string[] = [];
    for (const [name, comm] of [
      ['All2All', () => new All2All()],
      ['FixedProb(1)', () => new FixedProb(1)],
      ['FixedProb(0.6)', () => new FixedProb(0.6)],
    ] as const) {
      const { net, run, loss } = surrogateNet(sigmoid(2), comm);
      const checks = gradCheck(net, loss, run, { per: 2 });
      for (const want of ['in.weight', 'rec.weight', 'out.weight', 'sl.weight', 'in.syn.tau', 'h.tau', 'h.Vth', 'h.init.v', 'o.tau']) assert.ok(checks.some((c) => c.param === want), `${name}: ${want} checked`);
      const worst = assertChecks(checks, name, 1e-3, { requireNonZero: true });
      parts.push(`${name} ${worst.toExponential(1)}`);
    }
    console.log(`  connectivity (worst relative error): ${parts.join(', ')}`);
  });

  test(`gradient check: homogeneous and per-synapse delays (spiking source, recurrent delta synapse and Expon) (${TB})`, () => {
    const parts: string[] = [];
    for (const [name, o] of [
      ['homogeneous', { delay: '2 ms', recDelay: '1 ms' }],
      ['per-synapse', { delay: uniform('0 ms', '4 ms'), recDelay: uniform('1 ms', '3 ms') }],
    ] as const) {
      const { net, run, loss } = surrogateNet(atan(1), () => new FixedProb(0.7), o);
      const checks = gradCheck(net, loss, run, { per: 2 });
      const worst = assertChecks(checks, `${name} delays`, 1e-3, { requireNonZero: true });
      parts.push(`${name} ${worst.toExponential(1)}`);
    }
    console.log(`  delays (worst relative error): ${parts.join(', ')}`);
  });

  test(`gradient check: soft spikes through the resets of spiking models (multi-statement, adaptation, max(), inclusive threshold) onto a readout (${TB})`, () => {
    // [model, bias on its input, parameters, initial values]: near the threshold, so that σ(h) is not negligible
    const cases: [NeuronModel, QuantityLike, Readonly<Record<string, Init>>, Readonly<Record<string, Init>>][] = [
      [neurons.LIF, '140 pA', {}, { v: '-53 mV' }],
      [neurons.AdEx, '600 pA', { Vpeak: '-48 mV' }, { v: '-52 mV' }],
      [neurons.Izhikevich, '5 nA', { Vpeak: '-45 mV' }, { v: '-50 mV', u: '-10 mV' }],
      [neurons.GIF, '1.2 nA', { a: '5 Hz', A1: '1 nA', A2: '-0.1 nA' }, { v: '-53 mV' }],
      [neurons.QIF, '200 pA', { Vth: '-45 mV' }, { v: '-49 mV' }],
      [neurons.HH, '20 pA', { Vspike: '-55 mV' }, {}],
    ];
    const parts: string[] = [];
    for (const [model, bias, params, init] of cases) {
      const T = 40;
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', seed: 8, engine: false, batch: BATCH });
      const x = net.add(new InputGroup(3, 'x'));
      const refParam = typeof model.spec.refractory === 'string' ? model.spec.refractory : undefined;
      const train = [...model.params.keys()].filter((p) => p !== refParam);
      const G = net.add(new NeuronGroup(3, model, { name: 'G', spikeMode: 'soft', surrogate: sigmoid(1), train, trainInit: model.stateNames(), params, init }));
      G.setInput(model.inputNames()[0], bias);
      const out = net.add(new NeuronGroup(2, Readout, { name: 'o' }));
      net.connect(x, G, { name: 'in', comm: new All2All(), weight: normal('0.3 nS', '0.1 nS'), syn: Expon({ tau: '2 ms' }), out: COBA({ E: '0 mV' }), train: ['weight'] });
      net.connect(G, out, { name: 'out', comm: new All2All(), weight: normal(1, 0.3), target: 'v', train: ['weight'] });
      const ev = poissonEvents(3, BATCH, T, 0.2, 5);
      const run = () => net.forward({ steps: T, batch: BATCH, inputs: [[x, ev]] });
      run();
      const y = targetsNear(net.trace(out, 'v'));
      const loss = () => mse(net.trace(out, 'v'), y, { reduce: 'mean' });
      const checks = gradCheck(net, loss, run, { per: 2 });
      run();
      const soft = total(net.spikeCounts(G));
      assert.ok(soft > 0.05, `${model.name}: soft spikes carry signal (${soft})`);
      debug(`soft ${model.name}`, checks);
      const worst = assertChecks(informative(checks, model.name), `soft ${model.name}`, 1e-3);
      for (const want of ['in.weight', 'out.weight', `G.init.${membraneOf(model)}`]) assert.ok(checks.some((c) => c.param === want && c.analytic !== 0), `${model.name}: ${want}`);
      parts.push(`${model.name} ${worst.toExponential(1)} (Σσ ${soft.toFixed(2)})`);
    }
    console.log(`  soft spikes through resets (worst relative error): ${parts.join(', ')}`);
  });

  // ------------------------------------------------------------------------------------------------
  // Synapse models onto a LIF neuron

  test(`gradient check: delta synapse (v += w), Expon, DualExpon, Alpha with CUBA and COBA onto LIF (weights, trained synapse time constants, neuron parameters) (${TB})`, () => {
    // [name, syn and out (none: delta onto v), trained synapse parameters, weight mean and std]
    const cases: [string, (() => { syn: SynapseDynamics; out: SynapseOutput }) | undefined, string[], string, string][] = [
      ['delta on v', undefined, [], '0.8 mV', '0.25 mV'],
      ['Expon+COBA', () => ({ syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) }), ['tau'], '0.4 nS', '0.12 nS'],
      ['Expon+CUBA', () => ({ syn: Expon({ tau: '3 ms' }), out: CUBA() }), ['tau'], '20 pA', '6 pA'],
      ['DualExpon+COBA', () => ({ syn: DualExpon({ tauRise: '1 ms', tauDecay: '5 ms' }), out: COBA({ E: '-80 mV' }) }), ['tau_rise', 'tau_decay'], '1 nS', '0.3 nS'],
      ['DualExpon+CUBA', () => ({ syn: DualExpon({ tauRise: '1 ms', tauDecay: '4 ms' }), out: CUBA() }), ['tau_rise', 'tau_decay'], '40 pA', '12 pA'],
      ['Alpha+CUBA', () => ({ syn: Alpha({ tau: '2 ms' }), out: CUBA() }), ['tau'], '10 pA', '3 pA'],
      ['Alpha+COBA', () => ({ syn: Alpha({ tau: '2 ms' }), out: COBA({ E: '0 mV' }) }), ['tau'], '0.2 nS', '0.06 nS'],
    ];
    const results: string[] = [];
    for (const [name, synOut, trainSyn, mean, std] of cases) {
      const steps = 60;
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', seed: 2, engine: false, batch: BATCH });
      const x = net.add(new InputGroup(4, 'x'));
      const L = net.add(new NeuronGroup(3, neurons.LIF, { name: 'L', train: ['tau', 'El'], trainInit: ['v'] }));
      const common = synOut ? { ...synOut() } : { target: 'v' };
      net.connect(x, L, { name: 'W', comm: new FixedProb(0.6), weight: normal(mean, std), ...common, train: ['weight', ...trainSyn] });
      // a second projection with the same synapse, output and trained parameters shares the synaptic state and its parameters
      if (synOut) net.connect(x.slice(1, 3), L.slice(0, 2), { name: 'W2', comm: new All2All(), weight: normal(mean, std), ...synOut(), train: ['weight', ...trainSyn] });
      const ev = poissonEvents(4, BATCH, steps, 0.08, 7);
      const run = () => net.forward({ steps, batch: BATCH, inputs: [[x, ev]] });
      run();
      const y = targetsNear(net.trace(L, 'v'));
      const loss = () => mse(net.trace(L, 'v'), y, { reduce: 'mean' });
      const checks = gradCheck(net, loss, run, { per: 2 });
      run();
      assert.equal(total(net.spikeCounts(L)), 0, `${name}: must stay sub-threshold`);
      const names = net.parameters().map((p) => p.name);
      for (const q of trainSyn) {
        assert.ok(checks.some((c) => c.param === `W.syn.${q}`), `${name}: ${q} checked`);
        assert.ok(!names.includes(`W2.syn.${q}`), `${name}: W2 shares W's synapse parameters (have ${names.join(', ')})`);
      }
      debug(name, checks);
      const worst = assertChecks(checks, name, 1e-3, { requireNonZero: true });
      results.push(`${name} ${worst.toExponential(1)}`);
    }
    console.log(`  synapses (worst relative error): ${results.join(', ')}`);
  });

  // ------------------------------------------------------------------------------------------------
  // Short-term plasticity

  test(`gradient check: STP (Tsodyks–Markram) from a soft-spiking LIF population, U = 0.2 and 0.6, weights upstream and downstream, trained U, tau_f, tau_d (${TB})`, () => {
    const parts: string[] = [];
    for (const U of [0.2, 0.6]) {
      const steps = 60;
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', seed: 5, engine: false, batch: BATCH });
      const x = net.add(new InputGroup(4, 'x'));
      const A = net.add(new NeuronGroup(4, neurons.LIF, { name: 'A', spikeMode: 'soft', surrogate: sigmoid(1), train: ['tau'], trainInit: ['v'], init: { v: uniform('-60 mV', '-52 mV') } }));
      A.setInput('I', '140 pA');
      const L = net.add(new NeuronGroup(3, neurons.LIF, { name: 'L', train: ['tau'] }));
      net.connect(x, A, { name: 'in', comm: new All2All(), weight: normal('0.2 nS', '0.06 nS'), syn: Expon({ tau: '2 ms' }), out: COBA({ E: '0 mV' }), train: ['weight'] });
      net.connect(A, L, { name: 'W', comm: new FixedProb(0.7), weight: normal('2 nS', '0.6 nS'), syn: Expon({ tau: '3 ms' }), out: COBA({ E: '0 mV' }), stp: STP({ U, tau_f: '3 ms', tau_d: '4 ms' }), train: ['weight', 'tau', 'U', 'tau_f', 'tau_d'] });
      for (const n of ['W.stp.U', 'W.stp.tau_f', 'W.stp.tau_d']) assert.ok(net.parameters().some((p) => p.name === n), `trained ${n}`);
      const ev = poissonEvents(4, BATCH, steps, 0.1, 11);
      const run = () => net.forward({ steps, batch: BATCH, inputs: [[x, ev]] });
      run();
      const y = targetsNear(net.trace(L, 'v'));
      const loss = () => mse(net.trace(L, 'v'), y, { reduce: 'mean' });
      const checks = gradCheck(net, loss, run, { per: 2 });
      run();
      assert.equal(total(net.spikeCounts(L)), 0, 'L must stay sub-threshold');
      debug(`STP U=${U}`, checks);
      const worst = assertChecks(checks, `STP U=${U}`, 1e-3, { requireNonZero: true });
      parts.push(`U=${U} ${worst.toExponential(1)}`);
    }
    console.log(`  STP (worst relative error): ${parts.join(', ')}`);
  });

  // ------------------------------------------------------------------------------------------------
  // Hard spikes and refractoriness: the training forward pass is the simulator's

  test(`forward (hard spikes, refractoriness): training forward with batch 1 equals net.run — LIF, AdEx, Izhikevich, GIF, HH, WilsonCowan; delta, Expon/Alpha/DualExpon, COBA/CUBA, STP, delays (${TB})`, () => {
    const steps = 300;
    const sched = schedule(4, steps, 0.05, 23);
    const fw = forwardAgainstSimulator(() => {
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', engine: false, seed: 9 });
      const gen = net.add(new SpikeGeneratorGroup(4, { indices: sched.indices, times: sched.times.map((n) => n * 0.1), unit: 'ms', name: 'gen' }));
      const E = net.add(new NeuronGroup(4, neurons.LIF, { name: 'E', params: { tref: '2 ms' }, init: { v: uniform('-65 mV', '-55 mV') } }));
      E.setInput('I', values([160, 210, 260, 300], 'pA'));
      const Ad = net.add(new NeuronGroup(2, neurons.AdEx, { name: 'Ad', params: { tref: '1 ms' } }));
      Ad.setInput('I', values([700, 900], 'pA'));
      const Iz = net.add(new NeuronGroup(2, neurons.Izhikevich, { name: 'Iz' }));
      Iz.setInput('I', values([10, 14], 'nA'));
      const Gi = net.add(new NeuronGroup(2, neurons.GIF, { name: 'Gi', params: { a: '5 Hz', A1: '10 nA', A2: '-0.6 nA' } }));
      Gi.setInput('I', '2 nA');
      net.connect(gen, E, { name: 'in', comm: new All2All(), weight: '1.5 mV', target: 'v' });
      net.connect(E, E, { name: 'EE', comm: new FixedProb(0.6), weight: '0.5 nS', delay: uniform('0.5 ms', '2 ms'), syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), stp: STP({ U: 0.3, tau_f: '20 ms', tau_d: '10 ms' }) });
      net.connect(E, Ad, { name: 'EA', comm: new All2All(), weight: '2 nS', delay: '1 ms', syn: Alpha({ tau: '2 ms' }), out: COBA({ E: '0 mV' }) });
      net.connect(Ad, Iz, { name: 'AI', comm: new All2All(), weight: '3 mV', target: 'v' });
      net.connect(E, Gi, { name: 'EG', comm: new All2All(), weight: '50 pA', syn: DualExpon({ tauRise: '1 ms', tauDecay: '5 ms' }), out: CUBA() });
      // refractoriness without a reset (and without gated variables): HH
      const H = net.add(new NeuronGroup(2, neurons.HH, { name: 'H' }));
      H.setInput('I', values([15, 25], 'pA'));
      net.connect(gen, H, { name: 'inH', comm: new All2All(), weight: '2 pA', syn: Expon({ tau: '2 ms' }), out: CUBA() });
      // a rate model driven by spikes
      const W = net.add(new NeuronGroup(2, neurons.WilsonCowan, { name: 'W' }));
      net.connect(E, W, { name: 'EW', comm: new All2All(), weight: 0.5, syn: Expon({ tau: '3 ms' }), out: CUBA(), target: 'P' });
      return { net, groups: [E, Ad, Iz, Gi, H, W], gen, events: sched.events };
    }, steps, 1e-4);
    fw.perGroup.slice(0, 5).forEach((c, k) => assert.ok(c >= 2, `group ${['E', 'Ad', 'Iz', 'Gi', 'H'][k]} should spike (${c} spikes)`));
    const names = ['E', 'Ad', 'Iz', 'Gi', 'H', 'W'];
    console.log(`  forward vs simulator: ${steps} steps, ${fw.spikes} spikes, largest relative difference ${fw.worst.toExponential(2)} (${names.map((g, k) => `${g} ${fw.perGroup[k]} spikes, ${fw.worstPerGroup[k].toExponential(1)}`).join('; ')})`);
  });

  test(`forward: gap junctions (all-to-all, CSR, recurrent, with a delta synapse on the same v) — the training forward pass equals net.run, spikes included (${TB})`, () => {
    const steps = 400;
    const sched = schedule(3, steps, 0.02, 5);
    const fw = forwardAgainstSimulator(() => {
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', engine: false, seed: 2 });
      const gen = net.add(new SpikeGeneratorGroup(3, { indices: sched.indices, times: sched.times.map((n) => n * 0.1), unit: 'ms', name: 'gen' }));
      const A = net.add(new NeuronGroup(3, neurons.LIF, { name: 'A', init: { v: values([-60, -70, -55], 'mV') } }));
      const B = net.add(new NeuronGroup(2, neurons.LIF, { name: 'B', init: { v: values([-68, -52], 'mV') } }));
      A.setInput('I', values([190, 260, 120], 'pA'));
      B.setInput('I', values([230, 90], 'pA'));
      net.connect(A, B, { name: 'gAB', comm: new All2All(), gap: 'v', weight: values([2, 0.5, 1, 3, 0.8, 1.5], 'nS') });
      net.connect(B, A, { name: 'gBA', comm: new FromCSR([0, 2, 3], [0, 2, 1]), gap: 'v', weight: values([1.2, 0.7, 2.5], 'nS') });
      net.connect(A, A, { name: 'gAA', comm: new FromCSR([0, 1, 3, 4], [1, 0, 2, 0]), gap: 'v', weight: values([0.9, 1.1, 0.4, 1.6], 'nS') });
      net.connect(A, B, { name: 'jAB', comm: new All2All(), target: 'v', weight: values([1.5, 0.5, 0.8, 2, 1, 1.2], 'mV') });
      net.connect(gen, A, { name: 'in', comm: new All2All(), target: 'v', weight: '2 mV' });
      return { net, groups: [A, B], gen, events: sched.events };
    }, steps, 1e-4, 1e-9);
    fw.perGroup.forEach((c, k) => assert.ok(c >= 1, `group ${'AB'[k]} should spike (${c} spikes)`));
    console.log(`  gap junctions, forward vs simulator: ${steps} steps, ${fw.spikes} spikes, largest relative difference ${fw.worst.toExponential(2)}`);
  });

  // ------------------------------------------------------------------------------------------------

  test(`STP on a projection from an InputGroup / SpikeGeneratorGroup: the training forward pass transmits w·r as net.run does (the input group's kernel applies its spike statements) (${TB})`, () => {
    const steps = 50;
    const sched = schedule(3, steps, 0.15, 1);
    forwardAgainstSimulator(() => {
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', engine: false });
      const gen = net.add(new SpikeGeneratorGroup(3, { indices: sched.indices, times: sched.times.map((n) => n * 0.1), unit: 'ms', name: 'gen' }));
      const G = net.add(new NeuronGroup(2, neurons.LIF, { name: 'G', params: { Vth: '0 mV' } }));
      net.connect(gen, G, { name: 'p', comm: new All2All(), weight: '2 mV', target: 'v', stp: STP({ U: 0.3, tau_f: '3 ms', tau_d: '4 ms' }) });
      return { net, groups: [G], gen, events: sched.events };
    }, steps, 1e-4);
  });

  test(`STP with a homogeneous delay transmits the release of the delayed spike (as with per-synapse delays), in the simulator and in training (${TB})`, () => {
    const sim = (delay: Init) => {
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', engine: false });
      const gen = net.add(new SpikeGeneratorGroup(1, { indices: [0, 0], times: [0, 0.2], unit: 'ms', name: 'gen' }));
      const G = net.add(new NeuronGroup(1, neurons.LIF, { name: 'G', params: { tau: '1000 s', Vth: '1 V' } }));
      net.connect(gen, G, { name: 'p', comm: new All2All(), weight: '1 mV', target: 'v', delay, stp: STP({ U: 0.5, tau_f: '1000 s', tau_d: '1000 s' }) });
      const m = net.add(new StateMonitor(G, ['v']));
      net.run('1 ms');
      return Array.from(m.result().values.v, (v) => v + 0.065);
    };
    const hom = sim('0.5 ms');
    const per = sim(values([0.5], 'ms'));
    // (tau = 1000 s: the leak changes the increments by < 1e-9 V)
    assert.ok(Math.abs(per[5] - 0.5e-3) < 1e-9 && Math.abs(per[9] - 0.875e-3) < 1e-9, `per-synapse delay: ${per}`);
    // The training forward pass mirrors it: a LIF source spiking every other step, delay 0.5 ms.
    const train = (delay: Init) => {
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', engine: false });
      const x = net.add(new InputGroup(1, 'x'));
      const A = net.add(new NeuronGroup(1, neurons.LIF, { name: 'A', params: { tref: '0 ms', Vreset: '-51 mV' }, init: { v: '-50.5 mV' } }));
      A.setInput('I', '1 nA');
      const G = net.add(new NeuronGroup(1, neurons.LIF, { name: 'G', params: { tau: '1000 s', Vth: '1 V' } }));
      net.connect(A, G, { name: 'p', comm: new All2All(), weight: '1 mV', target: 'v', delay, stp: STP({ U: 0.5, tau_f: '1000 s', tau_d: '1000 s' }) });
      net.forward({ steps: 12, batch: 1, inputs: [[x, { ptr: new Int32Array(13), idx: new Int32Array(0) }]] });
      const tr = net.trace(G, 'v');
      assert.ok(total(net.spikeCounts(A)) >= 4, 'A spikes every other step');
      return Array.from({ length: 12 }, (_, n) => Math.round((tr.data[tr.offset + n * tr.stride] + 0.065) * 1e7) / 1e4);
    };
    const trainHom = train('0.5 ms');
    const trainPer = train(values([0.5], 'ms'));
    const simOk = Math.abs(hom[5] - 0.5e-3) < 1e-9 && Math.abs(hom[9] - 0.875e-3) < 1e-9;
    const trainOk = trainHom.every((v, n) => v === trainPer[n]);
    assert.ok(
      simOk && trainOk,
      `simulator, homogeneous delay: ${(hom[5] * 1e3).toFixed(4)} mV after the first delivery (expected 0.5), ${(hom[9] * 1e3).toFixed(4)} after both (expected 0.875); ` +
        `training, v − El in mV with a homogeneous delay [${trainHom.join(' ')}] vs per-synapse delays [${trainPer.join(' ')}]`,
    );
  });

  test(`net.forward starts from the initial state; after net.run without trainable marks it refuses (the initial state was not kept) (${TB})`, () => {
    const make = (train: boolean) => {
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', engine: false });
      const x = net.add(new InputGroup(1, 'x'));
      const G = net.add(new NeuronGroup(1, neurons.LIF, { name: 'G', train: train ? ['tau'] : [] }));
      G.setInput('I', '100 pA');
      return { net, x, G };
    };
    const first = (train: boolean, runBefore: boolean) => {
      const { net, x, G } = make(train);
      if (runBefore) net.run('5 ms');
      net.forward({ steps: 3, batch: 1, inputs: [[x, { ptr: new Int32Array(4), idx: new Int32Array(0) }]] });
      const tr = net.trace(G, 'v');
      return tr.data[tr.offset];
    };
    assert.equal(first(true, true), first(true, false), 'with a trained parameter: from the initial state');
    assert.throws(() => first(false, true), /initial state was not kept/);
  });

  test(`analog input values: TapeEvents.val of an InputGroup scales each event (a plain spike counts 1) (${TB})`, () => {
    const net = new Network({ trainBackend: TB, dt: '0.1 ms', dtype: 'float64', engine: false });
    const x = net.add(new InputGroup(1, 'x'));
    const G = net.add(new NeuronGroup(1, neurons.LIF, { name: 'G' }));
    net.connect(x, G, { name: 'p', comm: new All2All(), weight: '1 mV', target: 'v' });
    const ptr = Int32Array.of(0, 1, 1);
    const idx = Int32Array.of(0);
    net.forward({ steps: 2, batch: 1, inputs: [[x, { ptr, idx }]] });
    const one = net.trace(G, 'v').data[net.trace(G, 'v').offset + 1];
    net.forward({ steps: 2, batch: 1, inputs: [[x, { ptr, idx, val: Float64Array.of(0.5) }]] });
    const half = net.trace(G, 'v').data[net.trace(G, 'v').offset + 1];
    assert.notEqual(half, one, 'val 0.5 should transmit half the weight (or be refused)');
  });

  // ------------------------------------------------------------------------------------------------
  // Not yet in the Network path

  // Each is refused today by net.forward with a BuildError naming the part.
  // gap junctions, rate coupling and NMDA kinetics: gradient checks in test/network_train.test.ts
}
