import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Expr, type BinOp, num, sym, bin, neg, call } from '../src/equations/ast.js';
import { parseExpr, parseStatements } from '../src/equations/parser.js';
import { evaluate } from '../src/equations/symbolic.js';
import { ModuleBuilder, FunctionBuilder, Op, SimdOp, ValType, uleb128, sleb128 } from '../src/wasm/encoder.js';
import { WasmUnsupportedError, unsupportedFunctions, type LaneKind } from '../src/wasm/expr.js';
import { buildExprEvaluator } from '../src/wasm/evaluator.js';
import { buildUpdateKernel, WasmArena, type UpdateKernelSpec } from '../src/wasm/kernel.js';
import { buildJsUpdate } from '../src/wasm/reference.js';
import { lifModel, cobahhModel, type KernelModel } from '../src/wasm/models.js';
import { instantiateSync, newMemory, wasmApi } from '../src/wasm/runtime.js';

const F32_EPS = 2 ** -24; // half an ulp of 1 in float32
const F64_EPS = 2 ** -53;

// ---------------------------------------------------------------------------------------------
// Encoder

test('LEB128 encodings', () => {
  assert.deepEqual(uleb128(0), [0]);
  assert.deepEqual(uleb128(127), [0x7f]);
  assert.deepEqual(uleb128(128), [0x80, 0x01]);
  assert.deepEqual(uleb128(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(sleb128(0), [0]);
  assert.deepEqual(sleb128(-1), [0x7f]);
  assert.deepEqual(sleb128(63), [0x3f]);
  assert.deepEqual(sleb128(64), [0xc0, 0x00]);
  assert.deepEqual(sleb128(-64), [0x40]);
  assert.deepEqual(sleb128(-65), [0xbf, 0x7f]);
  assert.deepEqual(sleb128(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(sleb128(-(2n ** 63n)), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
});

test('the encoder builds valid modules: scalar code, locals, loops, memory, exports', () => {
  const m = new ModuleBuilder();
  m.importMemory({ initial: 1 });
  // sum(n) = Σ_{k<n} mem_i32[k], with a loop, a local, br_if
  const f = m.addFunction('sum', [ValType.i32], [ValType.i32]);
  const k = f.local(ValType.i32);
  const s = f.local(ValType.i32);
  f.block().get(0).i32(0).op(Op.i32_le_s).br_if(0).loop();
  f.get(s).get(k).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, 0).op(Op.i32_add).set(s);
  f.get(k).i32(1).op(Op.i32_add).tee(k).get(0).op(Op.i32_lt_s).br_if(0);
  f.end().end().get(s);
  const g = m.addFunction('mix', [ValType.f64, ValType.f32], [ValType.f64]);
  g.get(0).get(1).op(Op.f64_promote_f32).op(Op.f64_mul).f64(0.25).op(Op.f64_add);
  const bytes = m.toBytes();
  assert.ok(wasmApi().validate(bytes));
  const mem = newMemory(1);
  const ex = instantiateSync(bytes, mem);
  new Int32Array(mem.buffer).set([1, 2, 3, -4, 100]);
  assert.equal((ex.sum as (n: number) => number)(4), 2);
  assert.equal((ex.sum as (n: number) => number)(0), 0);
  assert.equal((ex.mix as (a: number, b: number) => number)(3, 0.5), 1.75);
});

test('the encoder builds SIMD code; shared memory imports', () => {
  const m = new ModuleBuilder();
  m.importMemory({ initial: 1, maximum: 2, shared: true });
  // out[0..3] = pmin(a, b) + a·b (f32x4); returns bitmask(a < b)
  const f = m.addFunction('v', [], [ValType.i32]);
  f.i32(32);
  f.i32(0).simdMem(SimdOp.v128_load, 4, 0).i32(0).simdMem(SimdOp.v128_load, 4, 16).simd(SimdOp.f32x4_pmin);
  f.i32(0).simdMem(SimdOp.v128_load, 4, 0).i32(0).simdMem(SimdOp.v128_load, 4, 16).simd(SimdOp.f32x4_mul);
  f.simd(SimdOp.f32x4_add).simdMem(SimdOp.v128_store, 4, 0);
  f.i32(0).simdMem(SimdOp.v128_load, 4, 0).i32(0).simdMem(SimdOp.v128_load, 4, 16).simd(SimdOp.f32x4_lt).simd(SimdOp.i32x4_bitmask);
  const mem = newMemory(1, { maximum: 2, shared: true });
  assert.ok(mem.buffer instanceof SharedArrayBuffer);
  const ex = instantiateSync(m.toBytes(), mem);
  const F = new Float32Array(mem.buffer);
  F.set([1, 5, -2, 3], 0);
  F.set([2, 4, -3, 3], 4);
  assert.equal((ex.v as () => number)(), 0b0001);
  assert.deepEqual(Array.from(F.subarray(8, 12)), [1 + 2, 4 + 20, -3 + 6, 3 + 9]);
  // a FunctionBuilder on its own encodes locals run-length grouped
  const b = new FunctionBuilder([], []);
  b.local(ValType.v128);
  b.local(ValType.v128);
  b.local(ValType.i32);
  assert.deepEqual(b.encode(), [6, 2, 2, ValType.v128, 1, ValType.i32, Op.end]);
});

// ---------------------------------------------------------------------------------------------
// Expression compiler: random expressions against float64 evaluation

/**
 * Float64 value of `e` and a bound on the error a float32 (or float64) evaluation may make,
 * propagated through the tree (first-order, each operation's rounding and each function's
 * implementation error included). Infinite when the result is ill-conditioned (a comparison
 * too close to call, a division by a value indistinguishable from 0).
 */
function valueAndBound(e: Expr, env: Record<string, number>, eps: number): { v: number; b: number; big: number } {
  const FN_ERR = 6 * eps; // ≤ 3 ulp per elementary function
  const TINY = eps === F32_EPS ? 2 ** -149 : 2 ** -1074; // absolute rounding error near 0 (subnormals)
  const rec = (x: Expr): { v: number; b: number; big: number } => {
    const r = rec0(x);
    return { ...r, b: r.b + TINY };
  };
  const rec0 = (x: Expr): { v: number; b: number; big: number } => {
    switch (x.k) {
      case 'num':
        return { v: x.v, b: Math.abs(x.v) * eps, big: Math.abs(x.v) };
      case 'sym':
        return { v: env[x.name], b: 0, big: Math.abs(env[x.name]) };
      case 'neg': {
        const a = rec(x.a);
        return { v: -a.v, b: a.b, big: a.big };
      }
      case 'bin': {
        const a = rec(x.a);
        if (x.op === '^') {
          const k = (x.b as { v: number }).v;
          const v = a.v ** k;
          return { v, b: k * Math.abs(a.v) ** (k - 1) * a.b * 1.01 + k * Math.abs(v) * eps + a.b ** k, big: Math.max(a.big, Math.abs(v)) };
        }
        const b = rec(x.b);
        const big = Math.max(a.big, b.big);
        let v: number;
        let bound: number;
        if (x.op === '+' || x.op === '-') {
          v = x.op === '+' ? a.v + b.v : a.v - b.v;
          bound = a.b + b.b;
        } else if (x.op === '*') {
          v = a.v * b.v;
          bound = Math.abs(a.v) * b.b + Math.abs(b.v) * a.b + a.b * b.b;
        } else {
          v = a.v / b.v;
          bound = Math.abs(b.v) <= 2 * b.b || b.v === 0 ? Infinity : (a.b + Math.abs(v) * b.b) / (Math.abs(b.v) - b.b);
        }
        return { v, b: bound + Math.abs(v) * eps, big: Math.max(big, Math.abs(v)) };
      }
      case 'cmp': {
        const a = rec(x.a);
        const b = rec(x.b);
        const v = evaluate({ ...x, a: num(a.v), b: num(b.v) }, {});
        const close = Math.abs(a.v - b.v) <= 2 * (a.b + b.b) + 1e-300;
        return { v, b: close ? Infinity : 0, big: Math.max(a.big, b.big) };
      }
      case 'call': {
        const args = x.args.map(rec);
        const a = args[0];
        const v = evaluate({ ...x, args: args.map((y) => num(y.v)) }, {});
        const big = Math.max(...args.map((y) => y.big), Math.abs(v));
        const av = Math.abs(v);
        let b: number;
        switch (x.fn) {
          case 'exp':
            b = av * (Math.expm1(a.b) + FN_ERR);
            break;
          case 'expm1':
            b = Math.exp(a.v) * Math.expm1(a.b) + av * FN_ERR;
            break;
          case 'exprel':
            b = (av + 0.5) * Math.expm1(a.b) * (1 + Math.abs(a.v)) + av * FN_ERR;
            break;
          case 'tanh':
            b = a.b + av * FN_ERR;
            break;
          case 'sigmoid':
            b = 0.25 * a.b + av * FN_ERR;
            break;
          case 'abs':
            b = a.b;
            break;
          case 'sqrt':
            b = Math.min(v > 0 ? a.b / (2 * v) : Infinity, Math.sqrt(a.b)) + av * eps;
            break;
          case 'log':
            b = a.v - a.b > 0 ? a.b / (a.v - a.b) + av * FN_ERR + eps : Infinity;
            break;
          case 'min':
          case 'max':
            b = Math.max(a.b, args[1].b);
            break;
          default:
            throw new Error(x.fn);
        }
        return { v, b, big };
      }
      default:
        throw new Error(x.k);
    }
  };
  return rec(e);
}

const exprArb = (depth: number): fc.Arbitrary<Expr> => {
  const { e } = fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { maxDepth: depth, depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('x', 'y', 'z').map((n) => sym(n)),
      fc.double({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true }).map((v) => num(v)),
      fc.tuple(fc.constantFrom<BinOp>('+', '-', '*', '/'), tie('e'), tie('e')).map(([op, a, b]) => bin(op, a, b)),
      tie('e').map((a) => neg(a)),
      fc.tuple(fc.constantFrom('exp', 'expm1', 'exprel', 'tanh', 'sigmoid', 'abs'), tie('e')).map(([fn, a]) => call(fn, a)),
      tie('e').map((a) => call('sqrt', call('abs', a))),
      tie('e').map((a) => call('log', bin('+', call('abs', a), num(0.5)))),
      fc.tuple(fc.constantFrom('min', 'max'), tie('e'), tie('e')).map(([fn, a, b]) => call(fn, a, b)),
      fc.tuple(tie('e'), fc.constantFrom(2, 3)).map(([a, k]) => bin('^', a, num(k))),
      fc.tuple(fc.constantFrom('<', '>', '<=', '>=') as fc.Arbitrary<'<' | '>' | '<=' | '>='>, tie('e'), tie('e'), tie('e')).map(
        ([op, a, b, c]) => bin('*', { k: 'cmp', op, a, b }, c),
      ),
    ),
  }));
  return e;
};

function checkRandomExpressions(kind: LaneKind, eps: number, runs: number) {
  const POINTS = 32;
  let checked = 0;
  let worst = 0;
  fc.assert(
    fc.property(exprArb(4), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3 * POINTS, maxLength: 3 * POINTS }), (e, xs) => {
      const ev = buildExprEvaluator(e, kind, POINTS);
      const round = eps === F32_EPS ? Math.fround : (v: number) => v;
      const pts = Array.from({ length: POINTS }, (_, k) => ({ x: round(xs[3 * k]), y: round(xs[3 * k + 1]), z: round(xs[3 * k + 2]) }));
      for (const s of ev.symbols) ev.inputs[s].set(pts.map((p) => p[s as 'x' | 'y' | 'z']));
      ev.run(POINTS);
      for (let k = 0; k < POINTS; k++) {
        const { b, big } = valueAndBound(e, pts[k], eps);
        const v = evaluate(e, pts[k]);
        if (!Number.isFinite(b) || !Number.isFinite(v) || big > 1e30) continue;
        const got = ev.output[k];
        const err = Math.abs(got - v);
        checked++;
        if (b > 0) worst = Math.max(worst, err / b);
        if (!(err <= 2 * b + 1e-300)) {
          throw new Error(`${kind}: ${JSON.stringify(e)} at ${JSON.stringify(pts[k])}: wasm ${got}, float64 ${v}, error ${err} > 2 × bound ${b}`);
        }
      }
    }),
    { numRuns: runs, seed: 42 },
  );
  return { checked, worst };
}

