/**
 * Pre-synaptic traces on the step engine (src/engine/plasticity.ts, `emitDecay`): decayed two
 * float64 lanes at a time, skipping lanes that are +0 and, on thread 0, the part of the group
 * outside the projection's pre slice while it is +0. The traces (inside and outside the slice),
 * spikes and weights must equal the JavaScript loop's in float64 and not depend on the thread count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, FixedProb, SpikeMonitor, defineRule, values, uniform } from '../src/index.js';
import { applyFunction } from '../src/equations/symbolic.js';
import { CurrentLIF } from './support/current_lif.js';

/**
 * A symmetric rule (Vogels et al. 2011) whose pre trace is `dxpre/dt = pre`, learning from 12 ms
 * on (`eta*(t >= t_on)`: computed once per call on the engine, see `emitPrologue`).
 */
function traceRule(pre: string) {
  return defineRule({
    name: 'trace rule',
    params: { eta: '0.02 mV', wmax: '0.8 mV', tau: '15 ms', alpha: 0.2, t_on: '12 ms' },
    pre: { equations: `dxpre/dt = ${pre} : 1`, onSpike: 'xpre += 1' },
    post: { equations: 'dxpost/dt = -xpost/tau : 1', onSpike: 'xpost += 1' },
    onPre: 'w = clip(w + eta*(t >= t_on)*(xpost - alpha), 0, wmax)',
    onPost: 'w = clip(w + eta*(t >= t_on)*xpre, 0, wmax)',
  });
}

// 103 neurons: the slices start and end off the 4-lane boundaries, so the scalar tails run too
const N = 103;
const NE = 70;

function build(o: { engine: boolean; threads?: number; dtype: 'float32' | 'float64'; input?: string }) {
  const net = new Network({ dt: '0.1 ms', dtype: o.dtype, seed: 7, engine: o.engine, threads: o.threads });
  const P = net.add(new NeuronGroup(N, CurrentLIF, { name: 'P', init: { v: values(Array.from({ length: N }, (_, i) => -70 + ((i * 7) % 19)), 'mV') } }));
  P.setInput('I', o.input ?? '230 pA');
  const E = P.slice(0, NE);
  const I = P.slice(NE, N);
  net.connect(E, P, { comm: new FixedProb(0.2), weight: uniform('0.2 mV', '0.6 mV'), target: 'v' });
  // (the projections are numbered from 0: pl1) a trace that keeps 0 at 0, on the I slice; (pl2) one with rest 0.3 (never skipped), on the E slice
  const ie = net.connect(I, E, { comm: new FixedProb(0.3), weight: '0.1 mV', target: 'v', plasticity: traceRule('-xpre/tau') });
  const ei = net.connect(E, I, { comm: new FixedProb(0.3), weight: '0.1 mV', target: 'v', plasticity: traceRule('(0.3 - xpre)/tau') });
  const sm = net.add(new SpikeMonitor(P));
  return { net, P, ie, ei, sm };
}

/** Two runs: the first with pl1's trace +0 outside its slice, the second after setting values there. */
function runBoth(o: { engine: boolean; threads?: number; dtype: 'float32' | 'float64' }) {
  const { net, P, ie, ei, sm } = build(o);
  const snap = () => ({
    spikes: Array.from(sm.spikes().indices),
    xa: Array.from(P.get('pl1$xpre')),
    xb: Array.from(P.get('pl2$xpre')),
    wie: Array.from(ie.weights),
    wei: Array.from(ei.weights),
  });
  net.run('60 ms');
  const first = snap();
  const xa = P.get('pl1$xpre');
  for (let i = 0; i < NE; i++) xa[i] = i % 3 === 0 ? 0 : 0.25 + i / 100;
  net.run('40 ms');
  const second = snap();
  const loop = net.loopReason;
  net.close();
  return { first, second, loop };
}

