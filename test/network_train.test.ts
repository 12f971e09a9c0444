/**
 * One network trains: the simulator's Network, lowered from its step IR, gives gradients that
 * match central finite differences (float64), for a recurrent conductance-based network with
 * per-synapse delays and short-term plasticity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradCheck, assertChecks } from './support/gradcheck.js';
import { conductanceNet } from './support/conductance_net.js';

test('gradient check: 400-neuron COBA network (Expon, FixedProb CSR, per-synapse delays, STP), JavaScript lowering', () => {
  const { net, run, loss } = conductanceNet({ engine: false });
  const names = net.parameters().map((p) => p.name);
  for (const want of ['P.tau', 'P.init.v', 'in.weight', 'EE.weight', 'EE.syn.tau', 'IE.weight', 'out.weight']) assert.ok(names.includes(want), `parameter ${want} (have ${names.join(', ')})`);
  const checks = gradCheck(net, loss, run, { per: 3 });
  const worst = assertChecks(checks, 'COBA network', 1e-3, { requireNonZero: true });
  console.log(`COBA network (JS lowering): ${checks.length} checks over ${names.length} parameters, worst relative error ${worst.toExponential(2)}`);
});

test('gradient check: continuous coupling through the step IR (gap junction, NMDA kinetics kept per pre neuron with a Mg²⁺ block)', async () => {
  const { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, InputGroup, normal, mse, sigmoid, NMDA, MgBlock } = await import('../src/index.js');
  const { poissonEvents } = await import('./support/conductance_net.js');
  for (const kind of ['gap', 'nmda'] as const) {
    const steps = 120;
    const batch = 2;
    const net = new Network({ dt: '0.1 ms', seed: 3, dtype: 'float64', engine: false, batch });
    const x = net.add(new InputGroup(20, 'x'));
    const P = net.add(new NeuronGroup(10, LIF, { name: 'P', params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms' }, init: { v: normal('-57 mV', '3 mV') }, train: ['tau'], trainInit: ['v'], spikeMode: 'soft', surrogate: sigmoid(1) }));
    P.setInput('I', '80 pA');
    const readout = net.add(new NeuronGroup(3, LIF, { name: 'readout', params: { El: '-60 mV', Vth: '1 V', Vreset: '-60 mV', tau: '10 ms' } }));
    net.connect(x, P, { name: 'in', comm: new FixedProb(0.3), weight: '3 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), train: ['weight'] });
    if (kind === 'gap') net.connect(P, readout, { name: 'gap', comm: new FixedProb(0.5), weight: '2 nS', gap: 'v', train: ['weight'] });
    else net.connect(P, readout, { name: 'nmda', comm: new FixedProb(0.5), weight: '2 nS', syn: NMDA(), out: MgBlock({ E: '0 mV' }), train: ['weight'] });
    const events = poissonEvents(20, batch, steps, 0.05, 11);
    let rec: ReturnType<typeof net.trace> | undefined;
    const run = () => {
      net.forward({ steps, batch, inputs: [[x, events]] });
      rec = net.trace(readout, 'v');
    };
    const loss = () => mse(rec!, new Float64Array(batch * 3).fill(-0.059), { reduce: 'mean' });
    const checks = gradCheck(net, loss, run, { per: 2 });
    const worst = assertChecks(checks, kind, 1e-3, { requireNonZero: true });
    console.log(`${kind}: ${checks.length} checks, worst relative error ${worst.toExponential(2)}`);
  }
});

test('saveParams/loadParams round-trip; a bad file is refused whole and changes nothing', async () => {
  const { BuildError } = await import('../src/index.js');
  const a = conductanceNet({ engine: false, steps: 20 });
  const b = conductanceNet({ engine: false, steps: 20 });
  const saved = a.net.saveParams();
  for (const p of b.net.parameters()) p.value.fill(0.5);
  b.net.loadParams(JSON.parse(JSON.stringify(saved)));
  for (const [k, v] of Object.entries(saved.params)) assert.deepEqual(Array.from(b.net.parameters().find((p) => p.name === k)!.value), v, k);
  const before = b.net.parameters().map((p) => Float64Array.from(p.value));
  const bad = [
    { ...saved, format: 'x' },
    { ...saved, params: { ...saved.params, 'P.tau': saved.params['P.tau'].map((x, i) => (i === 7 ? -1 : x)) } },
    { ...saved, params: { ...saved.params, 'EE.weight': [...saved.params['EE.weight'].slice(1), 'NaN'] } },
    { ...saved, params: { ...saved.params, 'in.weight': saved.params['in.weight'].slice(1) } },
    { ...saved, params: { ...saved.params, nope: [1] } },
    JSON.parse('{"format":"braints-network-params","version":1,"params":{"__proto__":{"polluted":1}}}'),
  ];
  for (const s of bad) assert.throws(() => b.net.loadParams(s), BuildError);
  b.net.parameters().forEach((p, k) => assert.deepEqual(p.value, before[k] as unknown as typeof p.value, `${p.name} unchanged`));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('trained means runnable: after training steps, net.run simulates with the trained parameters', async () => {
  const { Adam, SpikeMonitor } = await import('../src/index.js');
  const { net, run, loss } = conductanceNet({ steps: 30 });
  const opt = new Adam(net.parameters(), { lr: 1e-2 });
  const tau = net.parameters().find((p) => p.name === 'P.tau')!;
  const before = Float64Array.from(tau.value);
  for (let k = 0; k < 3; k++) {
    run();
    loss();
    opt.zeroGrad();
    net.backward();
    opt.step();
  }
  assert.ok(tau.value.some((x, i) => x !== before[i]), 'training changed tau');
  const P = net.populations.find((g) => g.name === 'P')!;
  assert.equal(P.get('p$tau'), tau.value, 'the simulator reads the trained array');
  const sm = new SpikeMonitor(P);
  void sm;
  const res = net.run('20 ms');
  assert.equal(res.steps, 200);
  assert.ok(Number.isFinite(P.get('v')[0]));
});
