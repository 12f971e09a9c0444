/**
 * Exponential integrate-and-fire neuron (Fourcaud-Trocmé, Hansel, van Vreeswijk & Brunel 2003,
 * "How spike generation mechanisms determine the neuronal response to fluctuating inputs",
 * J. Neurosci. 23:11628).
 *
 * ```
 * dv/dt = (-(v - El) + DeltaT*exp((min(v, Vth) - VT)/DeltaT) + R*I) / tau : volt (unless refractory)
 * I : amp (input)
 * threshold: v > Vth      reset: v = Vreset      refractory: tref
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | El | -65 mV | resting (leak reversal) potential |
 * | VT | -59.9 mV | soft threshold: where the exponential term equals the leak |
 * | DeltaT | 3.48 mV | slope factor (sharpness of spike initiation) |
 * | Vth | -30 mV | numerical cut-off: a spike is emitted when v passes it |
 * | Vreset | -68 mV | reset potential |
 * | R | 100 Mohm | membrane resistance (leak conductance 10 nS) |
 * | tau | 10 ms | membrane time constant (C = tau/R = 100 pF) |
 * | tref | 1.7 ms | absolute refractory period (v is clamped) |
 *
 * VT and DeltaT are the paper's fit of the exponential model to the Wang–Buzsáki conductance-based
 * neuron (whose Cm = 1 µF/cm² and gL = 0.1 mS/cm² give tau = 10 ms); the reset, cut-off and
 * refractory period are the values commonly used with that fit. A membrane of 10⁴ µm² gives
 * R = 100 MΩ, so 100 pA here is 1 µA/cm² there. The rheobase is about (VT - El - DeltaT)/R = 16 pA.
 *
 * The exponential is evaluated at min(v, Vth): this changes nothing below the cut-off (where the
 * model lives) and keeps the Runge–Kutta stages of the step that crosses the cut-off finite.
 * The model is nonlinear in v, so `method: 'auto'` integrates it with RK2.
 *
 * @example
 * const P = new NeuronGroup(10, ExpIF);
 * P.setInput('I', values([...Array(10).keys()].map((k) => 50 + 20 * k), 'pA')); // an f–I curve
 */
import { defineNeuron } from '../model/model.js';

export const ExpIF = defineNeuron({
  name: 'ExpIF',
  equations: `
    dv/dt = (-(v - El) + DeltaT*exp((min(v, Vth) - VT)/DeltaT) + R*I) / tau : volt (unless refractory)
    I : amp (input)
  `,
  params: { El: '-65 mV', VT: '-59.9 mV', DeltaT: '3.48 mV', Vth: '-30 mV', Vreset: '-68 mV', R: '100 Mohm', tau: '10 ms', tref: '1.7 ms' },
  threshold: 'v > Vth',
  reset: 'v = Vreset',
  refractory: 'tref',
  init: { v: '-65 mV' },
  positive: ['DeltaT', 'R'],
});
