/**
 * Stuart–Landau oscillator, the normal form of a supercritical Hopf bifurcation
 * (dz/dt = (a + iω) z - |z|² z, z = x + i y; see e.g. Kuramoto 1984, "Chemical Oscillations,
 * Waves, and Turbulence"), as a dimensionless rate unit with a relaxation time tau and an
 * oscillation frequency f:
 *
 * ```
 * dx/dt = ((a - x**2 - y**2)*x + Ix) / tau - 2*pi*f*y : 1
 * dy/dt = ((a - x**2 - y**2)*y + Iy) / tau + 2*pi*f*x : 1
 * Ix : 1 (input)
 * Iy : 1 (input)
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | a | 1 | bifurcation parameter: a limit cycle of radius √a for a > 0, a stable focus for a < 0 |
 * | f | 10 Hz | frequency of the oscillation (exact for this normal form: the phase turns at 2πf) |
 * | tau | 10 ms | time scale of the amplitude |
 *
 * `auto` uses RK2.
 *
 * @example
 * const G = new NeuronGroup(1, StuartLandau, { params: { a: 0.25, f: '40 Hz' }, init: { x: 0.1, y: 0 } });
 */
import { defineNeuron } from '../model/model.js';

export const StuartLandau = defineNeuron({
  name: 'StuartLandau',
  equations: `
    dx/dt = ((a - x**2 - y**2)*x + Ix) / tau - 2*pi*f*y : 1
    dy/dt = ((a - x**2 - y**2)*y + Iy) / tau + 2*pi*f*x : 1
    Ix : 1 (input)
    Iy : 1 (input)
  `,
  params: { a: 1, f: '10 Hz', tau: '10 ms' },
  init: { x: 0.1, y: 0 },
});
