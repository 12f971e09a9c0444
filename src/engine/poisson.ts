/**
 * Poisson input in the step engine (PoissonInput: `num` independent sources of rate `rate` onto
 * each neuron of a slice): each step, post neuron j gets c·weight with c = Binomial(num, p) drawn
 * by inversion of one uniform, exactly as the JavaScript loop's H.binomial draws it.
 *
 * Two things make it fast while keeping every draw bit for bit: the Threefry words of four
 * consecutive neurons come from one four-lane SIMD generator (src/engine/threefry.ts), and the
 * inversion's first probabilities — (1 − p)^num, then ·((num − k)/(k + 1))·p/(1 − p), the same
 * float64 operations H.binomial performs — are computed once here and compiled in as constants,
 * so the usual draw is a short fixed run of compares and subtractions without branches instead
 * of a division and a branch per step of k.
 * Beyond the unrolled part the recurrence continues as H.binomial runs it. Where the draw has a
 * branch-free part, two neurons share float64x2 lanes for it and for the increment (emitPairs).
 */
import { type ModuleBuilder, Op, SimdOp, ValType } from '../wasm/encoder.js';
import { emitThreefry, emitThreefry4, emitUniform, emitUniformOf } from './threefry.js';
import { emitPairAdd } from './pair_lanes.js';

/**
 * Poisson drive onto a slice of a group (PoissonInput): each step, post neuron j of the slice gets
 * c = Binomial(num, p) increments of `weight`, with c drawn by inversion from the uniform
 * H.uniform(seed, stream, j, n) exactly as the JavaScript kernel draws it (so for num·p·(1 − p) ≤ 25,
 * where the JavaScript draw is an inversion too).
 */
export interface EnginePoissonInputSpec {
  readonly name: string;
  readonly post: number;
  readonly postStart: number;
  readonly postSize: number;
  /** The post group's array that receives the increments. */
  readonly target: string;
  readonly weight: number;
  readonly num: number;
  readonly p: number;
  readonly seed: number;
  readonly stream: number;
  /** As for projections: > 0 drops increments to neurons with n − lastspike < gateRefSteps. */
  readonly gateRefSteps?: number;
}

/** What the emitter reads of the post group's layout. */
interface PostView {
  readonly offsets: Record<string, number>;
  readonly bounds: number;
  readonly lastSpike: number;
}

/** The most inversion steps compiled as constants per draw. */
const MAX_UNROLLED = 32;
/** The most of them done without branches (beyond, a branch per step costs less than the chain). */
const MAX_BRANCH_FREE = 8;

/**
 * The inversion's probabilities P(c = 0), P(c = 1), …, P(c = L) as H.binomial computes them
 * (the same float64 operations in the same order), L = min(num, a few standard deviations above
 * the mean, at most MAX_UNROLLED).
 */
export function inversionTable(num: number, p: number): number[] {
  const q = 1 - p;
  const ratio = p / q;
  const mean = num * p;
  const L = Math.min(num, MAX_UNROLLED, Math.max(4, Math.ceil(mean + 6 * Math.sqrt(mean) + 2)));
  const probs = [Math.pow(q, num)];
  for (let k = 0; k < L; k++) probs.push(probs[k] * (((num - k) / (k + 1)) * ratio));
  return probs;
}

/**
 * `poisson(n, w)`: the Poisson input's increments of step n to thread w's part of the post slice.
 */
