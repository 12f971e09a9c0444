/**
 * Threshold-linear rate unit (e.g. Dayan & Abbott 2001, "Theoretical Neuroscience", ch. 7):
 * the rate relaxes to a rectified linear function of its input.
 *
 * ```
 * dr/dt = (-r + gain*max(I - theta, 0)) / tau : 1
 * I : 1 (input)
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | gain | 1 | slope above threshold |
 * | theta | 0 | threshold |
 * | tau | 10 ms | time constant |
 *
 * For a constant input the rate tends to gain·[I - theta]₊ exponentially with time constant tau;
 * the equation is linear in r, so `auto` uses exponential Euler, exact for a constant input.
 * Rates are dimensionless (multiply by a rate unit when reading them as Hz).
 *
 * @example
 * const G = new NeuronGroup(3, ThresholdLinear);
 * G.setInput('I', values([-1, 0.5, 2]));
 */
import { defineNeuron } from '../model/model.js';

export const ThresholdLinear = defineNeuron({
  name: 'ThresholdLinear',
  equations: `
    dr/dt = (-r + gain*max(I - theta, 0)) / tau : 1
    I : 1 (input)
  `,
  params: { gain: 1, theta: 0, tau: '10 ms' },
  init: { r: 0 },
});
