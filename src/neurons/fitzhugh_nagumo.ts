/**
 * FitzHugh–Nagumo neuron (FitzHugh 1961, "Impulses and physiological states in theoretical models
 * of nerve membrane", Biophys. J. 1:445; Nagumo, Arimoto & Yoshizawa 1962), dimensionless, with
 * time constants in ms:
 *
 * ```
 * dv/dt = (v - v**3/3 - w + I) / tau_v : 1
 * dw/dt = (v + a - b*w) / tau_w : 1
 * I : 1 (input)
 * threshold: v > Vth (no reset)      refractory: tref (only blocks re-detection)
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | a | 0.7 | recovery offset |
 * | b | 0.8 | recovery damping |
 * | tau_v | 1 ms | time scale of the fast variable |
 * | tau_w | 12.5 ms | time scale of the recovery variable (1/0.08) |
 * | Vth | 1 | spike detection level |
 * | tref | 25 ms | time during which v > Vth is not counted again |
 *
 * The classic values a = 0.7, b = 0.8, 1/tau_w = 0.08 (per unit time, here per ms). The rest
 * state loses stability (Hopf) near I = 0.33; at I = 0.5 the period is about 39.5 ms. A spike
 * stays above 1 for up to ~18 ms and the period is at least ~36 ms, hence tref = 25 ms (it only
 * keeps one spike from being counted several times). `auto` uses RK2.
 *
 * @example
 * const G = new NeuronGroup(1, FitzHughNagumo);
 * G.setInput('I', 0.5);
 */
import { defineNeuron } from '../model/model.js';

export const FitzHughNagumo = defineNeuron({
  name: 'FitzHughNagumo',
  equations: `
    dv/dt = (v - v**3/3 - w + I) / tau_v : 1
    dw/dt = (v + a - b*w) / tau_w : 1
    I : 1 (input)
  `,
  params: { a: 0.7, b: 0.8, tau_v: '1 ms', tau_w: '12.5 ms', Vth: 1, tref: '25 ms' },
  threshold: 'v > Vth',
  refractory: 'tref',
  init: { v: -1.1994, w: -0.6243 },
});
