/**
 * Montbrió–Pazó–Roxin mean field of a population of quadratic integrate-and-fire neurons
 * (Montbrió, Pazó & Roxin 2015, "Macroscopic description for networks of spiking neurons",
 * Phys. Rev. X 5:021028): an exact reduction, for Lorentzian-distributed excitabilities, to the
 * firing rate r and the mean membrane potential v.
 *
 * ```
 * dr/dt = (Delta/(pi*tau) + 2*r*v) / tau : hertz
 * dv/dt = (v**2 + eta + J*tau*r + I - (pi*tau*r)**2) / tau : 1
 * I : 1 (input)
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | Delta | 1 | half-width of the distribution of excitabilities |
 * | eta | -5 | its centre |
 * | J | 15 | recurrent synaptic weight |
 * | tau | 10 ms | membrane time constant |
 *
 * v and the excitabilities are in the paper's normalized (dimensionless) units; r is in Hz.
 * Fixed points satisfy v = -Delta/(2 pi tau r) and
 * (Delta/(2 pi tau r))² + eta + I + J tau r - (pi tau r)² = 0. The defaults (J = 15, Delta = 1,
 * eta = -5) lie in the paper's bistable region, where a low-activity and a high-activity state
 * coexist; e.g. eta = -10 leaves only the low one and eta = 0 only the high one. `auto` uses RK2.
 *
 * @example
 * const G = new NeuronGroup(1, MPR, { params: { eta: -10 } });
 */
import { defineNeuron } from '../model/model.js';

export const MPR = defineNeuron({
  name: 'MPR',
  equations: `
    dr/dt = (Delta/(pi*tau) + 2*r*v) / tau : hertz
    dv/dt = (v**2 + eta + J*tau*r + I - (pi*tau*r)**2) / tau : 1
    I : 1 (input)
  `,
  params: { Delta: 1, eta: -5, J: 15, tau: '10 ms' },
  init: { r: '0 Hz', v: -2 },
  positive: ['Delta'],
});
