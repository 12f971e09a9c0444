/**
 * Training pieces that need no network: surrogate gradients, optimizers, schedules, clipping.
 * (Moved from the old training stack's test file; the network checks live in
 * test/network_models.test.ts and test/network_train.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Param, sigmoid, fastSigmoid, atan, triangle, gaussian, erf, Adam, AdamW, SGD, clipGradNorm, cosineLR, stepLR, type Surrogate } from '../src/train/index.js';

test('surrogates: σ\' is the derivative of σ, integrates to 1, and atan(2) is 1/(1 + (πh)²)', () => {
  const all: Surrogate[] = [sigmoid(3), fastSigmoid(5), atan(2), triangle(1.5), gaussian(2)];
  for (const s of all) {
    for (const h of [-0.9, -0.31, -0.05, 0.02, 0.2, 0.55]) {
      const e = 1e-6;
      const num = (s.soft(h + e) - s.soft(h - e)) / (2 * e);
      assert.ok(Math.abs(num - s.grad(h)) < 1e-6, `${s.name} at ${h}: ${num} vs ${s.grad(h)}`);
    }
    let integral = 0;
    for (let h = -200; h < 200; h += 0.001) integral += s.grad(h + 0.0005) * 0.001;
    assert.ok(Math.abs(integral - 1) < 2e-2, `${s.name} integrates to ${integral}`);
  }
  for (const h of [-1, 0, 0.3]) assert.ok(Math.abs(atan(2).grad(h) - 1 / (1 + (Math.PI * h) ** 2)) < 1e-15);
  assert.ok(Math.abs(erf(0.5) - 0.5204998778130465) < 1e-15);
  assert.ok(Math.abs(erf(2.4999) - erf(2.5001)) < 1e-4 && Math.abs(erf(3) - 0.9999779095030014) < 1e-14);
  assert.throws(() => atan(-1), /sharpness must be a positive/);
});

test('surrogates as trees: gradExpr and softExpr evaluate to grad and soft (the trees the step engine compiles, arctan and erf included)', async () => {
  const { emitJS } = await import('../src/equations/codegen.js');
  const { sym } = await import('../src/equations/ast.js');
  const { atanTree, erfTree } = await import('../src/autodiff/surrogate.js');
  const { compileKernel } = await import('../src/lang/kernel.js');
  const H = { abs: Math.abs, sign: Math.sign, min: Math.min, max: Math.max, exp: Math.exp, sqrt: Math.sqrt };
  // the trees' code, evaluated with Math only (no kernel helpers needed)
  const fn = (e: ReturnType<typeof sym>) => compileKernel(['x', 'Math'], `return ${emitJS(e, () => 'x')};`) as (x: number, m: typeof H) => number;
  for (const s of [sigmoid(3), fastSigmoid(5), atan(2), triangle(1.5), gaussian(2)]) {
    const g = fn(s.gradExpr(sym('h')));
    const soft = fn(s.softExpr(sym('h'))!);
    for (const h of [-3.1, -0.9, -0.31, -0.05, 0, 0.02, 0.2, 0.55, 4]) {
      assert.ok(Math.abs(g(h, { ...Math, ...H }) - s.grad(h)) <= 1e-14 * Math.max(1, Math.abs(s.grad(h))), `${s.name} grad at ${h}`);
      assert.ok(Math.abs(soft(h, { ...Math, ...H }) - s.soft(h)) <= 1e-13, `${s.name} soft at ${h}: ${soft(h, Math)} vs ${s.soft(h)}`);
    }
  }
  const at = fn(atanTree(sym('x')));
  const ef = fn(erfTree(sym('x')));
  for (let x = -30; x <= 30; x += 0.0137) {
    assert.ok(Math.abs(at(x, Math) - Math.atan(x)) <= 2e-15 * Math.max(Math.abs(Math.atan(x)), 1e-300), `atan(${x})`);
    assert.ok(Math.abs(ef(x, Math) - erf(x)) <= 1e-14 * Math.max(Math.abs(erf(x)), 1e-300), `erf(${x})`);
  }
});

// ------------------------------------------------------------------------------------------------

test('optimizers: SGD+momentum, Adam, AdamW minimise a quadratic; schedules; clipping', () => {
  const mk = (): Param => ({ name: 'p', value: Float64Array.of(3, -2), grad: new Float64Array(2) });
  const run = (opt: { step(): void; zeroGrad(): void }, p: Param, n = 500) => {
    for (let k = 0; k < n; k++) {
      opt.zeroGrad();
      p.grad[0] = 2 * (p.value[0] - 1);
      p.grad[1] = 2 * (p.value[1] + 1);
      opt.step();
    }
  };
  let p = mk();
  run(new SGD([p], { lr: 0.05, momentum: 0.9 }), p);
  assert.ok(Math.abs(p.value[0] - 1) < 1e-6 && Math.abs(p.value[1] + 1) < 1e-6);
  p = mk();
  run(new Adam([p], { lr: 0.05 }), p, 2000);
  assert.ok(Math.abs(p.value[0] - 1) < 1e-3 && Math.abs(p.value[1] + 1) < 1e-3);
  // First Adam step moves every coordinate by lr (bias correction).
  p = mk();
  const a = new Adam([p], { lr: 0.01 });
  p.grad[0] = 123;
  p.grad[1] = -1e-3;
  a.step();
  assert.ok(Math.abs(p.value[0] - 2.99) < 1e-9 && Math.abs(p.value[1] + 1.99) < 1e-6);
  p = mk();
  run(new AdamW([p], { lr: 0.05, weightDecay: 0.1 }), p, 2000);
  assert.ok(p.value[0] < 1 && p.value[0] > 0.8, `AdamW shrinks towards 0: ${p.value[0]}`);
  assert.equal(stepLR(1, 10, 0.5)(25), 0.25);
  assert.ok(Math.abs(cosineLR(1, 10)(5) - 0.5) < 1e-12 && cosineLR(1, 10, 0.1)(10) === 0.1);
  p = mk();
  p.grad.set([3, 4]);
  assert.equal(clipGradNorm([p], 1), 5);
  assert.ok(Math.abs(Math.hypot(p.grad[0], p.grad[1]) - 1) < 1e-12);
});
