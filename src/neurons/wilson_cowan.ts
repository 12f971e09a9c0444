/**
 * Wilson–Cowan population (Wilson & Cowan 1972, "Excitatory and inhibitory interactions in
 * localized populations of model neurons", Biophys. J. 12:1): the activities of an excitatory (E)
 * and an inhibitory (I) population as one rate unit with two variables.
 *
 * ```
 * dE/dt = (-E + (k_e - r_e*E)*S_e) / tau_e : 1
 * dI/dt = (-I + (k_i - r_i*I)*S_i) / tau_i : 1
 * S_e = 1/(1 + exp(-a_e*(c1*E - c2*I + P - theta_e))) - 1/(1 + exp(a_e*theta_e)) : 1
 * S_i = 1/(1 + exp(-a_i*(c3*E - c4*I + Q - theta_i))) - 1/(1 + exp(a_i*theta_i)) : 1
 * P : 1 (input)      # external input to E
 * Q : 1 (input)      # external input to I
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | c1, c2 | 16, 12 | E→E and I→E coupling |
 * | c3, c4 | 15, 3 | E→I and I→I coupling |
 * | a_e, theta_e | 1.3, 4 | slope and threshold of the E response function |
 * | a_i, theta_i | 2, 3.7 | slope and threshold of the I response function |
 * | k_e, k_i | 1, 1 | maximal response (the paper's k; S's maximum is 1 - S(0)) |
 * | r_e, r_i | 1, 1 | refractory factors |
 * | tau_e, tau_i | 10 ms | time constants (dimensionless time in the paper) |
 *
 * The couplings and response functions are the paper's limit-cycle set (its Fig. 8): with P near
 * 1.25 the pair oscillates; far from it the activities settle on a fixed point of
 * E = (k_e - r_e E) S_e(E, I), I = (k_i - r_i I) S_i(E, I). The response functions are shifted so
 * that S(0) = 0 (rest at E = I = 0 without input). `auto` uses RK2.
 *
 * @example
 * const G = new NeuronGroup(1, WilsonCowan);
 * G.setInput('P', 1.25);
 */
import { defineNeuron } from '../model/model.js';

export const WilsonCowan = defineNeuron({
  name: 'WilsonCowan',
  equations: `
    dE/dt = (-E + (k_e - r_e*E)*S_e) / tau_e : 1
    dI/dt = (-I + (k_i - r_i*I)*S_i) / tau_i : 1
    S_e = 1/(1 + exp(-a_e*(c1*E - c2*I + P - theta_e))) - 1/(1 + exp(a_e*theta_e)) : 1
    S_i = 1/(1 + exp(-a_i*(c3*E - c4*I + Q - theta_i))) - 1/(1 + exp(a_i*theta_i)) : 1
    P : 1 (input)
    Q : 1 (input)
  `,
  params: {
    c1: 16,
    c2: 12,
    c3: 15,
    c4: 3,
    a_e: 1.3,
    theta_e: 4,
    a_i: 2,
    theta_i: 3.7,
    k_e: 1,
    k_i: 1,
    r_e: 1,
    r_i: 1,
    tau_e: '10 ms',
    tau_i: '10 ms',
  },
  init: { E: 0, I: 0 },
});
