/**
 * Long-term plasticity on the step engine (src/engine/plasticity.ts): spikes and learned weights
 * must not depend on the thread count, and must equal the JavaScript step loop's in float64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, PoissonGroup, FixedProb, STDP, TripletSTDP, SynapticScaling, RewardSTDP, SpikeMonitor, values, uniform } from '../src/index.js';
import { CurrentLIF } from './support/current_lif.js';


type Dtype = 'float32' | 'float64';

/**
 * A Poisson group onto E through delta synapses with per-synapse delays and pair STDP, and a
 * recurrent E→E projection with triplet STDP and a homogeneous delay.
 */
function stdpNet(o: { engine: boolean; threads?: number; dtype: Dtype }) {
  const net = new Network({ dt: '0.1 ms', dtype: o.dtype, seed: 21, engine: o.engine, threads: o.threads });
  const P = net.add(new PoissonGroup(300, { rates: '20 Hz', name: 'P' }));
  const E = net.add(new NeuronGroup(150, CurrentLIF, { name: 'E', init: { v: values(Array.from({ length: 150 }, (_, i) => -70 + (i % 13)), 'mV') } }));
  E.setInput('I', '120 pA');
  const pe = net.connect(P, E, {
    comm: new FixedProb(0.15),
    weight: uniform('0.5 mV', '1.5 mV'),
    target: 'v',
    delay: (i: number, j: number) => `${(1 + ((i + j) % 17)) / 10} ms`,
    plasticity: STDP({ A_plus: '0.05 mV', A_minus: '0.055 mV', wmax: '2 mV' }),
  });
  const ee = net.connect(E, E, { comm: new FixedProb(0.1), weight: uniform('0.1 mV', '0.6 mV'), target: 'v', delay: '1 ms', plasticity: TripletSTDP({ wmax: '1 mV', A2_plus: 0.02, A3_plus: 0.01, A2_minus: 0.02 }) });
  const sp = net.add(new SpikeMonitor(P));
  const se = net.add(new SpikeMonitor(E));
  return { net, E, pe, ee, sp, se };
}

function runStdp(o: { engine: boolean; threads?: number; dtype: Dtype }, ms = 300) {
  const { net, E, pe, ee, sp, se } = stdpNet(o);
  net.run(`${ms} ms`);
  const r = { p: Array.from(sp.spikes().indices), e: Array.from(se.spikes().indices), times: Array.from(se.spikes().times), v: Array.from(E.get('v')), wpe: Array.from(pe.weights), wee: Array.from(ee.weights), backend: E.runtime!.backend ?? 'js', loop: net.loopReason };
  net.close();
  return r;
}

test('a Poisson group, delta synapses with per-synapse delays and STDP run on the step engine with 2 threads, with spikes identical to 1 thread and to the JavaScript loop (float64), and final weights identical', () => {
  const js = runStdp({ engine: false, dtype: 'float64' });
  const one = runStdp({ engine: true, threads: 1, dtype: 'float64' });
  const two = runStdp({ engine: true, threads: 2, dtype: 'float64' });
  const three = runStdp({ engine: true, threads: 3, dtype: 'float64' });
  assert.equal(one.loop, undefined, 'one thread: on the step engine');
  assert.equal(two.loop, undefined, 'two threads: on the step engine');
  assert.match(two.backend, /engine×2/);
  assert.match(three.backend, /engine×3/);
  assert.ok(js.e.length > 200, `E fires (${js.e.length} spikes)`);
  // the rules did change the weights (else the comparison would prove nothing)
  const init = stdpNet({ engine: false, dtype: 'float64' });
  init.net.build();
  const w0pe = Array.from(init.pe.weights);
  const w0ee = Array.from(init.ee.weights);
  assert.ok(js.wpe.filter((w, s) => w !== w0pe[s]).length > js.wpe.length / 2, 'STDP changed most P→E weights');
  assert.ok(js.wee.filter((w, s) => w !== w0ee[s]).length > js.wee.length / 4, 'triplet STDP changed E→E weights');
  for (const [label, r] of [['1 thread', one], ['2 threads', two], ['3 threads', three]] as const) {
    assert.deepEqual(r.p, js.p, `${label}: Poisson spikes`);
    assert.deepEqual(r.e, js.e, `${label}: E spikes`);
    assert.deepEqual(r.times, js.times, `${label}: E spike times`);
    assert.deepEqual(r.v, js.v, `${label}: final v`);
    assert.deepEqual(r.wpe, js.wpe, `${label}: P→E weights`);
    assert.deepEqual(r.wee, js.wee, `${label}: E→E weights`);
  }
});

