import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineNeuron, FixedProb, Rng, AMPA, GABAa, NMDA, type SynapseDynamics } from '../src/index.js';
import { SNN, type Events, mse } from '../src/train/index.js';
import { gradCheck, assertChecks } from './support/gradcheck.js';

/** Random input spikes: each unit of each batch row spikes with probability p at each step. */
function spikeEvents(rng: Rng, steps: number, B: number, n: number, p: number): Events {
  const ptr = new Int32Array(steps + 1);
  const idx: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < B * n; k++) if (rng.uniform() < p) idx.push(k);
    ptr[t + 1] = idx.length;
  }
  return { ptr, idx: Int32Array.from(idx) };
}

/** A LIF neuron with a conductance input (the COBA output g·(E - v) written into the model). */
const CobaLIF = defineNeuron({
  name: 'CobaLIF',
  equations: `
    dv/dt = (El - v + R*g_in*(E - v)) / tau : volt
    g_in : siemens (input)`,
  params: { El: '-65 mV', E: '0 mV', R: '100 Mohm', tau: '10 ms', Vth: '0 mV' },
  threshold: 'v > Vth',
  reset: 'v = El',
  init: { v: '-65 mV' },
});

type Kind = 'dense' | 'sparse' | 'jit';

/** input spikes → projection with a kinetic synapse → CobaLIF (sub-threshold); MSE on the mean membrane. */
function synNet(syn: SynapseDynamics, trainSyn: string[], kind: Kind, o: { steps?: number; dt?: string; amp?: number } = {}) {
  const steps = o.steps ?? 40;
  const B = 2;
  const nIn = 4;
  const n = 3;
  const amp = o.amp ?? 2e-9;
  const net = new SNN({ steps, batch: B, dt: o.dt ?? '0.1 ms', dtype: 'float64', seed: 2 });
  const x = net.input(nIn, 'x');
  const L = net.layer(n, CobaLIF, { name: 'L' }).record('v');
  const common = { name: 'W', target: 'g_in', syn, trainSyn };
  const w = { dist: 'normal' as const, mean: { value: amp, dim: CobaLIF.dimOf('g_in')! }, std: { value: 0.3 * amp, dim: CobaLIF.dimOf('g_in')! } };
  if (kind === 'dense') net.dense(x, L, { ...common, weight: w });
  else if (kind === 'sparse') net.sparse(x, L, new FixedProb(0.6), { ...common, weight: w });
  else net.jit(x, L, new FixedProb(0.6), { ...common, weight: { mean: amp, std: 0.3 * amp } });
  net.build();
  const ev = spikeEvents(new Rng(7, 1), steps, B, nIn, 0.08);
  const run = () => net.forward(ev, B);
  run();
  const tr = L.traces.get('v')!.data;
  const base = tr[(steps - 1) * L.S];
  const y = Float64Array.from({ length: B * n }, (_, k) => base * (1 + 0.01 * (k + 1)));
  const loss = () => mse(net, L, 'v', y, { reduce: 'mean' });
  return { net, L, run, loss, steps };
}

const MODELS: [string, () => SynapseDynamics, string[]][] = [
  ['AMPA', () => AMPA(), ['alpha', 'beta', 'T']],
  ['GABAa', () => GABAa(), ['alpha', 'beta', 'T']],
  ['NMDA', () => NMDA(), ['a', 'tau_decay', 'tau_rise']],
];

test('gradient check (Float64, central differences): AMPA, GABA_A, NMDA kinetics on dense/sparse/jit projections, weights + synapse parameters', () => {
  for (const [name, mk, train] of MODELS) {
    for (const kind of ['dense', 'sparse', 'jit'] as const) {
      const { net, L, run, loss, steps } = synNet(mk(), train, kind);
      const checks = gradCheck(net, loss, run, { rel: 1e-4 });
      const params = new Set(checks.map((c) => c.param.split('.').pop()));
      for (const q of train) assert.ok(params.has(q), `${name}/${kind}: ${q} not checked`);
      const worst = assertChecks(checks, `${name}/${kind}`, 1e-3, { requireNonZero: true });
      run();
      assert.equal(L.evPtr[steps], 0, `${name}/${kind}: must stay sub-threshold`);
      console.log(`  ${name} ${kind}: ${checks.length} entries (${[...params].join(', ')}), worst relative error ${worst.toExponential(2)}`);
    }
  }
});

