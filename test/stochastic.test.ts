import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, defineNeuron, SpikeMonitor, SECOND, BuildError, type IntegratorName } from '../src/index.js';

test('Ornstein–Uhlenbeck noise reaches its stationary variance σ²', () => {
  const OU = defineNeuron({
    name: 'OU',
    equations: 'dx/dt = -x/tau + sigma*sqrt(2/tau)*xi : 1',
    params: { tau: '10 ms', sigma: 0.5 },
    init: { x: 0 },
  });
  const net = new Network({ dt: '0.05 ms', seed: 11, dtype: 'float64' });
  const G = net.add(new NeuronGroup(20000, OU));
  net.run('100 ms'); // 10 time constants
  const x = G.get('x');
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s2 = 0;
  for (const v of x) s2 += (v - m) ** 2;
  s2 /= x.length - 1;
  // Euler–Maruyama's stationary variance is σ²/(1 - dt/(2τ)); sampling error of 20 000 draws ≈ 1 %.
  const expected = 0.25 / (1 - 0.05 / 20);
  assert.ok(Math.abs(m) < 0.02, `mean ${m}`);
  assert.ok(Math.abs(s2 / expected - 1) < 0.04, `variance ${s2} vs ${expected}`);
  assert.equal(G.runtime!.method, 'euler_maruyama');
});

// Geometric Brownian motion dx = μ x dt + s x dW: E[x(T)] = x0 e^{μT}; Euler–Maruyama's mean is
// x0 (1 + μh)^(T/h), so its weak error shrinks like h (order 1).
const GBM = defineNeuron({ name: 'GBM', equations: 'dx/dt = mu*x + s*x*xi : 1', params: { mu: '1 Hz', s: '0.5 Hz**0.5' }, init: { x: 1 } });

function gbmMean(method: IntegratorName, h: number, seed: number): number {
  const net = new Network({ dt: { value: h, dim: SECOND }, seed, dtype: 'float64' });
  const G = net.add(new NeuronGroup(200000, GBM, { method }));
  net.run({ value: 1, dim: SECOND });
  let m = 0;
  for (const v of G.get('x')) m += v;
  return m / G.size;
}

for (const method of ['euler_maruyama', 'milstein'] as const) {
  test(`${method} has weak order 1 on geometric Brownian motion`, () => {
    const hs = [1 / 4, 1 / 8, 1 / 16];
    const errs = hs.map((h, k) => Math.abs(gbmMean(method, h, 100 + k) - Math.E));
    const orders = [Math.log2(errs[0] / errs[1]), Math.log2(errs[1] / errs[2])];
    for (const p of orders) assert.ok(p > 0.75 && p < 1.25, `observed weak orders ${orders.map((o) => o.toFixed(2))} (errors ${errs.map((e) => e.toFixed(4))})`);
  });
}

test("'auto' picks Milstein for multiplicative noise; a deterministic method is refused with noise", () => {
  const net = new Network();
  const G = net.add(new NeuronGroup(1, GBM));
  net.build();
  assert.equal(G.runtime!.method, 'milstein');
  const bad = new Network();
  bad.add(new NeuronGroup(1, GBM, { method: 'rk4' }));
  assert.throws(() => bad.build(), (e: Error) => e instanceof BuildError && /GBM/.test(e.message) && /euler_maruyama/.test(e.message));
});

test('noise is reproducible: same seed, same path; another seed, another path', () => {
  const OU = defineNeuron({ name: 'OU', equations: 'dx/dt = -x/tau + sqrt(2/tau)*xi : 1', params: { tau: '5 ms' } });
  const run = (seed: number) => {
    const net = new Network({ seed });
    const G = net.add(new NeuronGroup(100, OU));
    net.run('20 ms');
    return Array.from(G.get('x'));
  };
  assert.deepEqual(run(1), run(1));
  assert.notDeepEqual(run(1), run(2));
});

test('a Poisson spike group written with rand() fires at its rate', () => {
  const PoissonGroup = defineNeuron({ name: 'PoissonGroup', equations: 'rates : Hz', threshold: 'rand() < rates*dt', init: { rates: '40 Hz' } });
  const net = new Network({ dt: '0.1 ms', seed: 5 });
  const G = net.add(new NeuronGroup(1000, PoissonGroup));
  const sm = net.add(new SpikeMonitor(G));
  net.run('2 s');
  const rate = sm.numSpikes / 1000 / 2;
  // 80 000 expected spikes: sd ≈ 0.35 %
  assert.ok(Math.abs(rate / 40 - 1) < 0.02, `rate ${rate}`);
});
