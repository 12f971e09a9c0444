/**
 * The walk every spike delivery of the step engine starts with: the spikes of one step of the pre
 * group, source thread by source thread (each thread's part of the group, in ascending order, so
 * the order does not depend on the thread count), each as its index in the projection's pre slice.
 */
import { type FunctionBuilder, Op } from '../wasm/encoder.js';

/** What the walk reads of the pre group's layout. */
export interface SpikeListView {
  readonly spec: { readonly size: number };
  /** Byte offset of the spike lists: slot · N + part[thread] (i32 indices). */
  readonly spikes: number;
  /** Byte offset of the counts: one cache line per (slot, thread). */
  readonly counts: number;
  /** First neuron of each thread's part. */
  readonly part: Int32Array;
}

/** The i32 locals of the walk: the slot of the step (set by the caller), and the walk's own. */
export interface SpikeWalkLocals {
  readonly slot: number;
  readonly c: number;
  readonly base: number;
  readonly q: number;
  /** The spike's index in the pre slice, for the body. */
  readonly r: number;
}

/**
 * Emits, for every spike of the step held in `slot` whose neuron lies in the pre slice
 * [preStart, preStart + preSize), r = neuron − preStart, then `body()`. The body sits in a block:
 * a branch to depth 0 from the body's top level goes on to the next spike.
 */
export function emitSpikeWalk(
  f: FunctionBuilder,
  pre: SpikeListView,
  threads: number,
  line: number,
  slice: { readonly preStart: number; readonly preSize: number },
  L: SpikeWalkLocals,
  body: () => void,
): void {
  const N = pre.spec.size;
  const whole = slice.preStart === 0 && slice.preSize === N;
  for (let src = 0; src < threads; src++) {
    // c = counts line (slot·T + src); base = spikes + (slot·N + part[src])·4
    f.get(L.slot).i32(threads * line).op(Op.i32_mul).mem(Op.i32_load, 2, pre.counts + src * line).set(L.c);
    f.get(L.slot).i32(N * 4).op(Op.i32_mul).i32(pre.spikes + pre.part[src] * 4).op(Op.i32_add).set(L.base);
    f.i32(0).set(L.q);
    f.block().get(L.q).get(L.c).op(Op.i32_ge_s).br_if(0).loop();
    f.block(); // next spike
    f.get(L.base).get(L.q).i32(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load, 2, 0);
    if (!whole) f.i32(slice.preStart).op(Op.i32_sub).tee(L.r).i32(slice.preSize).op(Op.i32_ge_u).br_if(0);
    else f.set(L.r);
    body();
    f.end(); // next spike
    f.get(L.q).i32(1).op(Op.i32_add).tee(L.q).get(L.c).op(Op.i32_lt_s).br_if(0);
    f.end().end();
  }
}
