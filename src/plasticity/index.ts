/**
 * Synaptic plasticity rules, declared as equations and statements the way Brian2's Synapses are:
 *
 * - `pre`, `post`: traces kept per pre- or post-synaptic neuron (one value per neuron, not per
 *   synapse, which is exact for rules whose traces only sum spikes), with their equations and
 *   their update on that neuron's spike;
 * - `synapse`: variables kept per synapse besides the weight `w` (e.g. an eligibility trace);
 * - `onPre`, `onPost`: statements run for every synapse of a neuron that spikes (event-driven, on
 *   the CSR rows of spiking pre-synaptic neurons and the columns of spiking post-synaptic ones);
 * - `every`: statements run for every synapse each `period` (clock-driven: decays, scaling,
 *   rate-based Hebbian rules).
 *
 * Statements name the weight `w`, per-synapse variables, traces, parameters, `t`, `dt`, and any
 * variable of the pre- or post-synaptic neuron with the suffix `_pre` / `_post` (`r_pre`, `v_post`).
 * On a spike the weight statements run first, then the traces are updated, so a rule reads the
 * traces as they were just before the spike (as the triplet rule needs).
 *
 * Delays: with one delay for all synapses, the on-pre statements and the pre-trace update run
 * when the spike arrives; with per-synapse delays they run when it is emitted (a pre trace is one
 * value per neuron), and each synapse transmits the weight it had before that spike's change.
 */
import { type QuantityLike } from '../equations/quantity.js';
import { checkOptions } from '../equations/options.js';
import { BuildError } from '../lang/errors.js';
import { checkRule } from './check.js';
import type { PlasticityRule } from './rule.js';

export type { PlasticityRule } from './rule.js';

/**
 * Declares a plasticity rule.
 *
 * @example
 * const Hebb = defineRule({ name: 'Hebb', params: { eta: '0.01 /s' },
 *   every: { statements: 'w += dt*eta*r_pre*r_post' } });
 */
export function defineRule(rule: PlasticityRule): PlasticityRule {
  return checkRule(rule, 'defineRule', 'rule');
}

/**
 * Pair-based STDP with exponential windows (Song, Miller & Abbott 2000). A pre spike Δt after a
 * post spike changes w by -A_minus·e^(-Δt/tau_minus); a post spike Δt after a pre spike by
 * +A_plus·e^(-Δt/tau_plus). `multiplicative: true` scales potentiation by (wmax - w) and depression
 * by w (van Rossum et al. 2000). Weights stay in [0, wmax].
 *
 * @example
 * net.connect(In, P, { comm, weight: uniform('0 nS', '1 nS'), syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }),
 *   plasticity: STDP({ A_plus: '0.01 nS', A_minus: '0.0105 nS', wmax: '1 nS' }) });
 */
export function STDP(given: {
  A_plus: QuantityLike;
  A_minus: QuantityLike;
  tau_plus?: QuantityLike;
  tau_minus?: QuantityLike;
  wmax: QuantityLike;
  multiplicative?: boolean;
}): PlasticityRule {
  const opts = checkOptions('STDP', given, { quantities: ['A_plus', 'A_minus', 'tau_plus', 'tau_minus', 'wmax'], flags: ['multiplicative'], required: ['A_plus', 'A_minus', 'wmax'] }) as typeof given;
  const mult = opts.multiplicative ?? false;
  return {
    name: mult ? 'STDP (multiplicative)' : 'STDP (additive)',
    params: { A_plus: opts.A_plus, A_minus: opts.A_minus, tau_plus: opts.tau_plus ?? '20 ms', tau_minus: opts.tau_minus ?? '20 ms', wmax: opts.wmax },
    pre: { equations: 'dapre/dt = -apre/tau_plus : 1', onSpike: 'apre += 1' },
    post: { equations: 'dapost/dt = -apost/tau_minus : 1', onSpike: 'apost += 1' },
    onPre: mult ? 'w = clip(w - A_minus*apost*w/wmax, 0, wmax)' : 'w = clip(w - A_minus*apost, 0, wmax)',
    onPost: mult ? 'w = clip(w + A_plus*apre*(wmax - w)/wmax, 0, wmax)' : 'w = clip(w + A_plus*apre, 0, wmax)',
  };
}

