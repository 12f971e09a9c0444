/**
 * Continuous coupling on the step engine: every step a projection's accumulator (an array of the
 * post group that the post equations read) becomes Σ_synapses w·source[pre], or Σ w·(V_pre − V_post)
 * for gap junctions. The source is a rate variable (rate coupling), a pre-aligned synaptic state
 * such as NMDA's s (one per pre neuron, advanced by the pre group's own kernel, which also runs
 * its on-spike statements), or the membrane variable (gap junctions).
 *
 * Threads. The owner of a post neuron computes its whole sum (owner computes, as for spikes): the
 * sum reads every source value, pre row by pre row in ascending order, so each accumulator gets
 * the same terms in the same order whatever the thread count, and the same as the JavaScript loop
 * (product and sum in float64, rounded to float32 after each term for float32 state, as the loop
 * stores each `+=`). The sources are those after the step's updates, computed by their owners
 * before the step's one barrier; but a fast thread may already be updating the next step while a
 * slow one still sums. So, with more than one thread, each owner copies its part of the source
 * into a ring of two slots (step n → slot n mod 2) before the barrier, and the sums of step n read
 * slot n mod 2: a thread writes that slot again only at step n + 2, after the barrier of step
 * n + 1, which every thread passes only once it has finished the sums of step n. No second barrier.
 * With one thread the sums read the source itself.
 *
 * Delays (rate coupling of whole-brain models). A delayed projection keeps a history ring of
 * S = longest delay + 2 slots instead: slot n mod S holds the source after step n's updates, the
 * sums of step n read slot (n − d) mod S for a synapse of delay d ≤ S − 2, and at step 0 every slot
 * starts as the source (the constant history of the JavaScript loop). The slot written at step
 * n + 1 is none that step n reads (that would need d = S − 1), and step n + 2 comes after the next
 * barrier, so the argument above still holds. The history is state: stored and restored.
 *
 * Loops. Dense rows (All2All: every row the same targets 0..L−1 in order) with one weight add the
 * same terms to every post neuron, so the sum is taken once (O(pre) instead of O(pre·post)) and
 * stored into each accumulator of the thread's range: the same value, bit for bit, as summing per
 * post neuron. Dense rows with per-synapse weights run a f64x2 loop along the row (float32 state:
 * two weights and accumulators at a time promoted to float64, the sums rounded back), lane by lane
 * the same products and sums as the scalar loop; when those weights are constant along diagonals
 * (weights by offset on a ring or a line: {@link diagonalTable}) the loop reads them from one
 * float64 table of pre + post − 1 values, which stays in cache and needs no promotion, instead of
 * pre × post weights; everything else runs the CSR rows
 * (the thread's part of each row, as the engine reorders them by owner) one synapse at a time.
 */
import { type ModuleBuilder, type FunctionBuilder, Op, ValType, SimdOp } from '../wasm/encoder.js';

/** A continuous projection as the engine runs it (beside its CSR rows and weights). */
export interface EngineCouplingSpec {
  /** The pre group's array (symbol) whose values are summed through the weights. */
  readonly source: string;
  /** Gap junctions: the post group's array (symbol) subtracted from the source, Σ w·(V_pre − V_post). */
  readonly gapPost?: string;
}

/**
 * Bytes of the copy (two slots) or history (S slots) of a source group's array for one projection,
 * 0 when it reads the source itself (one thread, no delay). @example sourceRingBytes(1000, 8, 2, {}) // 16000
 */
export function sourceRingBytes(size: number, elem: number, threads: number, spec: { readonly delaySteps: number; readonly delays?: ArrayLike<number> | null }): number {
  const S = historySlots(spec);
  return S > 0 ? S * size * elem : threads > 1 ? 2 * size * elem : 0;
}

/** Slots of a delayed projection's history (longest delay + 2), or 0 without delay. */
function historySlots(spec: { readonly delaySteps: number; readonly delays?: ArrayLike<number> | null }): number {
  let maxD = spec.delaySteps;
  if (spec.delays) for (let s = 0; s < spec.delays.length; s++) maxD = Math.max(maxD, spec.delays[s]);
  return maxD > 0 ? maxD + 2 : 0;
}