test('kinetic synapse forward: AMPA opens during T_dur after a spike and decays with beta; NMDA rises through x', () => {
  const steps = 60;
  const dt = 0.1e-3;
  for (const [name, syn] of [['AMPA', AMPA()], ['NMDA', NMDA()]] as const) {
    const net = new SNN({ steps, batch: 1, dt: '0.1 ms', dtype: 'float64' });
    const x = net.input(1, 'x');
    const L = net.layer(1, CobaLIF, { name: 'L' }).record('v');
    const p = net.dense(x, L, { name: 'W', target: 'g_in', syn, weight: '1 nS' });
    net.forward({ ptr: Int32Array.from({ length: steps + 1 }, (_, t) => (t === 0 ? 0 : 1)), idx: Int32Array.of(0) }, 1);
    const G = p.presyn!.X.get('g')!;
    const g = (t: number) => G[t * p.presyn!.S];
    if (name === 'AMPA') {
      // Open phase (5 steps of 0.1 ms): dg/dt = aT(1-g) - βg, exponential Euler is exact for it.
      const aT = 0.98e3 * 0.5;
      const beta = 0.18e3;
      const ginf = aT / (aT + beta);
      const g5 = ginf * (1 - Math.exp(-(aT + beta) * 5 * dt));
      assert.ok(Math.abs(g(5) - g5) < 1e-12, `AMPA g after 0.5 ms: ${g(5)} vs ${g5}`);
      assert.ok(Math.abs(g(25) - g5 * Math.exp(-beta * 20 * dt)) < 1e-12, 'AMPA decay');
    } else {
      assert.ok(g(1) > 0 && g(20) > g(1), 'NMDA g rises');
      assert.ok(Math.abs(p.presyn!.X.get('x')![1] - Math.exp(-dt / 2e-3)) < 1e-12, 'x jumps to 1 and decays with tau_rise');
    }
    assert.ok(L.traces.get('v')!.data[steps - 1] > -0.065, `${name}: the membrane is depolarized`);
  }
});

test('kinetic synapse fed by a spiking layer: gradient check (weights after it, synapse parameters); checkpointing and truncation at T give the same gradients', () => {
  const steps = 40;
  const mk = (o: { checkpoint?: number; truncate?: number } = {}) => {
    const net = new SNN({ steps, batch: 2, dt: '0.1 ms', dtype: 'float64', seed: 4, ...o });
    const x = net.input(3, 'x');
    const h = net.layer(4, CobaLIF, { name: 'h', params: { Vth: '-62 mV' } });
    const L = net.layer(3, CobaLIF, { name: 'L' }).record('v');
    net.dense(x, h, { name: 'W1', target: 'g_in', train: false, weight: { dist: 'uniform', low: '20 nS', high: '60 nS' } });
    net.dense(h, L, { name: 'W2', target: 'g_in', syn: AMPA(), trainSyn: ['alpha', 'beta'], weight: { dist: 'normal', mean: '2 nS', std: '0.5 nS' } });
    net.build();
    const ev = spikeEvents(new Rng(3, 3), steps, 2, 3, 0.3);
    const run = () => net.forward(ev, 2);
    const loss = () => mse(net, L, 'v', new Float64Array(6).fill(-0.064), { reduce: 'mean' });
    return { net, run, loss, h, L };
  };
  const grads = (o: { checkpoint?: number; truncate?: number } = {}) => {
    const { net, run, loss } = mk(o);
    net.zeroGrad();
    run();
    loss();
    net.backward();
    return net.parameters().map((p) => Array.from(p.grad));
  };
  const { net, run, loss, h, L } = mk();
  const checks = gradCheck(net, loss, run, { rel: 1e-4 });
  const worst = assertChecks(checks, 'spiking source → AMPA', 1e-3, { requireNonZero: true });
  run();
  assert.ok(h.evPtr[steps] > 5, `the source layer should spike (${h.evPtr[steps]} spikes)`);
  assert.equal(L.evPtr[steps], 0);
  console.log(`  spiking source → AMPA: ${h.evPtr[steps]} source spikes, ${checks.length} entries, worst relative error ${worst.toExponential(2)}`);
  const full = grads();
  for (const o of [{ checkpoint: 7 }, { checkpoint: 1 }, { truncate: steps }]) {
    const other = grads(o);
    full.forEach((g, k) => g.forEach((v, i) => assert.ok(Math.abs(v - other[k][i]) <= 1e-12 * (1 + Math.abs(v)), `${JSON.stringify(o)}: ${v} vs ${other[k][i]}`)));
  }
  const cut = grads({ truncate: 5 });
  assert.ok(full.some((g, k) => g.some((v, i) => Math.abs(v - cut[k][i]) > 1e-9 * Math.abs(v))), 'truncation should change the gradient');
});

test('refusals: an align-post synapse, an unknown trained synapse parameter', async () => {
  const { Expon } = await import('../src/index.js');
  const net = new SNN({ steps: 5, batch: 1 });
  const x = net.input(1, 'x');
  const L = net.layer(1, CobaLIF, { name: 'L' });
  assert.throws(() => net.dense(x, L, { name: 'p', target: 'g_in', syn: Expon({ tau: '5 ms' }) }), /align-post.*withSynapses/s);
  const net2 = new SNN({ steps: 5, batch: 1 });
  const x2 = net2.input(1, 'x');
  const L2 = net2.layer(1, CobaLIF, { name: 'L' });
  net2.dense(x2, L2, { name: 'p', target: 'g_in', syn: AMPA(), trainSyn: ['gamma'], weight: '1 nS' });
  assert.throws(() => net2.build(), /'gamma' is not a parameter of AMPA/);
});
