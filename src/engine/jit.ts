/**
 * Just-in-time connectivity in the step engine: the delivery of a projection whose rows are not
 * stored but regenerated from the connector's seed each time a pre-synaptic neuron spikes.
 *
 * The generated code is the connector's FixedProb row sampler, instruction for instruction. Block
 * b of row r (posts b·ROW_BLOCK up to the next block) is the xoshiro128** stream seeded by two
 * Threefry-2x32-20 blocks of key (connector key, r) and counters (2b, tag), (2b + 1, tag) (as
 * streamRngState). Two samplers draw from it (src/connect/geometric.ts chooses):
 *
 * - geometric skips (emitSkipBlock): the gaps between targets are read from the same skip table
 *   (copied into the engine's memory, one (base, step) pair per bucket); draws below the buckets
 *   that hold several steps read the table's tail instead (finer buckets at small x, after the
 *   first table in memory), and the few draws it leaves take the exact skip, floor(ln u / ln(1 − p)),
 *   with the logarithm logOpenUnit of src/math/normal.ts emitted inline (src/wasm/random.ts): the
 *   same float64 operations as the JavaScript kernel's, so the rows are identical bit for bit
 *   without calling out of WebAssembly;
 * - rare rows, p ≤ RARE_MAX_P (emitRareBlock): a binomial count from a small inversion table, then
 *   that many distinct uniform positions (src/connect/rare_rows.ts), with no table read per synapse.
 *
 * Threads. Thread w delivers only to its own range [lo, hi) of post neurons. It draws only the
 * blocks that overlap the range: skips from the block's start in ascending order, stopping at the
 * first target ≥ hi; rare rows whole, keeping the positions in the range. The block size is fixed
 * (not a function of the thread count), so the rows are too; every post neuron receives its
 * increments in the same order (spikes in ascending order, one increment per row), so the spikes
 * do not depend on the thread count. Posts that fit in one block have one stream per row, drawn
 * by every thread.
 */
import { type FunctionBuilder, type ModuleBuilder, Op, ValType } from '../wasm/encoder.js';
import { THREEFRY } from '../math/rng.js';
import { emitThreefryWords } from '../wasm/threefry.js';
import { emitLogOpenUnit } from '../wasm/random.js';
import { emitSpikeWalk, type SpikeListView } from './spike_walk.js';
import { ROW_BLOCK, ROW_BLOCK_BITS, type FixedProbRows, type SkipTable } from '../connect/geometric.js';
import { GUIDE_BITS, type CountTable, type RareRows } from '../connect/rare_rows.js';

/** A projection's just-in-time rows: FixedProb(p) rows, 0 < p < 1, drawn as the JavaScript loop draws them. */
export type EngineJitRows = FixedProbRows;

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
  /** Byte offset of the sampler's tables (writeJitTable). */
  readonly table: number;
  /** Byte offset of the target buffers, jitBufferBytes(jit, T) bytes: thread w's from w·threadBytes. */
  readonly buffer: number;
}

const I32_ROTL = 0x77;
/** The second counter word of the two Threefry blocks that seed a row (as streamRngState). */
const STREAM_TAG = 0x73747265;

/** The count tables of rare rows: blocks of the full size, then (when it differs) the row's last block. */
function countTables(jit: EngineJitRows): CountTable[] {
  const rare = jit.sampler as RareRows;
  const full = Math.min(jit.nPost, ROW_BLOCK);
  const rest = jit.nPost % ROW_BLOCK;
  return jit.nPost > ROW_BLOCK && rest !== 0 ? [rare.counts(full), rare.counts(rest)] : [rare.counts(full)];
}

/** Bytes of one count table in the engine's memory: its guide, then its thresholds. */
function countBytes(c: CountTable): number {
  return ((1 << GUIDE_BITS) + c.thresholds.length) * 4;
}

/** Bytes of the sampler's tables of `jit` in the engine's memory. @example jitTableBytes(spec.jit) */
export function jitTableBytes(jit: EngineJitRows): number {
  const t = jit.sampler;
  if (t.kind === 'rare') return countTables(jit).reduce((sum, c) => sum + countBytes(c), 0);
  return (t.base.length + (t.tail?.base.length ?? 0)) * 8;
}

/** Targets a thread's buffer holds between two updates of the post array (see emitJitDeliver). */
const BUFFER = 1024;

/** Bytes of one thread's scratch: the target buffer, and for rare rows the bitmap of a block's drawn positions. */
function threadBytes(jit: EngineJitRows): number {
  return BUFFER * 4 + (jit.sampler.kind === 'rare' ? Math.ceil(Math.min(jit.nPost, ROW_BLOCK) / 512) * 64 : 0);
}