/**
 * Triplet STDP (Pfister & Gerstner 2006), all-to-all traces r1, r2 (pre) and o1, o2 (post):
 * on a pre spike w -= o1 (A2_minus + A3_minus r2); on a post spike w += r1 (A2_plus + A3_plus o2),
 * with the traces read just before their own spike's increment. Defaults: the visual-cortex
 * all-to-all fit of the paper (tau_plus 16.8 ms, tau_minus 33.7 ms, tau_x 101 ms, tau_y 125 ms,
 * A2+ 5e-10, A3+ 6.2e-3, A2- 7e-3, A3- 2.3e-4), as fractions of wmax.
 *
 * @example
 * plasticity: TripletSTDP({ wmax: '1 nS' })
 */
export function TripletSTDP(given: {
  wmax: QuantityLike;
  tau_plus?: QuantityLike;
  tau_minus?: QuantityLike;
  tau_x?: QuantityLike;
  tau_y?: QuantityLike;
  A2_plus?: number;
  A3_plus?: number;
  A2_minus?: number;
  A3_minus?: number;
}): PlasticityRule {
  const opts = checkOptions('TripletSTDP', given, { quantities: ['wmax', 'tau_plus', 'tau_minus', 'tau_x', 'tau_y'], numbers: ['A2_plus', 'A3_plus', 'A2_minus', 'A3_minus'], required: ['wmax'] }) as typeof given;
  return {
    name: 'Triplet STDP',
    params: {
      wmax: opts.wmax,
      tau_plus: opts.tau_plus ?? '16.8 ms',
      tau_minus: opts.tau_minus ?? '33.7 ms',
      tau_x: opts.tau_x ?? '101 ms',
      tau_y: opts.tau_y ?? '125 ms',
      A2p: opts.A2_plus ?? 5e-10,
      A3p: opts.A3_plus ?? 6.2e-3,
      A2m: opts.A2_minus ?? 7e-3,
      A3m: opts.A3_minus ?? 2.3e-4,
    },
    pre: { equations: 'dr1/dt = -r1/tau_plus : 1\ndr2/dt = -r2/tau_x : 1', onSpike: 'r1 += 1; r2 += 1' },
    post: { equations: 'do1/dt = -o1/tau_minus : 1\ndo2/dt = -o2/tau_y : 1', onSpike: 'o1 += 1; o2 += 1' },
    onPre: 'w = clip(w - wmax*o1*(A2m + A3m*r2), 0, wmax)',
    onPost: 'w = clip(w + wmax*r1*(A2p + A3p*o2), 0, wmax)',
  };
}

/**
 * Reward-modulated STDP, a three-factor rule (Izhikevich 2007; Frémaux & Gerstner 2016): pair-based
 * STDP writes into a per-synapse eligibility trace e (decaying with tau_e) instead of the weight;
 * the weight changes only when a neuromodulator arrives, by `projection.modulate({ R })`:
 * w += eta·R·e. Weights stay in [0, wmax].
 *
 * @example
 * const proj = net.connect(In, P, { ..., plasticity: RewardSTDP({ A_plus: 1, A_minus: 1.05, eta: '0.01 nS', wmax: '1 nS' }) });
 * net.run('500 ms'); proj.modulate({ R: reward });
 */
export function RewardSTDP(given: {
  A_plus: number;
  A_minus: number;
  eta: QuantityLike;
  wmax: QuantityLike;
  tau_plus?: QuantityLike;
  tau_minus?: QuantityLike;
  tau_e?: QuantityLike;
}): PlasticityRule {
  const opts = checkOptions('RewardSTDP', given, { quantities: ['eta', 'wmax', 'tau_plus', 'tau_minus', 'tau_e'], numbers: ['A_plus', 'A_minus'], required: ['A_plus', 'A_minus', 'eta', 'wmax'] }) as typeof given;
  return {
    name: 'Reward-modulated STDP',
    params: { A_plus: opts.A_plus, A_minus: opts.A_minus, eta: opts.eta, wmax: opts.wmax, tau_plus: opts.tau_plus ?? '20 ms', tau_minus: opts.tau_minus ?? '20 ms', tau_e: opts.tau_e ?? '1 s' },
    pre: { equations: 'dapre/dt = -apre/tau_plus : 1', onSpike: 'apre += 1' },
    post: { equations: 'dapost/dt = -apost/tau_minus : 1', onSpike: 'apost += 1' },
    synapse: 'e : 1',
    onPre: 'e -= A_minus*apost',
    onPost: 'e += A_plus*apre',
    every: { statements: 'e = e*exp(-dt/tau_e)' },
    modulation: { statements: 'w = clip(w + eta*R*e, 0, wmax)', signals: ['R'] },
  };
}

