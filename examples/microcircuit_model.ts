/**
 * The cortical microcircuit of Potjans & Diesmann (2014, Cerebral Cortex 24:785), built with
 * BrainTS: 77 169 current-based LIF neurons in 8 populations (L2/3, L4, L5, L6 × E, I) under
 * 1 mm² of cortex, about 3·10⁸ synapses. Shared by the example, the benchmark and the tests.
 *
 * Parameters (facts of the paper, as also tabulated by NEST's PyNEST example 'Potjans_2014'):
 *   neurons   iaf_psc_exp: C 250 pF, τm 10 ms, EL = Vreset −65 mV, Vth −50 mV, tref 2 ms,
 *             V0 ~ N(−58 mV, 10 mV); synaptic currents decay with τs 0.5 ms (E and I)
 *   synapses  'fixed total number' per pair: K = log(1 − C) / log(1 − 1/(Npre·Npost)) for the
 *             connection probability C, pre and post of each synapse drawn uniformly (repeats allowed);
 *             weight ~ N(w, 0.1 w), w = 87.8 pA (a 0.15 mV PSP), ×2 for L4E → L2/3E,
 *             −4 w from inhibitory neurons; delays ~ N(1.5 ms, 0.75 ms) from E, N(0.75, 0.375) from I,
 *             at least one step
 *   drive     K_ext independent 8 Hz Poisson sources per neuron, weight w (or the DC equivalent)
 *
 * `scale` multiplies the neuron numbers and keeps the in-degrees (NEST's N_scaling with
 * K_scaling 1): the synapses of a pair are K · ⌊N_post·scale⌋ / N_post, truncated as NEST does,
 * and the weights are unchanged, so the rates stay close to those of the full model.
 */
import { Network, NeuronGroup, LIF, FixedTotalNum, Expon, CUBA, PoissonInput, SpikeMonitor, normal, type NetworkOptions } from '../src/index.js';

