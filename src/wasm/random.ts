/**
 * Counter-based random draws inside WebAssembly modules: `uniform(k0, k1, c0, c1) → f64` and
 * `normal(k0, k1, c0, c1) → f64`, the WebAssembly twins of KERNEL_HELPERS.uniform and
 * KERNEL_HELPERS.normal (src/equations/codegen.ts).
 *
 * Both hash the key (k0, k1) and the counter (c0, c1) — for a neuron update (seed, stream) and
 * (neuron, step) — with Threefry-2x32-20 as src/math/rng.ts does, then map the two words as the
 * JavaScript helpers do; the normal draw uses the logarithm and cosine of src/math/normal.ts,
 * operation for operation, so a draw has the same bits in both (float64 has one rounding per
 * operation, and neither side fuses a multiply and an add).
 */
import { ModuleBuilder, type FunctionBuilder, Op, ValType } from './encoder.js';
import { emitThreefryWords, localKey } from './threefry.js';
import { THREEFRY } from '../math/rng.js';
import { COS_SERIES, LN2, LOG_SERIES, SIN_SERIES, SQRT2, TURN } from '../math/normal.js';

/** The two functions' indices in a module. */
export interface RandomFunctions {
  readonly uniform: number;
  readonly normal: number;
}

const added = new WeakMap<ModuleBuilder, RandomFunctions>();

/**
 * The random-draw functions of module `m`, added on the first call (later calls return the same
 * indices).
 *
 * @example
 * const { normal } = randomFunctions(m);
 * f.i32(seed).i32(stream).get(i).get(n).call(normal); // f64 on the stack
 */
export function randomFunctions(m: ModuleBuilder): RandomFunctions {
  const known = added.get(m);
  if (known) return known;
  const params = [ValType.i32, ValType.i32, ValType.i32, ValType.i32];

  const u = m.addFunction(null, params, [ValType.f64]);
  const uniform = m.functionCount - 1;
  {
    const [x0, x1] = emitThreefry(u);
    // ((x0 >>> 5)·2^26 + (x1 >>> 6))·2^-53: 53 random bits in [0, 1)
    u.get(x0).i32(5).op(Op.i32_shr_u).op(Op.f64_convert_i32_u).f64(67108864).op(Op.f64_mul);
    u.get(x1).i32(6).op(Op.i32_shr_u).op(Op.f64_convert_i32_u).op(Op.f64_add).f64(1.1102230246251565e-16).op(Op.f64_mul);
  }

  const g = m.addFunction(null, params, [ValType.f64]);
  const normal = m.functionCount - 1;
  {
    const [x0, x1] = emitThreefry(g);
    // √(−2 ln u1) · cos(2π u2)
    g.f64(-2);
    emitLogOpenUnit(g, x0);
    g.op(Op.f64_mul).op(Op.f64_sqrt);
    emitCosTurn(g, x1);
    g.op(Op.f64_mul);
  }
  const fns = { uniform, normal };
  added.set(m, fns);
  return fns;
}

/** x0, x1 = Threefry-2x32-20 of key (param 0, param 1) and counter (param 2, param 3); returns the two locals. */
function emitThreefry(f: FunctionBuilder): [number, number] {
  const x0 = f.local(ValType.i32);
  const x1 = f.local(ValType.i32);
  const k2 = f.local(ValType.i32);
  f.i32(THREEFRY.PARITY).get(0).op(Op.i32_xor).get(1).op(Op.i32_xor).set(k2);
  emitThreefryWords(f, localKey(f, 0, 1, k2), (i) => void f.get(2 + i), x0, x1);
  return [x0, x1];
}

/** Pushes Horner's c[0] + x·(c[1] + … + x·c[last]) for x in local `x` (the order of src/math/normal.ts). */
function emitHorner(f: FunctionBuilder, c: readonly number[], x: number): void {
  const acc = f.local(ValType.f64);
  f.f64(c[c.length - 1]);
  for (let k = c.length - 2; k >= 0; k--) f.set(acc).f64(c[k]).get(x).get(acc).op(Op.f64_mul).op(Op.f64_add);
}

