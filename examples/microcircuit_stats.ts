/**
 * The activity measures of Potjans & Diesmann (2014) per population: mean rate, irregularity
 * (mean CV of the inter-spike intervals) and synchrony (variance / mean of the population's spike
 * count in 3 ms bins; 1 for independent Poisson neurons, larger when they fire together). All are
 * taken after a start-up transient.
 */
import { cvISI, lowerBound, type SpikeData } from '../src/index.js';

export interface PopulationStats {
  readonly rate_hz: number;
  readonly cv_isi: number;
  readonly synchrony: number;
}

/** The spikes in [tStart, tStop), as fresh arrays (times in seconds). */
function window(s: SpikeData, tStart: number, tStop: number): SpikeData {
  const a = lowerBound(s.times, tStart);
  const b = lowerBound(s.times, tStop);
  const times = new Float64Array(b - a);
  const indices = new Int32Array(b - a);
  for (let k = a; k < b; k++) ((times[k - a] = s.times[k]), (indices[k - a] = s.indices[k]));
  return { times, indices };
}

/**
 * Rate, CV of ISIs and synchrony of one population of `size` neurons over [tStart, tStop) seconds.
 *
 * @example
 * populationStats(monitor.spikes(), 2068, 0.1, 1.0)
 */
export function populationStats(spikes: SpikeData, size: number, tStart: number, tStop: number, bin = 3e-3): PopulationStats {
  const w = window(spikes, tStart, tStop);
  const duration = tStop - tStart;
  const rate = size > 0 ? w.times.length / size / duration : NaN;
  const bins = new Float64Array(Math.max(1, Math.floor(duration / bin)));
  for (let k = 0; k < w.times.length; k++) {
    const b = Math.floor((w.times[k] - tStart) / bin);
    if (b < bins.length) bins[b]++;
  }
  let mean = 0;
  for (const c of bins) mean += c;
  mean /= bins.length;
  let v = 0;
  for (const c of bins) v += (c - mean) ** 2;
  v /= bins.length;
  return { rate_hz: rate, cv_isi: cvISI(w, size), synchrony: mean > 0 ? v / mean : NaN };
}
