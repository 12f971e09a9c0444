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