export const POPULATIONS = ['L23E', 'L23I', 'L4E', 'L4I', 'L5E', 'L5I', 'L6E', 'L6I'] as const;
/** Neurons per population at full scale. */
export const N_FULL = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948] as const;
/** Connection probabilities, [target][source] in the order of {@link POPULATIONS}. */
export const CONN_PROBS: readonly (readonly number[])[] = [
  [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
  [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
  [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
  [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
  [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
  [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
  [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
  [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
];
/** External (Poisson) in-degree per population. */
export const K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100] as const;
/**
 * Population rates (Hz) of the full-scale model with Poisson drive, as NEST's PyNEST example lists
 * them ('full_mean_rates', used there to scale the network down): the reference the benchmark compares with.
 */
export const REFERENCE_RATES = [0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523] as const;

const C_M = 250e-12; // F
const TAU_M = 10e-3; // s
const TAU_SYN = 0.5e-3; // s
const PSP_E = 0.15e-3; // V
const BG_RATE = 8; // Hz

/**
 * The current amplitude (A) whose exponential PSC of time constant τs gives a PSP peak of `psp`
 * volts on the membrane (C, τm): the peak of the difference of exponentials.
 */
export function pscFromPsp(psp: number, C = C_M, tauM = TAU_M, tauS = TAU_SYN): number {
  const peak = (tauM * tauS) / (C * (tauS - tauM)) * ((tauM / tauS) ** (-tauM / (tauM - tauS)) - (tauM / tauS) ** (-tauS / (tauM - tauS)));
  return psp / peak;
}

/** Excitatory weight (A): about 87.8 pA. */
export const W_EXC = pscFromPsp(PSP_E);

/** Neurons per population at `scale` (NEST truncates). */
export function populationSizes(scale: number): number[] {
  return N_FULL.map((n) => Math.trunc(n * scale));
}

/**
 * Synapses from population `source` to population `target` at `scale`: the full model's
 * K = log(1 − C) / log(1 − 1/(Npre·Npost)), times ⌊N_target·scale⌋ / N_target, truncated.
 *
 * @example
 * synapseCount(0, 2, 1) // L4E → L2/3E at full scale
 */
export function synapseCount(target: number, source: number, scale: number): number {
  const c = CONN_PROBS[target][source];
  if (c === 0) return 0;
  const prod = N_FULL[target] * N_FULL[source];
  const kFull = Math.log(1 - c) / Math.log((prod - 1) / prod);
  return Math.trunc((kFull * Math.trunc(N_FULL[target] * scale)) / N_FULL[target]);
}

/** Options of {@link microcircuitNetwork}. */
export interface MicrocircuitOptions extends Omit<NetworkOptions, 'name'> {
  /** Neurons × scale, in-degrees kept (default 1: 77 169 neurons). */
  readonly scale?: number;
  /** External drive: independent Poisson sources (default) or their mean as a constant current. */
  readonly background?: 'poisson' | 'dc';
}

/** The built model: the network, its 8 populations and one spike monitor per population. */
export interface Microcircuit {
  readonly net: Network;
  readonly groups: readonly NeuronGroup[];
  readonly monitors: readonly SpikeMonitor[];
  readonly sizes: readonly number[];
}

/**
 * The Potjans & Diesmann (2014) microcircuit.
 *
 * @example
 * const { net, monitors } = microcircuitNetwork({ scale: 0.1, seed: 1 });
 * net.run('1 s');
 */
export function microcircuitNetwork(opts: MicrocircuitOptions = {}): Microcircuit {
  const { scale = 1, background = 'poisson', ...netOptions } = opts;
  const sizes = populationSizes(scale);
  const net = new Network({ dt: '0.1 ms', ...netOptions, name: 'microcircuit' });
  const synapse = { syn: Expon({ tau: `${TAU_SYN * 1e3} ms` }), out: CUBA() };
  const groups = POPULATIONS.map((name, p) => {
    const g = net.add(
      new NeuronGroup(sizes[p], LIF, {
        name,
        params: { El: '-65 mV', Vth: '-50 mV', Vreset: '-65 mV', tau: `${TAU_M * 1e3} ms`, tref: '2 ms', R: `${(TAU_M / C_M) / 1e6} Mohm` },
        init: { v: normal('-58 mV', '10 mV') },
        method: 'exp_euler', // linear between spikes; the synaptic decay is exact
      }),
    );
    if (background === 'dc') g.setInput('I', `${BG_RATE * K_EXT[p] * W_EXC * TAU_SYN * 1e12} pA`);
    else net.add(new PoissonInput(g, { name: `bg_${name}`, num: K_EXT[p], rate: `${BG_RATE} Hz`, weight: `${W_EXC * 1e12} pA`, ...synapse }));
    return g;
  });
  for (let t = 0; t < POPULATIONS.length; t++) {
    for (let s = 0; s < POPULATIONS.length; s++) {
      const num = synapseCount(t, s, scale);
      if (num === 0) continue;
      const inhibitory = s % 2 === 1;
      const w = W_EXC * 1e12 * (inhibitory ? -4 : t === 0 && s === 2 ? 2 : 1); // pA
      const d = inhibitory ? 0.75 : 1.5; // ms
      net.connect(groups[s], groups[t], {
        name: `${POPULATIONS[s]}→${POPULATIONS[t]}`,
        comm: new FixedTotalNum(num),
        // clipped at 0 so that no synapse changes sign (10 standard deviations away: never in practice)
        weight: normal(`${w} pA`, `${Math.abs(w) * 0.1} pA`, inhibitory ? { max: '0 pA' } : { min: '0 pA' }),
        delay: normal(`${d} ms`, `${d * 0.5} ms`, { min: '0.1 ms' }),
        ...synapse,
      });
    }
  }
  const monitors = groups.map((g) => net.add(new SpikeMonitor(g)));
  return { net, groups, monitors, sizes };
}
