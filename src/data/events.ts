/**
 * A batch of events over time: step t's events are idx[ptr[t] .. ptr[t+1]), each a flat index
 * b·n + i (batch row b, unit i), with an optional value (1 when absent). Encoders produce them;
 * `net.forward` feeds them to input groups.
 */
export interface Events {
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
  readonly val?: Float32Array | Float64Array;
}

/**
 * Steps [t0, t1) of a batch of events, as events of t1 − t0 steps (the indices are shared, not copied).
 *
 * @example
 * const w = sliceEvents(events, 100, 150); // w.ptr.length === 51
 */
export function sliceEvents(e: Events, t0: number, t1: number): Events {
  if (!(Number.isInteger(t0) && Number.isInteger(t1) && 0 <= t0 && t0 <= t1 && t1 < e.ptr.length)) throw new RangeError(`sliceEvents: [${t0}, ${t1}) is not a range of steps inside [0, ${e.ptr.length - 1})`);
  const a = e.ptr[t0];
  const ptr = Int32Array.from(e.ptr.subarray(t0, t1 + 1), (p) => p - a);
  const b = e.ptr[t1];
  return { ptr, idx: e.idx.subarray(a, b), val: e.val?.subarray(a, b) };
}
