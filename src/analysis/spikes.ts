/**
 * Spike statistics on typed arrays.
 *
 * Spike data is two parallel arrays: `times` (seconds, non-decreasing) and `indices` (the neuron
 * that fired). Every function here is a single pass over the spikes plus O(nNeurons) work, so they
 * stay fast for millions of spikes. Rates are in Hz, times and durations in seconds.
 */

/** Spikes as parallel arrays: `times[k]` (seconds, non-decreasing) is when neuron `indices[k]` fired. */
export interface SpikeData {
  readonly times: ArrayLike<number>;
  readonly indices: ArrayLike<number>;
}

/** Throws unless `spikes` has parallel arrays of equal length. */
function checkSpikes(where: string, spikes: SpikeData): number {
  const n = spikes.times.length;
  if (spikes.indices.length !== n) {
    throw new RangeError(
      `${where}: spikes.times has ${n} entries but spikes.indices has ${spikes.indices.length}; they must be parallel arrays of equal length`,
    );
  }
  return n;
}

function checkCount(where: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`${where}: ${name} must be a non-negative integer, got ${n}`);
  }
}

function checkPositive(where: string, name: string, x: number): void {
  if (!(x > 0) || !Number.isFinite(x)) {
    throw new RangeError(`${where}: ${name} must be a positive finite number of seconds, got ${x}`);
  }
}

/**
 * Mean firing rate of a population in Hz: total spike count / (nNeurons × duration).
 *
 * @example
 * const r = meanRate({ times: new Float64Array([0.1, 0.2]), indices: new Int32Array([0, 1]) }, 2, 1); // 1 Hz
 */
export function meanRate(spikes: SpikeData, nNeurons: number, duration: number): number {
  const n = checkSpikes('meanRate', spikes);
  checkCount('meanRate', 'nNeurons', nNeurons);
  checkPositive('meanRate', 'duration', duration);
  if (nNeurons === 0) return NaN;
  return n / (nNeurons * duration);
}

/**
 * Firing rate of every neuron in Hz: its spike count / duration. Spikes whose index lies outside
 * [0, nNeurons) are ignored.
 *
 * @example
 * const rates = firingRates(spikes, 100, 2.0); // rates[i] in Hz
 */
export function firingRates(spikes: SpikeData, nNeurons: number, duration: number): Float64Array {
  const n = checkSpikes('firingRates', spikes);
  checkCount('firingRates', 'nNeurons', nNeurons);
  checkPositive('firingRates', 'duration', duration);
  const out = new Float64Array(nNeurons);
  const idx = spikes.indices;
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    if (i >= 0 && i < nNeurons) out[i] += 1;
  }
  const inv = 1 / duration;
  for (let i = 0; i < nNeurons; i++) out[i] *= inv;
  return out;
}

/**
 * Index of the first entry with time ≥ t in non-decreasing `times` (binary search).
 *
 * @example
 * const first = lowerBound(spikes.times, 0.5); // first spike at or after 500 ms
 */