test('f32x4 expressions agree with float64 evaluation within float32 error bounds (fast-check)', () => {
  const { checked, worst } = checkRandomExpressions('f32x4', F32_EPS, 250);
  console.log(`f32x4 random expressions: ${checked} points checked, worst error / bound = ${worst.toFixed(3)}`);
  assert.ok(checked > 2000);
});

test('f64 and f64x2 expressions agree with float64 evaluation within float64 error bounds (fast-check)', () => {
  for (const kind of ['f64', 'f64x2'] as const) {
    const { checked, worst } = checkRandomExpressions(kind, F64_EPS, 120);
    console.log(`${kind} random expressions: ${checked} points checked, worst error / bound = ${worst.toFixed(3)}`);
    assert.ok(checked > 1000);
  }
});

test('comparisons and logic produce lane masks; numbers used as conditions follow JavaScript truthiness', () => {
  const e = parseExpr('((x > 0) and not (y < 1)) or (z != z)') as Expr;
  for (const kind of ['f32x4', 'f32', 'f64x2', 'f64'] as const) {
    const ev = buildExprEvaluator(e, kind, 8);
    const pts = [
      [1, 2, 0],
      [1, 0, 0],
      [-1, 2, 0],
      [0, 5, 1],
      [2, 1, NaN],
      [-1, -1, NaN],
      [3, 1, 2],
      [0.5, 0.5, 1],
    ];
    ev.inputs.x.set(pts.map((p) => p[0]));
    ev.inputs.y.set(pts.map((p) => p[1]));
    ev.inputs.z.set(pts.map((p) => p[2]));
    ev.run(8);
    assert.deepEqual(Array.from(ev.output), pts.map(([x, y, z]) => evaluate(e, { x, y, z })), kind);
  }
  // a number as a condition: non-zero and not NaN
  const t = buildExprEvaluator(parseExpr('x and 1'), 'f32x4', 4);
  t.inputs.x.set([0, NaN, -2, 0.5]);
  t.run(4);
  assert.deepEqual(Array.from(t.output), [0, 0, 1, 1]);
});

