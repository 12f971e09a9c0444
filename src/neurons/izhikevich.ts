/**
 * Izhikevich's simple spiking neuron (Izhikevich 2003, "Simple model of spiking neurons",
 * IEEE Trans. Neural Netw. 14:1569; presets also in Izhikevich 2004, "Which model to use for
 * cortical spiking neurons?", IEEE Trans. Neural Netw. 15:1063).
 *
 * The paper writes v' = 0.04v² + 5v + 140 - u + I, u' = a(bv - u) with v and u in mV, time in ms
 * and I dimensionless. Here the same equations carry units:
 *
 * ```
 * dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + R*I) / ms : volt
 * du/dt = a*(b*v - u) / ms : volt
 * I : amp (input)
 * threshold: v >= Vpeak      reset: v = c; u += d
 * ```
 *
 * so u is in mV and R·I plays the paper's I: with R = 1 MΩ, `I = 10 nA` is the paper's I = 10.
 *
 * | parameter | default (RS) | meaning |
 * | --- | --- | --- |
 * | a | 0.02 | recovery rate (per ms) |
 * | b | 0.2 | sensitivity of u to v |
 * | c | -65 mV | reset potential |
 * | d | 8 mV | jump of u at a spike |
 * | Vpeak | 30 mV | spike peak (cut-off) |
 * | R | 1 Mohm | scales the input current to the paper's units |
 *
 * Named cell classes ({@link IZHIKEVICH_PRESETS}, 2003 paper Fig. 2):
 *
 * | preset | class | a | b | c (mV) | d (mV) |
 * | --- | --- | --- | --- | --- | --- |
 * | RS | regular spiking | 0.02 | 0.2 | -65 | 8 |
 * | IB | intrinsically bursting | 0.02 | 0.2 | -55 | 4 |
 * | CH | chattering | 0.02 | 0.2 | -50 | 2 |
 * | FS | fast spiking | 0.1 | 0.2 | -65 | 2 |
 * | LTS | low-threshold spiking | 0.02 | 0.25 | -65 | 2 |
 * | TC | thalamo-cortical | 0.02 | 0.25 | -65 | 0.05 |
 * | RZ | resonator | 0.1 | 0.26 | -65 | 2 |
 *
 * The initial state is v = -65 mV, u = b·v (the paper's choice). The model is nonlinear in v, so
 * `method: 'auto'` uses RK2 (the paper used forward Euler with dt = 1 ms split into two 0.5 ms
 * half-steps for v; use dt ≤ 0.1 ms here).
 *
 * @example
 * const G = new NeuronGroup(1, Izhikevich, { params: izhikevichPreset('CH'), init: izhikevichInit('CH') });
 * G.setInput('I', '10 nA');
 */
import { defineNeuron } from '../model/model.js';

export const Izhikevich = defineNeuron({
  name: 'Izhikevich',
  equations: `
    dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + R*I) / ms : volt
    du/dt = a*(b*v - u) / ms : volt
    I : amp (input)
  `,
  params: { a: 0.02, b: 0.2, c: '-65 mV', d: '8 mV', Vpeak: '30 mV', R: '1 Mohm' },
  threshold: 'v >= Vpeak',
  reset: 'v = c; u += d',
  init: { v: '-65 mV', u: '-13 mV' },
});

/** The named cell classes of Izhikevich (2003). */
export type IzhikevichClass = 'RS' | 'IB' | 'CH' | 'FS' | 'LTS' | 'TC' | 'RZ';

/** a, b (dimensionless) and c, d (mV) of each cell class, as numbers. */
export const IZHIKEVICH_PRESETS: Readonly<Record<IzhikevichClass, { readonly a: number; readonly b: number; readonly c: number; readonly d: number; readonly description: string }>> = {
  RS: { a: 0.02, b: 0.2, c: -65, d: 8, description: 'regular spiking (excitatory, adapting)' },
  IB: { a: 0.02, b: 0.2, c: -55, d: 4, description: 'intrinsically bursting (an initial burst, then single spikes)' },
  CH: { a: 0.02, b: 0.2, c: -50, d: 2, description: 'chattering (fast rhythmic bursts)' },
  FS: { a: 0.1, b: 0.2, c: -65, d: 2, description: 'fast spiking (inhibitory, no adaptation)' },
  LTS: { a: 0.02, b: 0.25, c: -65, d: 2, description: 'low-threshold spiking (inhibitory)' },
  TC: { a: 0.02, b: 0.25, c: -65, d: 0.05, description: 'thalamo-cortical (tonic firing, rebound bursts from hyperpolarization)' },
  RZ: { a: 0.1, b: 0.26, c: -65, d: 2, description: 'resonator (subthreshold oscillations)' },
};

/**
 * The parameters of a named cell class, ready for `new NeuronGroup(n, Izhikevich, { params })`.
 *
 * @example
 * izhikevichPreset('FS') // { a: 0.1, b: 0.2, c: '-65 mV', d: '2 mV' }
 */
export function izhikevichPreset(name: IzhikevichClass): { a: number; b: number; c: string; d: string } {
  const p = IZHIKEVICH_PRESETS[name];
  if (!p) throw new Error(`unknown Izhikevich class '${String(name)}'; known: ${Object.keys(IZHIKEVICH_PRESETS).join(', ')}`);
  return { a: p.a, b: p.b, c: `${p.c} mV`, d: `${p.d} mV` };
}

/**
 * The paper's initial state for a class: v = v0 (default -65 mV), u = b·v0.
 *
 * @example
 * izhikevichInit('TC', -87) // { v: '-87 mV', u: '-21.75 mV' }
 */
export function izhikevichInit(name: IzhikevichClass, v0 = -65): { v: string; u: string } {
  const p = IZHIKEVICH_PRESETS[name];
  if (!p) throw new Error(`unknown Izhikevich class '${String(name)}'; known: ${Object.keys(IZHIKEVICH_PRESETS).join(', ')}`);
  return { v: `${v0} mV`, u: `${p.b * v0} mV` };
}
