import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineNeuron } from '../src/model/model.js';
import { nullclines, vectorField, fixedPoints, stability, bifurcationScan, marchingSquares, joinPolylines } from '../src/analysis/dynamics.js';

// FitzHugh–Nagumo, dimensionless with a time constant: the classic a = 0.7, b = 0.8, phi = 0.08.
const FHN = defineNeuron({
  name: 'FHN',
  equations: `
    dv/dt = (v - v**3/3 - w + I) / tau : 1
    dw/dt = phi * (v + a - b*w) / tau : 1
    I : 1 (input)`,
  params: { a: 0.7, b: 0.8, phi: 0.08, tau: '1 ms' },
  init: { v: -1.2, w: -0.6 },
});
const a = 0.7, b = 0.8, phi = 0.08, tau = 1e-3;

/** The unique root of v - v³/3 - (v + a)/b + I (strictly decreasing in v), by bisection. */
function fhnRoot(I: number): { v: number; w: number } {
  const g = (v: number) => v - v ** 3 / 3 - (v + a) / b + I;
  let lo = -5, hi = 5;
  for (let k = 0; k < 200; k++) {
    const m = 0.5 * (lo + hi);
    if (g(m) > 0) lo = m;
    else hi = m;
  }
  const v = 0.5 * (lo + hi);
  return { v, w: (v + a) / b };
}
// Hopf: trace of the Jacobian (1 - v²)/tau - phi b/tau = 0 → v² = 1 - phi b.
const vH = -Math.sqrt(1 - phi * b);
const IH = (vH + a) / b - vH + vH ** 3 / 3;
const plane = { xRange: [-3, 3], yRange: [-2, 3] } as const;

test('fixedPoints: the FHN fixed point equals the root of the cubic, with the right stability around the Hopf point', () => {
  assert.ok(Math.abs(IH - 0.3313) < 1e-3);
  for (const [I, stable] of [
    [0, true],
    [0.25, true],
    [0.32, true],
    [0.34, false],
    [0.5, false],
    [1.0, false],
    [1.6, true],
  ] as const) {
    const fps = fixedPoints(FHN, 'v', 'w', { ...plane, inputs: { I } });
    assert.equal(fps.length, 1, `I = ${I}`);
    const want = fhnRoot(I);
    assert.ok(Math.abs(fps[0].x - want.v) < 1e-10 && Math.abs(fps[0].y - want.w) < 1e-10, `I = ${I}: ${fps[0].x} vs ${want.v}`);
    assert.equal(fps[0].values.v, fps[0].x);
    assert.equal(fps[0].stable, stable, `I = ${I}`);
    // the symbolic Jacobian equals the hand-derived one; complex eigenvalues ⇔ focus
    const J = [[(1 - want.v ** 2) / tau, -1 / tau], [phi / tau, (-phi * b) / tau]];
    const trJ = J[0][0] + J[1][1];
    const detJ = J[0][0] * J[1][1] - J[0][1] * J[1][0];
    assert.equal(fps[0].type, trJ * trJ < 4 * detJ ? 'focus' : 'node', `I = ${I}`);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) assert.ok(Math.abs(fps[0].jacobian[i][j] - J[i][j]) < 1e-6 * 1000);
    const [l1, l2] = fps[0].eigenvalues;
    assert.ok(Math.abs(l1.re + l2.re - trJ) < 1e-9 * 1000, 'λ1 + λ2 = trace');
    const prodRe = l1.re * l2.re - l1.im * l2.im;
    assert.ok(Math.abs(prodRe - detJ) < 1e-9 * Math.abs(detJ), 'λ1 λ2 = det');
  }
  // stability() at a given point agrees
  const r0 = fhnRoot(0);
  assert.equal(stability(FHN, 'v', 'w', { v: r0.v, w: r0.w }, { inputs: { I: 0 } }).label, 'stable focus');
});

test('nullclines: FHN nullclines lie on w = v - v³/3 + I and w = (v + a)/b within the grid spacing', () => {
  const I = 0.5;
  const grid = 151;
  const nc = nullclines(FHN, 'v', 'w', { xRange: [-2.5, 2.5], yRange: [-1, 2], grid, inputs: { I } });
  const dv = 5 / (grid - 1), dw = 3 / (grid - 1);
  assert.ok(nc.x.length >= 1 && nc.y.length >= 1);
  let n = 0;
  let vMin = Infinity, vMax = -Infinity;
  for (const l of nc.x) {
    for (let k = 0; k < l.x.length; k++) {
      const v = l.x[k];
      const w = l.y[k];
      // distance to the cubic, measured in w and in v (the curve is steep near its ends)
      const dW = Math.abs(w - (v - v ** 3 / 3 + I));
      const slope = Math.abs(1 - v * v);
      assert.ok(dW <= dw || dW / Math.max(slope, 1e-12) <= dv, `(${v}, ${w}) off the cubic by ${dW}`);
      vMin = Math.min(vMin, v);
      vMax = Math.max(vMax, v);
      n++;
    }
  }
  assert.ok(n > 100);
  // the cubic enters and leaves the window: w ∈ [-1, 2] ⇔ v from about -2.08 to 2.2
  assert.ok(vMin < -2 && vMax > 2, `v-nullcline spans [${vMin}, ${vMax}]`);
  for (const l of nc.y) {
    for (let k = 0; k < l.x.length; k++) assert.ok(Math.abs(l.y[k] - (l.x[k] + a) / b) < 1e-9);
  }
  const joined = joinPolylines(nc.x);
  assert.equal(joined.x.length, nc.x.reduce((s, l) => s + l.x.length, 0) + nc.x.length - 1);
});

