/**
 * The masked update of two neighbouring post neurons in float64x2 lanes, shared by the emitters
 * that walk post neurons two at a time (the delay ring's flush, Poisson input): each lane adds its
 * increment unless its "when" lane is 0 or, for a gated target, its neuron is refractory; a lane
 * that must not change keeps its old value by a bit select (the f32 → f64 → f32 round trip of an
 * unchanged value is exact), so the result is the one-by-one rule's, without a branch per neuron.
 */
import { type FunctionBuilder, Op, SimdOp, ValType } from '../wasm/encoder.js';

export interface PairAdd {
  /** The local (or parameter) holding the step n. */
  readonly step: number;
  /** Pushes the i32 index j of the first of the two neurons (in the target array's coordinates). */
  readonly index: () => void;
  /** Pushes an f64x2 whose lanes that are 0 leave their neuron unchanged. */
  readonly when: () => void;
  /** Pushes the f64x2 increments. */
  readonly increment: () => void;
  /** Byte offsets of the target array and of the group's last-spike steps (i32). */
  readonly target: number;
  readonly lastSpike: number;
  /** Refractory steps of a gated target (0: not gated): n − lastspike[j] < gate drops the increment. */
  readonly gate: number;
  readonly double: boolean;
}

/**
 * target[j + l] = target[j + l] + increment_l (the sum in float64), l = 0, 1, where allowed.
 *
 * @example
 * emitPairAdd(f, { step: 0, index: () => f.get(j), when: () => f.get(x), increment: () => f.get(x), target, lastSpike, gate: 0, double: false });
 */
export function emitPairAdd(f: FunctionBuilder, o: PairAdd): void {
  const ok = f.local(ValType.v128);
  const old = f.local(ValType.v128);
  const at = f.local(ValType.i32);
  o.index();
  f.set(at);
  o.when();
  f.f64x2(0, 0).simd(SimdOp.f64x2_ne); // NaN counts as ≠ 0, as in the one-by-one rules
  if (o.gate > 0) {
    // refractory when n − lastspike[j] < gate: lanes 0, 1 of the i32 compare, widened to 64 bits
    f.get(o.step).simd(SimdOp.i32x4_splat);
    f.get(at).i32(2).op(Op.i32_shl).simdMem(SimdOp.v128_load64_zero, 2, o.lastSpike);
    f.simd(SimdOp.i32x4_sub).i32x4(o.gate, o.gate, o.gate, o.gate).simd(SimdOp.i32x4_lt_s).simd(SimdOp.i64x2_extend_low_i32x4_s);
    f.simd(SimdOp.v128_andnot);
  }
  f.set(ok);
  f.get(at).i32(o.double ? 3 : 2).op(Op.i32_shl).tee(at);
  f.get(at);
  if (o.double) f.simdMem(SimdOp.v128_load, 3, o.target);
  else f.simdMem(SimdOp.v128_load64_zero, 2, o.target).simd(SimdOp.f64x2_promote_low_f32x4);
  f.tee(old);
  o.increment();
  f.simd(SimdOp.f64x2_add).get(old).get(ok).simd(SimdOp.v128_bitselect);
  if (o.double) f.simdMem(SimdOp.v128_store, 3, o.target);
  else f.simd(SimdOp.f32x4_demote_f64x2_zero).simdMem(SimdOp.v128_store64_lane, 2, o.target).op(0);
}
