/**
 * Built-in neuron and rate models. Each is an equation declaration ({@link defineNeuron}), exactly
 * as a user's own model would be.
 */
export { LIF } from './lif.js';
export { ExpIF } from './expif.js';
export { AdEx, ADEX_PRESETS, type AdExPattern, type AdExPreset } from './adex.js';
export { QIF, AdQIF } from './qif.js';
export { GIF, GIF_PRESETS, type GifPreset } from './gif.js';
export { Izhikevich, IZHIKEVICH_PRESETS, izhikevichPreset, izhikevichInit, type IzhikevichClass } from './izhikevich.js';
export { HH, hhSteadyState, HHTraubMiles, TRAUB_MILES_GATES, TRAUB_MILES_PARAMS } from './hh.js';
export { MorrisLecar, MORRIS_LECAR_PRESETS } from './morris_lecar.js';
export { FitzHughNagumo } from './fitzhugh_nagumo.js';
export { HindmarshRose } from './hindmarsh_rose.js';
export { WilsonCowan } from './wilson_cowan.js';
export { ThresholdLinear } from './threshold_linear.js';
export { MPR } from './mpr.js';
export { StuartLandau } from './stuart_landau.js';
export { ReducedWongWang } from './wong_wang.js';
export { BalloonWindkessel, boldSignal } from './balloon.js';
