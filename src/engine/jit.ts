/**
 * Just-in-time connectivity in the step engine: the delivery of a projection whose rows are not
 * stored but regenerated from the connector's seed each time a pre-synaptic neuron spikes.
 *
 * The generated code is the FixedProb row kernel of src/connect/geometric.ts, instruction for
 * instruction: row r is the xoshiro128** stream seeded by two Threefry-2x32-20 blocks of key
 * (connector key, r) (as streamRngState), and the gaps between targets are geometric skips read
 * from the same skip table (copied into the engine's memory, one (base, step) pair per bucket).
 * Buckets that the table marks as "several steps" take the exact skip, floor(ln u / ln(1 − p)),
 * with Math.log imported from JavaScript: WebAssembly has no logarithm, and calling the very
 * function the JavaScript kernel calls is what keeps the rows identical bit for bit.
 *
 * Threads. Thread w delivers only to its own range [lo, hi) of post neurons; it draws the row's
 * targets in ascending order from the start and stops at the first one ≥ hi, so the last thread
 * draws the whole row and the others a prefix of it. Every post neuron still receives its
 * increments in the same order (spikes in ascending order, row order), so the spikes do not
 * depend on the thread count. (A row cut into independently seeded blocks of posts would let each
 * thread draw only its own blocks; see docs/architecture.md for why the row is kept whole.)
 */
import { type FunctionBuilder, type ModuleBuilder, Op, ValType } from '../wasm/encoder.js';
import { THREEFRY } from '../math/rng.js';
import { emitThreefryWords } from '../wasm/threefry.js';
import { emitSpikeWalk, type SpikeListView } from './spike_walk.js';
import type { GeometricRows } from '../connect/geometric.js';

/** A projection's just-in-time rows: FixedProb(p) rows, 0 < p < 1, drawn as the JavaScript loop draws them. */
export type EngineJitRows = GeometricRows;

/** What the emitter reads of a group's layout in the engine's memory. */
interface GroupView extends SpikeListView {
  readonly offsets: Record<string, number>;
  readonly lastSpike: number;
  readonly slots: number;
  readonly bounds: number;
}

/** What the emitter reads of a projection: its description and the byte offset of its table. */
interface ProjectionView {
  readonly spec: {
    readonly preStart: number;
    readonly preSize: number;
    readonly postStart: number;
    readonly weight: number;
    readonly delaySteps: number;
    readonly target: string;
    readonly gateRefSteps?: number;
    readonly jit?: EngineJitRows;
  };
  /** Byte offset of the skip table: per bucket an i32 base, then an i32 step. */
  readonly table: number;
}

const I32_ROTL = 0x77;
const I32_TRUNC_F64_S = 0xaa;
const TWO_NEG_32 = 2.3283064365386963e-10;
/** The second counter word of the two Threefry blocks that seed a row (as streamRngState). */
const STREAM_TAG = 0x73747265;

/** Bytes of the skip table of `jit` in the engine's memory. @example jitTableBytes(spec.jit) */
export function jitTableBytes(jit: EngineJitRows): number {
  return jit.table.base.length * 8;
}

/**
 * Writes the skip table into `dst` (a view of jitTableBytes / 4 words): base and step interleaved,
 * so that one draw reads one 8-byte pair.
 *
 * @example
 * writeJitTable(jit, arena.i32(offset, jitTableBytes(jit) / 4));
 */
export function writeJitTable(jit: EngineJitRows, dst: Int32Array): void {
  const { base, step } = jit.table;
  for (let k = 0; k < base.length; k++) {
    dst[2 * k] = base[k];
    dst[2 * k + 1] = step[k];
  }
}

/**
 * `deliver(n, w)` of a just-in-time projection: for each spike of step n − delay (all threads'
 * segments, in thread order), regenerate its row and add the weight to each target in thread w's
 * range of the post slice (unless the target is refractory, for a gated target).
 */
