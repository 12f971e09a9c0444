/**
 * Online truncated BPTT on a Network (`trainWindows`): windows carry the state, each update sees
 * only its window's loss, and a windowed run learns a temporal task.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/index.js';
import { type Events, SGD, Adam, atan, synapticLIF, leakyReadout, trainWindows } from '../src/train/index.js';
import { Network, type Recorded } from '../src/core/network.js';
import { NeuronGroup } from '../src/model/group.js';
import { normal } from '../src/model/init.js';
import { All2All } from '../src/connect/index.js';
import { InputGroup } from '../src/inputs/input_group.js';
import { sliceEvents } from '../src/data/events.js';

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

/**
 * Mean over the steps of the pass, the batch rows and the units of (x_t − y)², y per row and unit
 * (constant in time); adds the gradient to the trace's `grad`.
 */
function stepMSE(rec: Recorded, y: ArrayLike<number>): number {
  const N = rec.batch * rec.size;
  const count = rec.steps * N;
  let sum = 0;
  for (let t = 0; t < rec.steps; t++) {
    const o = rec.offset + t * rec.stride;
    for (let k = 0; k < N; k++) {
      const d = rec.data[o + k] - y[k];
      sum += d * d;
      rec.grad[o + k] += (2 * d) / count;
    }
  }
  return sum / count;
}

function makeNet(B: number, seed = 1) {
  const net = new Network({ dt: '1 ms', dtype: 'float64', seed, batch: B, name: 'tbptt' });
  const x = net.add(new InputGroup(5, 'x'));
  const h = net.add(new NeuronGroup(8, synapticLIF(), { name: 'h', surrogate: atan(2), trainInit: ['v'] }));
  const o = net.add(new NeuronGroup(2, leakyReadout(), { name: 'o' }));
  net.connect(x, h, { name: 'w1', comm: new All2All(), target: 'I', weight: normal(0.3, 0.6), train: ['weight'] });
  net.connect(h, h, { name: 'rec', comm: new All2All(), target: 'I', weight: normal(0, 0.2), train: ['weight'] });
  net.connect(h, o, { name: 'w2', comm: new All2All(), target: 'I', weight: normal(0, 0.05), train: ['weight'] });
  net.build();
  return { net, x, o };
}

test('trainWindows with window = steps is exactly one full-BPTT gradient step', () => {
  const T = 30;
  const B = 3;
  const ev = analogEvents(new Rng(2, 2), T, B, 5, 0, 1);
  const y = Float64Array.from({ length: B * 2 }, (_, k) => 0.2 + 0.1 * k);
  const a = makeNet(B);
  const b = makeNet(B);
  // Full BPTT.
  const optA = new SGD(a.net.parameters(), { lr: 0.1 });
  a.net.forward({ steps: T, batch: B, inputs: [[a.x, ev]] });
  const lossA = stepMSE(a.net.trace(a.o, 'v'), y);
  optA.zeroGrad();
  a.net.backward();
  const gradA = a.net.parameters().map((p) => Array.from(p.grad));
  optA.step();
  // TBPTT, one window.
  const optB = new SGD(b.net.parameters(), { lr: 0.1 });
  const losses = trainWindows(b.net, optB, { steps: T, batch: B, window: T, inputs: [[b.x, ev]] }, () => stepMSE(b.net.trace(b.o, 'v'), y));
  assert.equal(losses.length, 1);
  assert.equal(losses[0], lossA);
  b.net.parameters().forEach((p, k) => {
    assert.deepEqual(Array.from(p.grad), gradA[k], `${p.name}: gradient`);
    assert.deepEqual(Array.from(p.value), Array.from(a.net.parameters()[k].value), `${p.name}: value after the step`);
  });
  assert.ok(gradA.some((g) => g.some((v) => v !== 0)));
});

