/**
 * Threefry-2x32-20 (src/math/rng.ts) as WebAssembly instructions, once for every place that draws
 * counter-based random numbers in generated code: the noise of group kernels (./random.ts), the
 * step engine's Poisson sources and inputs (src/engine/threefry.ts) and just-in-time rows
 * (src/engine/jit.ts). Callers differ only in where the key and counter words come from
 * (constants, parameters or locals), so they hand in functions that push them.
 */
import { type FunctionBuilder, Op } from './encoder.js';
import { THREEFRY } from '../math/rng.js';

/** `i32.rotl` (one instruction where shifts and an or would take three). */
const I32_ROTL = 0x77;

/**
 * Emits x0, x1 = Threefry-2x32-20 of key (k0, k1) and counter (c0, c1). `key(i, plus)` pushes
 * key word i (i = 2: the parity word k0 ^ k1 ^ PARITY) plus the constant `plus` (a caller with
 * constant keys folds them); `counter(i)` pushes counter word i. x0, x1 are i32 locals.
 */
export function emitThreefryWords(f: FunctionBuilder, key: (i: number, plus: number) => void, counter: (i: number) => void, x0: number, x1: number): void {
  counter(0);
  key(0, 0);
  f.op(Op.i32_add).set(x0);
  counter(1);
  key(1, 0);
  f.op(Op.i32_add).set(x1);
  for (let r = 0; r < 20; r++) {
    const s = THREEFRY.ROT[r & 7];
    f.get(x0).get(x1).op(Op.i32_add).set(x0);
    // x1 = rotl(x1, s) ^ x0
    f.get(x1).i32(s).op(I32_ROTL).get(x0).op(Op.i32_xor).set(x1);
    if ((r & 3) === 3) {
      const inj = (r + 1) >> 2;
      f.get(x0);
      key(inj % 3, 0);
      f.op(Op.i32_add).set(x0);
      f.get(x1);
      key((inj + 1) % 3, inj);
      f.op(Op.i32_add).set(x1);
    }
  }
}

/** `key` for {@link emitThreefryWords} from a constant key (k0, k1): each word plus its constant, folded. */
export function constantKey(f: FunctionBuilder, k0: number, k1: number): (i: number, plus: number) => void {
  const words = [k0 >>> 0, k1 >>> 0, (THREEFRY.PARITY ^ k0 ^ k1) >>> 0];
  return (i, plus) => void f.i32((words[i] + plus) | 0);
}

/** `key` for {@link emitThreefryWords} from a key in three i32 locals (k0, k1, parity word). */
export function localKey(f: FunctionBuilder, k0: number, k1: number, k2: number): (i: number, plus: number) => void {
  const words = [k0, k1, k2];
  return (i, plus) => {
    f.get(words[i]);
    if (plus !== 0) f.i32(plus).op(Op.i32_add);
  };
}
