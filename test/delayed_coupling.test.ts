/**
 * Rate coupling with conduction delays (whole-brain models): a delayed projection delivers the
 * undelayed projection's input shifted by exactly its delay, per synapse, starting from a constant
 * history; the history is state (store/restore); gap junctions refuse a delay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, defineNeuron, FromPairs, StateMonitor, values, BuildError, type ProjectionOptions } from '../src/index.js';

// A: a ramp (r grows at 1/s from a per-unit start); B: integrates its input, so its input at step n
// is (x[n+1] − x[n]) / dt.
const Ramp = defineNeuron({ name: 'Ramp', equations: 'dr/dt = 1/second : 1' });
const Integrator = defineNeuron({ name: 'Integrator', equations: 'dx/dt = I/second : 1\nI : 1 (input)' });

function inputs(delay: ProjectionOptions["delay"], steps = 200) {
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const A = net.add(new NeuronGroup(2, Ramp, { init: { r: values([1, 5]) }, method: 'euler' }));
  const B = net.add(new NeuronGroup(2, Integrator, { method: 'euler' }));
  net.connect(A, B, { comm: new FromPairs([0, 1], [0, 1]), weight: values([2, 3]), source: 'r', target: 'I', ...(delay === undefined ? {} : { delay }) });
  const m = net.add(new StateMonitor(B, ['x'], { indices: [0, 1] }));
  net.run(`${steps * 0.1} ms`);
  return [0, 1].map((j) => {
    const x = m.trace('x', j);
    return Array.from({ length: x.length - 1 }, (_, n) => (x[n + 1] - x[n]) / 1e-4);
  });
}

test('delayed rate coupling is the undelayed coupling shifted by each synapse delay, from a constant history', () => {
  const now = inputs(undefined);
  const late = inputs(values([0.5, 1.2], 'ms'));
  [5, 12].forEach((d, j) => {
    for (let n = 0; n < now[j].length; n++) {
      const want = n >= d ? now[j][n - d] : now[j][0];
      assert.ok(Math.abs(late[j][n] - want) < 1e-9 * Math.abs(want), `synapse ${j}, step ${n}: ${late[j][n]} vs ${want}`);
    }
  });
  // and it is not the undelayed input (the test can fail)
  assert.ok(Math.abs(late[0][50] - now[0][50]) > 5e-4);
  // one delay for all synapses
  const same = inputs('1 ms');
  for (let n = 10; n < now[1].length; n++) assert.ok(Math.abs(same[1][n] - now[1][n - 10]) < 1e-9 * now[1][n - 10]);
});

test('the delay history is stored and restored with the state', () => {
  const build = () => {
    const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
    const A = net.add(new NeuronGroup(1, Ramp, { method: 'euler' }));
    const B = net.add(new NeuronGroup(1, Integrator, { method: 'euler' }));
    net.connect(A, B, { comm: new FromPairs([0], [0]), weight: 1, source: 'r', target: 'I', delay: '2 ms' });
    return { net, B };
  };
  const a = build();
  a.net.run('5 ms');
  a.net.store();
  a.net.run('5 ms');
  const x1 = a.B.get('x')[0];
  a.net.restore();
  a.net.run('5 ms');
  assert.equal(a.B.get('x')[0], x1);
  const b = build();
  b.net.run('10 ms');
  assert.equal(b.B.get('x')[0], x1);
});

test('gap junctions and pre-aligned kinetics refuse a delay; training names delayed coupling as unsupported', () => {
  const Cell = defineNeuron({ name: 'Cell', equations: 'dv/dt = (-v + I)/(10*ms) : 1\nI : 1 (input)' });
  const net = new Network();
  const P = net.add(new NeuronGroup(2, Cell));
  net.connect(P, P, { comm: new FromPairs([0], [1]), weight: 1, gap: 'v', target: 'I', delay: '1 ms' });
  assert.throws(() => net.build(), (e: unknown) => e instanceof BuildError && /delay/.test(e.message) && /rate coupling/.test(e.message));
  const net2 = new Network({ dtype: 'float64' });
  const A = net2.add(new NeuronGroup(1, Ramp, { train: [] }));
  const B = net2.add(new NeuronGroup(1, Integrator));
  net2.connect(A, B, { comm: new FromPairs([0], [0]), weight: 1, source: 'r', target: 'I', delay: '1 ms', train: ['weight'] });
  assert.throws(() => net2.forward({ steps: 10 }), /conduction delays/);
});