/**
 * True when the rows are dense: every row holds the targets 0..L−1 in ascending order (All2All).
 *
 * @example
 * denseRows(Int32Array.of(0, 2, 4), Int32Array.of(0, 1, 0, 1), 2) // true
 */
export function denseRows(indptr: ArrayLike<number>, indices: ArrayLike<number>, preSize: number): boolean {
  if (preSize === 0) return false;
  const L = indptr[1] - indptr[0];
  for (let r = 0; r < preSize; r++) {
    const a = indptr[r];
    if (indptr[r + 1] - a !== L) return false;
    for (let k = 0; k < L; k++) if (indices[a + k] !== k) return false;
  }
  return true;
}

/**
 * The weights of dense rows as one table when they are constant along diagonals (Toeplitz: the
 * weight from pre r to post k depends only on k − r, as for weights set by distance on a line or a
 * ring): t[preSize − 1 − r + k] = w[r·L + k], preSize + L − 1 values; else null. Row r from k on is
 * then t[preSize − 1 − r + k ...], contiguous, so the sums read O(pre + post) float64 values instead
 * of O(pre·post) weights: the same values (float32 weights are promoted exactly), in the same order.
 * `round`: the engine keeps float32 weights (each value as Math.fround gives it).
 *
 * @example
 * diagonalTable(Int32Array.of(0, 2, 4), Int32Array.of(0, 1, 0, 1), Float64Array.of(1, 2, 3, 1), 2, false) // Float64Array [3, 1, 2]
 */
export function diagonalTable(indptr: ArrayLike<number>, indices: ArrayLike<number>, weights: ArrayLike<number>, preSize: number, round: boolean): Float64Array | null {
  if (!denseRows(indptr, indices, preSize)) return null;
  const L = indptr[1] - indptr[0];
  const w = (s: number) => (round ? Math.fround(weights[s]) : weights[s]);
  for (let r = 1; r < preSize; r++) for (let k = 1; k < L; k++) if (!Object.is(w(r * L + k), w((r - 1) * L + k - 1))) return null;
  const t = new Float64Array(preSize + L - 1);
  for (let k = 0; k < L; k++) t[preSize - 1 + k] = w(k);
  for (let r = 1; r < preSize; r++) t[preSize - 1 - r] = w(r * L);
  return t;
}

/**
 * The diagonal table of a continuous projection as the engine keeps it (dense rows, per-synapse
 * weights, neither gap junctions nor per-synapse delays), or null.
 */
export function couplingTable(p: { readonly indptr: ArrayLike<number>; readonly indices: ArrayLike<number>; readonly weights?: ArrayLike<number> | null; readonly preSize: number; readonly delays?: ArrayLike<number> | null; readonly continuous?: EngineCouplingSpec }, round: boolean): Float64Array | null {
  const c = p.continuous;
  if (!c || c.gapPost !== undefined || !p.weights || p.delays) return null;
  return diagonalTable(p.indptr, p.indices, p.weights, p.preSize, round);
}

/** Where a source group's array and its ring are (byte offsets), and the owner ranges. */
export interface SourceCopyLayout {
  readonly size: number;
  readonly source: number;
  readonly ring: number;
  /** Slots: 2 (a copy), or a history's S (filled with the source at step 0). */
  readonly slots: number;
  readonly history: boolean;
  /** i32 range starts of the threads (T + 1 words) of the source group. */
  readonly bounds: number;
}

/**
 * `copySource(n, w)`: thread w copies its range of the source array into ring slot n mod slots
 * (bit copies, nothing rounds); a history at step 0 into every slot. Called after the updates,
 * before the barrier.
 */
