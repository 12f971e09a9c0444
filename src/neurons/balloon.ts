/**
 * Balloon–Windkessel hemodynamics (Buxton et al. 1998; Friston et al. 2000, NeuroImage 12:466,
 * with the BOLD coefficients of Obata et al. 2004 as in Stephan et al. 2007): turns a region's
 * neural activity z into the blood-oxygen-level-dependent signal an fMRI scanner measures.
 *
 * ```
 * ds/dt = eps*z - kappa*s - gamma*(f - 1) : Hz      # vasodilatory signal
 * df/dt = s : 1                                     # blood inflow
 * dv/dt = (f - v**(1/alpha)) / tau : 1              # blood volume
 * dq/dt = (f*(1 - (1 - rho)**(1/f))/rho - v**(1/alpha)*q/v) / tau : 1   # deoxyhemoglobin
 * z : 1 (input)
 * ```
 *
 * BOLD = V0 · (k1 (1 − q) + k2 (1 − q/v) + k3 (1 − v)) with k1 = 7ρ, k2 = 2, k3 = 2ρ − 0.2
 * ({@link boldSignal}). A brief pulse of z gives the canonical response: a peak about 4–6 s
 * after the pulse and a smaller undershoot after it (test/whole_brain.test.ts).
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | eps | 1 Hz² | neural efficacy (z in units of the activity that drives it) |
 * | kappa | 0.65 Hz | signal decay |
 * | gamma | 0.41 Hz² | autoregulation |
 * | tau | 0.98 s | hemodynamic transit time |
 * | alpha | 0.32 | Grubb's exponent |
 * | rho | 0.34 | resting oxygen extraction fraction |
 *
 * @example
 * const B = new NeuronGroup(68, BalloonWindkessel); // driven through a one-to-one rate coupling into z
 */
import { defineNeuron } from '../model/model.js';

export const BalloonWindkessel = defineNeuron({
  name: 'BalloonWindkessel',
  equations: `
    ds/dt = eps*z - kappa*s - gamma*(f - 1) : Hz
    df/dt = s : 1
    dv/dt = (f - v**(1/alpha)) / tau : 1
    dq/dt = (f*(1 - (1 - rho)**(1/f))/rho - v**(1/alpha)*q/v) / tau : 1
    z : 1 (input)
  `,
  params: { eps: '1 Hz**2', kappa: '0.65 Hz', gamma: '0.41 Hz**2', tau: '0.98 s', alpha: 0.32, rho: 0.34 },
  init: { s: '0 Hz', f: 1, v: 1, q: 1 },
});

/** The BOLD signal of deoxyhemoglobin q and volume v (resting blood volume fraction V0 = 0.02). */
export function boldSignal(q: number, v: number, rho = 0.34, V0 = 0.02): number {
  return V0 * (7 * rho * (1 - q) + 2 * (1 - q / v) + (2 * rho - 0.2) * (1 - v));
}
