/**
 * Just-in-time connectivity in the step engine: the delivery of a projection whose rows are not
 * stored but regenerated from the connector's seed each time a pre-synaptic neuron spikes.
 *
 * The generated code is the FixedProb row kernel of src/connect/geometric.ts, instruction for
 * instruction: block b of row r (posts b·ROW_BLOCK up to the next block) is the xoshiro128**
 * stream seeded by two Threefry-2x32-20 blocks of key (connector key, r) and counters (2b, tag),
 * (2b + 1, tag) (as streamRngState), and the gaps between targets are geometric skips read from
 * the same skip table (copied into the engine's memory, one (base, step) pair per bucket).
 * Draws below the buckets that hold several steps read the table's tail instead (finer buckets at
 * small x, after the first table in memory), and the few draws it leaves take the exact skip,
 * floor(ln u / ln(1 − p)), with the logarithm logOpenUnit of src/math/normal.ts emitted inline
 * (src/wasm/random.ts): the same float64 operations as the JavaScript kernel's, so the rows are
 * identical bit for bit without calling out of WebAssembly.
 *
 * Threads. Thread w delivers only to its own range [lo, hi) of post neurons. It draws only the
 * blocks that overlap the range, each from the block's start in ascending order, and stops at the
 * first target ≥ hi. The block size is fixed (not a function of the thread count), so the rows are
 * too; every post neuron receives its increments in the same order (spikes in ascending order,
 * row order), so the spikes do not depend on the thread count. Posts that fit in one block have
 * one stream per row, drawn from the start by every thread.
 */
import { type FunctionBuilder, type ModuleBuilder, Op, ValType } from '../wasm/encoder.js';
import { THREEFRY } from '../math/rng.js';
import { emitThreefryWords } from '../wasm/threefry.js';
import { emitLogOpenUnit } from '../wasm/random.js';
import { emitSpikeWalk, type SpikeListView } from './spike_walk.js';
import { ROW_BLOCK, ROW_BLOCK_BITS, type GeometricRows } from '../connect/geometric.js';

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
  /** Byte offset of the target buffers, jitBufferBytes(T) bytes: thread w's from w·BUFFER·4. */
  readonly buffer: number;
}

const I32_ROTL = 0x77;
/** The second counter word of the two Threefry blocks that seed a row (as streamRngState). */
const STREAM_TAG = 0x73747265;

/** Bytes of the skip table of `jit` in the engine's memory. @example jitTableBytes(spec.jit) */
export function jitTableBytes(jit: EngineJitRows): number {
  return (jit.table.base.length + (jit.table.tail?.base.length ?? 0)) * 8;
}

/** Targets a thread's buffer holds between two updates of the post array (see emitJitDeliver). */
const BUFFER = 1024;

/** Bytes of the target buffers of a just-in-time projection on `threads` threads. @example jitBufferBytes(2) */
export function jitBufferBytes(threads: number): number {
  return threads * BUFFER * 4;
}

/**
 * Writes the skip table into `dst` (a view of jitTableBytes / 4 words): base and step interleaved,
 * so that one draw reads one 8-byte pair; the tail's pairs follow the first table's.
 *
 * @example
 * writeJitTable(jit, arena.i32(offset, jitTableBytes(jit) / 4));
 */
export function writeJitTable(jit: EngineJitRows, dst: Int32Array): void {
  const { base, step, tail } = jit.table;
  for (let k = 0; k < base.length; k++) {
    dst[2 * k] = base[k];
    dst[2 * k + 1] = step[k];
  }
  if (tail === undefined) return;
  const at = 2 * base.length;
  for (let k = 0; k < tail.base.length; k++) {
    dst[at + 2 * k] = tail.base[k];
    dst[at + 2 * k + 1] = tail.step[k];
  }
}

/**
 * `deliver(n, w)` of a just-in-time projection: for each spike of step n − delay (all threads'
 * segments, in thread order), regenerate the blocks of its row that overlap thread w's range of
 * the post slice, and add the weight to each target in the range (unless the target is refractory,
 * for a gated target).
 *
 * The targets go to thread w's buffer first and reach the post array a buffer at a time: drawing
 * and updating in one loop held few of the updates' cache misses in flight (each update waited
 * behind some 40 instructions of drawing), while a loop of updates alone overlaps many, as the
 * delivery of stored rows does (measured at 10^6 posts: 52 → 37 ns per synapse, one thread).
 * The buffer keeps the targets in order, so every post neuron receives its increments in the same
 * order as before.
 */