export function emitPoissonInput(m: ModuleBuilder, spec: EnginePoissonInputSpec, post: PostView, double: boolean): number {
  const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
  const idx = m.functionCount - 1;
  const N_ = 0;
  const W = 1;
  const jj = f.local(ValType.i32);
  const hi = f.local(ValType.i32);
  const j = f.local(ValType.i32);
  const k = f.local(ValType.i32);
  const x0 = f.local(ValType.i32);
  const x1 = f.local(ValType.i32);
  const u = f.local(ValType.f64);
  const prob = f.local(ValType.f64);
  const a = f.local(ValType.i32);
  const X0 = f.local(ValType.v128);
  const X1 = f.local(ValType.v128);
  const probs = inversionTable(spec.num, spec.p);
  const L = probs.length - 1;
  const mean = spec.num * spec.p;
  // where most draws are 0 the first branch is well predicted: no branch-free part then
  const B = probs[0] > 0.75 ? 0 : Math.min(L, MAX_BRANCH_FREE, Math.ceil(mean + 2 * Math.sqrt(mean) + 1));
  const ratio = spec.p / (1 - spec.p);
  const gate = spec.gateRefSteps ?? 0;
  const shift = double ? 3 : 2;
  const tOff = post.offsets[spec.target];
  const end = spec.postStart + spec.postSize;

  /** k = Binomial(num, p) of the uniform on the stack, consumed into local u. */
  const emitInversion = (): void => {
    f.set(u);
    // The first B steps without branches: k = the number of t < B with u_t > prob_t, where
    // u_(t+1) = u_t − prob_t. Once u_t ≤ prob_t, every later u is ≤ 0 and every later test fails,
    // so k is exactly where H.binomial's loop stops if it stops before B, and u is its u at B when
    // k = B. (A branch per step would be mispredicted about once per draw; B covers most draws.)
    f.i32(0).set(k);
    for (let t = 0; t < B; t++) {
      f.get(u).f64(probs[t]).op(Op.f64_gt).get(k).op(Op.i32_add).set(k);
      f.get(u).f64(probs[t]).op(Op.f64_sub).set(u);
    }
    if (B === spec.num) return;
    emitTail();
  };

  /** The inversion after its first B steps, from locals u (u_B) and k (= B when the draw goes on). */
  const emitTail = (): void => {
    f.block(); // drawn
    f.get(k).i32(B).op(Op.i32_ne).br_if(0);
    // steps B … L − 1 with branches (rarely reached for small means), then the recurrence
    for (let t = B; t < L; t++) {
      f.get(u).f64(probs[t]).op(Op.f64_gt).op(Op.i32_eqz).br_if(0);
      f.get(u).f64(probs[t]).op(Op.f64_sub).set(u);
      f.i32(t + 1).set(k);
    }
    if (L < spec.num) {
      // the rare tail: H.binomial's recurrence from prob_L on
      f.f64(probs[L]).set(prob);
      f.block().loop();
      f.get(u).get(prob).op(Op.f64_gt).op(Op.i32_eqz).br_if(1);
      f.get(k).i32(spec.num).op(Op.i32_ge_s).br_if(1);
      f.get(u).get(prob).op(Op.f64_sub).set(u);
      f.get(prob).i32(spec.num).get(k).op(Op.i32_sub).op(Op.f64_convert_i32_s).get(k).i32(1).op(Op.i32_add).op(Op.f64_convert_i32_s).op(Op.f64_div).f64(ratio).op(Op.f64_mul).op(Op.f64_mul).set(prob);
      f.get(k).i32(1).op(Op.i32_add).set(k);
      f.br(0);
      f.end().end();
    }
    f.end(); // drawn
  };

  /** target[jj + lane] += k·weight (the sum in float64), unless k = 0 or a gated neuron is refractory. */
  const emitAdd = (lane: number): void => {
    f.block(); // next neuron
    f.get(k).op(Op.i32_eqz).br_if(0);
    f.get(jj);
    if (lane > 0) f.i32(lane).op(Op.i32_add);
    f.set(a);
    if (gate > 0) f.get(N_).get(a).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, post.lastSpike).op(Op.i32_sub).i32(gate).op(Op.i32_lt_s).br_if(0);
    f.get(a).i32(shift).op(Op.i32_shl).tee(a);
    f.get(a).mem(double ? Op.f64_load : Op.f32_load, shift, tOff);
    if (!double) f.op(Op.f64_promote_f32);
    f.get(k).op(Op.f64_convert_i32_s).f64(spec.weight).op(Op.f64_mul).op(Op.f64_add);
    if (!double) f.op(Op.f32_demote_f64);
    f.mem(double ? Op.f64_store : Op.f32_store, shift, tOff);
    f.end();
  };

  /**
   * The four lanes of X0, X1 as two pairs of float64x2 lanes (neurons jj, jj + 1, then jj + 2,
   * jj + 3): the uniforms, the first B inversion steps and the increments in SIMD, with the same
   * float64 operations per lane as the scalar draw (so the same k and the same sums). A pair where a
   * lane took all B steps finishes that lane's draw one by one (emitTail). Lanes with k = 0, or whose
   * gated neuron is refractory, keep their target (./pair_lanes.ts: no branch per neuron).
   */
  const emitPairs = (): void => {
    const [U, K] = [f.local(ValType.v128), f.local(ValType.v128)];
    const one = () => f.f64x2(1, 1);
    for (let h = 0; h < 2; h++) {
      // u = (f64(x0 >>> 5)·2^26 + f64(x1 >>> 6))·2^-53 for the pair's two lanes (each < 2^27: a signed conversion is exact)
      const low = (X: number, bits: number) => {
        f.get(X).i32(bits).simd(SimdOp.i32x4_shr_u);
        // lanes 2, 3 to 0, 1 (a shuffle of the value with itself)
        if (h === 1) f.get(X).i32(bits).simd(SimdOp.i32x4_shr_u).simd(SimdOp.i8x16_shuffle, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
        f.simd(SimdOp.f64x2_convert_low_i32x4_s);
      };
      low(X0, 5);
      f.f64x2(67108864, 67108864).simd(SimdOp.f64x2_mul);
      low(X1, 6);
      f.simd(SimdOp.f64x2_add).f64x2(1.1102230246251565e-16, 1.1102230246251565e-16).simd(SimdOp.f64x2_mul).set(U);
      // k += (u > prob_t) as 1.0 or 0.0; u −= prob_t
      f.f64x2(0, 0).set(K);
      for (let t = 0; t < B; t++) {
        f.get(K).get(U).f64x2(probs[t], probs[t]).simd(SimdOp.f64x2_gt);
        one();
        f.simd(SimdOp.v128_and).simd(SimdOp.f64x2_add).set(K);
        f.get(U).f64x2(probs[t], probs[t]).simd(SimdOp.f64x2_sub).set(U);
      }
      if (B < spec.num) {
        // a lane that took all B steps: the rest of its draw one by one
        f.get(K).f64x2(B, B).simd(SimdOp.f64x2_eq).simd(SimdOp.v128_any_true).if();
        for (let lane = 0; lane < 2; lane++) {
          f.get(U).simd(SimdOp.f64x2_extract_lane, lane).set(u);
          f.get(K).simd(SimdOp.f64x2_extract_lane, lane).op(Op.i32_trunc_f64_s).set(k);
          emitTail();
          f.get(K).get(k).op(Op.f64_convert_i32_s).simd(SimdOp.f64x2_replace_lane, lane).set(K);
        }
        f.end();
      }
      // target = target + k·weight (float64) where k ≠ 0 and (gated) the neuron is not refractory
      emitPairAdd(f, {
        step: N_,
        index: () => f.get(jj).i32(2 * h).op(Op.i32_add),
        when: () => f.get(K),
        increment: () => f.get(K).f64x2(spec.weight, spec.weight).simd(SimdOp.f64x2_mul),
        target: tOff,
        lastSpike: post.lastSpike,
        gate,
        double,
      });
    }
  };

  // [jj, hi) = the thread's range ∩ the slice
  f.get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, post.bounds).set(jj);
  f.get(jj).i32(spec.postStart).get(jj).i32(spec.postStart).op(Op.i32_gt_s).op(Op.select).set(jj);
  f.get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, post.bounds + 4).set(hi);
  f.get(hi).i32(end).get(hi).i32(end).op(Op.i32_lt_s).op(Op.select).set(hi);

  // four neurons at a time: one SIMD Threefry, then each lane's inversion
  f.block().loop();
  f.get(jj).i32(4).op(Op.i32_add).get(hi).op(Op.i32_gt_s).br_if(1);
  f.get(jj).i32(spec.postStart).op(Op.i32_sub).set(j);
  emitThreefry4(f, spec.seed, spec.stream, j, N_, X0, X1);
  if (B > 0) emitPairs();
  else {
    for (let lane = 0; lane < 4; lane++) {
      emitUniformOf(f, () => f.get(X0).simd(SimdOp.i32x4_extract_lane, lane), () => f.get(X1).simd(SimdOp.i32x4_extract_lane, lane));
      emitInversion();
      emitAdd(lane);
    }
  }
  f.get(jj).i32(4).op(Op.i32_add).set(jj);
  f.br(0);
  f.end().end();

  // the last up to three neurons one at a time
  f.block().get(jj).get(hi).op(Op.i32_ge_s).br_if(0).loop();
  f.get(jj).i32(spec.postStart).op(Op.i32_sub).set(j);
  emitThreefry(f, spec.seed, spec.stream, j, N_, x0, x1);
  emitUniform(f, x0, x1);
  emitInversion();
  emitAdd(0);
  f.get(jj).i32(1).op(Op.i32_add).tee(jj).get(hi).op(Op.i32_lt_s).br_if(0);
  f.end().end();
  return idx;
}