test('pow with integer exponents, min/max/clip, sign and unsupported functions', () => {
  const ev = buildExprEvaluator(parseExpr('x^2 + x^3 - x^-2 + x^7 + clip(x, -1, 0.5) + sign(x) + min(x, 0) + max(x, 1) + x**0.5'), 'f64x2', 4);
  ev.inputs.x.set([0.25, 1.5, 3, 2]);
  ev.run(4);
  for (let k = 0; k < 4; k++) {
    const x = ev.inputs.x[k];
    const ref = x ** 2 + x ** 3 - x ** -2 + x ** 7 + Math.min(Math.max(x, -1), 0.5) + Math.sign(x) + Math.min(x, 0) + Math.max(x, 1) + Math.sqrt(x);
    assert.ok(Math.abs(ev.output[k] - ref) <= 1e-13 * Math.abs(ref), `${ev.output[k]} vs ${ref}`);
  }
  const g = buildExprEvaluator(parseExpr('x^2.5 + 2^x'), 'f32x4', 4);
  g.inputs.x.set([0.5, 1, 2, 3]);
  g.run(4);
  for (let k = 0; k < 4; k++) {
    const x = g.inputs.x[k];
    assert.ok(Math.abs(g.output[k] - (x ** 2.5 + 2 ** x)) <= 1e-6 * (x ** 2.5 + 2 ** x));
  }
  assert.deepEqual(unsupportedFunctions(parseExpr('sin(x) + exp(cos(x))')), ['sin', 'cos']);
  assert.throws(() => buildExprEvaluator(parseExpr('sin(x)'), 'f32x4', 4), WasmUnsupportedError);
});