export function emitJitDeliver(m: ModuleBuilder, p: ProjectionView, pre: GroupView, post: GroupView, T: number, double: boolean, line: number): number {
  const jit = p.spec.jit!;
  const add = emitAddTargets(m, p, post, double);
  const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
  const idx = m.functionCount - 1;
  const { preStart, preSize, postStart, delaySteps } = p.spec;
  const { shift, mask, logq } = jit.table;
  const blocks = jit.nPost > ROW_BLOCK;
  const W = 1;
  const i32 = () => f.local(ValType.i32);
  const [d, slot, c, spikes, q, r, lo, hi, last, j, self] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const [a, b, cc, dd, x, y, k, e, k2, blk0, blk, end] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const [low, buf, held] = [i32(), i32(), i32()];
  const skip = f.local(ValType.f64);
  const tail = jit.table.tail;
  const tailAt = p.table + jit.table.base.length * 8;
  // the last post of the block being drawn (thread w's last post when the row is one block)
  const stop = blocks ? end : last;

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
  f.get(W).i32(BUFFER * 4).op(Op.i32_mul).i32(p.buffer).op(Op.i32_add).set(buf);
  f.i32(0).set(held);
  // the first block that overlaps [lo, hi)
  if (blocks) f.get(lo).i32(ROW_BLOCK_BITS).op(Op.i32_shr_u).set(blk0);
  if (pre.slots > 1) f.get(d).i32(pre.slots).op(Op.i32_rem_u).set(slot);
  else f.i32(0).set(slot);
  emitSpikeWalk(f, pre, T, line, { preStart, preSize }, { slot, c, base: spikes, q, r }, () => {
    if (jit.selfOffset !== undefined) f.get(r).i32(jit.selfOffset).op(Op.i32_add).set(self);
    if (blocks) {
      f.get(blk0).set(blk);
      f.loop(); // blocks
      emitRowSeed(f, jit.key, r, blk, k2, a, b, cc, dd);
      // j = the block's first post − 1; end = min(its last post, last)
      f.get(blk).i32(ROW_BLOCK_BITS).op(Op.i32_shl).tee(j).i32(ROW_BLOCK - 1).op(Op.i32_add).tee(end);
      f.get(last).get(end).get(last).op(Op.i32_lt_s).op(Op.select).set(end);
      f.get(j).i32(1).op(Op.i32_sub).set(j);
    } else {
      emitRowSeed(f, jit.key, r, -1, k2, a, b, cc, dd);
      f.i32(-1).set(j);
    }
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
    // the skip: from the table's bucket of x, or from the tail, or exactly
    f.get(x).i32(shift).op(Op.i32_shr_u).i32(3).op(Op.i32_shl).tee(e).mem(Op.i32_load, 2, p.table).tee(k);
    f.i32(0).op(Op.i32_ge_s).if();
    // j += base + (low bits of x < step) + 1; past the block or range: done (unsigned: j + base may pass 2^31)
    f.get(j).get(k).op(Op.i32_add).get(x).i32(mask).op(Op.i32_and).get(e).mem(Op.i32_load, 2, p.table + 4).op(Op.i32_sub).i32(31).op(Op.i32_shr_u).op(Op.i32_add).i32(1).op(Op.i32_add).tee(j);
    f.get(stop).op(Op.i32_gt_u).br_if(2);
    f.else();
    if (tail) {
      f.block(); // exact done
      f.block(); // not in the tail
      // x < 2^lo, or the tail bucket ((e − lo)·2^bits + (x >>> (e − bits)) mod 2^bits) of octave e holds several steps
      f.get(x).i32((2 ** tail.lo) | 0).op(Op.i32_lt_u).br_if(0);
      f.i32(31 - tail.bits).get(x).op(Op.i32_clz).op(Op.i32_sub).set(low); // e − bits
      f.get(low).i32(tail.bits - tail.lo).op(Op.i32_add).i32(tail.bits).op(Op.i32_shl);
      f.get(x).get(low).op(Op.i32_shr_u).i32((1 << tail.bits) - 1).op(Op.i32_and).op(Op.i32_add).i32(3).op(Op.i32_shl).tee(e);
      f.mem(Op.i32_load, 2, tailAt).tee(k).i32(0).op(Op.i32_lt_s).br_if(0);
      // j += base + (low e − bits bits of x < step) + 1, as from the first table
      f.get(j).get(k).op(Op.i32_add).get(x).i32(1).get(low).op(Op.i32_shl).i32(1).op(Op.i32_sub).op(Op.i32_and);
      f.get(e).mem(Op.i32_load, 2, tailAt + 4).op(Op.i32_sub).i32(31).op(Op.i32_shr_u).op(Op.i32_add).i32(1).op(Op.i32_add).tee(j);
      f.get(stop).op(Op.i32_gt_u).br_if(4);
      f.br(1);
      f.end(); // not in the tail
    }
    emitLogOpenUnit(f, x);
    f.f64(logq).op(Op.f64_div).op(Op.f64_floor).tee(skip);
    f.get(stop).get(j).op(Op.i32_sub).op(Op.f64_convert_i32_s).op(Op.f64_ge).br_if(tail ? 3 : 2);
    f.get(j).get(skip).op(Op.i32_trunc_f64_s).op(Op.i32_add).i32(1).op(Op.i32_add).set(j);
    if (tail) f.end(); // exact done
    f.end();
    // keep j when it is in the range and not the left-out self; a full buffer goes to the post array
    f.block(); // skip target
    f.get(j).get(lo).op(Op.i32_lt_s).br_if(0);
    if (jit.selfOffset !== undefined) f.get(j).get(self).op(Op.i32_eq).br_if(0);
    f.get(buf).get(held).i32(2).op(Op.i32_shl).op(Op.i32_add).get(j).mem(Op.i32_store, 2, 0);
    f.get(held).i32(1).op(Op.i32_add).tee(held).i32(BUFFER).op(Op.i32_eq).if();
    f.get(0).get(buf).get(held).call(add);
    f.i32(0).set(held);
    f.end();
    f.end(); // skip target
    f.br(0);
    f.end().end(); // draw
    if (blocks) {
      // the next block, while it starts at or before last
      f.get(blk).i32(1).op(Op.i32_add).tee(blk).i32(ROW_BLOCK_BITS).op(Op.i32_shl).get(last).op(Op.i32_le_s).br_if(0);
      f.end(); // blocks
    }
  });
  f.get(0).get(buf).get(held).call(add); // what the buffer still holds
  f.end(); // done
  return idx;
}