export function lowerBound(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Gaussian smoothing of a uniformly sampled signal. `sigma` is the kernel's standard deviation in
 * samples; the kernel is truncated at 4 sigma and renormalised near the edges, so a constant signal
 * stays constant all the way to both ends.
 *
 * @example
 * const smooth = smoothGaussian(rate, 2.5); // sigma = 2.5 bins
 */
export function smoothGaussian(values: ArrayLike<number>, sigma: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (!(sigma > 0)) {
    for (let i = 0; i < n; i++) out[i] = values[i];
    return out;
  }
  const half = Math.max(1, Math.ceil(4 * sigma));
  const kernel = new Float64Array(2 * half + 1);
  for (let j = -half; j <= half; j++) kernel[j + half] = Math.exp((-0.5 * j * j) / (sigma * sigma));
  for (let i = 0; i < n; i++) {
    const j0 = Math.max(-half, -i);
    const j1 = Math.min(half, n - 1 - i);
    let acc = 0;
    let wsum = 0;
    for (let j = j0; j <= j1; j++) {
      const w = kernel[j + half];
      acc += w * values[i + j];
      wsum += w;
    }
    out[i] = acc / wsum;
  }
  return out;
}

/** Population rate over time: bin centres `t` (seconds) and the rate in each bin (Hz per neuron). */
export interface PopulationRate {
  t: Float64Array;
  rate: Float64Array;
}

/**
 * Population firing rate in Hz per neuron: spikes in each bin / (nNeurons × binWidth), over
 * [tStart, tStop) in bins of `binWidth` seconds (the last bin may be shorter and is normalised by
 * its true width). `t` holds the bin centres. With `smoothWidth` (seconds) the rate is smoothed
 * with a Gaussian kernel of that standard deviation (see {@link smoothGaussian}).
 * Spikes landing exactly on a bin edge (common on a simulation grid) go to the later bin.
 *
 * @example
 * const { t, rate } = populationRate(spikes, 1000, 0, 1.0, 1e-3, 2e-3); // 1 ms bins, 2 ms smoothing
 */
export function populationRate(
  spikes: SpikeData,
  nNeurons: number,
  tStart: number,
  tStop: number,
  binWidth: number,
  smoothWidth?: number,
): PopulationRate {
  const n = checkSpikes('populationRate', spikes);
  checkCount('populationRate', 'nNeurons', nNeurons);
  checkPositive('populationRate', 'binWidth', binWidth);
  if (!(tStop > tStart)) {
    throw new RangeError(`populationRate: tStop (${tStop} s) must be greater than tStart (${tStart} s)`);
  }
  // Tolerate float noise: 0.3 / 0.1 is 2.9999999999999996 bins, which means 3.
  const nBins = Math.max(1, Math.ceil((tStop - tStart) / binWidth - 1e-9));
  const counts = new Float64Array(nBins);
  const times = spikes.times;
  const idx = spikes.indices;
  for (let k = lowerBound(times, tStart); k < n; k++) {
    const t = times[k];
    if (t >= tStop) break;
    const i = idx[k];
    if (!(i >= 0 && i < nNeurons)) continue;
    let b = Math.floor((t - tStart) / binWidth + 1e-9);
    if (b >= nBins) b = nBins - 1;
    counts[b] += 1;
  }
  const t = new Float64Array(nBins);
  for (let b = 0; b < nBins; b++) {
    const lo = tStart + b * binWidth;
    const hi = Math.min(tStop, lo + binWidth);
    t[b] = 0.5 * (lo + hi);
    counts[b] = nNeurons > 0 && hi > lo ? counts[b] / (nNeurons * (hi - lo)) : 0;
  }
  const rate = smoothWidth !== undefined && smoothWidth > 0 ? smoothGaussian(counts, smoothWidth / binWidth) : counts;
  return { t, rate };
}

/**
 * The spike times of one neuron, in order.
 *
 * @example
 * const t5 = spikeTimesOf(spikes, 5); // Float64Array of seconds
 */
export function spikeTimesOf(spikes: SpikeData, neuron: number): Float64Array {
  const n = checkSpikes('spikeTimesOf', spikes);
  const idx = spikes.indices;
  let count = 0;
  for (let k = 0; k < n; k++) if (idx[k] === neuron) count++;
  const out = new Float64Array(count);
  let j = 0;
  for (let k = 0; k < n; k++) if (idx[k] === neuron) out[j++] = spikes.times[k];
  return out;
}

/**
 * Inter-spike intervals of one neuron in seconds (empty if it fired fewer than twice).
 *
 * @example
 * const intervals = isi(spikes, 3); // Float64Array, length = spikes of neuron 3 minus 1
 */
export function isi(spikes: SpikeData, neuron: number): Float64Array {
  const t = spikeTimesOf(spikes, neuron);
  const out = new Float64Array(Math.max(0, t.length - 1));
  for (let k = 1; k < t.length; k++) out[k - 1] = t[k] - t[k - 1];
  return out;
}

/**
 * Coefficient of variation of the inter-spike intervals (std / mean, population std), averaged
 * over the neurons with at least 3 spikes (2 intervals). 0 for clock-like firing, about 1 for
 * Poisson firing. NaN if no neuron has 3 spikes.
 *
 * @example
 * const cv = cvISI(spikes, 1000); // ≈ 1 in the asynchronous irregular state
 */
export function cvISI(spikes: SpikeData, nNeurons: number): number {
  const n = checkSpikes('cvISI', spikes);
  checkCount('cvISI', 'nNeurons', nNeurons);
  // Welford's running mean and sum of squared deviations per neuron: accurate even when the
  // intervals are nearly equal (a regular train gives exactly 0, not rounding noise).
  const last = new Float64Array(nNeurons).fill(NaN);
  const count = new Float64Array(nNeurons);
  const mean = new Float64Array(nNeurons);
  const m2 = new Float64Array(nNeurons);
  const times = spikes.times;
  const idx = spikes.indices;
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    if (!(i >= 0 && i < nNeurons)) continue;
    const t = times[k];
    const prev = last[i];
    last[i] = t;
    if (Number.isNaN(prev)) continue;
    const x = t - prev;
    const c = ++count[i];
    const d = x - mean[i];
    mean[i] += d / c;
    m2[i] += d * (x - mean[i]);
  }
  let sum = 0;
  let used = 0;
  for (let i = 0; i < nNeurons; i++) {
    if (count[i] < 2 || !(mean[i] > 0)) continue;
    sum += Math.sqrt(Math.max(0, m2[i]) / count[i]) / mean[i];
    used++;
  }
  return used > 0 ? sum / used : NaN;
}

