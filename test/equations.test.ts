import { test } from 'node:test';
import { compileKernel } from '../src/lang/kernel.js';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  parseExpr,
  parseStatements,
  parseEquations,
  parseQuantity,
  evaluate,
  diff,
  simplify,
  show,
  inferDim,
  formatDim,
  emitJS,
  type Expr,
  DimensionError,
  ParseError,
  EquationError,
  UNITS,
  KERNEL_HELPERS,
} from '../src/index.js';

test('parser: precedence and associativity follow the usual mathematical rules', () => {
  const cases: [string, Record<string, number>, number][] = [
    ['1 + 2 * 3', {}, 7],
    ['(1 + 2) * 3', {}, 9],
    ['2 ** 3 ** 2', {}, 512],
    ['-2 ** 2', {}, -4],
    ['8 / 4 / 2', {}, 1],
    ['a - b - c', { a: 10, b: 3, c: 2 }, 5],
    ['exp(log(x))', { x: 3.5 }, 3.5],
    ['exprel(0)', {}, 1],
    ['clip(x, 0, 1)', { x: 4 }, 1],
    ['(x > 1) and (x < 3)', { x: 2 }, 1],
    ['not (x > 1) or x == 0', { x: 0 }, 1],
    ['1.5e-3 * 2', {}, 3e-3],
  ];
  for (const [text, env, want] of cases) assert.ok(Math.abs(evaluate(parseExpr(text), env) - want) < 1e-12, text);
});

test('parser: syntax errors say where', () => {
  assert.throws(() => parseExpr('1 + * 2'), ParseError);
  assert.throws(() => parseExpr('foo(1)'), /unknown function 'foo'/);
  assert.throws(() => parseExpr('exp(1, 2)'), /takes 1 argument/);
  assert.throws(() => parseExpr('(a + b'), /expected '\)'/);
  assert.throws(() => parseExpr('a @ b'), /unexpected character '@'/);
});

test('statements: assignments with compound operators', () => {
  const s = parseStatements('v = Vr; w += b\n x *= 2 # comment');
  assert.deepEqual(s.map((a) => [a.target, a.op]), [['v', '='], ['w', '+='], ['x', '*=']]);
});

test('units: quantities are parsed into SI with their dimension', () => {
  assert.ok(Math.abs(parseQuantity('20 ms').value - 0.02) < 1e-15);
  assert.equal(formatDim(parseQuantity('20 ms').dim), 'second');
  assert.ok(Math.abs(parseQuantity('-55*mV').value + 0.055) < 1e-15);
  assert.equal(formatDim(parseQuantity('1 uF/cm**2').dim), 'farad/metre^2');
  assert.ok(Math.abs(parseQuantity('1 uF/cm**2').value - 1e-2) < 1e-15);
  assert.equal(formatDim(parseQuantity('6 nS').dim), 'siemens');
  assert.equal(formatDim(parseQuantity('1/ms').dim), 'hertz');
  assert.equal(formatDim(parseQuantity('100 Mohm').dim), 'ohm');
  assert.equal(parseQuantity(3).value, 3);
  // Ohm's law holds in the unit system: volt = ohm * amp
  assert.equal(formatDim(inferDim(parseExpr('Mohm * pA'), (n) => UNITS.get(n)?.dim)), 'volt');
  assert.equal(formatDim(inferDim(parseExpr('nS * mV'), (n) => UNITS.get(n)?.dim)), 'amp');
  assert.equal(formatDim(inferDim(parseExpr('pF / nS'), (n) => UNITS.get(n)?.dim)), 'second');
});

test('dimensions: mismatches are refused with both dimensions named', () => {
  const dims: Record<string, ReturnType<typeof parseQuantity>['dim']> = { v: parseQuantity('1 mV').dim, tau: parseQuantity('1 ms').dim, x: parseQuantity('1').dim };
  const dimOf = (n: string) => dims[n];
  assert.equal(formatDim(inferDim(parseExpr('-v/tau'), dimOf)), 'volt/second');
  assert.throws(() => inferDim(parseExpr('v + tau'), dimOf), (e: Error) => e instanceof DimensionError && /volt/.test(e.message) && /second/.test(e.message));
  assert.throws(() => inferDim(parseExpr('exp(v)'), dimOf), /dimensionless argument/);
  assert.throws(() => inferDim(parseExpr('v ** x'), dimOf), /non-constant power/);
  assert.throws(() => inferDim(parseExpr('q * 2'), dimOf), /unknown symbol 'q'/);
  assert.equal(formatDim(inferDim(parseExpr('sqrt(v*v)'), dimOf)), 'volt');
  assert.equal(formatDim(inferDim(parseExpr('max(v, 0)'), dimOf)), 'volt');
});

