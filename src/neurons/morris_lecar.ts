/**
 * Morris–Lecar neuron (Morris & Lecar 1981, "Voltage oscillations in the barnacle giant muscle
 * fiber", Biophys. J. 35:193), with the parameters of Rinzel & Ermentrout (1989, "Analysis of
 * neural excitability and oscillations", in Koch & Segev, Methods in Neuronal Modeling).
 *
 * ```
 * dv/dt = (I/area - gL*(v - VL) - gCa*m_inf*(v - VCa) - gK*w*(v - VK)) / Cm : volt
 * dw/dt = phi*(w_inf - w)/tau_w : 1
 * m_inf = 0.5*(1 + tanh((v - V1)/V2)) : 1
 * w_inf = 0.5*(1 + tanh((v - V3)/V4)) : 1
 * tau_w = ms/cosh((v - V3)/(2*V4)) : second
 * I : amp (input)
 * threshold: v > Vspike (no reset)      refractory: tref (only blocks re-detection)
 * ```
 *
 * | parameter | default (Hopf / class II) | `MORRIS_LECAR_PRESETS.snic` (class I) | meaning |
 * | --- | --- | --- | --- |
 * | Cm | 20 uF/cm² | | membrane capacitance |
 * | gL | 2 mS/cm² | | leak conductance |
 * | gCa | 4.4 mS/cm² | 4 mS/cm² | calcium conductance |
 * | gK | 8 mS/cm² | | potassium conductance |
 * | VL | -60 mV | | leak reversal |
 * | VCa | 120 mV | | calcium reversal |
 * | VK | -84 mV | | potassium reversal |
 * | V1 | -1.2 mV | | half-activation of m_inf |
 * | V2 | 18 mV | | slope of m_inf |
 * | V3 | 2 mV | 12 mV | half-activation of w_inf |
 * | V4 | 30 mV | 17.4 mV | slope of w_inf |
 * | phi | 0.04 | 0.0667 | rate factor of w (per ms, with tau_w in ms) |
 * | area | 100 um² | | membrane area (1 pA of I is 1 µA/cm²) |
 * | Vspike | 0 mV | | spike detection level |
 * | tref | 50 ms | 25 ms | time during which v > Vspike is not counted again |
 *
 * With the default (Hopf) parameters the cell oscillates for I from about 90 pA (µA/cm²); at
 * 100 pA the period is about 85 ms (65–105 ms over the oscillating range, up to ~215 pA). The
 * SNIC set fires from about 40 pA at arbitrarily low rates (period 42 ms at 100 pA) until a
 * depolarization block near 120 pA. The spikes of this model are slow: up to ~42 ms above 0 mV
 * for the Hopf set, ~17 ms for the SNIC set, so each spike is counted once only because tref
 * (50 ms, 25 ms in the SNIC preset) is longer than the spike and shorter than the period. In a
 * depolarization block (v stays above Vspike) a spike would be counted every tref.
 * The calcium term makes dv/dt nonlinear in v, so `method: 'auto'` uses RK2.
 *
 * @example
 * const G = new NeuronGroup(1, MorrisLecar);
 * G.setInput('I', '100 pA');
 */
import { defineNeuron } from '../model/model.js';

export const MorrisLecar = defineNeuron({
  name: 'MorrisLecar',
  equations: `
    dv/dt = (I/area - gL*(v - VL) - gCa*m_inf*(v - VCa) - gK*w*(v - VK)) / Cm : volt
    dw/dt = phi*(w_inf - w)/tau_w : 1
    m_inf = 0.5*(1 + tanh((v - V1)/V2)) : 1
    w_inf = 0.5*(1 + tanh((v - V3)/V4)) : 1
    tau_w = ms/cosh((v - V3)/(2*V4)) : second
    I : amp (input)
  `,
  params: {
    Cm: '20 uF/cm**2',
    gL: '2 msiemens/cm**2',
    gCa: '4.4 msiemens/cm**2',
    gK: '8 msiemens/cm**2',
    VL: '-60 mV',
    VCa: '120 mV',
    VK: '-84 mV',
    V1: '-1.2 mV',
    V2: '18 mV',
    V3: '2 mV',
    V4: '30 mV',
    phi: 0.04,
    area: '100 umetre**2',
    Vspike: '0 mV',
    tref: '50 ms',
  },
  threshold: 'v > Vspike',
  refractory: 'tref',
  init: { v: '-60 mV', w: 0.0149 },
  positive: ['Cm', 'area', 'phi', 'V2', 'V4'],
});

/** Rinzel & Ermentrout's two parameter sets: 'hopf' (class II, the defaults) and 'snic' (class I). */
export const MORRIS_LECAR_PRESETS = {
  hopf: { gCa: '4.4 msiemens/cm**2', V3: '2 mV', V4: '30 mV', phi: 0.04, tref: '50 ms' },
  snic: { gCa: '4 msiemens/cm**2', V3: '12 mV', V4: '17.4 mV', phi: 1 / 15, tref: '25 ms' },
} as const;
