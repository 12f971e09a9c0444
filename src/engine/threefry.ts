/**
 * Threefry-2x32-20 in the step engine, as src/math/rng.ts computes it: the scalar form (one
 * counter) and a four-lane SIMD form (four consecutive neurons of one step), which gives the same
 * words lane for lane. The generator is a chain of dependent add/rotate/xor rounds, so one neuron
 * at a time leaves the core mostly waiting; four lanes per instruction do four draws in the time
 * of one.
 */
import { type FunctionBuilder, Op, SimdOp } from '../wasm/encoder.js';
import { THREEFRY } from '../math/rng.js';
import { constantKey, emitThreefryWords } from '../wasm/threefry.js';

/** The three key words of key (k0, k1): k0, k1 and the parity word. */
function keyWords(k0: number, k1: number): number[] {
  return [k0 >>> 0, k1 >>> 0, (THREEFRY.PARITY ^ k0 ^ k1) >>> 0];
}

/** Emits x0, x1 = Threefry-2x32-20 of key (k0, k1) and counter (c0 local, c1 local), as src/math/rng.ts computes it. */
export function emitThreefry(f: FunctionBuilder, k0: number, k1: number, c0: number, c1: number, x0: number, x1: number): void {
  emitThreefryWords(f, constantKey(f, k0, k1), (i) => void f.get(i === 0 ? c0 : c1), x0, x1);
}

/**
 * Emits the v128 locals X0, X1 = Threefry-2x32-20 of key (k0, k1) and the four counters
 * (c0 + 0, c0 + 1, c0 + 2, c0 + 3; c1) — lane l holds what {@link emitThreefry} gives for counter
 * (c0 + l, c1). c0 and c1 are i32 locals.
 */
export function emitThreefry4(f: FunctionBuilder, k0: number, k1: number, c0: number, c1: number, X0: number, X1: number): void {
  const keys = keyWords(k0, k1);
  f.get(c0).simd(SimdOp.i32x4_splat).i32x4(keys[0] | 0, (keys[0] + 1) | 0, (keys[0] + 2) | 0, (keys[0] + 3) | 0).simd(SimdOp.i32x4_add).set(X0);
  f.get(c1).i32(keys[1]).op(Op.i32_add).simd(SimdOp.i32x4_splat).set(X1);
  for (let r = 0; r < 20; r++) {
    const s = THREEFRY.ROT[r & 7];
    f.get(X0).get(X1).simd(SimdOp.i32x4_add).set(X0);
    f.get(X1).i32(s).simd(SimdOp.i32x4_shl).get(X1).i32(32 - s).simd(SimdOp.i32x4_shr_u).simd(SimdOp.v128_or).get(X0).simd(SimdOp.v128_xor).set(X1);
    if ((r & 3) === 3) {
      const inj = (r + 1) >> 2;
      f.get(X0).i32x4(keys[inj % 3] | 0).simd(SimdOp.i32x4_add).set(X0);
      f.get(X1).i32x4((keys[(inj + 1) % 3] + inj) | 0).simd(SimdOp.i32x4_add).set(X1);
    }
  }
}

/** Pushes the f64 uniform ((x0 >>> 5)·2^26 + (x1 >>> 6))·2^−53 (H.uniform's 53 bits) of the i32 words on the stack pushers. */
export function emitUniformOf(f: FunctionBuilder, x0: () => void, x1: () => void): void {
  x0();
  f.i32(5).op(Op.i32_shr_u).op(Op.f64_convert_i32_u).f64(67108864).op(Op.f64_mul);
  x1();
  f.i32(6).op(Op.i32_shr_u).op(Op.f64_convert_i32_u).op(Op.f64_add).f64(1.1102230246251565e-16).op(Op.f64_mul);
}

/** Pushes the f64 uniform of the i32 locals x0, x1 (see {@link emitUniformOf}). */
export function emitUniform(f: FunctionBuilder, x0: number, x1: number): void {
  emitUniformOf(f, () => f.get(x0), () => f.get(x1));
}