test('marchingSquares: the unit circle is one closed loop on the circle', () => {
  const nx = 81;
  const xs = Float64Array.from({ length: nx }, (_, i) => -2 + (4 * i) / (nx - 1));
  const vals = new Float64Array(nx * nx);
  for (let j = 0; j < nx; j++) for (let i = 0; i < nx; i++) vals[j * nx + i] = xs[i] ** 2 + xs[j] ** 2 - 1;
  const lines = marchingSquares(vals, xs, xs);
  assert.equal(lines.length, 1);
  const l = lines[0];
  assert.equal(l.x[0], l.x[l.x.length - 1]);
  for (let k = 0; k < l.x.length; k++) assert.ok(Math.abs(Math.hypot(l.x[k], l.y[k]) - 1) < 0.01);
});

test('vectorField: values on the grid, in the layout phasePlaneSvg expects', () => {
  const f = vectorField(FHN, 'v', 'w', { ...plane, grid: [7, 5], inputs: { I: 0.2 } });
  assert.equal(f.x.length, 7);
  assert.equal(f.y.length, 5);
  for (let j = 0; j < 5; j++) {
    for (let i = 0; i < 7; i++) {
      const v = f.x[i], w = f.y[j];
      assert.ok(Math.abs(f.u[j * 7 + i] - (v - v ** 3 / 3 - w + 0.2) / tau) < 1e-9);
      assert.ok(Math.abs(f.v[j * 7 + i] - (phi * (v + a - b * w)) / tau) < 1e-9);
    }
  }
});

test('bifurcationScan: FHN Hopf current found within 2 %, and the attractor amplitude jumps above it', () => {
  const values = Array.from({ length: 21 }, (_, k) => k * 0.05);
  const scan = bifurcationScan(FHN, 'I', values, {
    xVar: 'v',
    yVar: 'w',
    ...plane,
    simulate: { variable: 'v', tStop: '600 ms', transient: '400 ms' },
  });
  const hopf = scan.transitions.filter((t) => t.kind === 'hopf');
  assert.ok(hopf.length >= 1);
  assert.ok(Math.abs(hopf[0].value - IH) / IH < 0.02, `Hopf at ${hopf[0].value}, analytic ${IH}`);
  assert.ok(Math.abs(hopf[0].value - IH) / IH < 1e-6, 'refined by bisection');
  const unrefined = bifurcationScan(FHN, 'I', values, { xVar: 'v', yVar: 'w', ...plane, refine: false });
  const h2 = unrefined.transitions.find((t) => t.kind === 'hopf')!;
  assert.ok(Math.abs(h2.value - IH) / IH < 0.02, `interpolated Hopf at ${h2.value}`);
  for (let k = 0; k < values.length; k++) {
    const amp = scan.max![k] - scan.min![k];
    if (values[k] < 0.3) assert.ok(amp < 0.05, `I = ${values[k]}: amplitude ${amp}`);
    if (values[k] > 0.4) assert.ok(amp > 3, `I = ${values[k]}: amplitude ${amp}`);
  }
  assert.equal(scan.fixedPoints.length, values.length);
});

test('1-D systems: fixed points of a cubic and a saddle-node in a scan', () => {
  const Bistable = defineNeuron({
    name: 'Bistable',
    equations: 'dx/dt = (x - x**3 + r) / tau : 1',
    params: { r: 0, tau: '10 ms' },
  });
  const fps = fixedPoints(Bistable, 'x', null, { xRange: [-2, 2] });
  assert.deepEqual(fps.map((p) => Math.round(p.x * 1e9) / 1e9), [-1, 0, 1]);
  assert.deepEqual(fps.map((p) => p.stable), [true, false, true]);
  assert.ok(Number.isNaN(fps[0].y));
  // saddle-node at r = 2/(3√3) ≈ 0.385: three fixed points become one
  const scan = bifurcationScan(Bistable, 'r', [0, 0.2, 0.3, 0.35, 0.4, 0.5], { xVar: 'x', xRange: [-2, 2] });
  assert.deepEqual(scan.fixedPoints.map((f) => f.length), [3, 3, 3, 3, 1, 1]);
  const sn = scan.transitions.find((t) => t.kind === 'saddle-node')!;
  assert.deepEqual(sn.between, [0.35, 0.4]);
  // a 2-D saddle
  const Lin = defineNeuron({ name: 'Lin', equations: 'dx/dt = x / tau : 1\ndy/dt = -y / tau : 1', params: { tau: '1 s' } });
  const s = fixedPoints(Lin, 'x', 'y', { xRange: [-1, 1], yRange: [-1, 1] });
  assert.equal(s.length, 1);
  assert.equal(s[0].type, 'saddle');
  assert.equal(s[0].stable, false);
  assert.throws(() => fixedPoints(Lin, 'z', 'y', { xRange: [-1, 1], yRange: [-1, 1] }), /xVar/);
});
