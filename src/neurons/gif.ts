/**
 * Generalized linear integrate-and-fire neuron of Mihalaş & Niebur (2009, "A generalized linear
 * integrate-and-fire neural model produces diverse spiking behaviors", Neural Comput. 21:704):
 * a leaky membrane, two spike-induced currents and a moving threshold, all linear between spikes;
 * the variety of behaviours comes from the update rules at a spike.
 *
 * ```
 * dI1/dt = -k1*I1 : amp
 * dI2/dt = -k2*I2 : amp
 * dv/dt = (-(v - El) + R*(I + I1 + I2)) / tau : volt
 * dVth/dt = a*(v - El) - b*(Vth - Vth_inf) : volt
 * I : amp (input)
 * threshold: v > Vth
 * reset: I1 = R1*I1 + A1; I2 = R2*I2 + A2; v = Vreset; Vth = max(Vth_reset, Vth)
 * ```
 *
 * | parameter | default | meaning |
 * | --- | --- | --- |
 * | El | -70 mV | resting potential |
 * | Vreset | -70 mV | reset potential |
 * | Vth_inf | -50 mV | threshold at rest |
 * | Vth_reset | -60 mV | lowest threshold after a spike |
 * | R | 20 Mohm | membrane resistance |
 * | tau | 20 ms | membrane time constant (G/C = 50 /s in the paper) |
 * | a | 0 Hz | threshold adaptation to the voltage |
 * | b | 10 Hz | threshold relaxation rate |
 * | k1 | 200 Hz | decay rate of I1 |
 * | k2 | 20 Hz | decay rate of I2 |
 * | R1 | 0 | fraction of I1 kept at a spike |
 * | R2 | 1 | fraction of I2 kept at a spike |
 * | A1 | 0 nA | jump of I1 at a spike |
 * | A2 | 0 nA | jump of I2 at a spike |
 *
 * The paper uses C = 1 and gives currents in volt per second; with R = 20 MΩ and tau = 20 ms
 * (R/tau = 10⁹ Ω/s) one of its current units is 1 nA here, so its Ie = 1.5 is `I = 1.5 nA`.
 * {@link GIF_PRESETS} lists some of its behaviours. Without threshold adaptation (a = 0) and
 * with A1 = A2 = 0 the model is a leaky integrate-and-fire neuron with threshold Vth_inf, whose
 * period is tau·ln(R I / (R I - (Vth_inf - El))) after reset to El (22.0 ms at 1.5 nA).
 * Every equation is linear, so `method: 'auto'` uses exponential Euler.
 *
 * @example
 * const G = new NeuronGroup(1, GIF, { params: GIF_PRESETS.tonicBursting.params });
 * G.setInput('I', GIF_PRESETS.tonicBursting.I);
 */
import { defineNeuron } from '../model/model.js';

export const GIF = defineNeuron({
  name: 'GIF',
  equations: `
    dI1/dt = -k1*I1 : amp
    dI2/dt = -k2*I2 : amp
    dv/dt = (-(v - El) + R*(I + I1 + I2)) / tau : volt
    dVth/dt = a*(v - El) - b*(Vth - Vth_inf) : volt
    I : amp (input)
  `,
  params: {
    El: '-70 mV',
    Vreset: '-70 mV',
    Vth_inf: '-50 mV',
    Vth_reset: '-60 mV',
    R: '20 Mohm',
    tau: '20 ms',
    a: '0 Hz',
    b: '10 Hz',
    k1: '200 Hz',
    k2: '20 Hz',
    R1: 0,
    R2: 1,
    A1: '0 nA',
    A2: '0 nA',
  },
  threshold: 'v > Vth',
  reset: 'I1 = R1*I1 + A1; I2 = R2*I2 + A2; v = Vreset; Vth = max(Vth_reset, Vth)',
  init: { v: '-70 mV', Vth: '-50 mV', I1: '0 nA', I2: '0 nA' },
  positive: ['R', 'k1', 'k2', 'b'],
});

/** A GIF parameter set with the constant current that shows its behaviour. */
export interface GifPreset {
  readonly params: Readonly<Record<string, string | number>>;
  readonly I: string;
  readonly description: string;
}

/**
 * Some behaviours of Mihalaş & Niebur (2009), Table 1 (the other parameters keep their defaults);
 * each produces the named behaviour (checked in the test suite against an independent integration).
 *
 * | preset | a (1/s) | A1 (nA) | A2 (nA) | I (nA) |
 * | --- | --- | --- | --- | --- |
 * | tonicSpiking | 0 | 0 | 0 | 1.5 |
 * | adaptation | 5 | 0 | 0 | 2 |
 * | tonicBursting | 5 | 10 | -0.6 | 2 |
 * | mixedMode | 5 | 5 | -0.3 | 2 |
 */
export const GIF_PRESETS: Readonly<Record<'tonicSpiking' | 'adaptation' | 'tonicBursting' | 'mixedMode', GifPreset>> = {
  tonicSpiking: { params: { a: '0 Hz', A1: '0 nA', A2: '0 nA' }, I: '1.5 nA', description: 'regular spikes' },
  adaptation: { params: { a: '5 Hz', A1: '0 nA', A2: '0 nA' }, I: '2 nA', description: 'spike-frequency adaptation through the threshold' },
  tonicBursting: { params: { a: '5 Hz', A1: '10 nA', A2: '-0.6 nA' }, I: '2 nA', description: 'repeated bursts' },
  mixedMode: { params: { a: '5 Hz', A1: '5 nA', A2: '-0.3 nA' }, I: '2 nA', description: 'a burst, then single spikes' },
};
