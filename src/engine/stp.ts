/**
 * Tsodyks–Markram short-term plasticity on the step engine.
 *
 * The per-pre-neuron state u, x and the release r = u·x of a spike live in the pre group's arrays
 * and are advanced by the pre group's own update kernel (u, x are integrated every step like any
 * state variable; on a spike the kernel's reset runs `u += U·(1 − u); r = u·x; x −= r` after the
 * model's reset, as the JavaScript loop does). So each pre neuron's u, x, r are computed once, by
 * the thread that owns the neuron, with the same instructions whatever the thread count.
 *
 * What other threads need is r at the spike: thread w delivers the spikes of every thread to its
 * own post neurons after the step's one barrier, while the owner may already be updating the next
 * step (and overwrite r when the neuron spikes again). So, before the barrier, the owner copies r
 * of each neuron that spiked into a release ring beside the spike lists (one value per slot and
 * pre neuron, as many slots as the spike lists): delivery of the spikes of step d reads slot
 * d mod slots, which no thread writes again before step d + slots. No second barrier, and every
 * thread reads the same values. (The JavaScript loop keeps the same ring for delayed projections,
 * and reads r directly otherwise, which holds the same value.)
 *
 * A spike then adds weight·r to its targets, computed as the JavaScript loop does: the product and
 * the sum in float64, rounded to float32 when the state is float32.
 */
import { type ModuleBuilder, type FunctionBuilder, Op, ValType } from '../wasm/encoder.js';

/** Where the pre group's spike lists and release array are (byte offsets), and their shape. */
export interface ReleaseCopyLayout {
  /** Pre group size. */
  readonly size: number;
  /** Spike-list slots of the pre group. */
  readonly slots: number;
  readonly spikes: number;
  /** Per (slot, thread) spike counts, one line of `line` bytes each. */
  readonly counts: number;
  /** i32 range starts of the threads (T + 1 words). */
  readonly bounds: number;
  readonly line: number;
  /** The release array r of the pre group, and its ring (slots × size values). */
  readonly release: number;
  readonly ring: number;
}

/** Bytes of a projection's release ring. @example releaseRingBytes(3, 1000, 8) // 24000 */
export function releaseRingBytes(slots: number, preSize: number, elem: number): number {
  return slots * preSize * elem;
}

/**
 * `copyRelease(n, w)`: for each spike thread w emitted at step n (its segment of the pre group's
 * spike list), ring[(n mod slots)·size + i] = r[i]. Bit copies (i32 or i64), so nothing rounds.
 */
export function emitReleaseCopy(m: ModuleBuilder, L: ReleaseCopyLayout, threads: number, double: boolean): number {
  const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
  const idx = m.functionCount - 1;
  const N_ = 0;
  const W = 1;
  const k = f.local(ValType.i32);
  const c = f.local(ValType.i32);
  const src = f.local(ValType.i32);
  const i = f.local(ValType.i32);
  const shift = double ? 3 : 2;
  const load = double ? Op.i64_load : Op.i32_load;
  const store = double ? Op.i64_store : Op.i32_store;
  if (L.slots > 1) f.get(N_).i32(L.slots).op(Op.i32_rem_u).set(k);
  else f.i32(0).set(k);
  // c = counts[(k·T + w)·line]; src = spikes + (k·size + lo_w)·4
  f.get(k).i32(threads).op(Op.i32_mul).get(W).op(Op.i32_add).i32(L.line).op(Op.i32_mul).mem(Op.i32_load, 2, L.counts).set(c);
  f.get(k).i32(L.size).op(Op.i32_mul).get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.bounds).op(Op.i32_add).i32(2).op(Op.i32_shl).i32(L.spikes).op(Op.i32_add).set(src);
  f.block().get(c).i32(0).op(Op.i32_le_s).br_if(0).loop();
  f.get(src).mem(Op.i32_load, 2, 0).set(i);
  f.get(k).i32(L.size).op(Op.i32_mul).get(i).op(Op.i32_add).i32(shift).op(Op.i32_shl);
  f.get(i).i32(shift).op(Op.i32_shl).mem(load, shift, L.release);
  f.mem(store, shift, L.ring);
  f.get(src).i32(4).op(Op.i32_add).set(src);
  f.get(c).i32(1).op(Op.i32_sub).tee(c).br_if(0);
  f.end().end();
  return idx;
}

/**
 * Sets `rel` (an f64 local) to the release of the spike being delivered: ring[slot·size + preStart + row],
 * promoted to float64 for float32 state. `slot` and `row` are i32 locals of the delivery.
 */
export function emitLoadRelease(f: FunctionBuilder, L: { readonly size: number; readonly ring: number }, preStart: number, slot: number, row: number, rel: number, double: boolean): void {
  const shift = double ? 3 : 2;
  f.get(slot).i32(L.size).op(Op.i32_mul).get(row).op(Op.i32_add).i32(shift).op(Op.i32_shl);
  f.mem(double ? Op.f64_load : Op.f32_load, shift, L.ring + preStart * (1 << shift));
  if (!double) f.op(Op.f64_promote_f32);
  f.set(rel);
}

/**
 * Pushes weight·rel in float64: the synapse's weight (weights[s], promoted from float32 state) or
 * the projection's one weight, times the release. `weights` is the byte offset of the per-synapse
 * weights, or −1.
 */
export function emitReleasedWeight(f: FunctionBuilder, weights: number, weight: number, s: number, rel: number, double: boolean): void {
  const shift = double ? 3 : 2;
  if (weights >= 0) {
    f.get(s).i32(shift).op(Op.i32_shl).mem(double ? Op.f64_load : Op.f32_load, shift, weights);
    if (!double) f.op(Op.f64_promote_f32);
  } else f.f64(weight);
  f.get(rel).op(Op.f64_mul);
}