/** Bytes of the target buffers (and bitmaps) of a just-in-time projection on `threads` threads. @example jitBufferBytes(spec.jit, 2) */
export function jitBufferBytes(jit: EngineJitRows, threads: number): number {
  return threads * threadBytes(jit);
}

/**
 * Writes the sampler's tables into `dst` (a view of jitTableBytes / 4 words). Skips: base and step
 * interleaved, so that one draw reads one 8-byte pair; the tail's pairs follow the first table's.
 * Rare rows: each count table's guide, then its thresholds (as unsigned words).
 *
 * @example
 * writeJitTable(jit, arena.i32(offset, jitTableBytes(jit) / 4));
 */
export function writeJitTable(jit: EngineJitRows, dst: Int32Array): void {
  if (jit.sampler.kind === 'rare') {
    let at = 0;
    for (const c of countTables(jit)) {
      // a block's targets go to the buffer in one piece (see emitRareBlock)
      if (c.thresholds.length > BUFFER) throw new Error(`internal: a block of ${c.n} posts may draw ${c.thresholds.length} targets, more than the buffer's ${BUFFER}`);
      dst.set(c.guide, at);
      dst.set(new Int32Array(c.thresholds.buffer, c.thresholds.byteOffset, c.thresholds.length), at + c.guide.length);
      at += countBytes(c) / 4;
    }
    return;
  }
  const { base, step, tail } = jit.sampler;
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
  const blocks = jit.nPost > ROW_BLOCK;
  const W = 1;
  const i32 = () => f.local(ValType.i32);
  const [d, slot, c, spikes, q, r, lo, hi, last, self, k2, blk0, blk] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const v: RowLocals = { f, a: i32(), b: i32(), c: i32(), d: i32(), x: i32(), y: i32(), lo, last, self, buf: i32(), held: i32(), blk: blocks ? blk : -1 };

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
  f.get(W).i32(threadBytes(jit)).op(Op.i32_mul).i32(p.buffer).op(Op.i32_add).set(v.buf);
  f.i32(0).set(v.held);
  // the first block that overlaps [lo, hi)
  if (blocks) f.get(lo).i32(ROW_BLOCK_BITS).op(Op.i32_shr_u).set(blk0);
  if (pre.slots > 1) f.get(d).i32(pre.slots).op(Op.i32_rem_u).set(slot);
  else f.i32(0).set(slot);
  const flush = (): void => {
    f.get(0).get(v.buf).get(v.held).call(add);
    f.i32(0).set(v.held);
  };
  const drawBlock = jit.sampler.kind === 'rare' ? emitRareBlock(v, jit, p.table, flush) : emitSkipBlock(v, jit, jit.sampler, p.table, flush);
  emitSpikeWalk(f, pre, T, line, { preStart, preSize }, { slot, c, base: spikes, q, r }, () => {
    if (jit.selfOffset !== undefined) f.get(r).i32(jit.selfOffset).op(Op.i32_add).set(self);
    if (blocks) {
      f.get(blk0).set(blk);
      f.loop(); // blocks
      emitRowSeed(f, jit.key, r, blk, k2, v.a, v.b, v.c, v.d);
      drawBlock();
      // the next block, while it starts at or before last
      f.get(blk).i32(1).op(Op.i32_add).tee(blk).i32(ROW_BLOCK_BITS).op(Op.i32_shl).get(last).op(Op.i32_le_s).br_if(0);
      f.end(); // blocks
    } else {
      emitRowSeed(f, jit.key, r, -1, k2, v.a, v.b, v.c, v.d);
      drawBlock();
    }
  });
  flush(); // what the buffer still holds
  f.end(); // done
  return idx;
}

/** The locals a block's drawing shares with emitJitDeliver: the generator state (a, b, c, d), the output word and a scratch word, thread w's range, the buffer. */
interface RowLocals {
  readonly f: FunctionBuilder;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  /** The generator's output. */
  readonly x: number;
  /** Scratch. */
  readonly y: number;
  /** Thread w's first and last post (slice coordinates). */
  readonly lo: number;
  readonly last: number;
  /** The left-out self post of the row. */
  readonly self: number;
  /** Byte offset of thread w's buffer, and the targets it holds. */
  readonly buf: number;
  readonly held: number;
  /** The block being drawn; -1 when the row is one block. */
  readonly blk: number;
}

/** xoshiro128** (as src/connect/geometric.ts and src/connect/rare_rows.ts): x = rotl(b·5, 7)·9, then the state update. */
function emitNext(v: RowLocals): void {
  const { f, a, b, c, d, x, y } = v;
  f.get(b).i32(5).op(Op.i32_mul).i32(7).op(I32_ROTL).i32(9).op(Op.i32_mul).set(x);
  f.get(b).i32(9).op(Op.i32_shl).set(y);
  f.get(c).get(a).op(Op.i32_xor).set(c);
  f.get(d).get(b).op(Op.i32_xor).set(d);
  f.get(b).get(c).op(Op.i32_xor).set(b);
  f.get(a).get(d).op(Op.i32_xor).set(a);
  f.get(c).get(y).op(Op.i32_xor).set(c);
  f.get(d).i32(11).op(I32_ROTL).set(d);
}