export function emitJitDeliver(m: ModuleBuilder, p: ProjectionView, pre: GroupView, post: GroupView, T: number, double: boolean, line: number, logFn: number): number {
  const jit = p.spec.jit!;
  const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
  const idx = m.functionCount - 1;
  const { preStart, preSize, postStart, delaySteps, weight, target } = p.spec;
  const { shift, mask, logq } = jit.table;
  const gate = p.spec.gateRefSteps ?? 0;
  const N = pre.spec.size;
  const whole = preStart === 0 && preSize === N;
  const elem = double ? 8 : 4;
  const sh = double ? 3 : 2;
  const tOff = post.offsets[target] + postStart * elem;
  const W = 1;
  const i32 = () => f.local(ValType.i32);
  const [d, slot, c, spikes, q, r, lo, hi, last, j, self] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const [a, b, cc, dd, x, y, k, e, k2, addr] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const skip = f.local(ValType.f64);

  f.block(); // done
  f.get(0);
  if (delaySteps > 0) f.i32(delaySteps).op(Op.i32_sub).tee(d).i32(0).op(Op.i32_lt_s).br_if(0);
  else f.set(d);
  // [lo, hi) = thread w's post neurons ∩ the slice, in slice coordinates; last = hi − 1
  f.get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, post.bounds).i32(postStart).op(Op.i32_sub).set(lo);
  f.get(lo).i32(0).get(lo).i32(0).op(Op.i32_gt_s).op(Op.select).set(lo);
  f.get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, post.bounds + 4).i32(postStart).op(Op.i32_sub).set(hi);
  f.get(hi).i32(jit.nPost).get(hi).i32(jit.nPost).op(Op.i32_lt_s).op(Op.select).set(hi);
  f.get(lo).get(hi).op(Op.i32_ge_s).br_if(0);
  f.get(hi).i32(1).op(Op.i32_sub).set(last);
  if (pre.slots > 1) f.get(d).i32(pre.slots).op(Op.i32_rem_u).set(slot);
  else f.i32(0).set(slot);
  emitSpikeWalk(f, pre, T, line, { preStart, preSize }, { slot, c, base: spikes, q, r }, () => {
    if (jit.selfOffset === undefined) f.i32(-1).set(self);
    else f.get(r).i32(jit.selfOffset).op(Op.i32_add).set(self);
    emitRowSeed(f, jit.key, r, k2, a, b, cc, dd);
    f.i32(-1).set(j);
    f.block().loop(); // draw
    // xoshiro128**: x = rotl(b·5, 7)·9, then the state update
    f.get(b).i32(5).op(Op.i32_mul).i32(7).op(I32_ROTL).i32(9).op(Op.i32_mul).set(x);
    f.get(b).i32(9).op(Op.i32_shl).set(y);
    f.get(cc).get(a).op(Op.i32_xor).set(cc);
    f.get(dd).get(b).op(Op.i32_xor).set(dd);
    f.get(b).get(cc).op(Op.i32_xor).set(b);
    f.get(a).get(dd).op(Op.i32_xor).set(a);
    f.get(cc).get(y).op(Op.i32_xor).set(cc);
    f.get(dd).i32(11).op(I32_ROTL).set(dd);
    // the skip: from the table's bucket of x, or exactly when the bucket holds several steps
    f.get(x).i32(shift).op(Op.i32_shr_u).i32(3).op(Op.i32_shl).tee(e).mem(Op.i32_load, 2, p.table).tee(k);
    f.i32(0).op(Op.i32_ge_s).if();
    // j += base + (low bits of x < step) + 1; past the range: the row is done (unsigned: j + base may pass 2^31)
    f.get(j).get(k).op(Op.i32_add).get(x).i32(mask).op(Op.i32_and).get(e).mem(Op.i32_load, 2, p.table + 4).op(Op.i32_sub).i32(31).op(Op.i32_shr_u).op(Op.i32_add).i32(1).op(Op.i32_add).tee(j);
    f.get(last).op(Op.i32_gt_u).br_if(2);
    f.else();
    f.get(x).op(Op.f64_convert_i32_u).f64(1).op(Op.f64_add).f64(TWO_NEG_32).op(Op.f64_mul).call(logFn).f64(logq).op(Op.f64_div).op(Op.f64_floor).tee(skip);
    f.get(last).get(j).op(Op.i32_sub).op(Op.f64_convert_i32_s).op(Op.f64_ge).br_if(2);
    f.get(j).get(skip).op(I32_TRUNC_F64_S).op(Op.i32_add).i32(1).op(Op.i32_add).set(j);
    f.end();
    // deliver to j when it is in the range, not the left-out self, and (gated) not refractory
    f.block(); // skip target
    f.get(j).get(lo).op(Op.i32_lt_s).br_if(0);
    f.get(j).get(self).op(Op.i32_eq).br_if(0);
    if (gate > 0) f.get(0).get(j).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, post.lastSpike + postStart * 4).op(Op.i32_sub).i32(gate).op(Op.i32_lt_s).br_if(0);
    f.get(j).i32(sh).op(Op.i32_shl).tee(addr);
    f.get(addr).mem(double ? Op.f64_load : Op.f32_load, sh, tOff);
    if (double) f.f64(weight);
    else f.f32(weight);
    f.op(double ? Op.f64_add : Op.f32_add).mem(double ? Op.f64_store : Op.f32_store, sh, tOff);
    f.end(); // skip target
    f.br(0);
    f.end().end(); // draw
  });
  f.end(); // done
  return idx;
}

/**
 * The xoshiro128** state of row r: (a, b) and (c, d) are the Threefry-2x32-20 blocks of key
 * (key, r) and counters (0, STREAM_TAG), (1, STREAM_TAG); an all-zero state becomes a = 1.
 */
function emitRowSeed(f: FunctionBuilder, key: number, r: number, k2: number, a: number, b: number, c: number, d: number): void {
  f.get(r).i32(THREEFRY.PARITY ^ key).op(Op.i32_xor).set(k2);
  const word = (i: number, plus: number): void => {
    if (i === 0) f.i32((key + plus) | 0);
    else {
      f.get(i === 1 ? r : k2);
      if (plus !== 0) f.i32(plus).op(Op.i32_add);
    }
  };
  emitThreefryWords(f, word, (i) => void f.i32(i === 0 ? 0 : STREAM_TAG), a, b);
  emitThreefryWords(f, word, (i) => void f.i32(i === 0 ? 1 : STREAM_TAG), c, d);
  f.get(a).get(b).op(Op.i32_or).get(c).op(Op.i32_or).get(d).op(Op.i32_or).op(Op.i32_eqz).if().i32(1).set(a).end();
}