// ---------------------------------------------------------------------------------------------
// Elementary functions: accuracy sweeps

/** Distance in float32 ulps (of the reference's binade; normal range). */
const ulps32 = (got: number, ref: number) => Math.abs(got - ref) / 2 ** (Math.floor(Math.log2(Math.abs(Math.fround(ref)))) - 23);
const ulps64 = (got: number, ref: number) => Math.abs(got - ref) / 2 ** (Math.floor(Math.log2(Math.abs(ref))) - 52);

function sweep(fn: string, kind: LaneKind, xs: Float64Array, ref: (x: number) => number): { ulp: number; rel: number; at: number } {
  const ev = buildExprEvaluator(parseExpr(`${fn}(x)`), kind, xs.length);
  ev.inputs.x.set(xs);
  ev.run(xs.length);
  const f32 = kind === 'f32x4' || kind === 'f32';
  const minNormal = f32 ? 2 ** -126 : 2 ** -1022;
  let ulp = 0;
  let rel = 0;
  let at = 0;
  for (let k = 0; k < xs.length; k++) {
    const x = ev.inputs.x[k];
    const r = ref(x);
    const got = ev.output[k];
    if (!Number.isFinite(r) || Math.abs(f32 ? Math.fround(r) : r) < minNormal || (f32 && !Number.isFinite(Math.fround(r)))) continue;
    const u = f32 ? ulps32(got, r) : ulps64(got, r);
    if (u > ulp) {
      ulp = u;
      at = x;
    }
    rel = Math.max(rel, Math.abs(got - r) / Math.abs(r));
  }
  return { ulp, rel, at };
}

const exprelRef = (x: number) => (x === 0 ? 1 : Math.abs(x) < 1e-8 ? 1 + x / 2 : Math.expm1(x) / x);

function grid(lo: number, hi: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => lo + ((hi - lo) * (k + 0.5)) / n);
}
function logGrid(lo: number, hi: number, n: number, sign = 1): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => sign * Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * k) / (n - 1)));
}
const concat = (...a: Float64Array[]) => {
  const out = new Float64Array(a.reduce((s, x) => s + x.length, 0));
  let o = 0;
  for (const x of a) {
    out.set(x, o);
    o += x.length;
  }
  return out;
};