/**
 * Homeostatic synaptic scaling (Turrigiano et al. 1998; van Rossum, Bi & Turrigiano 2000): each
 * post-synaptic neuron estimates its rate with a slow trace and, every `period`, scales all its
 * incoming weights by 1 + eta·(target - rate)/target, pulling its rate toward the target.
 *
 * @example
 * plasticity: SynapticScaling({ target: '5 Hz', eta: 0.05, wmax: '2 nS' })
 */
export function SynapticScaling(given: { target: QuantityLike; eta: number; wmax: QuantityLike; tau_rate?: QuantityLike; period?: QuantityLike }): PlasticityRule {
  const opts = checkOptions('SynapticScaling', given, { quantities: ['target', 'wmax', 'tau_rate', 'period'], numbers: ['eta'], required: ['target', 'eta', 'wmax'] }) as typeof given;
  return {
    name: 'Synaptic scaling',
    params: { target: opts.target, eta: opts.eta, wmax: opts.wmax, tau_rate: opts.tau_rate ?? '1 s' },
    post: { equations: 'drate/dt = -rate/tau_rate : Hz', onSpike: 'rate += 1/tau_rate' },
    every: { period: opts.period ?? '100 ms', statements: 'w = clip(w*(1 + eta*(target - rate)/target), 0, wmax)' },
  };
}

/**
 * Oja's rule for rate units (Oja 1982): dw/dt = eta·y·(x - y·w), x = pre rate, y = post rate;
 * the weight vector of a linear unit converges to the principal eigenvector of the input
 * covariance with unit norm. `source` names the rate variable of both populations (default 'r').
 *
 * @example
 * net.connect(X, Y, { comm: new All2All(), weight: uniform(-0.1, 0.1), source: 'r', plasticity: Oja({ eta: '1 Hz' }) })
 */
export function Oja(given: { eta: QuantityLike; rate?: string }): PlasticityRule {
  // `rate` is written into the statements: it must be a name
  const opts = checkOptions('Oja', given, { quantities: ['eta'], names: ['rate'], required: ['eta'] }) as typeof given;
  const r = opts.rate ?? 'r';
  return { name: 'Oja', params: { eta: opts.eta }, every: { statements: `w += dt*eta*${r}_post*(${r}_pre - ${r}_post*w)` } };
}

/**
 * BCM rule (Bienenstock, Cooper & Munro 1982; Intrator & Cooper 1992 form): dw/dt = eta·x·y·(y - θ),
 * with a sliding threshold θ = <y²> tracked per post neuron with time constant tau_theta.
 *
 * @example
 * plasticity: BCM({ eta: '1 Hz', tau_theta: '100 ms' })
 */
export function BCM(given: { eta: QuantityLike; tau_theta?: QuantityLike; rate?: string; wmax?: QuantityLike }): PlasticityRule {
  const opts = checkOptions('BCM', given, { quantities: ['eta', 'tau_theta', 'wmax'], names: ['rate'], required: ['eta'] }) as typeof given;
  const r = opts.rate ?? 'r';
  return {
    name: 'BCM',
    params: { eta: opts.eta, tau_theta: opts.tau_theta ?? '100 ms', wmax: opts.wmax ?? 10 },
    post: { equations: `dtheta/dt = (${r}_post**2 - theta)/tau_theta : 1` },
    every: { statements: `w = clip(w + dt*eta*${r}_pre*${r}_post*(${r}_post - theta), 0, wmax)` },
  };
}

/**
 * Hebbian (sign +1) or anti-Hebbian (sign -1) learning with decay, for lateral connections of rate
 * units (Földiák 1990): dw/dt = eta·(sign·x·y - lambda·w).
 *
 * @example
 * net.connect(Y, Y, { comm: new All2All({ allowSelf: false }), weight: 0, source: 'r', plasticity: Hebbian({ eta: '1 Hz', sign: -1 }) })
 */
export function Hebbian(given: { eta: QuantityLike; sign?: 1 | -1; lambda?: number; rate?: string }): PlasticityRule {
  const opts = checkOptions('Hebbian', given, { quantities: ['eta'], names: ['rate'], numbers: ['sign', 'lambda'], required: ['eta'] }) as typeof given;
  const r = opts.rate ?? 'r';
  const s = opts.sign ?? 1;
  if (s !== 1 && s !== -1) throw new BuildError('Hebbian', 'sign', `must be 1 or -1, got ${s}`, 'give sign: 1 (Hebbian) or -1 (anti-Hebbian)');
  return { name: s > 0 ? 'Hebbian' : 'anti-Hebbian', params: { eta: opts.eta, lambda: opts.lambda ?? 0 }, every: { statements: `w += dt*eta*(${s}*${r}_pre*${r}_post - lambda*w)` } };
}
