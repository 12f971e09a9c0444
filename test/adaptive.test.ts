import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dopri5, solveModel, resolveModel } from '../src/analysis/adaptive.js';
import { LIF } from '../src/neurons/lif.js';
import { defineNeuron } from '../src/model/model.js';
import { BuildError } from '../src/lang/errors.js';

const decay = (_t: number, y: Float64Array, dy: Float64Array) => {
  dy[0] = -y[0];
};
const oscillator = (_t: number, y: Float64Array, dy: Float64Array) => {
  dy[0] = y[1];
  dy[1] = -y[0];
};

test("dopri5: y' = -y matches e^-t to the tolerance asked, and the error scales with rtol", () => {
  const errors: number[] = [];
  for (const rtol of [1e-4, 1e-6, 1e-8, 1e-10]) {
    const r = dopri5(decay, 0, [1], 5, { rtol, atol: rtol * 1e-3 });
    assert.equal(r.t[0], 0);
    assert.equal(r.t[r.t.length - 1], 5);
    let worst = 0;
    for (let k = 0; k < r.t.length; k++) worst = Math.max(worst, Math.abs(r.y[0][k] - Math.exp(-r.t[k])) / Math.exp(-r.t[k]));
    assert.ok(worst < 10 * rtol, `rtol ${rtol}: relative error ${worst}`);
    errors.push(worst);
    assert.ok(r.steps > 0 && r.evaluations >= 6 * r.steps);
  }
  // 100× smaller rtol → roughly 100× smaller error (at least 30×, at most 300×)
  for (let k = 1; k < errors.length; k++) {
    const ratio = errors[k - 1] / errors[k];
    assert.ok(ratio > 30 && ratio < 300, `error ratio ${ratio}`);
  }
});

test('dopri5: the harmonic oscillator matches cos/sin over 3 periods, with both step controllers', () => {
  for (const control of ['pi', 'standard'] as const) {
    for (const rtol of [1e-6, 1e-9]) {
      const r = dopri5(oscillator, 0, [1, 0], 20, { rtol, atol: rtol, control });
      let worst = 0;
      for (let k = 0; k < r.t.length; k++) {
        worst = Math.max(worst, Math.abs(r.y[0][k] - Math.cos(r.t[k])), Math.abs(r.y[1][k] + Math.sin(r.t[k])));
      }
      assert.ok(worst < 10 * rtol, `${control} rtol ${rtol}: error ${worst}`);
      // energy is conserved to the same order
      const n = r.t.length - 1;
      assert.ok(Math.abs(r.y[0][n] ** 2 + r.y[1][n] ** 2 - 1) < 20 * rtol);
    }
  }
});

test('dopri5: dense output and tEval are accurate between steps; integration runs backwards too', () => {
  const rtol = 1e-8;
  const r = dopri5(oscillator, 0, [1, 0], 10, { rtol, atol: rtol, dense: true, maxStep: 1 });
  assert.ok(r.sol);
  let worst = 0;
  for (let k = 0; k <= 1000; k++) {
    const t = k * 0.01;
    const y = r.sol!(t);
    worst = Math.max(worst, Math.abs(y[0] - Math.cos(t)), Math.abs(y[1] + Math.sin(t)));
  }
  assert.ok(worst < 10 * rtol, `dense error ${worst}`);
  const e = dopri5(oscillator, 0, [1, 0], 10, { rtol, atol: rtol, tEval: [0, 0.5, 3, 7.25, 10] });
  assert.deepEqual([...e.t], [0, 0.5, 3, 7.25, 10]);
  for (let k = 0; k < e.t.length; k++) assert.ok(Math.abs(e.y[0][k] - Math.cos(e.t[k])) < 10 * rtol);
  // maxStep is respected
  for (let k = 1; k < r.t.length; k++) assert.ok(r.t[k] - r.t[k - 1] <= 1 + 1e-12);
  const back = dopri5(decay, 2, [Math.exp(-2)], 0, { rtol, atol: 1e-14 });
  assert.ok(Math.abs(back.y[0][back.t.length - 1] - 1) < 10 * rtol);
  assert.throws(() => dopri5(decay, 0, [1], 1, { rtol: -1 }), /rtol/);
});

