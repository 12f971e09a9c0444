import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/index.js';
import { SNN, type Events, SGD, Adam, atan, synapticLIF, leakyReadout, trainTBPTT, windowMSE } from '../src/train/index.js';

/** Analog input events on every unit and step. */
function analogEvents(rng: Rng, steps: number, B: number, n: number, lo: number, hi: number): Events {
  const ptr = new Int32Array(steps + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < B * n; k++) {
      idx.push(k);
      val.push(lo + (hi - lo) * rng.uniform());
    }
    ptr[t + 1] = idx.length;
  }
  return { ptr, idx: Int32Array.from(idx), val: Float64Array.from(val) };
}

function makeNet(steps: number, B: number, seed = 1, truncate?: number) {
  const net = new SNN({ steps, batch: B, dt: '1 ms', dtype: 'float64', seed, truncate });
  const x = net.input(5, 'x');
  const h = net.layer(8, synapticLIF(), { name: 'h', surrogate: atan(2), trainInit: ['v'] });
  const o = net.layer(2, leakyReadout(), { name: 'o' }).record('v');
  net.dense(x, h, { name: 'w1', target: 'I', weight: { dist: 'normal', mean: 0.3, std: 0.6 } });
  net.dense(h, h, { name: 'rec', target: 'I', weight: { dist: 'normal', mean: 0, std: 0.2 } });
  net.dense(h, o, { name: 'w2', target: 'I', weight: { dist: 'normal', mean: 0, std: 0.05 } });
  net.build();
  return { net, o };
}

test('TBPTT with window = steps is exactly one full-BPTT gradient step', () => {
  const T = 30;
  const B = 3;
  const ev = analogEvents(new Rng(2, 2), T, B, 5, 0, 1);
  const y = Float64Array.from({ length: B * 2 }, (_, k) => 0.2 + 0.1 * k);
  const a = makeNet(T, B);
  const b = makeNet(T, B);
  // Full BPTT.
  const optA = new SGD(a.net.parameters(), { lr: 0.1 });
  a.net.forward(ev, B);
  const lossA = windowMSE(a.net, a.o, 'v', y, 0, T);
  optA.zeroGrad();
  a.net.backward();
  const gradA = a.net.parameters().map((p) => Array.from(p.grad));
  optA.step();
  // TBPTT, one window.
  const optB = new SGD(b.net.parameters(), { lr: 0.1 });
  const losses = trainTBPTT(b.net, optB, ev, B, (t0, t1) => windowMSE(b.net, b.o, 'v', y, t0, t1), { window: T });
  assert.equal(losses.length, 1);
  assert.equal(losses[0], lossA);
  b.net.parameters().forEach((p, k) => {
    assert.deepEqual(Array.from(p.grad), gradA[k], `${p.name}: gradient`);
    assert.deepEqual(Array.from(p.value), Array.from(a.net.parameters()[k].value), `${p.name}: value after the step`);
  });
  assert.ok(gradA.some((g) => g.some((v) => v !== 0)));
});

test('TBPTT windows: each update sees only its window; the state is carried (forward equals one uninterrupted run when nothing changes)', () => {
  const T = 30;
  const B = 2;
  const ev = analogEvents(new Rng(4, 4), T, B, 5, 0, 1);
  const y = new Float64Array(B * 2).fill(0.3);
  const a = makeNet(T, B);
  const b = makeNet(T, B);
  // lr = 0: parameters never change, so the windowed run must reproduce the full forward trace.
  const optB = new SGD(b.net.parameters(), { lr: 0 });
  const losses = trainTBPTT(b.net, optB, ev, B, (t0, t1) => windowMSE(b.net, b.o, 'v', y, t0, t1), { window: 7 });
  assert.equal(losses.length, 5);
  a.net.forward(ev, B);
  assert.deepEqual(Array.from(b.o.traces.get('v')!.data), Array.from(a.o.traces.get('v')!.data));
  // The last window [28, 30): its gradient equals full BPTT of that window's loss with the gradient cut at step 28.
  const d = makeNet(T, B, 1, 28).net;
  d.forward(ev, B);
  windowMSE(d, d.layers[1], 'v', y, 28, 30);
  d.zeroGrad();
  d.backward();
  b.net.parameters().forEach((p, k) => {
    if (p.name.includes('init')) return; // the window starting at 28 gives the initial values nothing
    const want = d.parameters()[k].grad;
    p.grad.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-12 * (1 + Math.abs(v)), `${p.name}[${i}]: ${v} vs ${want[i]}`));
  });
});

test('TBPTT with a window of 10 on a 60-step sequence learns a small temporal task', () => {
  // Two classes of input pattern; readout unit c should sit at 1 when the class is c, 0 otherwise, at every step.
  const T = 60;
  const B = 16;
  const rng = new Rng(9, 9);
  const pattern = [Float64Array.from({ length: 5 }, (_, i) => (i < 2 ? 0.9 : 0.05)), Float64Array.from({ length: 5 }, (_, i) => (i >= 3 ? 0.9 : 0.05))];
  const batch = (): { ev: Events; y: Float64Array } => {
    const cls = Int32Array.from({ length: B }, () => (rng.uniform() < 0.5 ? 0 : 1));
    const ptr = new Int32Array(T + 1);
    const idx: number[] = [];
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) for (let i = 0; i < 5; i++) if (rng.uniform() < pattern[cls[b]][i]) idx.push(b * 5 + i);
      ptr[t + 1] = idx.length;
    }
    const y = new Float64Array(B * 2);
    for (let b = 0; b < B; b++) y[b * 2 + cls[b]] = 1;
    return { ev: { ptr, idx: Int32Array.from(idx) }, y };
  };
  const { net, o } = makeNet(T, B, 3);
  const opt = new Adam(net.parameters(), { lr: 2e-2 });
  const evaluate = () => {
    let loss = 0;
    let correct = 0;
    for (let k = 0; k < 4; k++) {
      const { ev, y } = batch();
      net.forward(ev, B);
      loss += windowMSE(net, o, 'v', y, 10, T) / 4;
      const v = o.traces.get('v')!.data;
      for (let b = 0; b < B; b++) {
        let m0 = 0;
        let m1 = 0;
        for (let t = 10; t < T; t++) (m0 += v[t * o.S + b * 2]), (m1 += v[t * o.S + b * 2 + 1]);
        if ((m1 > m0 ? 1 : 0) === (y[b * 2 + 1] === 1 ? 1 : 0)) correct++;
      }
    }
    return { loss, accuracy: correct / (4 * B) };
  };
  const before = evaluate();
  for (let it = 0; it < 80; it++) {
    const { ev, y } = batch();
    trainTBPTT(net, opt, ev, B, (t0, t1) => windowMSE(net, o, 'v', y, t0, t1), { window: 10 });
  }
  const after = evaluate();
  console.log(`  TBPTT (window 10 of 60): loss ${before.loss.toFixed(4)} → ${after.loss.toFixed(4)}, accuracy ${before.accuracy.toFixed(3)} → ${after.accuracy.toFixed(3)}`);
  assert.ok(after.loss < 0.5 * before.loss && after.loss < 0.1 && after.accuracy >= 0.9, `did not learn: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
});