test('float32 state: STDP on the step engine gives the same spikes and weights for 1 and 2 threads', () => {
  const one = runStdp({ engine: true, threads: 1, dtype: 'float32' }, 200);
  const two = runStdp({ engine: true, threads: 2, dtype: 'float32' }, 200);
  assert.equal(two.loop, undefined);
  assert.ok(one.e.length > 100, `E fires (${one.e.length} spikes)`);
  assert.deepEqual(two.e, one.e);
  assert.deepEqual(two.times, one.times);
  assert.deepEqual(two.wpe, one.wpe);
  assert.deepEqual(two.wee, one.wee);
});

/** Homeostatic scaling (post trace, clock-driven every 20 ms) and reward-modulated STDP (per-synapse eligibility, modulate()). */
function homeoNet(o: { engine: boolean; threads?: number }) {
  const net = new Network({ dt: '0.1 ms', dtype: 'float64', seed: 5, engine: o.engine, threads: o.threads });
  const P = net.add(new PoissonGroup(200, { rates: '25 Hz', name: 'P' }));
  const E = net.add(new NeuronGroup(120, CurrentLIF, { name: 'E' }));
  E.setInput('I', '150 pA');
  const sc = net.connect(P, E, { comm: new FixedProb(0.1), weight: uniform('0.5 mV', '1.5 mV'), target: 'v', plasticity: SynapticScaling({ target: '5 Hz', eta: 0.1, wmax: '3 mV', tau_rate: '100 ms', period: '20 ms' }) });
  const rw = net.connect(P, E, { comm: new FixedProb(0.05), weight: uniform('0.2 mV', '0.8 mV'), target: 'v', delay: '0.5 ms', plasticity: RewardSTDP({ A_plus: 1, A_minus: 1.05, eta: '0.01 mV', wmax: '2 mV', tau_e: '200 ms' }) });
  const se = net.add(new SpikeMonitor(E));
  return { net, E, sc, rw, se };
}

test('homeostatic scaling and reward-modulated STDP (with modulate between runs) on the step engine: identical for 1 and 2 threads and the JavaScript loop (float64)', () => {
  const run = (o: { engine: boolean; threads?: number }) => {
    const { net, sc, rw, se } = homeoNet(o);
    net.run('150 ms');
    rw.modulate({ R: 1 });
    net.run('100 ms');
    rw.modulate({ R: -0.5 });
    const r = { e: Array.from(se.spikes().indices), t: Array.from(se.spikes().times), sc: Array.from(sc.weights), rw: Array.from(rw.weights), loop: net.loopReason };
    net.close();
    return r;
  };
  const js = run({ engine: false });
  const one = run({ engine: true, threads: 1 });
  const two = run({ engine: true, threads: 2 });
  assert.equal(one.loop, undefined);
  assert.equal(two.loop, undefined);
  assert.ok(js.e.length > 100, `E fires (${js.e.length} spikes)`);
  const init = homeoNet({ engine: false });
  init.net.build();
  const w0 = Array.from(init.sc.weights);
  const r0 = Array.from(init.rw.weights);
  assert.ok(js.sc.filter((w, s) => w !== w0[s]).length > js.sc.length / 2, 'scaling changed the weights');
  assert.ok(js.rw.filter((w, s) => w !== r0[s]).length > js.rw.length / 4, 'the rewards changed the weights');
  for (const [label, r] of [['1 thread', one], ['2 threads', two]] as const) {
    assert.deepEqual(r.e, js.e, `${label}: E spikes`);
    assert.deepEqual(r.t, js.t, `${label}: E spike times`);
    assert.deepEqual(r.sc, js.sc, `${label}: scaled weights`);
    assert.deepEqual(r.rw, js.rw, `${label}: reward-modulated weights`);
  }
});

