import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineNeuron, FixedProb, Rng, STP } from '../src/index.js';
import { SNN, type Events, mse } from '../src/train/index.js';
import { gradCheck } from './support/gradcheck.js';

/** A LIF neuron with a conductance input g_in (the transmitted w·r is a one-step conductance pulse). */
const CobaLIF = defineNeuron({
  name: 'CobaLIF',
  equations: `
    dv/dt = (El - v + R*g_in*(E - v)) / tau : volt
    g_in : siemens (input)`,
  params: { El: '-65 mV', E: '0 mV', R: '100 Mohm', tau: '10 ms', Vth: '0 mV' },
  threshold: 'v > Vth',
  reset: 'v = El',
  init: { v: '-65 mV' },
});

/** A regular-ish train per input unit and batch row: period 3 + ((b·n + i) mod 4) steps, one jittered spike in four. */
function regularEvents(rng: Rng, steps: number, B: number, n: number): Events {
  const ptr = new Int32Array(steps + 1);
  const next = Array.from({ length: B * n }, (_, k) => k % 3);
  const idx: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < B * n; k++) {
      if (next[k] === t) {
        idx.push(k);
        next[k] = t + 3 + (k % 4) + (rng.uniform() < 0.25 ? 1 : 0);
      }
    }
    ptr[t + 1] = idx.length;
  }
  return { ptr, idx: Int32Array.from(idx) };
}

const TRAIN = ['U', 'tau_f', 'tau_d'];

function stpNet(kind: 'dense' | 'sparse' | 'jit', U: number) {
  const steps = 60;
  const B = 2;
  const nIn = 4;
  const n = 3;
  const amp = 5e-9;
  const net = new SNN({ steps, batch: B, dt: '0.1 ms', dtype: 'float64', seed: 5 });
  const x = net.input(nIn, 'x');
  const L = net.layer(n, CobaLIF, { name: 'L' }).record('v');
  const common = { name: 'W', target: 'g_in', stp: STP({ U, tau_f: '3 ms', tau_d: '4 ms' }), trainStp: TRAIN };
  const w = { dist: 'normal' as const, mean: { value: amp, dim: CobaLIF.dimOf('g_in')! }, std: { value: 0.3 * amp, dim: CobaLIF.dimOf('g_in')! } };
  if (kind === 'dense') net.dense(x, L, { ...common, weight: w });
  else if (kind === 'sparse') net.sparse(x, L, new FixedProb(0.6), { ...common, weight: w });
  else net.jit(x, L, new FixedProb(0.6), { ...common, weight: { mean: amp, std: 0.3 * amp } });
  net.build();
  const ev = regularEvents(new Rng(11, 2), steps, B, nIn);
  const run = () => net.forward(ev, B);
  run();
  const tr = L.traces.get('v')!.data;
  const base = tr[(steps - 1) * L.S];
  const y = Float64Array.from({ length: B * n }, (_, k) => base * (1 + 0.01 * (k + 1)));
  const loss = () => mse(net, L, 'v', y, { reduce: 'mean' });
  return { net, L, run, loss, steps };
}

test('gradient check (Float64, central differences): STP on dense/sparse/jit projections, weights + U, tau_f, tau_d', () => {
  for (const U of [0.2, 0.6]) {
    for (const kind of ['dense', 'sparse', 'jit'] as const) {
      const { net, L, run, loss, steps } = stpNet(kind, U);
      const checks = gradCheck(net, loss, run, { rel: 1e-4 });
      const params = new Set(checks.map((c) => c.param.split('.').pop()));
      for (const q of TRAIN) assert.ok(params.has(q), `${kind}: ${q} not checked`);
      let worst = 0;
      for (const c of checks) {
        assert.ok(Number.isFinite(c.analytic) && c.analytic !== 0, `${kind}: ${c.param}[${c.index}] analytic ${c.analytic}`);
        assert.ok(c.rel < 1e-3, `${kind} U=${U}: ${c.param}[${c.index}] analytic ${c.analytic} vs numeric ${c.numeric} (relative error ${c.rel.toExponential(2)})`);
        worst = Math.max(worst, c.rel);
      }
      run();
      assert.equal(L.evPtr[steps], 0, `${kind}: must stay sub-threshold`);
      const per = TRAIN.map((q) => `${q} ${Math.max(...checks.filter((c) => c.param.endsWith(`.${q}`)).map((c) => c.rel)).toExponential(1)}`).join(', ');
      console.log(`  STP U=${U} ${kind}: ${checks.length} entries, worst relative error ${worst.toExponential(2)} (w ${Math.max(...checks.filter((c) => c.param.endsWith('.w') || c.param.endsWith('.mean') || c.param.endsWith('.std')).map((c) => c.rel)).toExponential(1)}, ${per})`);
    }
  }
});

