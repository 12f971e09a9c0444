/**
 * Gradient checks shared by the training tests: central finite differences against the backward
 * pass (not a test file itself).
 */
import assert from 'node:assert/strict';
import { type Param } from '../../src/train/index.js';

/** What a gradient check needs of a network: a Network (anything with parameters, zeroGrad and backward). */
export interface Trainable {
  parameters(): Param[];
  zeroGrad(): void;
  backward(): void;
}

export interface Check {
  param: string;
  index: number;
  analytic: number;
  numeric: number;
  rel: number;
  /** Relative sensitivity: loss change for a 1 % change of the parameter's scale, over the loss. */
  sens: number;
}

/**
 * Central finite differences against the backward pass, for the entries of each parameter with the
 * largest analytic gradients (up to `per` of them).
 */
export function gradCheck(net: Trainable, lossFn: () => number, run: () => void, options: { per?: number; rel?: number; only?: (p: Param) => boolean } = {}): Check[] {
  const per = options.per ?? 4;
  const rel = options.rel ?? 3e-4;
  const params = net.parameters().filter(options.only ?? (() => true));
  net.zeroGrad();
  run();
  lossFn();
  net.backward();
  const L0 = Math.abs(lossFn());
  const analytic = params.map((p) => Float64Array.from(p.grad));
  const out: Check[] = [];
  params.forEach((p, pi) => {
    const g = analytic[pi];
    const order = [...g.keys()].sort((a, b) => Math.abs(g[b]) - Math.abs(g[a])).slice(0, per);
    const scale = Math.max(...Array.from(p.value, Math.abs), 1e-30);
    for (const i of order) {
      const x = p.value[i];
      // A step relative to the parameter's size; for parameters that are all 0 (e.g. initial values), one that changes the loss by ~1e-8 of itself.
      const h = scale > 1e-30 ? rel * Math.max(Math.abs(x), scale * 0.1) : (1e-8 * Math.max(L0, 1e-30)) / Math.max(Math.abs(g[i]), 1e-300);
      p.value[i] = x + h;
      run();
      const up = lossFn();
      p.value[i] = x - h;
      run();
      const down = lossFn();
      p.value[i] = x;
      const numeric = (up - down) / (2 * h);
      const a = g[i];
      const err = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), 1e-300);
      out.push({ param: p.name, index: i, analytic: a, numeric, rel: err, sens: (Math.abs(a) * (h / rel)) / Math.max(L0, 1e-300) });
    }
  });
  return out;
}

export function assertChecks(checks: Check[], what: string, tol = 1e-3, options: { requireNonZero?: boolean } = {}): number {
  assert.ok(checks.length > 0, `${what}: nothing was checked`);
  let worst = 0;
  for (const c of checks) {
    assert.ok(Number.isFinite(c.analytic) && Number.isFinite(c.numeric), `${what}: ${c.param}[${c.index}] not finite (${c.analytic}, ${c.numeric})`);
    if (options.requireNonZero) assert.ok(c.analytic !== 0, `${what}: ${c.param}[${c.index}] analytic gradient is 0 (numeric ${c.numeric})`);
    else assert.ok(c.analytic !== 0 || c.numeric === 0, `${what}: ${c.param}[${c.index}] analytic gradient is 0 but numeric is ${c.numeric}`);
    assert.ok(c.rel < tol, `${what}: ${c.param}[${c.index}] analytic ${c.analytic} vs numeric ${c.numeric} (relative error ${c.rel.toExponential(2)})`);
    worst = Math.max(worst, c.rel);
  }
  return worst;
}