test('equations: the kinds of lines, units and flags', () => {
  const eqs = parseEquations(
    `dv/dt = (-(v - El) + R*I)/tau : volt (unless refractory)  # membrane
     Isyn = g*(E - v) : amp
     I : amp (input)
     b : 1`,
    'test',
  );
  assert.deepEqual(eqs.map((e) => [e.kind, e.name, e.flags.join()]), [
    ['diff', 'v', 'unless refractory'],
    ['sub', 'Isyn', ''],
    ['value', 'I', 'input'],
    ['value', 'b', ''],
  ]);
  assert.throws(() => parseEquations('dv/dt = -v/tau', "model 'M'"), (e: Error) => e instanceof EquationError && /model 'M'/.test(e.message) && /unit/.test(e.message));
  assert.throws(() => parseEquations('dv/dt = -v/tau : volt (sometimes)', 'M'), /unknown flag 'sometimes'/);
  assert.throws(() => parseEquations('dv/dt = 1 : volt\ndv/dt = 2 : volt', 'M'), /defined twice/);
  assert.throws(() => parseEquations('dt = 1 : second', 'M'), /reserved/);
});

test('symbolic differentiation of known cases', () => {
  const d = (text: string, x: string, env: Record<string, number>) => evaluate(diff(parseExpr(text), x), env);
  assert.equal(d('x**3 + a*x', 'x', { x: 2, a: 5 }), 17);
  assert.ok(Math.abs(d('exp(-x/tau)', 'x', { x: 1, tau: 2 }) - -0.5 * Math.exp(-0.5)) < 1e-15);
  assert.ok(Math.abs(d('x/(1 + x)', 'x', { x: 1 }) - 0.25) < 1e-15);
  assert.ok(Math.abs(d('log(x)*sin(x)', 'x', { x: 2 }) - (Math.sin(2) / 2 + Math.log(2) * Math.cos(2))) < 1e-14);
  // linearity: the derivative of a COBA membrane equation with respect to v no longer contains v
  const f = parseExpr('(ge*(Ee - v) + gi*(Ei - v) - (v - El) + I)/taum');
  assert.ok(!show(diff(f, 'v')).includes('v'));
  assert.equal(show(simplify(parseExpr('0*x + 1*y - 0'))), 'y');
});

// Random expressions of x built from smooth functions on safe domains.
const exprArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', 'a', '2', '0.5', '3'),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*'), tie('e')).map(([p, op, q]) => `(${p} ${op} ${q})`),
    tie('e').map((p) => `exp(0.1*${p})`),
    tie('e').map((p) => `tanh(${p})`),
    tie('e').map((p) => `sin(${p})`),
    tie('e').map((p) => `(${p})/(2 + (${p})**2)`),
    tie('e').map((p) => `sqrt(1 + (${p})**2)`),
    tie('e').map((p) => `exprel(0.3*${p})`),
  ),
})).e;

test('property: symbolic derivatives agree with central finite differences', () => {
  fc.assert(
    fc.property(exprArb, fc.double({ min: -1.5, max: 1.5, noNaN: true }), (text, x) => {
      const e = parseExpr(text);
      const f = (v: number) => evaluate(e, { x: v, a: 0.7 });
      const h = 1e-5;
      const numeric = (f(x + h) - f(x - h)) / (2 * h);
      const symbolic = evaluate(diff(e, 'x'), { x, a: 0.7 });
      if (!Number.isFinite(numeric) || Math.abs(numeric) > 1e6) return true;
      return Math.abs(symbolic - numeric) <= 1e-5 * (1 + Math.abs(numeric));
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('property: generated JavaScript computes what the tree evaluates to', () => {
  fc.assert(
    fc.property(exprArb, fc.double({ min: -2, max: 2, noNaN: true }), (text, x) => {
      const e: Expr = parseExpr(text);
      const code = emitJS(e, (n) => (n === 'x' ? 'x' : n === 'a' ? '0.7' : 'NaN'));
      const fn = compileKernel(['x', 'H'], `return ${code};`) as (x: number, h: unknown) => number;
      const got = fn(x, KERNEL_HELPERS);
      const want = evaluate(e, { x, a: 0.7 });
      return Object.is(got, want) || Math.abs(got - want) <= 1e-12 * (1 + Math.abs(want));
    }),
    { numRuns: 300, seed: 7 },
  );
});
