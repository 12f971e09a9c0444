/**
 * Synaptic dynamics ("syn") and outputs ("out") of the projection chain
 * pre → delay → comm → syn → out → post.
 *
 * Linear dynamics are kept per post-synaptic neuron ("align-post"): a spike adds its weight to the
 * state of its target neuron, and all projections onto one population with the same dynamics and
 * output share that state, so the cost per step is one state per neuron, not per synapse.
 */
import { type Expr } from '../equations/ast.js';
import { parseExpr } from '../equations/parser.js';
import { type QuantityLike } from '../equations/quantity.js';

/** Synaptic dynamics kept per post-synaptic neuron. Its state has the dimension of the weight. */
export interface SynapseDynamics {
  readonly kind: string;
  /** Parameters (time constants...) with units. */
  readonly params: Readonly<Record<string, QuantityLike>>;
  /** Differential equations, name → right-hand side, in the local names of `params` and states. */
  readonly equations: ReadonlyArray<readonly [string, Expr]>;
  /** The state a spike increments by the synaptic weight. */
  readonly onSpike: string;
  /** The state (or expression) handed to the output. */
  readonly output: Expr;
  /** Parameters that must be strictly positive. */
  readonly positive: readonly string[];
}

/** How the synaptic state acts on the post-synaptic neuron: an expression of `g` and post variables. */
export interface SynapseOutput {
  readonly kind: string;
  readonly params: Readonly<Record<string, QuantityLike>>;
  /** The contribution to the target input; `g` is the synaptic state, other names are params or post variables. */
  readonly expr: Expr;
  /** Post-synaptic variables the expression reads (e.g. the membrane potential). */
  readonly postVars: readonly string[];
}

/**
 * Exponential synapse: dg/dt = -g/tau, and each spike adds its weight to g.
 *
 * @example
 * net.connect(E, P, { comm: new FixedProb(0.02), weight: '6 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) })
 */
export function Expon(opts: { tau: QuantityLike }): SynapseDynamics {
  return { kind: 'Expon', params: { tau: opts.tau }, equations: [['g', parseExpr('-g/tau')]], onSpike: 'g', output: parseExpr('g'), positive: ['tau'] };
}

/**
 * Dual-exponential synapse: dx/dt = -x/tau_rise, dg/dt = (x - g)/tau_decay; a spike adds its weight
 * to x. The conductance after one spike is w·tau_rise/(tau_decay - tau_rise)·(e^(-t/tau_decay) - e^(-t/tau_rise)),
 * whose time integral is w·tau_rise.
 *
 * @example
 * syn: DualExpon({ tauRise: '1 ms', tauDecay: '5 ms' })
 */
export function DualExpon(opts: { tauRise: QuantityLike; tauDecay: QuantityLike }): SynapseDynamics {
  return {
    kind: 'DualExpon',
    params: { tau_rise: opts.tauRise, tau_decay: opts.tauDecay },
    equations: [
      ['g', parseExpr('(x - g)/tau_decay')],
      ['x', parseExpr('-x/tau_rise')],
    ],
    onSpike: 'x',
    output: parseExpr('g'),
    positive: ['tau_rise', 'tau_decay'],
  };
}

/**
 * Current-based output: the synaptic state is a current added to the target input.
 *
 * @example
 * out: CUBA()
 */
export function CUBA(): SynapseOutput {
  return { kind: 'CUBA', params: {}, expr: parseExpr('g'), postVars: [] };
}

/**
 * Conductance-based output: I = g (E - V), V the post-synaptic membrane potential.
 *
 * @example
 * out: COBA({ E: '-80 mV' })            // inhibitory
 * out: COBA({ E: '0 mV', V: 'v' })     // naming the membrane variable explicitly
 */
export function COBA(opts: { E: QuantityLike; V?: string }): SynapseOutput {
  const V = opts.V ?? 'v';
  return { kind: 'COBA', params: { E: opts.E }, expr: { k: 'bin', op: '*', a: { k: 'sym', name: 'g' }, b: { k: 'bin', op: '-', a: { k: 'sym', name: 'E' }, b: { k: 'sym', name: V } } }, postVars: [V] };
}