export function emitSourceCopy(m: ModuleBuilder, L: SourceCopyLayout, double: boolean): number {
  const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
  const idx = m.functionCount - 1;
  const N_ = 0;
  const W = 1;
  const i = f.local(ValType.i32);
  const hi = f.local(ValType.i32);
  const dst = f.local(ValType.i32);
  const shift = double ? 3 : 2;
  f.get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.bounds).i32(shift).op(Op.i32_shl).set(i);
  f.get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.bounds + 4).i32(shift).op(Op.i32_shl).set(hi);
  const i0 = f.local(ValType.i32);
  const copy = () => {
    f.get(i0).set(i);
    f.block().get(i).get(hi).op(Op.i32_ge_s).br_if(0).loop();
    f.get(i).get(dst).op(Op.i32_add);
    f.get(i).mem(double ? Op.i64_load : Op.i32_load, shift, L.source);
    f.mem(double ? Op.i64_store : Op.i32_store, shift, L.ring);
    f.get(i).i32(1 << shift).op(Op.i32_add).tee(i).get(hi).op(Op.i32_lt_s).br_if(0);
    f.end().end();
  };
  f.get(i).set(i0);
  if (L.history) {
    // step 0: the whole history is the source
    f.get(N_).op(Op.i32_eqz).if();
    f.i32(0).set(dst);
    f.block().loop();
    copy();
    f.get(dst).i32(L.size << shift).op(Op.i32_add).tee(dst).i32((L.slots * L.size) << shift).op(Op.i32_lt_s).br_if(0);
    f.end().end();
    f.end();
  }
  // dst = the slot's byte offset in the ring
  f.get(N_).i32(L.slots).op(Op.i32_rem_u).i32(L.size << shift).op(Op.i32_mul).set(dst);
  copy();
  return idx;
}

/** A continuous projection's memory, as the engine laid it out. */
export interface CouplingLayout {
  readonly threads: number;
  /** The source array, and its ring (two-slot copy or history, see {@link sourceRingBytes}) or −1. */
  readonly source: number;
  readonly ring: number;
  /** Ring slots (2, or a history's S), the one delay (steps), the per-synapse delays (engine's CSR order) or −1. */
  readonly slots: number;
  readonly delaySteps: number;
  readonly delays: number;
  readonly preGroupSize: number;
  readonly preStart: number;
  readonly preSize: number;
  readonly postStart: number;
  /** The accumulator (post group array) and, for gap junctions, the post variable. */
  readonly acc: number;
  readonly gapPost: number;
  /** The post group's owner ranges (T + 1 i32 words). */
  readonly postBounds: number;
  /** CSR as the engine stores it: T = 1 indptr, T > 1 per row T + 1 bounds (by owning thread). */
  readonly rows: number;
  readonly indices: number;
  /** Per-synapse weights, or −1 for the one `weight`. */
  readonly weights: number;
  readonly weight: number;
  /** Dense rows (see {@link denseRows}): the length L of every row, else −1. */
  readonly denseLength: number;
  /** The weights' diagonal table (float64, see {@link diagonalTable}), read instead of `weights`, or −1. */
  readonly table: number;
}

