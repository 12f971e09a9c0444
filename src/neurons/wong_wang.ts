/**
 * Reduced Wong–Wang population (Wong & Wang 2006, J. Neurosci. 26:1314; the one-variable form of
 * Deco et al. 2013, J. Neurosci. 33:11239): the NMDA gating S of an excitatory population, the
 * region model of many whole-brain simulations.
 *
 * ```
 * dS/dt = -S/tau_s + (1 - S)*gamma*H + sigma*xi : 1
 * H = 1/(d*exprel(-d*(a*x - b))) : Hz       # (a x − b) / (1 − exp(−d (a x − b))), finite at a x = b
 * x = w*J_N*S + I_0 + I : amp
 * I : amp (input)                            # e.g. long-range coupling G·J_N·Σ C_ij S_j
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | tau_s | 100 ms | NMDA decay |
 * | gamma | 0.641 | kinetic factor |
 * | a, b, d | 270 nC⁻¹, 108 Hz, 0.154 s | the population's input–output function |
 * | w | 0.9 | local recurrence |
 * | J_N | 0.2609 nA | NMDA coupling |
 * | I_0 | 0.3 nA | background input |
 * | sigma | 0.001 Hz^½ | noise amplitude (white noise on S, as Deco et al. 2013) |
 *
 * @example
 * const R = new NeuronGroup(68, ReducedWongWang, { init: { S: 0.1 } });
 */
import { defineNeuron } from '../model/model.js';

export const ReducedWongWang = defineNeuron({
  name: 'ReducedWongWang',
  equations: `
    dS/dt = -S/tau_s + (1 - S)*gamma*H + sigma*xi : 1
    H = 1/(d*exprel(-d*(a*x - b))) : Hz
    x = w*J_N*S + I_0 + I : amp
    I : amp (input)
  `,
  params: { tau_s: '100 ms', gamma: 0.641, a: '270 /nC', b: '108 Hz', d: '0.154 s', w: 0.9, J_N: '0.2609 nA', I_0: '0.3 nA', sigma: '0.001 Hz**0.5' },
  init: { S: 0.1 },
});