test('pre traces on the step engine equal the JavaScript loop in float64 for 1, 2 and 3 threads, inside the pre slice and outside it (+0 there, then set)', () => {
  const js = runBoth({ engine: false, dtype: 'float64' });
  // the comparison proves something: both traces moved, the rule learned, the set values decayed
  assert.ok(js.first.spikes.length > 200, `the group fires (${js.first.spikes.length} spikes)`);
  assert.ok(js.first.xa.slice(NE).some((x) => x > 0.05), 'pl1 trace is up on the I slice');
  assert.ok(js.first.xa.slice(0, NE).every((x) => Object.is(x, 0)), 'pl1 trace is +0 outside its slice in the first run');
  assert.ok(js.first.xb.slice(NE).every((x) => x > 0.05 && x < 0.3), 'pl2 trace (rest 0.3) rose outside its slice');
  assert.ok(js.first.wie.some((w) => w !== 1e-4), 'I→E weights learned');
  const set = (i: number) => 0.25 + i / 100;
  for (let i = 1; i < NE; i++) {
    if (i % 3 === 0) continue;
    assert.ok(js.second.xa[i] > 0 && js.second.xa[i] < set(i), `pl1[${i}], set outside the slice, decayed (${js.second.xa[i]})`);
  }
  for (const threads of [1, 2, 3]) {
    const r = runBoth({ engine: true, threads, dtype: 'float64' });
    assert.equal(r.loop, undefined, `${threads} thread(s): on the step engine`);
    for (const part of ['first', 'second'] as const) {
      const [a, b] = [r[part], js[part]];
      assert.deepEqual(a.spikes, b.spikes, `${threads} thread(s), ${part} run: spikes`);
      assert.deepEqual(a.xa, b.xa, `${threads} thread(s), ${part} run: pl1 trace`);
      assert.deepEqual(a.xb, b.xb, `${threads} thread(s), ${part} run: pl2 trace`);
      assert.deepEqual(a.wie, b.wie, `${threads} thread(s), ${part} run: I→E weights`);
      assert.deepEqual(a.wei, b.wei, `${threads} thread(s), ${part} run: E→I weights`);
    }
  }
});

test('float32 state: pre traces, spikes and weights on the step engine are the same for 1, 2 and 3 threads', () => {
  const one = runBoth({ engine: true, threads: 1, dtype: 'float32' });
  assert.equal(one.loop, undefined);
  assert.ok(one.first.spikes.length > 200);
  assert.ok(one.second.xa.slice(1, NE).some((x) => x > 0), 'pl1 holds the values set outside its slice');
  for (const threads of [2, 3]) {
    const r = runBoth({ engine: true, threads, dtype: 'float32' });
    assert.equal(r.loop, undefined);
    assert.deepEqual(r.first, one.first, `${threads} threads: first run`);
    assert.deepEqual(r.second, one.second, `${threads} threads: second run`);
  }
});

test('a silent network: trace values set by hand (−0, tiny, negative, large) decay step by step as x + dt·exprel(−dt/τ)·(−x/τ) in float64, stored in the state type, on 1 and 2 threads', () => {
  const given = Array.from({ length: N }, (_, i) => [0.7, -0, 3e-41, -2.5, 0, 1e6, 0.125][i % 7] * (1 + i / 1000));
  const steps = 49; // odd, so that lanes written to the wrong place cannot cancel out
  const run = (o: { engine: boolean; threads?: number; dtype: 'float32' | 'float64' }) => {
    const { net, P, sm } = build({ ...o, input: '0 pA' });
    net.build();
    P.get('v').fill(-0.07); // at rest: nothing spikes, only the traces move
    for (const name of ['pl1$xpre', 'pl2$xpre']) P.get(name).set(given);
    net.run(`${steps / 10} ms`);
    const r = { spikes: sm.spikes().indices.length, a: Array.from(P.get('pl1$xpre')), b: Array.from(P.get('pl2$xpre')), loop: net.loopReason };
    net.close();
    return r;
  };
  // the exponential-Euler step of dx/dt = −x/τ (τ = 15 ms), in float64, rounded to the state type after each step
  const dt = 1e-4;
  const factor = dt * applyFunction('exprel', [(-1 / 0.015) * dt]);
  for (const dtype of ['float32', 'float64'] as const) {
    const round = dtype === 'float32' ? Math.fround : (x: number) => x;
    const want = given.map((x0) => {
      let x = round(x0);
      for (let n = 0; n < steps; n++) x = round(x + factor * (-x / 0.015));
      return x;
    });
    assert.ok(want.every((x, i) => (given[i] === 0 ? Object.is(x, 0) : x !== round(given[i]))), `${dtype}: every value moves, −0 becomes +0`);
    const js = run({ engine: false, dtype });
    assert.equal(js.spikes, 0);
    if (dtype === 'float64') assert.deepEqual(js.a, want, 'float64: the JavaScript loop takes the same steps');
    for (const threads of [1, 2]) {
      const r = run({ engine: true, threads, dtype });
      assert.equal(r.loop, undefined);
      assert.deepEqual(r.a, want, `${dtype}, ${threads} thread(s): the trace that keeps 0`);
      if (dtype === 'float64') assert.deepEqual(r.b, js.b, `${threads} thread(s): the trace with rest 0.3, as the loop`);
      else if (threads === 2) assert.deepEqual(r.b, run({ engine: true, threads: 1, dtype }).b, 'float32: the trace with rest 0.3, 2 threads as 1');
    }
  }
});
