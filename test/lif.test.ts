import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, LIF, SpikeMonitor, values, lifRateAnalytic, defineNeuron } from '../src/index.js';

test('LIF f–I curve is within 1 % of the analytic rate', () => {
  const currents = [160, 180, 200, 250, 300, 400, 600, 800, 1200]; // pA; rheobase is 150 pA
  const net = new Network({ dt: '0.01 ms', dtype: 'float64' });
  const G = net.add(new NeuronGroup(currents.length, LIF, { method: 'exp_euler' }));
  G.setInput('I', values(currents, 'pA'));
  const sm = net.add(new SpikeMonitor(G));
  net.run('2 s');
  const { times, indices } = sm.spikes();
  for (let j = 0; j < currents.length; j++) {
    const ts: number[] = [];
    for (let k = 0; k < indices.length; k++) if (indices[k] === j) ts.push(times[k]);
    assert.ok(ts.length >= 5, `neuron ${j} fired ${ts.length} times`);
    const rate = (ts.length - 1) / (ts[ts.length - 1] - ts[0]);
    const analytic = lifRateAnalytic({ tau: 0.01, R: 1e8, I: currents[j] * 1e-12, vRest: -0.065, vReset: -0.065, vThreshold: -0.05, tRef: 0.002 });
    assert.ok(Math.abs(rate / analytic - 1) < 0.01, `I = ${currents[j]} pA: simulated ${rate.toFixed(3)} Hz, analytic ${analytic.toFixed(3)} Hz`);
  }
});

test('below rheobase the LIF neuron stays silent and settles at El + R I', () => {
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const G = net.add(new NeuronGroup(1, LIF));
  G.setInput('I', '100 pA');
  const sm = net.add(new SpikeMonitor(G));
  net.run('200 ms');
  assert.equal(sm.numSpikes, 0);
  assert.ok(Math.abs(G.get('v')[0] - (-0.065 + 1e8 * 100e-12)) < 1e-9);
});

test('a user-declared LIF compiles to the same kernel as the built-in one, and spikes identically', () => {
  // The same equations a user would type: built-ins get no special path, so "as fast" holds by construction.
  const MyLIF = defineNeuron({
    name: 'MyLIF',
    equations: `
      dv/dt = (-(v - El) + R*I) / tau : volt (unless refractory)
      I : amp (input)`,
    params: { El: '-65 mV', Vth: '-50 mV', Vreset: '-65 mV', R: '100 Mohm', tau: '10 ms', tref: '2 ms' },
    threshold: 'v > Vth',
    reset: 'v = Vreset',
    refractory: 'tref',
    init: { v: '-65 mV' },
  });
  const run = (model: typeof LIF) => {
    const net = new Network({ seed: 3 });
    const G = net.add(new NeuronGroup(50, model));
    G.setInput('I', values(Array.from({ length: 50 }, (_, i) => 150 + 10 * i), 'pA'));
    const sm = net.add(new SpikeMonitor(G));
    net.run('300 ms');
    return { source: net.source, spikes: sm.spikes() };
  };
  const a = run(LIF);
  const b = run(MyLIF);
  assert.equal(a.source, b.source);
  assert.deepEqual(a.spikes.indices, b.spikes.indices);
  assert.deepEqual(a.spikes.times, b.spikes.times);
  assert.ok(a.spikes.indices.length > 100);
});

test('the README adaptive LIF adapts: inter-spike intervals grow under a constant current', () => {
  const AdaptiveLIF = defineNeuron({
    name: 'AdaptiveLIF',
    equations: `
      dv/dt = (-(v - El) - R*w + R*I) / tau : volt (unless refractory)
      dw/dt = -w / tau_w : amp
      I : amp (input)`,
    params: { El: '-70 mV', R: '100 Mohm', tau: '20 ms', tau_w: '200 ms', Vth: '-50 mV', Vr: '-70 mV', b: '20 pA' },
    threshold: 'v > Vth',
    reset: 'v = Vr; w += b',
    refractory: '2 ms',
  });
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const G = net.add(new NeuronGroup(1, AdaptiveLIF, { init: { v: '-70 mV' } }));
  G.setInput('I', '400 pA');
  const sm = net.add(new SpikeMonitor(G));
  net.run('500 ms');
  const t = sm.spikes().times;
  assert.ok(t.length >= 6, `${t.length} spikes`);
  const first = t[1] - t[0];
  const last = t[t.length - 1] - t[t.length - 2];
  assert.ok(last > 1.5 * first, `ISIs ${first} → ${last}`);
});
