/**
 * The flush of a per-synapse delay ring: each step, the ring's slot for step n lands on the post
 * neurons of thread w's range and is emptied. For post neuron j with slot value x:
 * target[j] = target[j] + x (the sum in float64, stored in the target's precision) when x ≠ 0 and,
 * for a gated target, the neuron is not refractory; the slot becomes 0.
 *
 * Two neurons per turn in float64x2 lanes, without branches: with a delay ring on every projection
 * a step visits every post neuron of every delayed projection, most of whose slots are still 0, and
 * a branch per neuron on "x = 0" was mispredicted often enough to make the flush a third of the
 * microcircuit's run time. Lanes that must not change keep their old value (./pair_lanes.ts), so each
 * neuron ends with exactly the value of the one-by-one rule; a slot of −0 leaves the target as it
 * is, as x = 0 does. A last odd neuron takes the one-by-one rule.
 */
import { type FunctionBuilder, Op, SimdOp, ValType } from '../wasm/encoder.js';
import { emitPairAdd } from './pair_lanes.js';

/** What the flush reads of the projection and of the post group's layout. */
export interface RingFlushView {
  /** Byte offset of the ring (R slots of M float64 values). */
  readonly ring: number;
  readonly R: number;
  /** Post group size. */
  readonly M: number;
  /** Byte offset of the post group's target array (whole group). */
  readonly target: number;
  /** Byte offset of the post group's last-spike steps (i32). */
  readonly lastSpike: number;
  /** Byte offset of the per-thread [lo, hi) bounds of the post group. */
  readonly bounds: number;
  /** Refractory steps of a gated target (0: not gated). */
  readonly gate: number;
  readonly double: boolean;
}

/**
 * Appends the flush to `f`, whose parameter 0 is the step n and parameter 1 the thread w.
 *
 * @example
 * emitRingFlush(f, { ring, R, M, target, lastSpike, bounds, gate: 0, double: false });
 */
export function emitRingFlush(f: FunctionBuilder, v: RingFlushView): void {
  const { ring, R, M, target, lastSpike, bounds, gate, double } = v;
  const i32 = () => f.local(ValType.i32);
  const [j, hi, base, a] = [i32(), i32(), i32(), i32()];
  const x = f.local(ValType.v128);
  const xs = f.local(ValType.f64);
  const sh = double ? 3 : 2;
  f.get(1).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, bounds).set(j);
  f.get(1).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, bounds + 4).set(hi);
  f.get(0).i32(R).op(Op.i32_rem_u).i32(M).op(Op.i32_mul).set(base);
  // pairs while j + 2 ≤ hi
  f.block().get(j).i32(2).op(Op.i32_add).get(hi).op(Op.i32_gt_s).br_if(0).loop();
  f.get(base).get(j).op(Op.i32_add).i32(3).op(Op.i32_shl).tee(a).simdMem(SimdOp.v128_load, 3, ring).set(x);
  f.get(a).f64x2(0, 0).simdMem(SimdOp.v128_store, 3, ring);
  emitPairAdd(f, { step: 0, index: () => f.get(j), when: () => f.get(x), increment: () => f.get(x), target, lastSpike, gate, double });
  f.get(j).i32(2).op(Op.i32_add).tee(j).i32(2).op(Op.i32_add).get(hi).op(Op.i32_le_s).br_if(0);
  f.end().end();
  // a last odd neuron, one by one
  f.block().get(j).get(hi).op(Op.i32_ge_s).br_if(0);
  f.get(base).get(j).op(Op.i32_add).i32(3).op(Op.i32_shl).tee(a).mem(Op.f64_load, 3, ring).tee(xs);
  f.f64(0).op(Op.f64_eq).br_if(0);
  f.get(a).f64(0).mem(Op.f64_store, 3, ring);
  if (gate > 0) f.get(0).get(j).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, lastSpike).op(Op.i32_sub).i32(gate).op(Op.i32_lt_s).br_if(0);
  f.get(j).i32(sh).op(Op.i32_shl).tee(a);
  f.get(a).mem(double ? Op.f64_load : Op.f32_load, sh, target);
  if (!double) f.op(Op.f64_promote_f32);
  f.get(xs).op(Op.f64_add);
  if (!double) f.op(Op.f32_demote_f64);
  f.mem(double ? Op.f64_store : Op.f32_store, sh, target);
  f.end();
}
