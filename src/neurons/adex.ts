/**
 * Adaptive exponential integrate-and-fire neuron, AdEx (Brette & Gerstner 2005, "Adaptive
 * exponential integrate-and-fire model as an effective description of neuronal activity",
 * J. Neurophysiol. 94:3637), with the firing-pattern parameter sets of Naud, Marcille, Clopath &
 * Gerstner 2008 ("Firing patterns in the adaptive exponential integrate-and-fire model",
 * Biol. Cybern. 99:335).
 *
 * ```
 * dv/dt = (-gL*(v - EL) + gL*DeltaT*exp((min(v, Vpeak) - VT)/DeltaT) - w + I) / C : volt (unless refractory)
 * dw/dt = (a*(min(v, Vpeak) - EL) - w) / tau_w : amp
 * I : amp (input)
 * threshold: v > Vpeak      reset: v = Vr; w += b      refractory: tref
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | C | 281 pF | membrane capacitance |
 * | gL | 30 nS | leak conductance |
 * | EL | -70.6 mV | leak reversal potential |
 * | VT | -50.4 mV | threshold slope point |
 * | DeltaT | 2 mV | slope factor |
 * | a | 4 nS | subthreshold adaptation |
 * | tau_w | 144 ms | adaptation time constant |
 * | b | 80.5 pA | spike-triggered adaptation |
 * | Vr | -70.6 mV | reset potential (= EL) |
 * | Vpeak | 0 mV | numerical cut-off where a spike is emitted |
 * | tref | 0 ms | refractory period (none in the papers) |
 *
 * The defaults are Brette & Gerstner's fit to a regular-spiking pyramidal cell. Once the cut-off
 * is several DeltaT above VT, spike times barely depend on it; 0 mV is also the value used by
 * Naud et al. The exponential and the subthreshold adaptation read min(v, Vpeak): identical below
 * the cut-off, and it keeps the Runge–Kutta stages of the step that crosses the cut-off finite
 * (without it a stage can evaluate exp() of a voltage far above the peak and poison w).
 *
 * {@link ADEX_PRESETS} holds the parameter sets and step currents of the eight firing patterns of
 * Naud et al. (2008) (their Table 1 and Fig. 4, as tabulated by re-implementations of that
 * figure); the test suite checks each pattern against an independent integration:
 *
 * | preset | C (pF) | gL (nS) | EL (mV) | VT (mV) | DeltaT (mV) | a (nS) | tau_w (ms) | b (pA) | Vr (mV) | I (pA) |
 * | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
 * | tonic | 200 | 10 | -70 | -50 | 2 | 2 | 30 | 0 | -58 | 500 |
 * | adapting | 200 | 12 | -70 | -50 | 2 | 2 | 300 | 60 | -58 | 500 |
 * | initialBurst | 130 | 18 | -58 | -50 | 2 | 4 | 150 | 120 | -50 | 400 |
 * | regularBursting | 200 | 10 | -58 | -50 | 2 | 2 | 120 | 100 | -46 | 210 |
 * | delayedAccelerating | 200 | 12 | -70 | -50 | 2 | -10 | 300 | 0 | -58 | 300 |
 * | delayedRegularBursting | 100 | 10 | -65 | -50 | 2 | -10 | 90 | 30 | -47 | 110 |
 * | transient | 100 | 10 | -65 | -50 | 2 | 10 | 90 | 100 | -47 | 180 |
 * | irregular | 100 | 12 | -60 | -50 | 2 | -11 | 130 | 30 | -48 | 160 |
 *
 * The neuron starts at rest (v = EL, w = 0) and receives the step current from t = 0.
 *
 * @example
 * const p = ADEX_PRESETS.regularBursting;
 * const G = net.add(new NeuronGroup(1, AdEx, { params: p.params, init: { v: p.params.EL } }));
 * G.setInput('I', p.I);
 */
import { defineNeuron } from '../model/model.js';

export const AdEx = defineNeuron({
  name: 'AdEx',
  equations: `
    dv/dt = (-gL*(v - EL) + gL*DeltaT*exp((min(v, Vpeak) - VT)/DeltaT) - w + I) / C : volt (unless refractory)
    dw/dt = (a*(min(v, Vpeak) - EL) - w) / tau_w : amp
    I : amp (input)
  `,
  params: {
    C: '281 pF',
    gL: '30 nS',
    EL: '-70.6 mV',
    VT: '-50.4 mV',
    DeltaT: '2 mV',
    a: '4 nS',
    tau_w: '144 ms',
    b: '80.5 pA',
    Vr: '-70.6 mV',
    Vpeak: '0 mV',
    tref: '0 ms',
  },
  threshold: 'v > Vpeak',
  reset: 'v = Vr; w += b',
  refractory: 'tref',
  init: { v: '-70.6 mV', w: '0 pA' },
  positive: ['C', 'gL', 'DeltaT'],
});

/** The firing patterns of Naud et al. (2008). */
export type AdExPattern =
  | 'tonic'
  | 'adapting'
  | 'initialBurst'
  | 'regularBursting'
  | 'delayedAccelerating'
  | 'delayedRegularBursting'
  | 'transient'
  | 'irregular';

/** An AdEx parameter set and the step current that shows its firing pattern. */
export interface AdExPreset {
  /** Parameters of {@link AdEx} (the others keep their defaults). */
  readonly params: Readonly<Record<'C' | 'gL' | 'EL' | 'VT' | 'DeltaT' | 'a' | 'tau_w' | 'b' | 'Vr', string>>;
  /** The step current of the paper's figure. */
  readonly I: string;
  /** What the pattern looks like. */
  readonly description: string;
}

const preset = (
  C: number,
  gL: number,
  EL: number,
  a: number,
  tau_w: number,
  b: number,
  Vr: number,
  I: number,
  description: string,
): AdExPreset => ({
  params: { C: `${C} pF`, gL: `${gL} nS`, EL: `${EL} mV`, VT: '-50 mV', DeltaT: '2 mV', a: `${a} nS`, tau_w: `${tau_w} ms`, b: `${b} pA`, Vr: `${Vr} mV` },
  I: `${I} pA`,
  description,
});

/**
 * Naud et al. (2008), Table 1: parameters and step currents of eight firing patterns.
 *
 * @example
 * for (const [name, p] of Object.entries(ADEX_PRESETS)) console.log(name, p.description, p.I);
 */
export const ADEX_PRESETS: Readonly<Record<AdExPattern, AdExPreset>> = {
  tonic: preset(200, 10, -70, 2, 30, 0, -58, 500, 'regular firing at a constant rate'),
  adapting: preset(200, 12, -70, 2, 300, 60, -58, 500, 'inter-spike intervals lengthen to a steady value'),
  initialBurst: preset(130, 18, -58, 4, 150, 120, -50, 400, 'a burst at the onset, then tonic firing'),
  regularBursting: preset(200, 10, -58, 2, 120, 100, -46, 210, 'bursts repeated at regular intervals'),
  delayedAccelerating: preset(200, 12, -70, -10, 300, 0, -58, 300, 'a long delay to the first spike, then intervals shorten'),
  delayedRegularBursting: preset(100, 10, -65, -10, 90, 30, -47, 110, 'a delay to the first spike, then regular bursts'),
  transient: preset(100, 10, -65, 10, 90, 100, -47, 180, 'a spike at the onset, then silence (damped subthreshold oscillation)'),
  irregular: preset(100, 12, -60, -11, 130, 30, -48, 160, 'irregular (chaotic) intervals under a constant current'),
};