/** `couple(n, w)`: thread w's post neurons' accumulators of step n. */
export function emitCoupling(m: ModuleBuilder, L: CouplingLayout, double: boolean): number {
  const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
  const idx = m.functionCount - 1;
  const N_ = 0;
  const W = 1;
  const shift = double ? 3 : 2;
  const load = double ? Op.f64_load : Op.f32_load;
  const store = double ? Op.f64_store : Op.f32_store;
  const lo = f.local(ValType.i32);
  const hi = f.local(ValType.i32);
  const src = f.local(ValType.i32);
  const r = f.local(ValType.i32);
  const s = f.local(ValType.i32);
  const e = f.local(ValType.i32);
  const a = f.local(ValType.i32);
  const v = f.local(ValType.f64);
  const sum = f.local(ValType.f64);
  const T = L.threads;
  const promote = () => {
    if (!double) f.op(Op.f64_promote_f32);
  };
  // acc[j] ← acc[j] + (pushed f64), rounded to the state's type; `a` holds j's byte offset
  const addInto = (term: () => void) => {
    f.get(a).get(a).mem(load, shift, L.acc);
    promote();
    term();
    f.op(Op.f64_add);
    if (!double) f.op(Op.f32_demote_f64);
    f.mem(store, shift, L.acc);
  };
  const forRange = (i: number, end: number, body: () => void) => {
    f.block().get(i).get(end).op(Op.i32_ge_s).br_if(0).loop();
    body();
    f.get(i).i32(1).op(Op.i32_add).tee(i).get(end).op(Op.i32_lt_s).br_if(0);
    f.end().end();
  };
  // the thread's range of the post group: its accumulators start at 0 (as the loop zeroes them)
  f.get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.postBounds).set(lo);
  f.get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.postBounds + 4).set(hi);
  f.get(lo).set(r);
  forRange(r, hi, () => {
    f.get(r).i32(shift).op(Op.i32_shl);
    if (double) f.f64(0);
    else f.f32(0);
    f.mem(store, shift, L.acc);
  });
  // src = the byte offset of source value 0 of the projection's slice (read with offset L.source or
  // L.ring): slot (n − delay) mod slots, which for n < delay still holds the history of step 0
  const srcOff = L.ring >= 0 ? L.ring : L.source;
  const nS = f.local(ValType.i32);
  if (L.ring >= 0) {
    f.get(N_).i32(L.slots).op(Op.i32_rem_u).set(nS);
    f.get(nS).i32(L.delaySteps).op(Op.i32_sub).tee(src).i32(L.slots).op(Op.i32_add).get(src).get(src).i32(0).op(Op.i32_lt_s).op(Op.select);
    f.i32(L.preGroupSize << shift).op(Op.i32_mul).set(src);
  } else f.i32(0).set(src);
  f.get(src).i32(L.preStart << shift).op(Op.i32_add).set(src);
  // v = source[r], in float64
  const loadSource = () => {
    f.get(src).get(r).i32(shift).op(Op.i32_shl).op(Op.i32_add).mem(load, shift, srcOff);
    promote();
    f.set(v);
  };
  const weightOf = () => {
    if (L.weights >= 0) {
      f.get(s).i32(shift).op(Op.i32_shl).mem(load, shift, L.weights);
      promote();
    } else f.f64(L.weight);
  };
  const gap = L.gapPost >= 0;
  if (L.delays >= 0) {
    emitPerSynapseDelays(f, L, { W, lo, hi, r, s, e, a, nS, forRange, addInto, weightOf }, double);
    return idx;
  }

  if (L.denseLength >= 0 && L.weights < 0 && !gap) {
    // one weight on dense rows: the same sum for every post neuron of the slice
    const j0 = e;
    const j1 = s;
    f.get(lo).i32(L.postStart).get(lo).i32(L.postStart).op(Op.i32_gt_s).op(Op.select).set(j0);
    f.get(hi).i32(L.postStart + L.denseLength).get(hi).i32(L.postStart + L.denseLength).op(Op.i32_lt_s).op(Op.select).set(j1);
    f.block().get(j0).get(j1).op(Op.i32_ge_s).br_if(0);
    f.f64(0).set(sum);
    f.i32(0).set(r);
    f.block().i32(L.preSize).i32(0).op(Op.i32_le_s).br_if(0).loop();
    f.block(); // next row
    loadSource();
    f.get(v).f64(0).op(Op.f64_eq).br_if(0);
    f.get(sum).f64(L.weight).get(v).op(Op.f64_mul).op(Op.f64_add);
    if (!double) f.op(Op.f32_demote_f64).op(Op.f64_promote_f32);
    f.set(sum);
    f.end();
    f.get(r).i32(1).op(Op.i32_add).tee(r).i32(L.preSize).op(Op.i32_lt_s).br_if(0);
    f.end().end();
    forRange(j0, j1, () => {
      f.get(j0).i32(shift).op(Op.i32_shl).get(sum);
      if (!double) f.op(Op.f32_demote_f64);
      f.mem(store, shift, L.acc);
    });
    f.end();
    return idx;
  }

  // row by row: the thread's part [s, e) of row r
  f.i32(0).set(r);
  f.block().i32(L.preSize).i32(0).op(Op.i32_le_s).br_if(0).loop();
  f.block(); // next row
  loadSource();
  if (!gap) f.get(v).f64(0).op(Op.f64_eq).br_if(0); // the loop skips a zero source too
  if (T === 1) {
    f.get(r).i32(2).op(Op.i32_shl).tee(a).mem(Op.i32_load, 2, L.rows).set(s);
    f.get(a).mem(Op.i32_load, 2, L.rows + 4).set(e);
  } else {
    f.get(r).i32(T + 1).op(Op.i32_mul).get(W).op(Op.i32_add).i32(2).op(Op.i32_shl).tee(a).mem(Op.i32_load, 2, L.rows).set(s);
    f.get(a).mem(Op.i32_load, 2, L.rows + 4).set(e);
  }
  f.get(s).get(e).op(Op.i32_ge_s).br_if(0);
  if (L.denseLength >= 0 && L.weights >= 0 && !gap) (double ? emitDenseRow : emitDenseRow32)(f, L, r, s, e, a, v);
  else {
    forRange(s, e, () => {
      // a = (postStart + indices[s]) · elem
      f.get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.indices).i32(L.postStart).op(Op.i32_add).i32(shift).op(Op.i32_shl).set(a);
      addInto(() => {
        weightOf();
        f.get(v);
        if (gap) {
          f.get(a).mem(load, shift, L.gapPost);
          promote();
          f.op(Op.f64_sub);
        }
        f.op(Op.f64_mul);
      });
    });
  }
  f.end(); // next row
  f.get(r).i32(1).op(Op.i32_add).tee(r).i32(L.preSize).op(Op.i32_lt_s).br_if(0);
  f.end().end();
  return idx;
}

