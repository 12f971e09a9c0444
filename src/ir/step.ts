/**
 * The step IR: what one time step of a built network does, as plain data.
 *
 * A network's declaration (groups, projections, synapses, plasticity, inputs) is lowered once, by
 * the build, into this form; backends lower the IR (src/backends/). Every array a step touches is
 * a *slot* with a number; expression trees refer to slots only through symbols the compiler mints
 * (`s<k>`), never through a name a user wrote. User names stay in `label` and `where`, which only
 * messages and results read.
 *
 * One step n, in Brian2's schedule:
 *
 * ```
 * for each group:     integrate, threshold, reset           (GroupIR: its step program)
 * for each delivery:  spikes of step n − delay add w·(release) to a post slot   (DeliveryIR)
 * ```
 *
 * so the state after step n ("X[n+1]") holds the update, the resets and every increment delivered
 * at step n; a spike at step m acts on the state read by step m + delay + 1.
 */
import { type Expr } from '../equations/ast.js';
import { type OdeVar, type IntegratorName } from '../integrators/index.js';

/** What a slot holds. */
export type SlotKind =
  /** changes every step: integrated variables, synaptic state, values that resets change */
  | 'state'
  /** constant during a run: per-neuron parameters, external inputs */
  | 'const';

/** One per-neuron array of a group. */
export interface SlotIR {
  readonly id: number;
  /** The compiler-minted symbol expressions use for this slot. */
  readonly symbol: string;
  readonly group: number;
  readonly kind: SlotKind;
  /** The runtime's key of the array (messages and lookups only; never written into code). */
  readonly label: string;
}

/** A group's update: one step program per neuron. */
export interface GroupIR {
  readonly index: number;
  readonly where: string;
  readonly size: number;
  /** 'input': spikes come from outside (a generator, or per-sample events in training). */
  readonly kind: 'neurons' | 'input';
  readonly slots: readonly number[];
  /** Integrated variables (names are slot symbols). */
  readonly vars: readonly OdeVar[];
  /** State slots that are not integrated (changed by resets or deliveries only). */
  readonly values: readonly string[];
  readonly method: Exclude<IntegratorName, 'auto'>;
  readonly threshold: Expr | undefined;
  readonly resets: readonly { readonly target: string; readonly op: '=' | '+=' | '-=' | '*=' | '/='; readonly value: Expr }[];
  readonly refSteps: number;
  /** A refractory condition (Brian2's refractory='v > -20*mV'), instead of a period. */
  readonly refCondition?: Expr;
  /** Why the group cannot be differentiated (noise, a refractory condition, ...), if it cannot. */
  readonly notDifferentiable?: string;
}

/**
 * Transmission of one projection.
 *
 * - 'event': spikes of step n − delay add w·(release) to the target slot of the post neurons.
 * - 'continuous': every step, the target slot (an accumulator the post equations read) is set to
 *   Σ_s w_s·source[pre] (rate coupling, align-pre synapse kinetics), or to Σ_s w_s·(V_pre − V_post)
 *   for a gap junction, from the values after the step's updates.
 */
export interface DeliveryIR {
  readonly kind: 'event' | 'continuous';
  readonly index: number;
  readonly where: string;
  readonly label: string;
  readonly pre: number;
  readonly preStart: number;
  readonly preSize: number;
  readonly post: number;
  readonly postStart: number;
  readonly postSize: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  /** Per-synapse weights, or null with one weight for all. */
  readonly weights: Float32Array | Float64Array | null;
  readonly weight: number;
  /** One delay for all synapses (steps), or per synapse. */
  readonly delaySteps: number;
  readonly delays: Int32Array | null;
  /** The post slot each spike increments. */
  readonly target: number;
  /** A pre slot multiplying the weight (the release of short-term plasticity), if any. */
  readonly release: number | undefined;
  /** Continuous: the pre slot transmitted. */
  readonly source?: number;
  /** Gap junction: the post slot subtracted (the same variable as the source). */
  readonly gapPost?: number;
  /** Why the projection cannot be differentiated (plasticity, just-in-time rows, ...), if it cannot. */
  readonly notDifferentiable?: string;
  /**
   * Event deliveries onto a variable held by `(unless refractory)` in a post group with
   * refractoriness: an increment that arrives while the post neuron is refractory (step n with
   * n − lastspike < refSteps, lastspike counting a spike of step n itself) is discarded, as
   * Brian2's conditional write on `not_refractory` and NEST's iaf_psc_delta do.
   */
  readonly gated?: boolean;
}

/** The step IR of a whole network. */
export interface NetworkIR {
  readonly dt: number;
  readonly slots: readonly SlotIR[];
  readonly groups: readonly GroupIR[];
  readonly deliveries: readonly DeliveryIR[];
  /** Parts of the network with no differentiable lowering yet (continuous coupling, Poisson input, ...). */
  readonly unsupported: readonly string[];
}