test('store → run → restore → run on the step engine (2 threads) repeats the same spikes and weights, plastic weights and traces included', () => {
  const { net, E, pe, ee, se } = stdpNet({ engine: true, threads: 2, dtype: 'float64' });
  net.run('100 ms');
  net.store('mid');
  const n0 = se.spikes().indices.length;
  net.run('150 ms');
  const first = { e: Array.from(se.spikes().indices).slice(n0), pe: Array.from(pe.weights), ee: Array.from(ee.weights), v: Array.from(E.get('v')) };
  net.restore('mid');
  // the weights are back to those of the store
  assert.notDeepEqual(Array.from(pe.weights), first.pe);
  const n1 = se.spikes().indices.length;
  net.run('150 ms');
  const second = { e: Array.from(se.spikes().indices).slice(n1), pe: Array.from(pe.weights), ee: Array.from(ee.weights), v: Array.from(E.get('v')) };
  net.close();
  assert.equal(net.loopReason, undefined);
  assert.ok(first.e.length > 100, `E fires (${first.e.length} spikes)`);
  assert.deepEqual(second.e, first.e);
  assert.deepEqual(second.pe, first.pe);
  assert.deepEqual(second.ee, first.ee);
  assert.deepEqual(second.v, first.v);
});

test('a rule the engine cannot run with several threads is refused by name (a pre-synaptic neuron variable read during delivery)', async () => {
  const { defineRule } = await import('../src/index.js');
  const rule = defineRule({ name: 'VoltageGated', params: { eta: '0.001' }, onPost: 'w = clip(w + eta*(v_pre + 70*mV), 0*mV, 2*mV)' });
  const make = (threads: number) => {
    const net = new Network({ dt: '0.1 ms', dtype: 'float64', seed: 2, threads });
    const A = net.add(new NeuronGroup(20, CurrentLIF, { name: 'A' }));
    const B = net.add(new NeuronGroup(20, CurrentLIF, { name: 'B' }));
    net.connect(A, B, { comm: new FixedProb(0.5), weight: '0.5 mV', target: 'v', plasticity: rule });
    return net;
  };
  // one thread: the engine runs it
  const one = make(1);
  one.build();
  assert.equal(one.loopReason, undefined);
  one.close();
  assert.throws(() => make(2).build(), /pre-synaptic neuron variable/);
});

test('with per-synapse delays the rule acts when the pre spike is emitted (JavaScript loop): a pre spike at 10 ms, a post spike at 15 ms, a 3 ms delay give the window at 5 ms', async () => {
  const { SpikeGeneratorGroup, One2One } = await import('../src/index.js');
  const change = (delay: string | ((i: number, j: number) => string)) => {
    const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
    const pre = net.add(new SpikeGeneratorGroup(1, { indices: [0], times: [10], unit: 'ms' }));
    const post = net.add(new SpikeGeneratorGroup(1, { indices: [0], times: [15], unit: 'ms' }));
    const proj = net.connect(pre, post, { comm: new One2One(), weight: 0.5, delay, plasticity: STDP({ A_plus: 0.01, A_minus: 0.012, tau_plus: '20 ms', tau_minus: '20 ms', wmax: 1 }) });
    net.run('40 ms');
    return proj.weights[0] - 0.5;
  };
  // per-synapse: Δt = 15 − 10 = 5 ms; one delay for all synapses: the spike acts at 13 ms, Δt = 2 ms
  assert.ok(Math.abs(change(() => '3 ms') - 0.01 * Math.exp(-5 / 20)) < 1e-12, `per-synapse: ${change(() => '3 ms')}`);
  assert.ok(Math.abs(change('3 ms') - 0.01 * Math.exp(-2 / 20)) < 1e-12, `homogeneous: ${change('3 ms')}`);
});
