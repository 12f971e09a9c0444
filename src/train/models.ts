/**
 * Neuron models common in gradient-trained spiking networks, declared with `defineNeuron` like any other model
 * (so a NeuronGroup simulates them too). Discrete-time papers give per-step decay factors; here they
 * become time constants for the step dt: β = exp(-dt/τ_m), α = exp(-dt/τ_s). Integrated by exponential
 * Euler (exact for these linear equations), one step is
 *
 * ```
 * c = I + input                 (projections increment I: target 'I')
 * v ← β v + (1 - β) R c = β v + c     (R = 1/(1 - β))
 * I ← α c
 * ```
 *
 * i.e. exactly the recurrences I_t = α I_{t-1} + x_t W, V_t = β V_{t-1} + I_t of the discrete
 * models, with I_t = c (the stored I is α I_t, the current already decayed for the next step).
 */
import { defineNeuron, type NeuronModel } from '../model/model.js';

/** Options of {@link synapticLIF} and {@link leakyReadout}. */
export interface SynapticOptions {
  /** Per-step decay of the synaptic current (default 0.9). */
  readonly alpha?: number;
  /** Per-step decay of the membrane (default 0.85). */
  readonly beta?: number;
  /** Time step in ms the factors refer to (default 1). */
  readonly dtMs?: number;
}

function constants(o: SynapticOptions) {
  const alpha = o.alpha ?? 0.9;
  const beta = o.beta ?? 0.85;
  const dt = o.dtMs ?? 1;
  if (!(alpha > 0 && alpha < 1 && beta > 0 && beta < 1)) throw new RangeError(`synaptic model: alpha and beta must be in (0, 1), got ${alpha}, ${beta}`);
  return { tau_m: `${-dt / Math.log(beta)} ms`, tau_s: `${-dt / Math.log(alpha)} ms`, R: 1 / (1 - beta) };
}

/**
 * LIF neuron with an exponential current synapse (dimensionless): threshold `v > Vth`, reset to 0.
 * `refractorySteps: 2` clamps v for the one step after a spike: with the simulator's schedule
 * (integrate, then threshold, then reset) this reproduces models that take the spike from the
 * membrane before the update and reset the next one (the PyTorch reference benchmark), whose
 * spikes then reach the next layer one step later, as ours do.
 *
 * @example
 * const h = net.add(new NeuronGroup(100, synapticLIF({ alpha: 0.9, beta: 0.85, threshold: 1 }), { surrogate: atan(2) }));
 */
export function synapticLIF(o: SynapticOptions & { threshold?: number; refractorySteps?: number } = {}): NeuronModel {
  const c = constants(o);
  return defineNeuron({
    name: 'SynapticLIF',
    equations: `
      dv/dt = (-v + R*I) / tau_m : 1 (unless refractory)
      dI/dt = -I / tau_s : 1
    `,
    params: { ...c, Vth: o.threshold ?? 1, tref: `${(o.refractorySteps ?? 0) * (o.dtMs ?? 1)} ms` },
    threshold: 'v > Vth',
    reset: 'v = 0',
    refractory: 'tref',
    method: 'exp_euler',
  });
}

/**
 * The same dynamics without threshold: a leaky-integrator readout (read v).
 *
 * @example
 * const out = net.add(new NeuronGroup(10, leakyReadout({ alpha: 0.9, beta: 0.85 }))); // loss on net.trace(out, 'v')
 */
export function leakyReadout(o: SynapticOptions = {}): NeuronModel {
  return defineNeuron({
    name: 'LeakyReadout',
    equations: `
      dv/dt = (-v + R*I) / tau_m : 1
      dI/dt = -I / tau_s : 1
    `,
    params: constants(o),
    method: 'exp_euler',
  });
}