/**
 * The sums with per-synapse delays (no gap junctions: they have no delay): acc[j] += w·ring[slot of
 * n − delay[s]][preStart + r], row by row, without skipping zero sources (as the loop).
 */
function emitPerSynapseDelays(
  f: FunctionBuilder,
  L: CouplingLayout,
  x: { W: number; lo: number; hi: number; r: number; s: number; e: number; a: number; nS: number; forRange: (i: number, end: number, body: () => void) => void; addInto: (term: () => void) => void; weightOf: () => void },
  double: boolean,
): void {
  const { W, r, s, e, a, nS } = x;
  const shift = double ? 3 : 2;
  const T = L.threads;
  const at = f.local(ValType.i32);
  f.i32(0).set(r);
  f.block().i32(L.preSize).i32(0).op(Op.i32_le_s).br_if(0).loop();
  if (T === 1) {
    f.get(r).i32(2).op(Op.i32_shl).tee(a).mem(Op.i32_load, 2, L.rows).set(s);
    f.get(a).mem(Op.i32_load, 2, L.rows + 4).set(e);
  } else {
    f.get(r).i32(T + 1).op(Op.i32_mul).get(W).op(Op.i32_add).i32(2).op(Op.i32_shl).tee(a).mem(Op.i32_load, 2, L.rows).set(s);
    f.get(a).mem(Op.i32_load, 2, L.rows + 4).set(e);
  }
  x.forRange(s, e, () => {
    // at = ((n mod S − delay[s]) wrapped into [0, S))·size + preStart + r, in bytes
    f.get(nS).get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.delays).op(Op.i32_sub).tee(at).i32(L.slots).op(Op.i32_add).get(at).get(at).i32(0).op(Op.i32_lt_s).op(Op.select);
    f.i32(L.preGroupSize).op(Op.i32_mul).get(r).op(Op.i32_add).i32(L.preStart).op(Op.i32_add).i32(shift).op(Op.i32_shl).set(at);
    f.get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.indices).i32(L.postStart).op(Op.i32_add).i32(shift).op(Op.i32_shl).set(a);
    x.addInto(() => {
      x.weightOf();
      f.get(at).mem(double ? Op.f64_load : Op.f32_load, shift, L.ring);
      if (!double) f.op(Op.f64_promote_f32);
      f.op(Op.f64_mul);
    });
  });
  f.get(r).i32(1).op(Op.i32_add).tee(r).i32(L.preSize).op(Op.i32_lt_s).br_if(0);
  f.end().end();
}

/**
 * pw = the byte offset (from {@link weightBase}) of the weight of synapse s of row r: s in the
 * weights, or in the diagonal table t[preSize − 1 − r + k] with k = s − r·L the synapse's place in
 * its row.
 */
function setWeightPointer(f: FunctionBuilder, L: CouplingLayout, r: number, s: number, pw: number, shift: number): void {
  if (L.table >= 0) f.get(s).get(r).i32(L.denseLength + 1).op(Op.i32_mul).op(Op.i32_sub).i32(L.preSize - 1).op(Op.i32_add).i32(3).op(Op.i32_shl).set(pw);
  else f.get(s).i32(shift).op(Op.i32_shl).set(pw);
}

/** Where the dense loops read weights: the diagonal table (float64) when there is one. */
const weightBase = (L: CouplingLayout) => (L.table >= 0 ? L.table : L.weights);

