/**
 * Hodgkin–Huxley neurons.
 *
 * {@link HH}: the squid giant axon of Hodgkin & Huxley (1952, "A quantitative description of
 * membrane current and its application to conduction and excitation in nerve", J. Physiol.
 * 117:500), with the standard parameters, written in the modern convention of an absolute
 * membrane potential with rest at -65 mV (the paper measured depolarization from rest, with the
 * opposite sign: V_paper = -(v + 65 mV)).
 *
 * ```
 * dv/dt = (gNa*m**3*h*(ENa - v) + gK*n**4*(EK - v) + gL*(EL - v) + I/area) / Cm : volt
 * dm/dt = phi*(alpha_m*(1 - m) - beta_m*m) : 1
 * dh/dt = phi*(alpha_h*(1 - h) - beta_h*h) : 1
 * dn/dt = phi*(alpha_n*(1 - n) - beta_n*n) : 1
 * alpha_m = 1/exprel(-(v + 40*mV)/(10*mV)) / ms          # = 0.1 (v+40)/(1 - exp(-(v+40)/10))
 * beta_m  = 4*exp(-(v + 65*mV)/(18*mV)) / ms
 * alpha_h = 0.07*exp(-(v + 65*mV)/(20*mV)) / ms
 * beta_h  = 1/(1 + exp(-(v + 35*mV)/(10*mV))) / ms
 * alpha_n = 0.1/exprel(-(v + 55*mV)/(10*mV)) / ms        # = 0.01 (v+55)/(1 - exp(-(v+55)/10))
 * beta_n  = 0.125*exp(-(v + 65*mV)/(80*mV)) / ms
 * I : amp (input)
 * threshold: v > Vspike (no reset)      refractory: tref (only blocks re-detection)
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | Cm | 1 uF/cm² | specific membrane capacitance |
 * | gNa | 120 mS/cm² | maximal sodium conductance |
 * | gK | 36 mS/cm² | maximal potassium conductance |
 * | gL | 0.3 mS/cm² | leak conductance |
 * | ENa | 50 mV | sodium reversal potential |
 * | EK | -77 mV | potassium reversal potential |
 * | EL | -54.387 mV | leak reversal (puts rest at -65 mV) |
 * | phi | 1 | temperature factor of the rates (1 at 6.3 °C; 3^((T - 6.3)/10) otherwise) |
 * | area | 100 um² | membrane area that turns the input current into a density |
 * | Vspike | 0 mV | spike detection level |
 * | tref | 2 ms | time after a detection during which v > Vspike is not counted again |
 *
 * The default area makes 1 pA of `I` equal to 1 µA/cm², the unit of the papers: the rheobase for
 * repetitive firing of a cell at rest is about 6.3 pA (6.3 µA/cm²). Initial state: rest, with
 * the gates at their steady state (see {@link hhSteadyState}). The equations are linear in their
 * own variables, so `method: 'auto'` uses exponential Euler (use dt ≤ 0.025 ms, or 'rk4').
 *
 * {@link HHTraubMiles}: the Traub & Miles (1991) sodium/potassium model as used by the COBAHH
 * benchmark (Brette et al. 2007, J. Comput. Neurosci. 23:349, benchmark 3), with exactly the
 * equations of that benchmark's Brian2 script:
 *
 * ```
 * dv/dt = (gL*(EL - v) - gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) + I) / C : volt
 * dm/dt = alpha_m*(1 - m) - beta_m*m : 1
 * dn/dt = alpha_n*(1 - n) - beta_n*n : 1
 * dh/dt = alpha_h*(1 - h) - beta_h*h : 1
 * alpha_m = 0.32/mV*(4*mV)/exprel((13*mV - v + VT)/(4*mV)) / ms
 * beta_m  = 0.28/mV*(5*mV)/exprel((v - VT - 40*mV)/(5*mV)) / ms
 * alpha_h = 0.128*exp((17*mV - v + VT)/(18*mV)) / ms
 * beta_h  = 4/(1 + exp((40*mV - v + VT)/(5*mV))) / ms
 * alpha_n = 0.032/mV*(5*mV)/exprel((15*mV - v + VT)/(5*mV)) / ms
 * beta_n  = 0.5*exp((10*mV - v + VT)/(40*mV)) / ms
 * I : amp (input)
 * threshold: v > Vspike (no reset)      refractory: tref
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | C | 200 pF | 1 µF/cm² over 20 000 µm² |
 * | gL | 10 nS | 0.05 mS/cm² |
 * | gNa | 20 uS | 100 mS/cm² |
 * | gK | 6 uS | 30 mS/cm² (delayed rectifier) |
 * | EL | -60 mV | leak reversal |
 * | ENa | 50 mV | sodium reversal |
 * | EK | -90 mV | potassium reversal |
 * | VT | -63 mV | shifts the rate functions |
 * | Vspike | -20 mV | spike detection level |
 * | tref | 3 ms | time during which v > Vspike is not counted again |
 *
 * Its gates start at 0, as in the benchmark. The equation texts are exported
 * ({@link TRAUB_MILES_GATES}, {@link TRAUB_MILES_PARAMS}) so that a model with other inputs (the
 * COBAHH neuron with its own ge and gi) can reuse them.
 *
 * @example
 * const G = new NeuronGroup(1, HH, { init: hhSteadyState(-65) });
 * G.setInput('I', '10 pA'); // 10 µA/cm² with the default area
 */