test('exp, expm1, log, exprel (f32x4): accuracy sweeps (≤ 2 ulp)', () => {
  const M = 1 << 18;
  const nearZero = concat(logGrid(1e-30, 1, M / 4), logGrid(1e-30, 1, M / 4, -1));
  const positives = Float64Array.from({ length: M }, (_, k) => {
    // float32 bit patterns across the whole positive range, subnormals included
    const b = new Float32Array(new Uint32Array([Math.floor(((k + 0.5) / M) * 0x7f7fffff)]).buffer);
    return b[0];
  });
  const cases: [string, Float64Array, (x: number) => number, number][] = [
    ['exp', concat(grid(-104, 89, M), nearZero), Math.exp, 1.5],
    ['expm1', concat(grid(-30, 89, M), nearZero), Math.expm1, 2],
    ['log', positives, Math.log, 2],
    ['exprel', concat(grid(-60, 89, M), nearZero, grid(-1e-3, 1e-3, M / 4)), exprelRef, 2],
    ['tanh', concat(grid(-12, 12, M), nearZero), Math.tanh, 2.5],
    ['sigmoid', grid(-80, 30, M), (x) => 1 / (1 + Math.exp(-x)), 2.5],
  ];
  for (const [fn, xs, ref, limit] of cases) {
    const r = sweep(fn, 'f32x4', xs, ref);
    console.log(`f32x4 ${fn}: max ${r.ulp.toFixed(2)} ulp (at x = ${r.at.toPrecision(6)}), max relative error ${r.rel.toExponential(2)}`);
    assert.ok(r.ulp <= limit, `${fn}: ${r.ulp} ulp at ${r.at}`);
    // the scalar float32 code (vector tails) computes the same bits
    const a = buildExprEvaluator(parseExpr(`${fn}(x)`), 'f32x4', 4096);
    const s = buildExprEvaluator(parseExpr(`${fn}(x)`), 'f32', 4096);
    a.inputs.x.set(xs.subarray(0, 4096));
    s.inputs.x.set(xs.subarray(0, 4096));
    a.run(4096);
    s.run(4096);
    assert.deepEqual(a.output, s.output);
  }
});

test('exp, expm1, log, exprel (f64): accuracy sweeps (≤ 3 ulp)', () => {
  const M = 1 << 16;
  const cases: [string, Float64Array, (x: number) => number][] = [
    ['exp', concat(grid(-745, 709, M), logGrid(1e-300, 1, M / 4), logGrid(1e-300, 1, M / 4, -1)), Math.exp],
    ['expm1', concat(grid(-40, 709, M), logGrid(1e-300, 1, M / 4), logGrid(1e-300, 1, M / 4, -1)), Math.expm1],
    ['log', logGrid(1e-320, 1e308, M), Math.log],
    ['exprel', concat(grid(-60, 700, M), logGrid(1e-300, 1, M / 4), logGrid(1e-300, 1, M / 4, -1)), exprelRef],
  ];
  for (const [fn, xs, ref] of cases) {
    for (const kind of ['f64', 'f64x2'] as const) {
      const r = sweep(fn, kind, xs, ref);
      if (kind === 'f64') console.log(`f64 ${fn}: max ${r.ulp.toFixed(2)} ulp (at x = ${r.at.toPrecision(6)}), max relative error ${r.rel.toExponential(2)}`);
      assert.ok(r.ulp <= 3, `${kind} ${fn}: ${r.ulp} ulp at ${r.at}`);
    }
  }
});

test('elementary functions: special values, underflow, overflow, exprel near 0', () => {
  const xs = [0, -0, 1e-30, -1e-30, 1e-40, 88.72, 88.73, 200, -87, -103.5, -200, Infinity, -Infinity, NaN, -1];
  const expect32: Record<string, (x: number) => number> = {
    exp: (x) => Math.fround(Math.exp(x)),
    expm1: (x) => Math.fround(Math.expm1(x)),
    exprel: (x) => (x === Infinity ? Infinity : Math.fround(exprelRef(x))),
    log: (x) => Math.fround(Math.log(x)),
  };
  for (const kind of ['f32x4', 'f32'] as const) {
    for (const [fn, ref] of Object.entries(expect32)) {
      const ev = buildExprEvaluator(parseExpr(`${fn}(x)`), kind, xs.length);
      ev.inputs.x.set(xs);
      ev.run(xs.length);
      xs.forEach((x0, k) => {
        const x = Math.fround(x0);
        const want = ref(x);
        const got = ev.output[k];
        if (Number.isNaN(want) || !Number.isFinite(want) || want === 0) assert.ok(Object.is(got, want) || (want === 0 && got === 0), `${kind} ${fn}(${x}) = ${got}, want ${want}`);
        else assert.ok(Math.abs(got - want) <= 3e-7 * Math.abs(want) + 2e-45, `${kind} ${fn}(${x}) = ${got}, want ${want}`);
      });
    }
  }
  // exprel near 0 in float32: smooth, 1 at 0, 1 + x/2 to first order
  const ev = buildExprEvaluator(parseExpr('exprel(x)'), 'f32x4', 8);
  ev.inputs.x.set([1e-7, -1e-7, 1e-4, -1e-4, 2 ** -20, -(2 ** -20), 1e-38, 0]);
  ev.run(8);
  ev.inputs.x.forEach((x, k) => assert.ok(Math.abs(ev.output[k] - exprelRef(x)) <= 1.2e-7, `exprel(${x}) = ${ev.output[k]}`));
});

