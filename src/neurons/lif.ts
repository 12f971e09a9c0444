/**
 * Leaky integrate-and-fire neuron (Lapicque 1907; see Gerstner et al., "Neuronal Dynamics", 2014, ch. 1).
 *
 * ```
 * dv/dt = (-(v - El) + R*I) / tau : volt (unless refractory)
 * I : amp (input)
 * threshold: v > Vth      reset: v = Vreset      refractory: tref
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | El | -65 mV | resting (leak reversal) potential |
 * | Vth | -50 mV | spike threshold |
 * | Vreset | -65 mV | reset potential |
 * | R | 100 Mohm | membrane resistance (leak conductance 10 nS) |
 * | tau | 10 ms | membrane time constant |
 * | tref | 2 ms | absolute refractory period (v is clamped) |
 *
 * `I` sums the external current (`group.setInput('I', ...)`) and every synaptic projection onto
 * the group. For a constant current the firing rate is
 * 1 / (tref + tau ln((R I + El - Vreset) / (R I + El - Vth))) when R I > Vth - El (see `lifRateAnalytic`).
 *
 * @example
 * const P = new NeuronGroup(100, LIF, { params: { tau: '20 ms' } });
 * P.setInput('I', '200 pA');
 */
import { defineNeuron } from '../model/model.js';

export const LIF = defineNeuron({
  name: 'LIF',
  equations: `
    dv/dt = (-(v - El) + R*I) / tau : volt (unless refractory)
    I : amp (input)
  `,
  params: { El: '-65 mV', Vth: '-50 mV', Vreset: '-65 mV', R: '100 Mohm', tau: '10 ms', tref: '2 ms' },
  threshold: 'v > Vth',
  reset: 'v = Vreset',
  refractory: 'tref',
  init: { v: '-65 mV' },
});
