/**
 * Quadratic integrate-and-fire neuron, the normal form of a saddle-node on invariant circle
 * bifurcation (Ermentrout & Kopell 1986; in this parametrization Latham, Richmond, Nelson &
 * Nirenberg 2000, "Intrinsic dynamics in neuronal networks. I. Theory", J. Neurophysiol. 83:808).
 *
 * ```
 * dv/dt = (c*(v - El)*(v - Vc) + R*I) / tau : volt (unless refractory)
 * I : amp (input)
 * threshold: v > Vth      reset: v = Vreset      refractory: tref
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | El | -65 mV | resting potential (stable fixed point without input) |
 * | Vc | -50 mV | critical potential (unstable fixed point without input) |
 * | c | 0.07 /mV | curvature of the quadratic |
 * | R | 100 Mohm | membrane resistance |
 * | tau | 10 ms | membrane time constant |
 * | Vth | -30 mV | cut-off where a spike is emitted |
 * | Vreset | -68 mV | reset potential |
 * | tref | 0 ms | refractory period |
 *
 * With m = (El + Vc)/2, d = (Vc - El)/2 and K = R I - c d², the neuron fires repetitively when
 * K > 0, and the time from Vreset to Vth is
 * tau/√(c K) · [atan(√(c/K)(Vth - m)) - atan(√(c/K)(Vreset - m))], which tends to π tau/√(c K)
 * when the reset and the cut-off go to ∓∞ (the rheobase is c d²/R = 39.4 pA with the defaults).
 *
 * @example
 * const G = new NeuronGroup(1, QIF);
 * G.setInput('I', '100 pA');
 */
import { defineNeuron } from '../model/model.js';

export const QIF = defineNeuron({
  name: 'QIF',
  equations: `
    dv/dt = (c*(v - El)*(v - Vc) + R*I) / tau : volt (unless refractory)
    I : amp (input)
  `,
  params: { El: '-65 mV', Vc: '-50 mV', c: '0.07 / mV', R: '100 Mohm', tau: '10 ms', Vth: '-30 mV', Vreset: '-68 mV', tref: '0 ms' },
  threshold: 'v > Vth',
  reset: 'v = Vreset',
  refractory: 'tref',
  init: { v: '-65 mV' },
  positive: ['c', 'R'],
});

/**
 * Adaptive quadratic integrate-and-fire neuron: a QIF membrane with an adaptation current w that
 * follows the voltage and jumps at each spike. It is the "simple model" of Izhikevich (2007,
 * "Dynamical Systems in Neuroscience", ch. 8: C dv/dt = k(v - vr)(v - vt) - u + I,
 * du/dt = a(b(v - vr) - u)), written with tau = R C, c = R k, tau_w = 1/a and a_here = b_there.
 *
 * ```
 * dv/dt = (c*(v - El)*(v - Vc) + R*(I - w)) / tau : volt (unless refractory)
 * dw/dt = (a*(v - El) - w) / tau_w : amp
 * I : amp (input)
 * threshold: v > Vth      reset: v = Vreset; w += b      refractory: tref
 * ```
 *
 * | parameter | default | meaning (Izhikevich 2007 regular-spiking cell) |
 * | --- | --- | --- |
 * | El | -60 mV | resting potential vr |
 * | Vc | -40 mV | instantaneous threshold vt |
 * | c | 0.07 /mV | R k, with k = 0.7 nS/mV |
 * | R | 100 Mohm | membrane resistance (C = 100 pF) |
 * | tau | 10 ms | R C |
 * | a | -2 nS | subthreshold coupling of w to v (b of the book) |
 * | tau_w | 33.3 ms | adaptation time constant (1/a of the book, a = 0.03 /ms) |
 * | b | 100 pA | spike-triggered jump of w (d of the book) |
 * | Vth | 35 mV | spike peak vpeak |
 * | Vreset | -50 mV | reset c of the book |
 * | tref | 0 ms | refractory period |
 *
 * @example
 * const G = new NeuronGroup(1, AdQIF);
 * G.setInput('I', '70 pA');
 */
export const AdQIF = defineNeuron({
  name: 'AdQIF',
  equations: `
    dv/dt = (c*(v - El)*(v - Vc) + R*(I - w)) / tau : volt (unless refractory)
    dw/dt = (a*(v - El) - w) / tau_w : amp
    I : amp (input)
  `,
  params: {
    El: '-60 mV',
    Vc: '-40 mV',
    c: '0.07 / mV',
    R: '100 Mohm',
    tau: '10 ms',
    a: '-2 nS',
    tau_w: '100/3 * ms',
    b: '100 pA',
    Vth: '35 mV',
    Vreset: '-50 mV',
    tref: '0 ms',
  },
  threshold: 'v > Vth',
  reset: 'v = Vreset; w += b',
  refractory: 'tref',
  init: { v: '-60 mV', w: '0 pA' },
  positive: ['c', 'R'],
});