test('solveModel: LIF spike times under constant current match tref + tau ln(RI/(RI + El - Vth)) to 1e-6', () => {
  for (const [I, tau, tref] of [
    ['200 pA', '10 ms', '2 ms'],
    ['500 pA', '20 ms', '5 ms'],
  ] as const) {
    const Iv = parseFloat(I) * 1e-12;
    const tauv = parseFloat(tau) * 1e-3;
    const trefv = parseFloat(tref) * 1e-3;
    const R = 100e6, El = -0.065, Vth = -0.05;
    const first = tauv * Math.log((R * Iv) / (R * Iv + El - Vth)); // from v = El = Vreset
    const isi = trefv + first;
    const r = solveModel(LIF, { params: { tau, tref }, inputs: { I }, tStop: '200 ms', rtol: 1e-10 });
    const expected = Math.floor((0.2 - first) / isi) + 1;
    assert.equal(r.spikes.length, expected);
    for (let k = 0; k < r.spikes.length; k++) {
      const want = first + k * isi;
      assert.ok(Math.abs(r.spikes[k] - want) / want < 1e-6, `spike ${k}: ${r.spikes[k]} vs ${want}`);
    }
    // during the refractory period v is held at Vreset; at each spike the trace has the pre- and post-reset points
    const v = r.y.v;
    for (let k = 0; k < r.t.length; k++) {
      for (const s of r.spikes) {
        if (r.t[k] > s && r.t[k] < s + trefv) assert.equal(v[k], -0.065);
      }
    }
    const at = r.t.indexOf(r.spikes[0]);
    assert.ok(Math.abs(v[at] - Vth) < 1e-9 && v[at + 1] === -0.065);
    assert.ok(r.steps > 0 && r.rejected >= 0);
  }
});

test('solveModel: a subthreshold trace matches El + RI(1 - e^(-t/tau)); sampleDt gives a uniform grid', () => {
  const r = solveModel(LIF, { inputs: { I: '100 pA' }, tStop: '50 ms', rtol: 1e-9, sampleDt: '0.5 ms' });
  assert.equal(r.spikes.length, 0);
  assert.equal(r.t.length, 101);
  for (let k = 0; k < r.t.length; k++) {
    assert.ok(Math.abs(r.t[k] - k * 0.0005) < 1e-15);
    const want = -0.065 + 0.01 * (1 - Math.exp(-r.t[k] / 0.01));
    assert.ok(Math.abs(r.y.v[k] - want) < 1e-9 * 0.065, `t=${r.t[k]}: ${r.y.v[k]} vs ${want}`);
  }
  // events: false ignores the threshold
  const free = solveModel(LIF, { inputs: { I: '200 pA' }, tStop: '100 ms', events: false });
  assert.equal(free.spikes.length, 0);
  assert.ok(Math.abs(free.y.v[free.t.length - 1] - -0.045) < 1e-5);
});

test('solveModel: resets with += and an adaptation variable that is not gated', () => {
  const AdLIF = defineNeuron({
    name: 'AdLIF',
    equations: `
      dv/dt = (-(v - El) - R*w + R*I) / tau : volt (unless refractory)
      dw/dt = -w / tau_w : amp
      I : amp (input)`,
    params: { El: '-70 mV', R: '100 Mohm', tau: '20 ms', tau_w: '200 ms', Vth: '-50 mV', Vr: '-70 mV', b: '20 pA' },
    threshold: 'v > Vth',
    reset: 'v = Vr; w += b',
    refractory: '2 ms',
    init: { v: '-70 mV' },
  });
  const r = solveModel(AdLIF, { inputs: { I: '400 pA' }, tStop: '300 ms', rtol: 1e-8 });
  assert.ok(r.spikes.length >= 3);
  const isis = Array.from(r.spikes.slice(1), (s, k) => s - r.spikes[k]);
  assert.ok(isis[isis.length - 1] > isis[0], 'adaptation lengthens the ISI');
  const at = r.t.indexOf(r.spikes[1]);
  assert.ok(Math.abs(r.y.w[at + 1] - r.y.w[at] - 20e-12) < 1e-20);
  // w decays during the refractory period (it is not gated)
  const after = r.t.findIndex((t) => t > r.spikes[1] + 1e-3);
  assert.ok(r.y.w[after] < r.y.w[at + 1]);
});

test('solveModel and resolveModel refuse bad input clearly', () => {
  assert.throws(() => solveModel(LIF, { inputs: { I: '2 mV' }, tStop: '10 ms' }), (e: unknown) => e instanceof BuildError && /inputs\.I/.test((e as Error).message));
  assert.throws(() => solveModel(LIF, { params: { nope: 1 }, tStop: '10 ms' }), /params\.nope/);
  assert.throws(() => solveModel(LIF, { tStop: 10 }), /tStop/);
  const Noisy = defineNeuron({ name: 'Noisy', equations: 'dv/dt = -v/tau + sigma*xi/sqrt(tau) : 1', params: { tau: '10 ms', sigma: 0.1 } });
  assert.throws(() => solveModel(Noisy, { tStop: '10 ms' }), /stochastic/);
  const r = resolveModel(LIF, { params: { tau: '20 ms' }, inputs: { I: '200 pA' } });
  assert.equal(r.odes[0].name, 'v');
  assert.equal(r.init[0], -0.065);
  assert.equal(r.tref, 0.002);
});