// ---------------------------------------------------------------------------------------------
// Update kernels

/** Runs a model for `steps` steps; returns the spikes as [step, neuron] pairs. */
function runModel(m: KernelModel, update: (n: number, out: number) => number, steps: number): [number, number][] {
  const out: [number, number][] = [];
  for (let n = 0; n < steps; n++) {
    const c = update(n, m.spikeOffset);
    for (let k = 0; k < c; k++) out.push([n, m.spikes[k]]);
  }
  return out;
}

/** Spike-train comparison: exact matches, matches shifted by one or two steps, the rest. */
function compareSpikes(a: [number, number][], b: [number, number][]) {
  const key = (n: number, i: number) => i * 1e6 + n;
  const setB = new Set(b.map(([n, i]) => key(n, i)));
  const setA = new Set(a.map(([n, i]) => key(n, i)));
  let exact = 0;
  let shift1 = 0;
  let shift2 = 0;
  for (const [n, i] of a) {
    if (setB.has(key(n, i))) exact++;
    else if (setB.has(key(n - 1, i)) || setB.has(key(n + 1, i))) shift1++;
    else if (setB.has(key(n - 2, i)) || setB.has(key(n + 2, i))) shift2++;
  }
  const unmatchedB = b.filter(([n, i]) => !setA.has(key(n, i)) && !setA.has(key(n - 1, i)) && !setA.has(key(n + 1, i)) && !setA.has(key(n - 2, i)) && !setA.has(key(n + 2, i))).length;
  return { a: a.length, b: b.length, exact, shift1, shift2, unmatched: a.length - exact - shift1 - shift2 + unmatchedB };
}

const STEPS = 1000;

test('LIF (Euler) f32x4 kernel is bit-identical to a float32 emulation of the JS kernel', () => {
  const N = 1003; // a tail of 3
  const m = lifModel(N, 'f32x4', 3);
  const spec: UpdateKernelSpec = { ...m.spec, reciprocalDivision: false, flushSubnormals: false };
  const update = buildUpdateKernel(spec).instantiate(m.arena.memory());
  // reference: the same statements with every operation rounded to float32
  const fr = Math.fround;
  const v = Float32Array.from(m.views.v);
  const g0 = Float32Array.from(m.views['syn0$g']);
  const g1 = Float32Array.from(m.views['syn1$g']);
  const I = Float32Array.from(m.views['ext$I']);
  const ls = new Int32Array(N).fill(-0x40000000);
  const ev32 = (e: Expr, env: Record<string, number>): number => {
    const r = (x: Expr): number => {
      switch (x.k) {
        case 'num':
          return fr(x.v);
        case 'sym':
          return env[x.name];
        case 'neg':
          return -r(x.a);
        case 'bin': {
          const a = r(x.a);
          const b = r(x.b);
          return fr(x.op === '+' ? a + b : x.op === '-' ? a - b : x.op === '*' ? a * b : a / b);
        }
        default:
          throw new Error(x.k);
      }
    };
    return r(e);
  };
  const [rv, r0, r1] = spec.vars.map((x) => x.rhs);
  const dt = fr(spec.dt);
  const ref: [number, number][] = [];
  for (let n = 0; n < STEPS; n++) {
    for (let i = 0; i < N; i++) {
      const env = { v: v[i], 'syn0$g': g0[i], 'syn1$g': g1[i], 'ext$I': I[i] };
      const nr = n - ls[i] >= 50;
      let nv = fr(v[i] + (nr ? fr(dt * ev32(rv, env)) : 0));
      const n0 = fr(g0[i] + fr(dt * ev32(r0, env)));
      const n1 = fr(g1[i] + fr(dt * ev32(r1, env)));
      if (nr && nv > fr(-0.05)) {
        nv = fr(-0.06);
        ls[i] = n;
        ref.push([n, i]);
      }
      v[i] = nv;
      g0[i] = n0;
      g1[i] = n1;
    }
  }
  const got = runModel(m, update, STEPS);
  assert.deepEqual(got, ref);
  assert.deepEqual(m.views.v, v);
  assert.deepEqual(m.views['syn0$g'], g0);
  assert.deepEqual(m.lastSpike, ls);
  assert.ok(ref.length > 3000);
});