test('trainWindows: the state is carried (forward equals one uninterrupted run when nothing changes); each update sees only its window', () => {
  const T = 30;
  const K = 6;
  const B = 2;
  const ev = analogEvents(new Rng(4, 4), T, B, 5, 0, 1);
  const y = new Float64Array(B * 2).fill(0.3);
  const a = makeNet(B);
  const b = makeNet(B);
  // lr = 0: parameters never change, so the windowed run must reproduce the full forward trace.
  const windowed: number[] = [];
  const seen: Array<[number, number]> = [];
  const losses = trainWindows(b.net, new SGD(b.net.parameters(), { lr: 0 }), { steps: T, batch: B, window: K, inputs: [[b.x, ev]] }, (t0, t1) => {
    const rec = b.net.trace(b.o, 'v');
    assert.equal(rec.steps, t1 - t0, 'the trace covers the window');
    for (let k = 0; k < rec.steps * B * 2; k++) windowed.push(rec.data[rec.offset + k]);
    seen.push([t0, t1]);
    return stepMSE(rec, y);
  });
  assert.equal(losses.length, 5);
  assert.deepEqual(seen, [[0, 6], [6, 12], [12, 18], [18, 24], [24, 30]]);
  a.net.forward({ steps: T, batch: B, inputs: [[a.x, ev]] });
  const full = a.net.trace(a.o, 'v');
  assert.deepEqual(windowed, Array.from({ length: T * B * 2 }, (_, k) => full.data[full.offset + k]));
  // The last window [24, 30): its gradient is that of its own loss from the state carried to step
  // 24, with nothing from earlier windows' losses (the gradients were zeroed) and nothing for the
  // initial values (the window does not start from them).
  const d = makeNet(B);
  for (let t0 = 0; t0 < T; t0 += K) d.net.forward({ steps: K, batch: B, carry: t0 > 0, inputs: [[d.x, sliceEvents(ev, t0, t0 + K)]] });
  stepMSE(d.net.trace(d.o, 'v'), y);
  d.net.zeroGrad();
  d.net.backward();
  let nonZero = 0;
  b.net.parameters().forEach((p, k) => {
    const want = d.net.parameters()[k].grad;
    if (p.name.includes('init')) assert.ok(p.grad.every((v) => v === 0), `${p.name}: no gradient for the initial values in a carried window`);
    p.grad.forEach((v, i) => {
      if (v !== 0) nonZero++;
      assert.ok(Math.abs(v - want[i]) <= 1e-12 * (1 + Math.abs(v)), `${p.name}[${i}]: ${v} vs ${want[i]}`);
    });
  });
  assert.ok(nonZero > 0);
});

test('trainWindows with a window of 10 on a 60-step sequence learns a small temporal task', () => {
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
  const { net, x, o } = makeNet(B, 3);
  const opt = new Adam(net.parameters(), { lr: 2e-2 });
  const evaluate = () => {
    let loss = 0;
    let correct = 0;
    for (let k = 0; k < 4; k++) {
      const { ev, y } = batch();
      net.forward({ steps: T, batch: B, inputs: [[x, ev]] });
      const v = net.trace(o, 'v');
      // steps 10..T only
      loss += stepMSE({ ...v, steps: T - 10, offset: v.offset + 10 * v.stride }, y) / 4;
      for (let b = 0; b < B; b++) {
        let m0 = 0;
        let m1 = 0;
        for (let t = 10; t < T; t++) (m0 += v.data[v.offset + t * v.stride + b * 2]), (m1 += v.data[v.offset + t * v.stride + b * 2 + 1]);
        if ((m1 > m0 ? 1 : 0) === (y[b * 2 + 1] === 1 ? 1 : 0)) correct++;
      }
    }
    return { loss, accuracy: correct / (4 * B) };
  };
  const before = evaluate();
  for (let it = 0; it < 80; it++) {
    const { ev, y } = batch();
    trainWindows(net, opt, { steps: T, batch: B, window: 10, inputs: [[x, ev]] }, () => stepMSE(net.trace(o, 'v'), y));
  }
  const after = evaluate();
  console.log(`  trainWindows (window 10 of 60): loss ${before.loss.toFixed(4)} → ${after.loss.toFixed(4)}, accuracy ${before.accuracy.toFixed(3)} → ${after.accuracy.toFixed(3)}`);
  assert.ok(after.loss < 0.5 * before.loss && after.loss < 0.1 && after.accuracy >= 0.9, `did not learn: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
});