/**
 * acc[postStart + indices[s] + k] += weights[s + k]·v for k < e − s, two lanes at a time (float64
 * state): the row's part is contiguous in the post group and in the weights (or the table).
 */
function emitDenseRow(f: FunctionBuilder, L: CouplingLayout, r: number, s: number, e: number, a: number, v: number): void {
  const pw = f.local(ValType.i32);
  const left = f.local(ValType.i32);
  const vv = f.local(ValType.v128);
  const W = weightBase(L);
  f.get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.indices).i32(L.postStart).op(Op.i32_add).i32(3).op(Op.i32_shl).set(a);
  setWeightPointer(f, L, r, s, pw, 3);
  f.get(e).get(s).op(Op.i32_sub).set(left);
  f.get(v).simd(SimdOp.f64x2_splat).set(vv);
  f.block().get(left).i32(2).op(Op.i32_lt_s).br_if(0).loop();
  f.get(a);
  f.get(a).simdMem(SimdOp.v128_load, 3, L.acc);
  f.get(pw).simdMem(SimdOp.v128_load, 3, W).get(vv).simd(SimdOp.f64x2_mul);
  f.simd(SimdOp.f64x2_add);
  f.simdMem(SimdOp.v128_store, 3, L.acc);
  f.get(a).i32(16).op(Op.i32_add).set(a);
  f.get(pw).i32(16).op(Op.i32_add).set(pw);
  f.get(left).i32(2).op(Op.i32_sub).tee(left).i32(2).op(Op.i32_ge_s).br_if(0);
  f.end().end();
  // the last synapse of an odd count
  f.get(left).if();
  f.get(a).get(a).mem(Op.f64_load, 3, L.acc);
  f.get(pw).mem(Op.f64_load, 3, W).get(v).op(Op.f64_mul).op(Op.f64_add);
  f.mem(Op.f64_store, 3, L.acc);
  f.end();
}

/**
 * The same for float32 state: two lanes at a time promoted to float64 (the accumulators, and the
 * weights unless the table already holds them in float64), lane by lane the scalar loop's promote,
 * multiply, add and round back to float32; four synapses per turn, then two, then one.
 */
function emitDenseRow32(f: FunctionBuilder, L: CouplingLayout, r: number, s: number, e: number, a: number, v: number): void {
  const pw = f.local(ValType.i32);
  const left = f.local(ValType.i32);
  const vv = f.local(ValType.v128);
  const W = weightBase(L);
  const wide = L.table >= 0;
  f.get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.indices).i32(L.postStart).op(Op.i32_add).i32(2).op(Op.i32_shl).set(a);
  setWeightPointer(f, L, r, s, pw, 2);
  f.get(e).get(s).op(Op.i32_sub).set(left);
  f.get(v).simd(SimdOp.f64x2_splat).set(vv);
  // acc[k], acc[k + 1] (k = off / 4) ← float32(acc + w·v) in float64
  const pair = (off: number) => {
    f.get(a);
    f.get(a).simdMem(SimdOp.v128_load64_zero, 2, L.acc + off).simd(SimdOp.f64x2_promote_low_f32x4);
    if (wide) f.get(pw).simdMem(SimdOp.v128_load, 3, W + 2 * off);
    else f.get(pw).simdMem(SimdOp.v128_load64_zero, 2, W + off).simd(SimdOp.f64x2_promote_low_f32x4);
    f.get(vv).simd(SimdOp.f64x2_mul);
    f.simd(SimdOp.f64x2_add).simd(SimdOp.f32x4_demote_f64x2_zero);
    f.simdMem(SimdOp.v128_store64_lane, 2, L.acc + off).op(0);
  };
  const advance = (bytes: number) => {
    f.get(a).i32(bytes).op(Op.i32_add).set(a);
    f.get(pw).i32(wide ? 2 * bytes : bytes).op(Op.i32_add).set(pw);
  };
  f.block().get(left).i32(4).op(Op.i32_lt_s).br_if(0).loop();
  pair(0);
  pair(8);
  advance(16);
  f.get(left).i32(4).op(Op.i32_sub).tee(left).i32(4).op(Op.i32_ge_s).br_if(0);
  f.end().end();
  f.get(left).i32(2).op(Op.i32_ge_s).if();
  pair(0);
  advance(8);
  f.end();
  // the last synapse of an odd count
  f.get(left).i32(1).op(Op.i32_and).if();
  f.get(a).get(a).mem(Op.f32_load, 2, L.acc).op(Op.f64_promote_f32);
  if (wide) f.get(pw).mem(Op.f64_load, 3, W);
  else f.get(pw).mem(Op.f32_load, 2, W).op(Op.f64_promote_f32);
  f.get(v).op(Op.f64_mul).op(Op.f64_add);
  f.op(Op.f32_demote_f64).mem(Op.f32_store, 2, L.acc);
  f.end();
}