/**
 * Whether two spike recordings are the same: equal counts, and at each time the same set of
 * neurons (the order of neurons within one time step does not matter). Times must agree within
 * `tolerance` seconds (default 0: exactly).
 *
 * @example
 * assert.ok(spikeTrainsEqual(runWith1Thread, runWith8Threads));
 */
export function spikeTrainsEqual(a: SpikeData, b: SpikeData, tolerance = 0): boolean {
  const n = checkSpikes('spikeTrainsEqual', a);
  if (checkSpikes('spikeTrainsEqual', b) !== n) return false;
  const ta = a.times;
  const tb = b.times;
  const ia = a.indices;
  const ib = b.indices;
  let k = 0;
  const ga: number[] = [];
  const gb: number[] = [];
  while (k < n) {
    // A run of spikes that share one time in `a`.
    let e = k + 1;
    while (e < n && ta[e] === ta[k]) e++;
    let sameOrder = true;
    for (let j = k; j < e; j++) {
      if (!(Math.abs(ta[j] - tb[j]) <= tolerance)) return false;
      if (ia[j] !== ib[j]) sameOrder = false;
    }
    if (!sameOrder) {
      ga.length = 0;
      gb.length = 0;
      for (let j = k; j < e; j++) {
        ga.push(ia[j]);
        gb.push(ib[j]);
      }
      ga.sort((x, y) => x - y);
      gb.sort((x, y) => x - y);
      for (let j = 0; j < ga.length; j++) if (ga[j] !== gb[j]) return false;
    }
    k = e;
  }
  return true;
}

/**
 * Fano factor of spike counts: each neuron's spikes are counted in consecutive windows of
 * `window` seconds covering [tStart, tStop) (a shorter remainder at the end is dropped); the
 * per-neuron variance / mean of those counts (population variance) is averaged over the neurons
 * that fired in the range. About 1 for Poisson firing, 0 for perfectly regular counts. NaN if no
 * neuron fired or there is not one full window.
 *
 * @example
 * const ff = fanoFactor(spikes, 1000, 0.1, 10.0); // 100 ms windows over 10 s
 */