test('LIF kernel against the JavaScript kernel: identical spikes (f32x4), identical state (f64x2, f64)', () => {
  const N = 4003;
  for (const lanes of ['f32x4', 'f64x2', 'f64'] as const) {
    const a = lifModel(N, lanes, 1);
    const b = lifModel(N, lanes, 1);
    const sa = runModel(a, buildUpdateKernel(a.spec).instantiate(a.arena.memory()), STEPS);
    const sb = runModel(b, buildJsUpdate(b.spec, b.arena.memory()), STEPS);
    const c = compareSpikes(sa, sb);
    console.log(`LIF ${lanes} vs JS (${N} neurons × ${STEPS} steps): wasm ${c.a} spikes, JS ${c.b}, identical ${c.exact}, shifted by 1 step ${c.shift1}, unmatched ${c.unmatched}`);
    if (lanes === 'f32x4') {
      assert.ok(c.exact >= 0.999 * c.b && c.unmatched === 0);
      let dv = 0;
      for (let i = 0; i < N; i++) dv = Math.max(dv, Math.abs(a.views.v[i] - b.views.v[i]));
      assert.ok(dv < 1e-6, `max |Δv| = ${dv}`);
    } else {
      // float64 with exact division: the same arithmetic as JavaScript, bit for bit
      assert.deepEqual(sa, sb);
      for (const k of Object.keys(a.views)) assert.deepEqual(a.views[k], b.views[k], k);
    }
  }
});

test('COBAHH (exponential Euler) kernel against the JavaScript kernel over 1000 steps', () => {
  const N = 4003;
  for (const lanes of ['f32x4', 'f64x2'] as const) {
    const a = cobahhModel(N, lanes, 1);
    const b = cobahhModel(N, lanes, 1);
    const sa = runModel(a, buildUpdateKernel(a.spec).instantiate(a.arena.memory()), STEPS);
    const sb = runModel(b, buildJsUpdate(b.spec, b.arena.memory()), STEPS);
    const c = compareSpikes(sa, sb);
    let dv = 0;
    for (let i = 0; i < N; i++) dv = Math.max(dv, Math.abs(a.views.v[i] - b.views.v[i]));
    console.log(`COBAHH ${lanes} vs JS (${N} neurons × ${STEPS} steps): wasm ${c.a} spikes, JS ${c.b}, identical ${c.exact}, shifted by 1 step ${c.shift1}, by 2 ${c.shift2}, unmatched ${c.unmatched}; max |Δv| at the end ${dv.toExponential(2)} V`);
    assert.ok(c.b > 20000);
    if (lanes === 'f32x4') {
      assert.ok(c.exact >= 0.995 * c.b, 'at least 99.5 % of spikes at the same step');
      assert.ok(c.exact + c.shift1 >= 0.999 * c.b, 'at least 99.9 % within one step');
      assert.ok(Math.abs(c.a - c.b) <= 0.001 * c.b);
    } else {
      assert.deepEqual(sa, sb);
      assert.ok(dv < 1e-12);
    }
  }
});

test('kernels: vector and scalar lanes, every compaction, unrolling and repeated builds give identical bits', () => {
  for (const make of [lifModel, cobahhModel]) {
    const N = 1031;
    const runs = (['f32x4:branch:1', 'f32x4:branchless:1', 'f32x4:unrolled:1', 'f32x4:auto:1', 'f32:auto:1', 'f32x4:auto:1', 'f32x4:auto:3'] as const).map((cfg) => {
      const [lanes, compaction, unroll] = cfg.split(':') as [LaneKind, 'branch' | 'branchless' | 'unrolled' | 'auto', string];
      const m = make(N, lanes, 5);
      const spikes = runModel(m, buildUpdateKernel({ ...m.spec, compaction, unroll: Number(unroll) }).instantiate(m.arena.memory()), 300);
      return { spikes, v: Float32Array.from(m.views.v), ls: Int32Array.from(m.lastSpike) };
    });
    for (const r of runs.slice(1)) {
      assert.deepEqual(r.spikes, runs[0].spikes);
      assert.deepEqual(r.v, runs[0].v);
      assert.deepEqual(r.ls, runs[0].ls);
    }
    assert.ok(runs[0].spikes.length > 0);
  }
});