/**
 * `add(n, buf, count)`: adds the weight to the post array at the `count` targets in the buffer at
 * byte offset `buf`, in order (unless the target is refractory at step n, for a gated target).
 */
function emitAddTargets(m: ModuleBuilder, p: ProjectionView, post: GroupView, double: boolean): number {
  const f = m.addFunction(null, [ValType.i32, ValType.i32, ValType.i32], []);
  const idx = m.functionCount - 1;
  const { postStart, weight, target } = p.spec;
  const gate = p.spec.gateRefSteps ?? 0;
  const elem = double ? 8 : 4;
  const sh = double ? 3 : 2;
  const tOff = post.offsets[target] + postStart * elem;
  const [at, stop, j, addr] = [f.local(ValType.i32), f.local(ValType.i32), f.local(ValType.i32), f.local(ValType.i32)];
  f.get(1).set(at);
  f.get(1).get(2).i32(2).op(Op.i32_shl).op(Op.i32_add).set(stop);
  f.block().get(at).get(stop).op(Op.i32_ge_u).br_if(0).loop();
  f.block(); // skip target
  f.get(at).mem(Op.i32_load, 2, 0).set(j);
  if (gate > 0) f.get(0).get(j).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, post.lastSpike + postStart * 4).op(Op.i32_sub).i32(gate).op(Op.i32_lt_s).br_if(0);
  f.get(j).i32(sh).op(Op.i32_shl).tee(addr);
  f.get(addr).mem(double ? Op.f64_load : Op.f32_load, sh, tOff);
  if (double) f.f64(weight);
  else f.f32(weight);
  f.op(double ? Op.f64_add : Op.f32_add).mem(double ? Op.f64_store : Op.f32_store, sh, tOff);
  f.end(); // skip target
  f.get(at).i32(4).op(Op.i32_add).tee(at).get(stop).op(Op.i32_lt_u).br_if(0);
  f.end().end();
  return idx;
}

/**
 * The xoshiro128** state of block `blk` (a local; -1: block 0) of row r: (a, b) and (c, d) are the
 * Threefry-2x32-20 blocks of key (key, r) and counters (2·blk, STREAM_TAG), (2·blk + 1, STREAM_TAG);
 * an all-zero state becomes a = 1.
 */
function emitRowSeed(f: FunctionBuilder, key: number, r: number, blk: number, k2: number, a: number, b: number, c: number, d: number): void {
  f.get(r).i32(THREEFRY.PARITY ^ key).op(Op.i32_xor).set(k2);
  const word = (i: number, plus: number): void => {
    if (i === 0) f.i32((key + plus) | 0);
    else {
      f.get(i === 1 ? r : k2);
      if (plus !== 0) f.i32(plus).op(Op.i32_add);
    }
  };
  const counter = (half: number) => (i: number): void => {
    if (i === 1) f.i32(STREAM_TAG);
    else if (blk < 0) f.i32(half);
    else {
      f.get(blk).i32(1).op(Op.i32_shl);
      if (half === 1) f.i32(1).op(Op.i32_or);
    }
  };
  emitThreefryWords(f, word, counter(0), a, b);
  emitThreefryWords(f, word, counter(1), c, d);
  f.get(a).get(b).op(Op.i32_or).get(c).op(Op.i32_or).get(d).op(Op.i32_or).op(Op.i32_eqz).if().i32(1).set(a).end();
}
