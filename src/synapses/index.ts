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
import { checkOptions } from '../equations/options.js';

/**
 * Synaptic dynamics.
 *
 * - align 'post' (default): the state lives on the post-synaptic neuron and has the dimension of
 *   the weight; a spike adds `weight × spikeScale` to `onSpike`. Only linear dynamics qualify.
 * - align 'pre': the state lives on the pre-synaptic neuron (dimensionless, e.g. a fraction of
 *   open receptors); it evolves from the pre-synaptic spikes (`onPreSpike`, `lastspike`), and the
 *   post-synaptic conductance is Σ_pre weight × output, recomputed every step. This is how
 *   saturating kinetic models (AMPA, GABA_A, NMDA) stay one state per neuron, not per synapse.
 */
export interface SynapseDynamics {
  readonly kind: string;
  /** Parameters (time constants...) with units. */
  readonly params: Readonly<Record<string, QuantityLike>>;
  /** Differential equations, name → right-hand side, in the local names of `params` and states. */
  readonly equations: ReadonlyArray<readonly [string, Expr]>;
  /** Align-post: the state a spike increments by the synaptic weight. */
  readonly onSpike: string;
  /** Align-post: factor on the weight at each spike (e.g. e for the peak-normalized alpha synapse). */
  readonly spikeScale?: Expr;
  /** The state (or expression) handed to the output. */
  readonly output: Expr;
  /** Parameters that must be strictly positive. */
  readonly positive: readonly string[];
  /** Where the state lives (default 'post'). */
  readonly align?: 'pre' | 'post';
  /** Align-pre: statements run on each pre-synaptic spike, e.g. 'x += 1'. */
  readonly onPreSpike?: string;
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
export function Expon(given: { tau: QuantityLike }): SynapseDynamics {
  const opts = checkOptions('Expon', given, { quantities: ['tau'], required: ['tau'] }) as typeof given;
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
export function DualExpon(given: { tauRise: QuantityLike; tauDecay: QuantityLike }): SynapseDynamics {
  const opts = checkOptions('DualExpon', given, { quantities: ['tauRise', 'tauDecay'], required: ['tauRise', 'tauDecay'] }) as typeof given;
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
export function COBA(given: { E: QuantityLike; V?: string }): SynapseOutput {
  const opts = checkOptions('COBA', given, { quantities: ['E'], names: ['V'], required: ['E'] }) as typeof given;
  const V = opts.V ?? 'v';
  return { kind: 'COBA', params: { E: opts.E }, expr: { k: 'bin', op: '*', a: { k: 'sym', name: 'g' }, b: { k: 'bin', op: '-', a: { k: 'sym', name: 'E' }, b: { k: 'sym', name: V } } }, postVars: [V] };
}

/**
 * Alpha synapse: after one spike of weight w the conductance is w (t/tau) e^(1 - t/tau), peaking at
 * w when t = tau. Written as the linear pair dg/dt = (x - g)/tau, dx/dt = -x/tau with x += w·e.
 *
 * @example
 * syn: Alpha({ tau: '2 ms' })
 */
export function Alpha(given: { tau: QuantityLike }): SynapseDynamics {
  const opts = checkOptions('Alpha', given, { quantities: ['tau'], required: ['tau'] }) as typeof given;
  return {
    kind: 'Alpha',
    params: { tau: opts.tau },
    equations: [
      ['g', parseExpr('(x - g)/tau')],
      ['x', parseExpr('-x/tau')],
    ],
    onSpike: 'x',
    spikeScale: { k: 'num', v: Math.E },
    output: parseExpr('g'),
    positive: ['tau'],
  };
}

/**
 * AMPA receptor kinetics (Destexhe, Mainen & Sejnowski 1994), kept per pre-synaptic neuron:
 *   dg/dt = alpha [T] (1 - g) - beta g,   [T] = T while t - lastspike < T_dur, else 0.
 * g is the open fraction (0..1); the post-synaptic conductance is Σ weight × g.
 * Defaults: alpha 0.98 /(ms mM), beta 0.18 /ms, T 0.5 mM, T_dur 0.5 ms (as BrainPy's AMPA).
 *
 * @example
 * net.connect(E, P, { comm: new FixedProb(0.02), weight: '1 nS', syn: AMPA(), out: COBA({ E: '0 mV' }) })
 */
export function AMPA(given: { alpha?: QuantityLike; beta?: QuantityLike; T?: QuantityLike; T_dur?: QuantityLike } = {}): SynapseDynamics {
  const opts = checkOptions('AMPA', given, { quantities: ['alpha', 'beta', 'T', 'T_dur'] }) as typeof given;
  return kinetic('AMPA', opts.alpha ?? '0.98 /ms/mM', opts.beta ?? '0.18 /ms', opts.T ?? '0.5 mM', opts.T_dur ?? '0.5 ms');
}

/**
 * GABA_A receptor kinetics (Destexhe, Mainen & Sejnowski 1994), same form as {@link AMPA}.
 * Defaults: alpha 0.53 /(ms mM), beta 0.18 /ms, T 1 mM, T_dur 1 ms; use with COBA({ E: '-80 mV' }).
 *
 * @example
 * syn: GABAa(), out: COBA({ E: '-80 mV' })
 */
export function GABAa(given: { alpha?: QuantityLike; beta?: QuantityLike; T?: QuantityLike; T_dur?: QuantityLike } = {}): SynapseDynamics {
  const opts = checkOptions('GABAa', given, { quantities: ['alpha', 'beta', 'T', 'T_dur'] }) as typeof given;
  return kinetic('GABAa', opts.alpha ?? '0.53 /ms/mM', opts.beta ?? '0.18 /ms', opts.T ?? '1 mM', opts.T_dur ?? '1 ms');
}

function kinetic(kind: string, alpha: QuantityLike, beta: QuantityLike, T: QuantityLike, T_dur: QuantityLike): SynapseDynamics {
  return {
    kind,
    params: { alpha, beta, T, T_dur },
    equations: [['g', parseExpr('alpha*T*((t - lastspike) < T_dur)*(1 - g) - beta*g')]],
    onSpike: 'g',
    output: parseExpr('g'),
    positive: ['alpha', 'beta', 'T_dur'],
    align: 'pre',
  };
}

/**
 * NMDA receptor (second-order kinetics as in BrainPy's NMDA; Wang 2002), per pre-synaptic neuron:
 *   dg/dt = -g/tau_decay + a x (1 - g),   dx/dt = -x/tau_rise,   x += 1 on each spike.
 * Defaults: a 0.5 /ms, tau_decay 100 ms, tau_rise 2 ms. Use with MgBlock for the voltage dependence.
 *
 * @example
 * syn: NMDA(), out: MgBlock({ E: '0 mV' })
 */
export function NMDA(given: { a?: QuantityLike; tau_decay?: QuantityLike; tau_rise?: QuantityLike } = {}): SynapseDynamics {
  const opts = checkOptions('NMDA', given, { quantities: ['a', 'tau_decay', 'tau_rise'] }) as typeof given;
  return {
    kind: 'NMDA',
    params: { a: opts.a ?? '0.5 /ms', tau_decay: opts.tau_decay ?? '100 ms', tau_rise: opts.tau_rise ?? '2 ms' },
    equations: [
      ['g', parseExpr('-g/tau_decay + a*x*(1 - g)')],
      ['x', parseExpr('-x/tau_rise')],
    ],
    onSpike: 'g',
    output: parseExpr('g'),
    positive: ['a', 'tau_decay', 'tau_rise'],
    align: 'pre',
    onPreSpike: 'x += 1',
  };
}

/**
 * Conductance output with the voltage-dependent Mg²⁺ block of NMDA receptors (Jahr & Stevens 1990):
 *   I = g (E - V) / (1 + [Mg] / beta · exp(-alpha V)).
 * Defaults: [Mg] 1.2 mM, alpha 0.062 /mV, beta 3.57 mM.
 *
 * @example
 * out: MgBlock({ E: '0 mV' })
 */
export function MgBlock(given: { E: QuantityLike; Mg?: QuantityLike; alpha?: QuantityLike; beta?: QuantityLike; V?: string }): SynapseOutput {
  // V is checked to be a name before it is written into the expression text
  const opts = checkOptions('MgBlock', given, { quantities: ['E', 'Mg', 'alpha', 'beta'], names: ['V'], required: ['E'] }) as typeof given;
  const V = opts.V ?? 'v';
  const expr = parseExpr(`g*(E - ${V})/(1 + Mg/beta*exp(-alpha*${V}))`);
  return { kind: 'MgBlock', params: { E: opts.E, Mg: opts.Mg ?? '1.2 mM', alpha: opts.alpha ?? '0.062 /mV', beta: opts.beta ?? '3.57 mM' }, expr, postVars: [V] };
}

/**
 * The fraction of NMDA conductance left unblocked at membrane potential V (volts), for tests and plots.
 *
 * @example
 * mgBlockFraction(-0.065) // ≈ 0.11 with 1.2 mM Mg²⁺
 */
export function mgBlockFraction(V: number, Mg = 1.2, alphaPerMilliVolt = 0.062, beta = 3.57): number {
  return 1 / (1 + (Mg / beta) * Math.exp(-alphaPerMilliVolt * V * 1000));
}

/** Short-term plasticity of a projection (see {@link STP}). */
export interface ShortTermPlasticity {
  readonly kind: 'STP';
  readonly params: { readonly U: QuantityLike; readonly tau_f: QuantityLike; readonly tau_d: QuantityLike };
}

/**
 * Tsodyks–Markram short-term plasticity (Tsodyks, Pawelzik & Markram 1998), per pre-synaptic neuron:
 *   du/dt = -u/tau_f,  dx/dt = (1 - x)/tau_d;  on a spike: u += U (1 - u), r = u x, x -= r,
 * and the spike is transmitted with weight × r. Facilitation: small U, long tau_f; depression:
 * large U, long tau_d.
 *
 * @example
 * net.connect(E, P, { comm, weight: '2 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }),
 *                     stp: STP({ U: 0.5, tau_f: '20 ms', tau_d: '500 ms' }) })
 */
export function STP(given: { U: QuantityLike; tau_f: QuantityLike; tau_d: QuantityLike }): ShortTermPlasticity {
  const opts = checkOptions('STP', given, { quantities: ['U', 'tau_f', 'tau_d'], required: ['U', 'tau_f', 'tau_d'] }) as typeof given;
  return { kind: 'STP', params: { U: opts.U, tau_f: opts.tau_f, tau_d: opts.tau_d } };
}