/** Appends j (≤ last) to thread w's buffer unless it is below the thread's range or the left-out self; a full buffer goes to the post array. */
function emitKeep(v: RowLocals, jit: EngineJitRows, j: number, flush: () => void): void {
  const { f } = v;
  f.block(); // skip target
  f.get(j).get(v.lo).op(Op.i32_lt_s).br_if(0);
  if (jit.selfOffset !== undefined) f.get(j).get(v.self).op(Op.i32_eq).br_if(0);
  f.get(v.buf).get(v.held).i32(2).op(Op.i32_shl).op(Op.i32_add).get(j).mem(Op.i32_store, 2, 0);
  f.get(v.held).i32(1).op(Op.i32_add).tee(v.held).i32(BUFFER).op(Op.i32_eq).if();
  flush();
  f.end();
  f.end(); // skip target
}

/**
 * Returns the emitter of one block's draw by geometric skips (the block's stream seeded): from
 * the block's first post, jump by skips read from the table's bucket of x, or from the tail, or
 * exactly, until past the block or thread w's last post.
 */
function emitSkipBlock(v: RowLocals, jit: EngineJitRows, table: SkipTable, at: number, flush: () => void): () => void {
  const { f, x } = v;
  const { shift, mask, logq } = table;
  const i32 = () => f.local(ValType.i32);
  const [j, k, e, end, low] = [i32(), i32(), i32(), i32(), i32()];
  const skip = f.local(ValType.f64);
  const tail = table.tail;
  const tailAt = at + table.base.length * 8;
  return () => {
    // the last post of the block being drawn (thread w's last post when the row is one block)
    let stop = v.last;
    if (v.blk >= 0) {
      // j = the block's first post − 1; end = min(its last post, last)
      f.get(v.blk).i32(ROW_BLOCK_BITS).op(Op.i32_shl).tee(j).i32(ROW_BLOCK - 1).op(Op.i32_add).tee(end);
      f.get(v.last).get(end).get(v.last).op(Op.i32_lt_s).op(Op.select).set(end);
      f.get(j).i32(1).op(Op.i32_sub).set(j);
      stop = end;
    } else f.i32(-1).set(j);
    f.block().loop(); // draw
    emitNext(v);
    // the skip: from the table's bucket of x, or from the tail, or exactly
    f.get(x).i32(shift).op(Op.i32_shr_u).i32(3).op(Op.i32_shl).tee(e).mem(Op.i32_load, 2, at).tee(k);
    f.i32(0).op(Op.i32_ge_s).if();
    // j += base + (low bits of x < step) + 1; past the block or range: done (unsigned: j + base may pass 2^31)
    f.get(j).get(k).op(Op.i32_add).get(x).i32(mask).op(Op.i32_and).get(e).mem(Op.i32_load, 2, at + 4).op(Op.i32_sub).i32(31).op(Op.i32_shr_u).op(Op.i32_add).i32(1).op(Op.i32_add).tee(j);
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
    // targets come ascending and stop at the block's (or range's) end: only the range's start and self to check
    emitKeep(v, jit, j, flush);
    f.br(0);
    f.end().end(); // draw
  };
}

/**
 * Returns the emitter of one block's draw of rare rows (src/connect/rare_rows.ts; the block's
 * stream seeded): the count K by inversion (guide, then thresholds), then K distinct positions
 * (Lemire's multiply-shift with rejection, duplicates found in thread w's bitmap) straight into
 * the buffer (flushed first when K would not fit), then one pass over them that clears their bits
 * and keeps those in thread w's range. A thread whose range cuts a block draws the whole block:
 * its positions come unordered. What is the same for every block is emitted here, at the call
 * (after thread w's buffer is known), not per block.
 */