/**
 * Pushes logOpenUnit(x) (src/math/normal.ts) of the i32 in local `x`: ln((x + 1)·2^-32), bit for
 * bit as the JavaScript function computes it (also the exact geometric skip of just-in-time rows,
 * src/engine/jit.ts).
 *
 * @example
 * emitLogOpenUnit(f, x); // f64 on the stack
 */
export function emitLogOpenUnit(f: FunctionBuilder, x: number): void {
  const k = f.local(ValType.i32);
  const e = f.local(ValType.i32);
  const m = f.local(ValType.f64);
  const fr = f.local(ValType.f64);
  const s = f.local(ValType.f64);
  const z = f.local(ValType.f64);
  f.get(x).i32(-1).op(Op.i32_eq).if(ValType.f64);
  f.f64(0);
  f.else();
  f.get(x).i32(1).op(Op.i32_add).set(k);
  f.i32(31).get(k).op(Op.i32_clz).op(Op.i32_sub).set(e);
  // m = k · 2^-e, 2^-e built from its bits
  f.get(k).op(Op.f64_convert_i32_u);
  f.i32(1023).get(e).op(Op.i32_sub).op(Op.i64_extend_i32_u).i64(52n).op(Op.i64_shl).op(Op.f64_reinterpret_i64);
  f.op(Op.f64_mul).set(m);
  f.get(m).f64(SQRT2).op(Op.f64_gt).if();
  f.get(m).f64(0.5).op(Op.f64_mul).set(m);
  f.get(e).i32(1).op(Op.i32_add).set(e);
  f.end();
  f.get(m).f64(1).op(Op.f64_sub).set(fr);
  f.get(fr).f64(2).get(fr).op(Op.f64_add).op(Op.f64_div).set(s);
  f.get(s).get(s).op(Op.f64_mul).set(z);
  // (e − 32)·ln 2 + (2s + s·(z·P(z)))
  f.get(e).i32(32).op(Op.i32_sub).op(Op.f64_convert_i32_s).f64(LN2).op(Op.f64_mul);
  f.f64(2).get(s).op(Op.f64_mul);
  f.get(s).get(z);
  emitHorner(f, LOG_SERIES, z);
  f.op(Op.f64_mul).op(Op.f64_mul).op(Op.f64_add);
  f.op(Op.f64_add);
  f.end();
}

/** Pushes cosTurn(x) (src/math/normal.ts) of the i32 in local `x`. */
function emitCosTurn(f: FunctionBuilder, x: number): void {
  const q = f.local(ValType.i32);
  const r = f.local(ValType.i32);
  const flip = f.local(ValType.i32);
  const t = f.local(ValType.f64);
  const t2 = f.local(ValType.f64);
  const v = f.local(ValType.f64);
  f.get(x).i32(30).op(Op.i32_shr_u).set(q);
  f.get(x).i32(0x3fffffff).op(Op.i32_and).set(r);
  f.get(r).i32(0x20000000).op(Op.i32_gt_s).set(flip);
  f.get(flip).if();
  f.i32(0x40000000).get(r).op(Op.i32_sub).set(r);
  f.end();
  f.get(r).op(Op.f64_convert_i32_s).f64(TURN).op(Op.f64_mul).set(t);
  f.get(t).get(t).op(Op.f64_mul).set(t2);
  // sin when (q odd) xor flip, else cos
  f.get(q).i32(1).op(Op.i32_and).get(flip).op(Op.i32_ne).if(ValType.f64);
  f.get(t).get(t).get(t2).op(Op.f64_mul);
  emitHorner(f, SIN_SERIES, t2);
  f.op(Op.f64_mul).op(Op.f64_add);
  f.else();
  f.f64(1).get(t2);
  emitHorner(f, COS_SERIES, t2);
  f.op(Op.f64_mul).op(Op.f64_add);
  f.end();
  f.set(v);
  // negative in quadrants 1 and 2
  f.get(q).i32(1).op(Op.i32_eq).get(q).i32(2).op(Op.i32_eq).op(Op.i32_or).if(ValType.f64);
  f.get(v).op(Op.f64_neg);
  f.else();
  f.get(v);
  f.end();
}