/** What {@link layoutCouplings} reads of the engine's group and projection layouts. */
interface GroupPlace {
  readonly offsets: Record<string, number>;
  readonly bounds: number;
  readonly spec: { readonly size: number };
}
interface ProjPlace {
  readonly spec: {
    readonly pre: number;
    readonly post: number;
    readonly preStart: number;
    readonly preSize: number;
    readonly postStart: number;
    readonly indptr: ArrayLike<number>;
    readonly indices: ArrayLike<number>;
    readonly weights?: ArrayLike<number> | null;
    readonly weight: number;
    readonly target: string;
    readonly delaySteps: number;
    readonly delays?: ArrayLike<number> | null;
    readonly continuous?: EngineCouplingSpec;
  };
  readonly rows: number;
  readonly indices: number;
  readonly weights: number;
  /** The engine's copy of per-synapse delays, or −1. */
  readonly delays: number;
}

/**
 * Reserves the source rings (threads > 1 or a delay: one per pre group, source array and number of
 * slots, shared by the projections that read it) and returns each continuous projection's layout
 * (undefined for the others), the copies to run before the barrier, the histories (state) and the
 * diagonal tables to fill.
 */
export function layoutCouplings(
  reserve: (bytes: number, align: number) => number,
  projs: readonly ProjPlace[],
  groups: readonly GroupPlace[],
  threads: number,
  elem: number,
): { layouts: (CouplingLayout | undefined)[]; copies: SourceCopyLayout[]; histories: { offset: number; bytes: number }[]; tables: { offset: number; data: Float64Array }[] } {
  const rings = new Map<string, SourceCopyLayout>();
  const tables: { offset: number; data: Float64Array }[] = [];
  const layouts = projs.map((p): CouplingLayout | undefined => {
    const c = p.spec.continuous;
    if (!c) return undefined;
    const pre = groups[p.spec.pre];
    const post = groups[p.spec.post];
    const source = pre.offsets[c.source];
    const S = historySlots(p.spec);
    const slots = S > 0 ? S : 2;
    let ring = -1;
    if (S > 0 || threads > 1) {
      const key = `${p.spec.pre}:${c.source}:${slots}`;
      let copy = rings.get(key);
      if (!copy) {
        copy = { size: pre.spec.size, source, ring: reserve(slots * pre.spec.size * elem, 8), slots, history: S > 0, bounds: pre.bounds };
        rings.set(key, copy);
      }
      ring = copy.ring;
    }
    const { indptr, indices, preSize } = p.spec;
    const data = couplingTable(p.spec, elem === 4);
    const table = data ? reserve(data.length * 8, 8) : -1;
    if (data) tables.push({ offset: table, data });
    return {
      threads,
      source,
      ring,
      slots,
      delaySteps: p.spec.delays ? 0 : p.spec.delaySteps,
      delays: p.spec.delays && S > 0 ? p.delays : -1,
      preGroupSize: pre.spec.size,
      preStart: p.spec.preStart,
      preSize,
      postStart: p.spec.postStart,
      acc: post.offsets[p.spec.target],
      gapPost: c.gapPost === undefined ? -1 : post.offsets[c.gapPost],
      postBounds: post.bounds,
      rows: p.rows,
      indices: p.indices,
      weights: p.weights,
      weight: p.spec.weight,
      denseLength: denseRows(indptr, indices, preSize) ? indptr[1] - indptr[0] : -1,
      table,
    };
  });
  const copies = [...rings.values()];
  const histories = copies.filter((c) => c.history).map((c) => ({ offset: c.ring, bytes: c.slots * c.size * elem }));
  return { layouts, copies, histories, tables };
}
