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

for (const TB of ['js', 'engine'] as const) {
  test(`gradient check: continuous coupling through the step IR (gap junction, NMDA kinetics kept per pre neuron with a Mg²⁺ block) (${TB === 'js' ? 'JavaScript lowering' : 'step engine'})`, async () => {
    const { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, InputGroup, normal, mse, sigmoid, NMDA, MgBlock } = await import('../src/index.js');
    const { poissonEvents } = await import('./support/conductance_net.js');
    for (const kind of ['gap', 'nmda'] as const) {
      const steps = 120;
      const batch = 2;
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', seed: 3, dtype: 'float64', engine: false, batch });
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
}

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

for (const TB of ['js', 'engine'] as const) {
  test(`gradient check: dense (All2All) deliveries: input rows, per-synapse weights with the spike adjoint, one weight on slices, per-synapse delays (${TB === 'js' ? 'JavaScript lowering' : 'step engine'})`, async () => {
    const { Network, NeuronGroup, All2All, InputGroup, normal, uniform, mse, sigmoid, synapticLIF, leakyReadout } = await import('../src/index.js');
    const { poissonEvents } = await import('./support/conductance_net.js');
    const steps = 40;
    const batch = 3;
    const net = new Network({ trainBackend: TB, dt: '1 ms', seed: 5, dtype: 'float64', batch });
    const x = net.add(new InputGroup(12, 'x'));
    // soft spikes: the loss is smooth in every weight, so finite differences apply
    const h = net.add(new NeuronGroup(9, synapticLIF({ threshold: 0.5 }), { name: 'h', spikeMode: 'soft', surrogate: sigmoid(4) }));
    const out = net.add(new NeuronGroup(4, leakyReadout(), { name: 'out' }));
    net.connect(x, h, { name: 'W1', comm: new All2All(), target: 'I', weight: normal(0.15, 0.2), train: ['weight'] });
    net.connect(h, out, { name: 'W2', comm: new All2All(), target: 'I', weight: normal(0, 0.5), train: ['weight'] });
    net.connect(h.slice(2, 7), out.slice(1, 3), { name: 'W3', comm: new All2All(), target: 'I', weight: 0.3 });
    net.connect(h, out, { name: 'W4', comm: new All2All(), target: 'I', weight: normal(0, 0.3), delay: uniform('0 ms', '4 ms'), train: ['weight'] });
    const events = poissonEvents(12, batch, steps, 0.15, 2);
    let rec: ReturnType<typeof net.trace> | undefined;
    const run = () => {
      net.forward({ steps, batch, inputs: [[x, events]] });
      rec = net.trace(out, 'v');
    };
    const targets = Float64Array.from({ length: batch * 4 }, (_, k) => 0.2 * (k % 4));
    const loss = () => mse(rec!, targets, { reduce: 'mean' });
    const checks = gradCheck(net, loss, run, { per: 4 });
    const worst = assertChecks(checks, 'dense', 1e-3, { requireNonZero: true });
    for (const p of ['W1.weight', 'W2.weight', 'W4.weight']) assert.ok(checks.some((c) => c.param === p), `checked ${p}`);
    console.log(`dense deliveries: ${checks.length} checks, worst relative error ${worst.toExponential(2)}`);
  });
}

for (const TB of ['js', 'engine'] as const) test(`the Fashion-MNIST network built as a Network equals the PyTorch reference recurrence, one step later (${TB})`, async () => {
  const { Network, NeuronGroup, All2All, InputGroup, values, Rng, synapticLIF, leakyReadout } = await import('../src/index.js');
  const T = 60;
  const B = 3;
  const nIn = 8;
  const nH = 6;
  const nO = 4;
  const alpha = 0.9;
  const beta = 0.85;
  const rng = new Rng(7, 1);
  const W1 = Float64Array.from({ length: nIn * nH }, () => rng.normal() * 0.9);
  const W2 = Float64Array.from({ length: nH * nO }, () => rng.normal() * 0.5);
  const spikesIn: Uint8Array[] = Array.from({ length: T }, () => Uint8Array.from({ length: B * nIn }, () => (rng.uniform() < 0.3 ? 1 : 0)));
  // The reference: spike from the membrane before the update, reset factor (1 - s).
  const ref: number[] = [];
  for (let b = 0; b < B; b++) {
    const I1 = new Float64Array(nH), V1 = new Float64Array(nH), I2 = new Float64Array(nO), V2 = new Float64Array(nO);
    for (let t = 0; t < T; t++) {
      const s = new Float64Array(nH);
      for (let j = 0; j < nH; j++) {
        let d = 0;
        for (let i = 0; i < nIn; i++) d += spikesIn[t][b * nIn + i] * W1[i * nH + j];
        I1[j] = alpha * I1[j] + d;
        s[j] = V1[j] - 1 > 0 ? 1 : 0;
        V1[j] = (beta * V1[j] + I1[j]) * (1 - s[j]);
      }
      for (let c = 0; c < nO; c++) {
        let d = 0;
        for (let j = 0; j < nH; j++) d += s[j] * W2[j * nO + c];
        I2[c] = alpha * I2[c] + d;
        V2[c] = beta * V2[c] + I2[c];
        ref.push(V2[c]);
      }
    }
  }
  const net = new Network({ dt: '1 ms', dtype: 'float64', batch: B, trainBackend: TB });
  const x = net.add(new InputGroup(nIn, 'x'));
  const h = net.add(new NeuronGroup(nH, synapticLIF({ alpha, beta, refractorySteps: 2 }), { name: 'h' }));
  const o = net.add(new NeuronGroup(nO, leakyReadout({ alpha, beta }), { name: 'o' }));
  net.connect(x, h, { comm: new All2All(), target: 'I', weight: values(W1), train: ['weight'] });
  net.connect(h, o, { comm: new All2All(), target: 'I', weight: values(W2), train: ['weight'] });
  const ptr = new Int32Array(T + 1);
  const idx: number[] = [];
  for (let t = 0; t < T; t++) {
    spikesIn[t].forEach((s, k) => s && idx.push(k));
    ptr[t + 1] = idx.length;
  }
  net.forward({ steps: T, batch: B, inputs: [[x, { ptr, idx: Int32Array.from(idx) }]] });
  assert.ok(net.spikeCounts(h).reduce((a, c) => a + c, 0) > 10, 'hidden layer should spike');
  const v = net.trace(o, 'v');
  // a delivery at step n is read by step n + 1: the network runs one step behind the reference
  let worst = 0;
  for (let b = 0; b < B; b++) for (let t = 0; t + 1 < T; t++) for (let c = 0; c < nO; c++) worst = Math.max(worst, Math.abs(v.data[v.offset + (t + 1) * v.stride + b * nO + c] - ref[(b * T + t) * nO + c]));
  assert.ok(worst < 1e-9, `readout differs from the reference by ${worst}`);
});

for (const TB of ['js', 'engine'] as const) {
  test(`losses on spike counts reach the weights through the surrogate (gradient check), and windows with carry continue the state exactly (${TB === 'js' ? 'JavaScript lowering' : 'step engine'})`, async () => {
    const { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, InputGroup, normal, sigmoid, rateRegularizer, spikeCountLoss, sliceEvents, trainWindows, mse, Adam } = await import('../src/index.js');
    const { poissonEvents } = await import('./support/conductance_net.js');
    const make = () => {
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', seed: 4, dtype: 'float64', batch: 2 });
      const x = net.add(new InputGroup(20, 'x'));
      const P = net.add(new NeuronGroup(6, LIF, { name: 'P', params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms' }, init: { v: normal('-55 mV', '3 mV') }, train: ['tau'], spikeMode: 'soft', surrogate: sigmoid(1) }));
      P.setInput('I', '80 pA');
      net.connect(x, P, { name: 'in', comm: new FixedProb(0.4), weight: '3 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), train: ['weight'] });
      net.connect(P, P, { name: 'rec', comm: new FixedProb(0.5), weight: '1 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), train: ['weight'] });
      return { net, x, P };
    };
    const events = poissonEvents(20, 2, 80, 0.05, 3);
    {
      const { net, x, P } = make();
      const run = () => net.forward({ steps: 80, batch: 2, inputs: [[x, events]] });
      const loss = () => rateRegularizer(net.counts(P), { target: 0.1, weight: 1 }) + spikeCountLoss(net.counts(P), [0, 1]).loss;
      const worst = assertChecks(gradCheck(net, loss, run, { per: 2 }), 'count losses', 1e-3, { requireNonZero: true });
      console.log(`count losses: worst relative error ${worst.toExponential(2)}`);
    }
    {
      // two windows of 40 steps with carry = one pass of 80 steps
      const { net, x, P } = make();
      net.forward({ steps: 80, batch: 2, inputs: [[x, events]] });
      const whole = net.trace(P, 'v');
      const ref = Float64Array.from({ length: 80 * 12 }, (_, k) => whole.data[whole.offset + k]);
      const parts: number[] = [];
      for (const [t0, t1] of [[0, 40], [40, 80]]) {
        net.forward({ steps: 40, batch: 2, carry: t0 > 0, inputs: [[x, sliceEvents(events, t0, t1)]] });
        const tr = net.trace(P, 'v');
        for (let k = 0; k < 40 * 12; k++) parts.push(tr.data[tr.offset + k]);
      }
      let diff = 0;
      for (let k = 0; k < ref.length; k++) diff = Math.max(diff, Math.abs(ref[k] - parts[k]));
      assert.ok(diff < 1e-15, `windows with carry differ from one pass by ${diff}`);
      const losses = trainWindows(net, new Adam(net.parameters(), { lr: 1e-2 }), { steps: 80, batch: 2, window: 20, inputs: [[x, events]] }, () => mse(net.trace(P, 'v'), new Float64Array(12).fill(-0.055)));
      assert.equal(losses.length, 4);
      assert.ok(losses.every(Number.isFinite));
    }
  });
}

for (const TB of ['js', 'engine'] as const) {
  test(`gradient check: AMPA and GABA_A kinetics kept per pre neuron (their transmitter pulse follows lastspike), hard-spiking source, weights, kinetic parameters alpha, beta, T and readout parameters (${TB === 'js' ? 'JavaScript lowering' : 'step engine'})`, async () => {
    const { Network, NeuronGroup, LIF, FixedProb, COBA, normal, mse, AMPA, GABAa } = await import('../src/index.js');
    for (const syn of [AMPA(), GABAa()]) {
      const steps = 300;
      const batch = 2;
      const net = new Network({ trainBackend: TB, dt: '0.1 ms', seed: 3, dtype: 'float64', engine: false, batch });
      const P = net.add(new NeuronGroup(10, LIF, { name: 'P', params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '2 ms' }, init: { v: normal('-55 mV', '3 mV') } }));
      P.setInput('I', '150 pA');
      const readout = net.add(new NeuronGroup(3, LIF, { name: 'readout', params: { El: '-60 mV', Vth: '1 V', Vreset: '-60 mV', tau: '10 ms' }, train: ['tau'], trainInit: ['v'] }));
      net.connect(P, readout, { name: 'k', comm: new FixedProb(0.5), weight: '2 nS', syn, out: COBA({ E: syn.kind === 'GABAa' ? '-80 mV' : '0 mV' }), train: ['weight', 'alpha', 'beta', 'T'] });
      let rec: ReturnType<typeof net.trace> | undefined;
      const run = () => {
        net.forward({ steps, batch });
        rec = net.trace(readout, 'v');
      };
      // the source's spikes do not depend on the trained parameters, so the gradient is exact
      const loss = () => mse(rec!, new Float64Array(batch * 3).fill(-0.059), { reduce: 'mean' });
      run();
      assert.ok(net.spikeCounts(P).reduce((a, b) => a + b, 0) > 5, 'the source spikes');
      const worst = assertChecks(gradCheck(net, loss, run, { per: 2 }), syn.kind, 1e-3, { requireNonZero: true });
      console.log(`${syn.kind}: worst relative error ${worst.toExponential(2)}`);
    }
  });
}

test('gradient check: the same 400-neuron COBA network on the step engine, 1 and 2 threads; gradients identical for both thread counts and equal to the JavaScript lowering\'s', () => {
  const grads: Float64Array[][] = [];
  for (const [trainBackend, threads] of [['js', 1], ['engine', 1], ['engine', 2]] as const) {
    const { net, run, loss } = conductanceNet({ engine: threads === 2 ? undefined : false, trainBackend, threads });
    net.zeroGrad();
    run();
    loss();
    net.backward();
    grads.push(net.parameters().map((p) => Float64Array.from(p.grad)));
    if (trainBackend === 'engine') {
      const checks = gradCheck(net, loss, run, { per: 2 });
      const worst = assertChecks(checks, `COBA network (engine, ${threads} thread(s))`, 1e-3, { requireNonZero: true });
      console.log(`COBA network (step engine, ${threads} thread(s)): ${checks.length} checks, worst relative error ${worst.toExponential(2)}`);
      if (threads === 2) {
        // trained on two threads, it simulates on one (its input group keeps it off the simulation engine) and says why
        assert.equal(net.run('2 ms').steps, 20);
        // the reason names the part that keeps it off the engine (today: the input group, a spike generator in simulation)
        assert.match(net.loopReason ?? '', /group '\w+'|projection '\w+'/);
      }
    }
  }
  const [js, e1, e2] = grads;
  e1.forEach((g, k) => g.forEach((x, i) => assert.ok(Object.is(x, e2[k][i]), `parameter ${k}[${i}]: 1 thread ${x}, 2 threads ${e2[k][i]}`)));
  let worst = 0;
  e1.forEach((g, k) => g.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - js[k][i]) / Math.max(Math.abs(js[k][i]), 1e-12)))));
  assert.ok(worst < 1e-9, `engine and JavaScript gradients differ by ${worst} (relative)`);
});

for (const TB of ['js', 'engine'] as const) {
  test(`gradient check through just-in-time connectivity (rows regenerated from the seed; the lowering reads them as CSR) (${TB})`, async () => {
    const { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, InputGroup, normal, mse, sigmoid, BuildError } = await import('../src/index.js');
    const { poissonEvents } = await import('./support/conductance_net.js');
    const steps = 100;
    const batch = 2;
    const make = (jitWeightTrained: boolean) => {
      const net = new Network({ dt: '0.1 ms', seed: 6, dtype: 'float64', batch, trainBackend: TB });
      const x = net.add(new InputGroup(30, 'x'));
      const P = net.add(new NeuronGroup(40, LIF, { name: 'P', params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms' }, init: { v: normal('-56 mV', '3 mV') }, train: ['tau'], spikeMode: 'soft', surrogate: sigmoid(1) }));
      P.setInput('I', '80 pA');
      const out = net.add(new NeuronGroup(3, LIF, { name: 'out', params: { El: '-60 mV', Vth: '1 V', Vreset: '-60 mV', tau: '10 ms' } }));
      net.connect(x, P, { name: 'in', comm: new FixedProb(0.3), weight: '3 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), train: ['weight'] });
      net.connect(P, P, { name: 'rec', comm: new FixedProb(0.2), jit: true, weight: '1 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), train: jitWeightTrained ? ['weight'] : undefined });
      net.connect(P, out, { name: 'read', comm: new FixedProb(0.5), jit: true, weight: '1 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) });
      return { net, x, P, out };
    };
    assert.throws(() => make(true).net.build(), (e: unknown) => e instanceof BuildError && /just-in-time connectivity stores no weights/.test((e as Error).message));
    const { net, x, P, out } = make(false);
    const events = poissonEvents(30, batch, steps, 0.05, 4);
    let rec: ReturnType<typeof net.trace> | undefined;
    const run = () => {
      net.forward({ steps, batch, inputs: [[x, events]] });
      rec = net.trace(out, 'v');
    };
    const loss = () => mse(rec!, new Float64Array(batch * 3).fill(-0.059), { reduce: 'mean' });
    run();
    assert.ok(net.spikeCounts(P).reduce((a, b) => a + b, 0) > 1, 'the recurrent population spikes');
    const worst = assertChecks(gradCheck(net, loss, run, { per: 2 }), 'jit', 1e-3, { requireNonZero: true });
    console.log(`just-in-time rows (${TB}): worst relative error ${worst.toExponential(2)}`);
  });
}

for (const TB of ['js', 'engine'] as const) {
  test(`gradient check: rate coupling (ThresholdLinear → WilsonCowan through r, recurrent E coupling), weights and rate parameters (${TB})`, async () => {
    const { Network, NeuronGroup, ThresholdLinear, WilsonCowan, FixedProb, All2All, normal, uniform, mse } = await import('../src/index.js');
    const net = new Network({ dt: '0.1 ms', seed: 12, dtype: 'float64', batch: 1, trainBackend: TB });
    const R = net.add(new NeuronGroup(8, ThresholdLinear, { name: 'R', params: { gain: 1.5, theta: 0.2, tau: '10 ms' }, init: { r: uniform(0, 0.5) }, train: ['gain', 'tau'], trainInit: ['r'] }));
    R.setInput('I', 1);
    const W = net.add(new NeuronGroup(4, WilsonCowan, { name: 'W', train: ['tau_e', 'c1'] }));
    net.connect(R, W, { name: 'rw', comm: new FixedProb(0.6), weight: normal(2, 0.5), source: 'r', target: 'P', train: ['weight'] });
    net.connect(W, W, { name: 'ww', comm: new All2All(), weight: normal(0.3, 0.1), source: 'E', target: 'P', train: ['weight'] });
    let rec: ReturnType<typeof net.trace> | undefined;
    const run = () => {
      net.forward({ steps: 300, batch: 1 });
      rec = net.trace(W, 'E');
    };
    const loss = () => mse(rec!, new Float64Array(4).fill(0.3), { reduce: 'mean' });
    const worst = assertChecks(gradCheck(net, loss, run, { per: 2 }), 'rate coupling', 1e-3, { requireNonZero: true });
    console.log(`rate coupling (${TB}): worst relative error ${worst.toExponential(2)}`);
  });

  test(`refused with the reason: white noise, random numbers and timed inputs in a trained group (${TB})`, async () => {
    const { Network, NeuronGroup, LIF, defineNeuron, timed, BuildError } = await import('../src/index.js');
    const Noisy = defineNeuron({ name: 'Noisy', equations: 'dv/dt = -v/tau + sigma*xi/sqrt(tau) : 1', params: { tau: '10 ms', sigma: 0.1 } });
    const Rand = defineNeuron({ name: 'Rand', equations: 'dv/dt = (-v + rand())/tau : 1', params: { tau: '10 ms' } });
    const cases: [string, (net: InstanceType<typeof Network>) => void, RegExp][] = [
      ['xi', (net) => net.add(new NeuronGroup(2, Noisy, { train: ['tau'] })), /noise/],
      ['rand', (net) => net.add(new NeuronGroup(2, Rand, { train: ['tau'] })), /random/],
      ['timed', (net) => net.add(new NeuronGroup(2, LIF, { train: ['tau'] })).setInput('I', timed([0, 100], { dt: '1 ms', unit: 'pA' })), /timed/],
    ];
    for (const [what, add, why] of cases) {
      const net = new Network({ dt: '0.1 ms', dtype: 'float64', trainBackend: TB });
      add(net);
      assert.throws(() => net.forward({ steps: 10 }), (e: unknown) => e instanceof BuildError && why.test((e as Error).message), what);
    }
  });
}

for (const TB of ['js', 'engine'] as const) {
  test(`gradient checkpointing: segments recomputed from checkpoints give the full tape's gradients bit for bit (delays, STP, per-synapse delays); unkept variables are refused (${TB})`, async () => {
    const { BuildError, mse } = await import('../src/index.js');
    const { poissonEvents } = await import('./support/conductance_net.js');
    const grads: Float64Array[][] = [];
    for (const checkpoint of [undefined, 40, 7]) {
      const { net } = conductanceNet({ engine: false, trainBackend: TB, threads: TB === 'engine' ? 2 : 1 });
      net.build();
      const x = net.populations.find((g) => g.name === 'x')!;
      const P = net.populations.find((g) => g.name === 'P')!;
      const readout = net.populations.find((g) => g.name === 'readout')!;
      net.zeroGrad();
      net.forward({ steps: 150, batch: 2, inputs: [[x, poissonEvents(40, 2, 150, 0.05, 11)]], checkpoint, keep: [[readout, 'v']] });
      mse(net.trace(readout, 'v'), Float64Array.from({ length: 10 }, (_, k) => -0.059 + 0.0005 * (k % 5)), { reduce: 'mean' });
      net.backward();
      grads.push(net.parameters().map((p) => Float64Array.from(p.grad)));
      if (checkpoint !== undefined) assert.throws(() => net.trace(P, 'v'), (e: unknown) => e instanceof BuildError && /keep/.test((e as Error).message));
    }
    for (const g of grads.slice(1)) g.forEach((a, k) => a.forEach((v, i) => assert.ok(Object.is(v, grads[0][k][i]), `parameter ${k}[${i}]: ${v} vs ${grads[0][k][i]}`)));
  });
}