import { defineNeuron } from '../model/model.js';

export const HH = defineNeuron({
  name: 'HH',
  equations: `
    dv/dt = (gNa*m**3*h*(ENa - v) + gK*n**4*(EK - v) + gL*(EL - v) + I/area) / Cm : volt
    dm/dt = phi*(alpha_m*(1 - m) - beta_m*m) : 1
    dh/dt = phi*(alpha_h*(1 - h) - beta_h*h) : 1
    dn/dt = phi*(alpha_n*(1 - n) - beta_n*n) : 1
    alpha_m = 1/exprel(-(v + 40*mV)/(10*mV)) / ms : hertz
    beta_m = 4*exp(-(v + 65*mV)/(18*mV)) / ms : hertz
    alpha_h = 0.07*exp(-(v + 65*mV)/(20*mV)) / ms : hertz
    beta_h = 1/(1 + exp(-(v + 35*mV)/(10*mV))) / ms : hertz
    alpha_n = 0.1/exprel(-(v + 55*mV)/(10*mV)) / ms : hertz
    beta_n = 0.125*exp(-(v + 65*mV)/(80*mV)) / ms : hertz
    I : amp (input)
  `,
  params: {
    Cm: '1 uF/cm**2',
    gNa: '120 msiemens/cm**2',
    gK: '36 msiemens/cm**2',
    gL: '0.3 msiemens/cm**2',
    ENa: '50 mV',
    EK: '-77 mV',
    EL: '-54.387 mV',
    phi: 1,
    area: '100 umetre**2',
    Vspike: '0 mV',
    tref: '2 ms',
  },
  threshold: 'v > Vspike',
  refractory: 'tref',
  init: hhSteadyState(-65),
  positive: ['Cm', 'area', 'phi'],
});

/**
 * Steady state of the HH gates at a holding potential (mV), the model's resting initial state.
 *
 * @example
 * hhSteadyState(-65) // { v: '-65 mV', m: 0.0529..., h: 0.596..., n: 0.317... }
 */
export function hhSteadyState(vmV: number): { v: string; m: number; h: number; n: number } {
  const rel = (x: number) => (Math.abs(x) < 1e-9 ? 1 : Math.expm1(x) / x);
  const am = 1 / rel(-(vmV + 40) / 10);
  const bm = 4 * Math.exp(-(vmV + 65) / 18);
  const ah = 0.07 * Math.exp(-(vmV + 65) / 20);
  const bh = 1 / (1 + Math.exp(-(vmV + 35) / 10));
  const an = 0.1 / rel(-(vmV + 55) / 10);
  const bn = 0.125 * Math.exp(-(vmV + 65) / 80);
  return { v: `${vmV} mV`, m: am / (am + bm), h: ah / (ah + bh), n: an / (an + bn) };
}

/** The gating kinetics of the Traub–Miles model (equation lines, reading v and the parameter VT). */
export const TRAUB_MILES_GATES = `
    dm/dt = alpha_m*(1 - m) - beta_m*m : 1
    dn/dt = alpha_n*(1 - n) - beta_n*n : 1
    dh/dt = alpha_h*(1 - h) - beta_h*h : 1
    alpha_m = 0.32/mV*(4*mV)/exprel((13*mV - v + VT)/(4*mV)) / ms : hertz
    beta_m = 0.28/mV*(5*mV)/exprel((v - VT - 40*mV)/(5*mV)) / ms : hertz
    alpha_h = 0.128*exp((17*mV - v + VT)/(18*mV)) / ms : hertz
    beta_h = 4/(1 + exp((40*mV - v + VT)/(5*mV))) / ms : hertz
    alpha_n = 0.032/mV*(5*mV)/exprel((15*mV - v + VT)/(5*mV)) / ms : hertz
    beta_n = 0.5*exp((10*mV - v + VT)/(40*mV)) / ms : hertz
`;

/** Default parameters of the Traub–Miles model (COBAHH benchmark values). */
export const TRAUB_MILES_PARAMS = {
  C: '200 pF',
  gL: '10 nS',
  gNa: '20 usiemens',
  gK: '6 usiemens',
  EL: '-60 mV',
  ENa: '50 mV',
  EK: '-90 mV',
  VT: '-63 mV',
  Vspike: '-20 mV',
  tref: '3 ms',
} as const;

export const HHTraubMiles = defineNeuron({
  name: 'HHTraubMiles',
  equations: `
    dv/dt = (gL*(EL - v) - gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) + I) / C : volt
    ${TRAUB_MILES_GATES}
    I : amp (input)
  `,
  params: TRAUB_MILES_PARAMS,
  threshold: 'v > Vspike',
  refractory: 'tref',
  init: { v: '-60 mV', m: 0, n: 0, h: 0 },
  positive: ['C'],
});