export function fanoFactor(spikes: SpikeData, nNeurons: number, window: number, tStop: number, tStart = 0): number {
  const n = checkSpikes('fanoFactor', spikes);
  checkCount('fanoFactor', 'nNeurons', nNeurons);
  checkPositive('fanoFactor', 'window', window);
  const nWin = Math.floor((tStop - tStart) / window + 1e-9);
  if (!(nWin >= 1)) return NaN;
  const tEnd = tStart + nWin * window;
  const sum = new Float64Array(nNeurons);
  const sumSq = new Float64Array(nNeurons);
  const cur = new Int32Array(nNeurons);
  const touched: number[] = [];
  const flush = (): void => {
    for (const i of touched) {
      const c = cur[i];
      sum[i] += c;
      sumSq[i] += c * c;
      cur[i] = 0;
    }
    touched.length = 0;
  };
  const times = spikes.times;
  const idx = spikes.indices;
  let w = -1;
  for (let k = lowerBound(times, tStart); k < n; k++) {
    const t = times[k];
    if (t >= tEnd) break;
    const i = idx[k];
    if (!(i >= 0 && i < nNeurons)) continue;
    const wk = Math.min(nWin - 1, Math.floor((t - tStart) / window + 1e-9));
    if (wk !== w) {
      flush();
      w = wk;
    }
    if (cur[i]++ === 0) touched.push(i);
  }
  flush();
  let acc = 0;
  let used = 0;
  for (let i = 0; i < nNeurons; i++) {
    if (sum[i] === 0) continue;
    const m = sum[i] / nWin;
    const v = Math.max(0, sumSq[i] / nWin - m * m);
    acc += v / m;
    used++;
  }
  return used > 0 ? acc / used : NaN;
}

/** A cross-correlogram: bin centres `lag` (seconds, t_b − t_a) and pair counts. */
export interface Correlogram {
  lag: Float64Array;
  count: Float64Array;
}

/**
 * Cross-correlogram between neuron `a` and neuron `b`: a histogram of t_b − t_a over all spike
 * pairs with |t_b − t_a| ≤ maxLag, in bins of `binWidth` seconds centred on 0 (2·round(maxLag /
 * binWidth) + 1 bins). With a === b it is the autocorrelogram, each spike's pairing with itself
 * excluded.
 *
 * @example
 * const { lag, count } = crossCorrelogram(spikes, 0, 1, 0.05, 1e-3); // ±50 ms, 1 ms bins
 */
export function crossCorrelogram(spikes: SpikeData, a: number, b: number, maxLag: number, binWidth: number): Correlogram {
  checkSpikes('crossCorrelogram', spikes);
  checkPositive('crossCorrelogram', 'binWidth', binWidth);
  if (!(maxLag >= 0)) throw new RangeError(`crossCorrelogram: maxLag must be ≥ 0 seconds, got ${maxLag}`);
  const half = Math.round(maxLag / binWidth);
  const nBins = 2 * half + 1;
  const lag = new Float64Array(nBins);
  for (let j = 0; j < nBins; j++) lag[j] = (j - half) * binWidth;
  const count = new Float64Array(nBins);
  const ta = spikeTimesOf(spikes, a);
  const tb = a === b ? ta : spikeTimesOf(spikes, b);
  const reach = (half + 0.5) * binWidth;
  let start = 0;
  for (let p = 0; p < ta.length; p++) {
    const t0 = ta[p];
    while (start < tb.length && tb[start] < t0 - reach) start++;
    for (let q = start; q < tb.length; q++) {
      const d = tb[q] - t0;
      if (d >= reach) break;
      if (a === b && q === p) continue;
      if (Math.abs(d) > maxLag + 1e-12) continue;
      const j = Math.floor(d / binWidth + 0.5) + half;
      if (j >= 0 && j < nBins) count[j] += 1;
    }
  }
  return { lag, count };
}