function emitRareBlock(v: RowLocals, jit: EngineJitRows, at: number, flush: () => void): () => void {
  const { f, x } = v;
  const tables = countTables(jit);
  const i32 = () => f.local(ValType.i32);
  const [K, tab, kmax, n, reject, ptr, stop, pos, word, bitmap, start] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const m = f.local(ValType.i64);
  const G = 1 << GUIDE_BITS;
  // the table of the row's last block follows the full blocks' table
  const lastAt = at + countBytes(tables[0]);
  const lastBlock = Math.ceil(jit.nPost / ROW_BLOCK) - 1;
  // the table, its size, the block size and the rejection bound: set here (emitJitDeliver's
  // prologue) when every block has the same; chosen per block when the row's last block differs
  const choose = (): void => {
    const last = tables[tables.length - 1];
    const values: Array<[number, number, number]> = [[at, lastAt, tab], [tables[0].thresholds.length, last.thresholds.length, kmax], [tables[0].n, last.n, n], [tables[0].reject, last.reject, reject]];
    for (const [full, rest, dst] of values) {
      if (tables.length === 1) f.i32(full).set(dst);
      else f.i32(rest).i32(full).get(v.blk).i32(lastBlock).op(Op.i32_eq).op(Op.select).set(dst);
    }
  };
  if (tables.length === 1) choose();
  if (v.blk < 0) f.i32(0).set(start);
  f.get(v.buf).i32(BUFFER * 4).op(Op.i32_add).set(bitmap);
  return () => {
    if (tables.length > 1) choose();
    if (v.blk >= 0) f.get(v.blk).i32(ROW_BLOCK_BITS).op(Op.i32_shl).set(start);
    // K: from the guide's entry for the top bits of x up, while x ≥ T_K
    emitNext(v);
    f.get(x).i32(32 - GUIDE_BITS).op(Op.i32_shr_u).i32(2).op(Op.i32_shl).get(tab).op(Op.i32_add).mem(Op.i32_load, 2, 0).set(K);
    f.block().loop();
    f.get(K).get(kmax).op(Op.i32_ge_s).br_if(1);
    f.get(x).get(K).i32(2).op(Op.i32_shl).get(tab).op(Op.i32_add).mem(Op.i32_load, 2, G * 4).op(Op.i32_lt_u).br_if(1);
    f.get(K).i32(1).op(Op.i32_add).set(K);
    f.br(0);
    f.end().end();
    // the K positions go to buffer[held ..], in one piece
    f.get(v.held).get(K).op(Op.i32_add).i32(BUFFER).op(Op.i32_gt_s).if();
    flush();
    f.end();
    f.get(v.buf).get(v.held).i32(2).op(Op.i32_shl).op(Op.i32_add).tee(ptr).get(K).i32(2).op(Op.i32_shl).op(Op.i32_add).set(stop);
    f.block().get(ptr).get(stop).op(Op.i32_ge_u).br_if(0).loop();
    emitNext(v);
    // x·n: its high word is the position; a low word below 2^32 mod n is drawn again
    f.get(x).op(Op.i64_extend_i32_u).get(n).op(Op.i64_extend_i32_u).op(Op.i64_mul).tee(m);
    f.op(Op.i32_wrap_i64).get(reject).op(Op.i32_lt_u).br_if(0);
    f.get(m).i64(32n).op(Op.i64_shr_u).op(Op.i32_wrap_i64).set(pos);
    // a position already drawn in this block is drawn again; else its bit is set
    f.get(pos).i32(5).op(Op.i32_shr_u).i32(2).op(Op.i32_shl).get(bitmap).op(Op.i32_add).tee(v.y).mem(Op.i32_load, 2, 0).tee(word);
    f.i32(1).get(pos).op(Op.i32_shl).op(Op.i32_and).br_if(0);
    f.get(v.y).get(word).i32(1).get(pos).op(Op.i32_shl).op(Op.i32_or).mem(Op.i32_store, 2, 0);
    f.get(ptr).get(pos).mem(Op.i32_store, 2, 0);
    f.get(ptr).i32(4).op(Op.i32_add).tee(ptr).get(stop).op(Op.i32_lt_u).br_if(0);
    f.end().end();
    // clear the bitmap words; keep the targets in thread w's range (compacted in place)
    f.get(v.buf).get(v.held).i32(2).op(Op.i32_shl).op(Op.i32_add).set(ptr);
    f.block().get(ptr).get(stop).op(Op.i32_ge_u).br_if(0).loop();
    f.get(ptr).mem(Op.i32_load, 2, 0).tee(pos).i32(5).op(Op.i32_shr_u).i32(2).op(Op.i32_shl).get(bitmap).op(Op.i32_add).i32(0).mem(Op.i32_store, 2, 0);
    f.get(start).get(pos).op(Op.i32_add).set(pos);
    f.block(); // skip target
    f.get(pos).get(v.lo).op(Op.i32_lt_s).br_if(0);
    f.get(pos).get(v.last).op(Op.i32_gt_s).br_if(0);
    if (jit.selfOffset !== undefined) f.get(pos).get(v.self).op(Op.i32_eq).br_if(0);
    f.get(v.buf).get(v.held).i32(2).op(Op.i32_shl).op(Op.i32_add).get(pos).mem(Op.i32_store, 2, 0);
    f.get(v.held).i32(1).op(Op.i32_add).set(v.held);
    f.end(); // skip target
    f.get(ptr).i32(4).op(Op.i32_add).tee(ptr).get(stop).op(Op.i32_lt_u).br_if(0);
    f.end().end();
  };
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