test('kernels: refractoriness, tails of every length, the divergence flag', () => {
  // no neuron spikes twice within the refractory period (50 steps)
  const m = lifModel(4000, 'f32x4', 2);
  const spikes = runModel(m, buildUpdateKernel(m.spec).instantiate(m.arena.memory()), 600);
  const last = new Map<number, number>();
  for (const [n, i] of spikes) {
    const p = last.get(i);
    if (p !== undefined) assert.ok(n - p >= 50, `neuron ${i} spiked at ${p} and ${n}`);
    last.set(i, n);
  }
  // sizes around the vector width
  for (const N of [0, 1, 2, 3, 4, 5, 7, 8, 9]) {
    const a = lifModel(N, 'f32x4', 9);
    const b = lifModel(N, 'f32', 9);
    const sa = runModel(a, buildUpdateKernel(a.spec).instantiate(a.arena.memory()), 400);
    const sb = runModel(b, buildUpdateKernel(b.spec).instantiate(b.arena.memory()), 400);
    assert.deepEqual(sa, sb, `N = ${N}`);
    assert.deepEqual(a.views.v, b.views.v);
  }
  // divergence: a NaN in one neuron raises the flag
  const d = lifModel(10, 'f32x4', 1);
  const arena = new WasmArena();
  const offs = { v: arena.reserve(40), 'syn0$g': arena.reserve(40), 'syn1$g': arena.reserve(40), 'ext$I': arena.reserve(40) };
  const ls = arena.reserve(40);
  const sp = arena.reserve(40);
  const fl = arena.reserve(4);
  const k = buildUpdateKernel({ ...d.spec, arrays: offs, lastSpikeOffset: ls, finiteFlagOffset: fl });
  const update = k.instantiate(arena.memory());
  arena.f32(offs.v, 10).fill(-0.06);
  arena.i32(ls, 10).fill(-0x40000000);
  update(0, sp);
  assert.equal(arena.i32(fl, 1)[0], 0);
  arena.f32(offs.v, 10)[9] = NaN; // in the scalar tail
  update(1, sp);
  assert.equal(arena.i32(fl, 1)[0], 1);
  arena.f32(offs.v, 10)[9] = -0.06;
  arena.f32(offs['syn1$g'], 10)[2] = Infinity; // in a vector
  update(2, sp);
  assert.equal(arena.i32(fl, 1)[0], 1);
});

test('RK2 and RK4 kernels with a time-dependent, nonlinear model match the JavaScript kernel', () => {
  // FitzHugh–Nagumo driven by a time-dependent input, threshold and reset
  const vars = [
    { name: 'v', rhs: parseExpr('(v - v^3/3 - w + I*(1 + exp(-t)))/0.01'), gated: true },
    { name: 'w', rhs: parseExpr('0.08*(v + 0.7 - 0.8*w)/0.01'), gated: false },
  ];
  for (const method of ['rk2', 'rk4'] as const) {
    const N = 37;
    const runs = (['f64', 'js', 'f32x4'] as const).map((engine) => {
      const lanes: LaneKind = engine === 'js' ? 'f64' : engine;
      const arena = new WasmArena();
      const bytes = lanes === 'f32x4' ? 4 : 8;
      const arrays = { v: arena.reserve(N * bytes), w: arena.reserve(N * bytes), I: arena.reserve(N * bytes) };
      const lsOff = arena.reserve(N * 4);
      const spOff = arena.reserve(N * 4);
      const spec: UpdateKernelSpec = {
        size: N, lanes, vars, method, dt: 1e-4, arrays, threshold: parseExpr('v > 1.5'),
        reset: parseStatements('v = -1; w += 0.5'), refSteps: 20, lastSpikeOffset: lsOff,
      };
      const mem = arena.memory();
      const view = (o: number) => (bytes === 4 ? arena.f32(o, N) : arena.f64(o, N));
      view(arrays.v).fill(-1);
      view(arrays.w).fill(-0.5);
      view(arrays.I).set(Array.from({ length: N }, (_, i) => 0.2 + i * 0.03));
      arena.i32(lsOff, N).fill(-0x40000000);
      const update = engine === 'js' ? buildJsUpdate(spec, mem) : buildUpdateKernel(spec).instantiate(mem);
      const spikes: [number, number][] = [];
      const SP = arena.i32(spOff, N);
      for (let n = 0; n < 3000; n++) {
        const c = update(n, spOff);
        for (let q = 0; q < c; q++) spikes.push([n, SP[q]]);
      }
      return { spikes, v: Array.from(view(arrays.v)) };
    });
    const [f64, js, f32] = runs;
    assert.ok(js.spikes.length > 50, `${method}: ${js.spikes.length} spikes`);
    // exp() differs from Math.exp by an ulp at most: spikes identical, state within 1e-12
    assert.deepEqual(f64.spikes, js.spikes, method);
    f64.v.forEach((x, i) => assert.ok(Math.abs(x - js.v[i]) < 1e-9, `${method} v[${i}]`));
    const c = compareSpikes(f32.spikes, js.spikes);
    assert.ok(c.exact + c.shift1 >= 0.98 * c.b && c.unmatched <= 0.01 * c.b, `${method} f32x4: ${JSON.stringify(c)}`);
  }
});
