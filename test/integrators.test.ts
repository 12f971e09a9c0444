import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, defineNeuron, BuildError, SECOND, type IntegratorName } from '../src/index.js';

// dx/dt = -x (1 + cos(t/tau)) / tau has the solution x(t) = x0 exp(-(t/tau + sin(t/tau))).
// Linear in x with a time-varying coefficient: every method applies, and RK methods must advance
// time through their stages to reach their order.
const Decay = defineNeuron({
  name: 'TimeVaryingDecay',
  equations: 'dx/dt = -x*(1 + cos(t/tau))/tau : 1',
  params: { tau: '1 s' },
  init: { x: 1 },
});

function finalValue(method: IntegratorName, dt: number): number {
  const net = new Network({ dt: { value: dt, dim: SECOND }, dtype: 'float64' });
  const G = net.add(new NeuronGroup(1, Decay, { method }));
  net.run({ value: 1, dim: SECOND });
  return G.get('x')[0];
}

/** Observed order: log2 of the error ratio between successive halvings of dt, averaged. */
function observedOrder(method: IntegratorName): number {
  const exact = Math.exp(-(1 + Math.sin(1)));
  const dts = [1 / 16, 1 / 32, 1 / 64, 1 / 128];
  const errs = dts.map((dt) => Math.abs(finalValue(method, dt) - exact));
  const orders = errs.slice(1).map((e, i) => Math.log2(errs[i] / e));
  return orders.reduce((a, b) => a + b) / orders.length;
}

for (const [method, order] of [
  ['euler', 1],
  ['rk2', 2],
  ['rk4', 4],
  ['exp_euler', 1],
] as const) {
  test(`${method} converges with order ${order}`, () => {
    const p = observedOrder(method);
    assert.ok(Math.abs(p - order) < 0.15, `observed order ${p.toFixed(3)}`);
  });
}

test('exponential Euler is exact for a linear equation with constant coefficients', () => {
  const M = defineNeuron({ name: 'Relax', equations: 'dv/dt = (E - v)/tau : volt', params: { E: '10 mV', tau: '5 ms' }, init: { v: '0 mV' } });
  const net = new Network({ dt: '1 ms', dtype: 'float64' }); // a step of tau/5: Euler would be far off
  const G = net.add(new NeuronGroup(1, M, { method: 'exp_euler' }));
  net.run('7 ms');
  const exact = 0.01 * (1 - Math.exp(-7 / 5));
  assert.ok(Math.abs(G.get('v')[0] - exact) < 1e-15, `${G.get('v')[0]} vs ${exact}`);
});

test("'auto' picks exponential Euler for linear equations and RK2 otherwise; exp_euler refuses nonlinear ones", () => {
  const lin = new Network();
  const G1 = lin.add(new NeuronGroup(1, Decay));
  lin.build();
  assert.equal(G1.runtime!.method, 'exp_euler');
  const Logistic = defineNeuron({ name: 'Logistic', equations: 'dx/dt = x*(1 - x)/tau : 1', params: { tau: '10 ms' }, init: { x: 0.1 } });
  const nl = new Network();
  const G2 = nl.add(new NeuronGroup(1, Logistic));
  nl.build();
  assert.equal(G2.runtime!.method, 'rk2');
  const bad = new Network();
  bad.add(new NeuronGroup(1, Logistic, { method: 'exp_euler' }));
  assert.throws(() => bad.build(), (e: Error) => e instanceof BuildError && /Logistic/.test(e.message) && /method/.test(e.message) && /rk2/.test(e.message));
});

test('RK4 on a nonlinear equation (logistic growth) matches the closed form', () => {
  const Logistic = defineNeuron({ name: 'Logistic', equations: 'dx/dt = x*(1 - x)/tau : 1', params: { tau: '10 ms' }, init: { x: 0.1 } });
  const net = new Network({ dt: '0.5 ms', dtype: 'float64' });
  const G = net.add(new NeuronGroup(1, Logistic, { method: 'rk4' }));
  net.run('30 ms');
  const exact = 1 / (1 + 9 * Math.exp(-3));
  assert.ok(Math.abs(G.get('x')[0] - exact) < 1e-7);
});