test('STP forward: transmitted amplitudes follow the closed-form Tsodyks–Markram recurrence for a regular train', () => {
  const steps = 160;
  const P = 7;
  const dt = 0.1e-3;
  const U = 0.3;
  const tf = 3e-3;
  const td = 5e-3;
  // Closed form between spikes Δ = P·dt apart: u⁻ = u⁺ e^(−Δ/τf), x⁻ = 1 − (1 − x⁺) e^(−Δ/τd); u⁺ = u⁻ + U(1 − u⁻), r = u⁺ x⁻.
  const times: number[] = [];
  for (let t = 2; t < steps; t += P) times.push(t);
  const rExpect: number[] = [];
  let u = 0;
  let x = 1;
  const D = P * dt;
  for (let s = 0; s < times.length; s++) {
    if (s > 0) (u *= Math.exp(-D / tf), (x = 1 - (1 - x) * Math.exp(-D / td)));
    u += U * (1 - u);
    const r = u * x;
    rExpect.push(r);
    x -= r;
  }
  // Steady state of the recurrence (closed form), approached by the last amplitudes.
  const eu = Math.exp(-D / tf);
  const ex = Math.exp(-D / td);
  const uInf = U / (1 - (1 - U) * eu);
  const xInf = (1 - ex) / (1 - (1 - uInf) * ex);
  assert.ok(Math.abs(rExpect[rExpect.length - 1] - uInf * xInf) < 1e-3 * uInf * xInf, 'the recurrence approaches its fixed point');
  const ptr = Int32Array.from({ length: steps + 1 }, (_, t) => times.filter((s) => s < t).length);
  const mk = (withStp: boolean) => {
    const net = new SNN({ steps, batch: 1, dt: '0.1 ms', dtype: 'float64' });
    const xi = net.input(1, 'x');
    const L = net.layer(2, CobaLIF, { name: 'L' }).record('v');
    const p = net.dense(xi, L, { name: 'W', target: 'g_in', weight: '4 nS', ...(withStp ? { stp: STP({ U, tau_f: '3 ms', tau_d: '5 ms' }) } : {}) });
    return { net, L, p };
  };
  const a = mk(true);
  a.net.forward({ ptr, idx: new Int32Array(times.length) }, 1);
  const R = a.p.prestp!.R;
  const S = a.p.prestp!.S;
  for (let t = 0; t < steps; t++) {
    const s = times.indexOf(t);
    const expect = s < 0 ? 0 : rExpect[s];
    assert.ok(Math.abs(R[t * S] - expect) < 1e-12, `step ${t}: r ${R[t * S]} vs ${expect}`);
  }
  assert.ok(rExpect[1] > rExpect[0] && rExpect[rExpect.length - 1] < 0.5 * rExpect[0], 'facilitation at the second spike, then depression');
  // The same membrane as plain events valued by the closed-form r (w·r transmitted at spike steps only).
  const b = mk(false);
  b.net.forward({ ptr, idx: new Int32Array(times.length), val: Float64Array.from(rExpect) }, 1);
  const va = a.L.traces.get('v')!.data;
  const vb = b.L.traces.get('v')!.data;
  for (let k = 0; k < steps * a.L.S; k++) assert.ok(Math.abs(va[k] - vb[k]) < 1e-15, `v[${k}]: ${va[k]} vs ${vb[k]}`);
  assert.ok(va[(steps - 1) * a.L.S] > -0.065, 'the membrane is depolarized');
});

test('STP refusals: with syn, an unknown trained parameter, trainStp without stp', async () => {
  const { AMPA } = await import('../src/index.js');
  const mk = () => {
    const net = new SNN({ steps: 5, batch: 1 });
    return { net, x: net.input(1, 'x'), L: net.layer(1, CobaLIF, { name: 'L' }) };
  };
  const s = STP({ U: 0.5, tau_f: '20 ms', tau_d: '100 ms' });
  let m = mk();
  assert.throws(() => m.net.dense(m.x, m.L, { name: 'p', target: 'g_in', syn: AMPA(), stp: s }), /not supported/);
  m = mk();
  assert.throws(() => m.net.dense(m.x, m.L, { name: 'p', target: 'g_in', trainStp: ['U'] }), /needs stp/);
  m = mk();
  m.net.dense(m.x, m.L, { name: 'p', target: 'g_in', stp: s, trainStp: ['tau_x'], weight: '1 nS' });
  assert.throws(() => m.net.build(), /'tau_x' is not a parameter of STP/);
});
