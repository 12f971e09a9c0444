/** A trainable array and its gradient (same length), as optimizers see it. */
export interface Param {
  readonly name: string;
  readonly value: Float32Array | Float64Array;
  readonly grad: Float32Array | Float64Array;
  /**
   * The parameter's typical magnitude, one for all values or one per value (positive, in SI like
   * `value`). The optimizers work on value/scale: they see grad·scale and apply scale·step, so that
   * lr means the same for a 50 pA weight (5e-11) as for a 20 ms time constant. Networks set it from
   * the initial values of every parameter with a physical dimension (see initialScale) and leave
   * dimensionless ones unscaled; undefined means 1. Set it to undefined to train raw values.
   */
  scale?: number | Float32Array | Float64Array;
}
