/** A trainable array and its gradient (same length), as optimizers see it. */
export interface Param {
  readonly name: string;
  readonly value: Float32Array | Float64Array;
  readonly grad: Float32Array | Float64Array;
  /**
   * The parameter's natural magnitude: optimizers step in value/scale, so a weight of 50 pA and a
   * time constant of 20 ms learn at the same rate with one learning rate (default 1).
   */
  scale?: number;
}
