/**
 * Hindmarsh–Rose neuron (Hindmarsh & Rose 1984, "A model of neuronal bursting using three
 * coupled first order differential equations", Proc. R. Soc. Lond. B 221:87), dimensionless, with
 * a time constant in ms:
 *
 * ```
 * dx/dt = (y - a*x**3 + b*x**2 - z + I) / tau : 1
 * dy/dt = (c - d*x**2 - y) / tau : 1
 * dz/dt = r*(s*(x - x_r) - z) / tau : 1
 * I : 1 (input)
 * threshold: x > Vth (no reset)      refractory: tref (only blocks re-detection)
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | a | 1 | cubic term |
 * | b | 3 | quadratic term |
 * | c | 1 | recovery offset |
 * | d | 5 | recovery gain |
 * | r | 0.006 | slow time scale of the adaptation current z |
 * | s | 4 | adaptation gain |
 * | x_r | -1.6 | resting x of the slow subsystem (-8/5) |
 * | tau | 1 ms | unit of time |
 * | Vth | 1 | spike detection level |
 * | tref | 2 ms | time during which x > Vth is not counted again (spikes last < 1 ms above 1) |
 *
 * With I = 2.5 the default cell bursts regularly (3 spikes per burst every ~124 ms, after a long
 * first burst from the initial state); I ≈ 3.25 gives irregular (chaotic) bursting. `auto` uses RK2.
 *
 * @example
 * const G = new NeuronGroup(1, HindmarshRose);
 * G.setInput('I', 2.5);
 */
import { defineNeuron } from '../model/model.js';

export const HindmarshRose = defineNeuron({
  name: 'HindmarshRose',
  equations: `
    dx/dt = (y - a*x**3 + b*x**2 - z + I) / tau : 1
    dy/dt = (c - d*x**2 - y) / tau : 1
    dz/dt = r*(s*(x - x_r) - z) / tau : 1
    I : 1 (input)
  `,
  params: { a: 1, b: 3, c: 1, d: 5, r: 0.006, s: 4, x_r: -1.6, tau: '1 ms', Vth: 1, tref: '2 ms' },
  threshold: 'x > Vth',
  refractory: 'tref',
  init: { x: -1.6, y: -11.8, z: 0 },
});
