/**
 * Histograms: firing-rate distributions over neurons, weight distributions over synapses, or any
 * list of values. The binning is a plain function ({@link histogram}) so a program can check the
 * counts it draws.
 */

import { plotFrame } from './axes.js';
import { finiteExtent } from './line.js';
import { niceDomain } from './scale.js';
import { PALETTE, escapeXml, legendSvg, num, svgDocument } from './svg.js';

/** Bin edges (bins + 1 of them) and the count in each bin. */
export interface Histogram {
  edges: Float64Array;
  counts: Int32Array;
}

/**
 * Counts the finite values in `bins` equal bins over `domain` (default: the values' range). A
 * value on the top edge goes into the last bin; values outside the domain are not counted.
 *
 * @example
 * histogram([1, 2, 2, 3], { bins: 2 }); // edges [1, 2, 3], counts [1, 3]
 */
export function histogram(values: ArrayLike<number>, o: { bins?: number; domain?: readonly [number, number] } = {}): Histogram {
  const bins = o.bins ?? 30;
  if (!(Number.isInteger(bins) && bins >= 1 && bins <= 10000)) throw new RangeError(`histogram: bins must be an integer in 1..10000, got ${bins}`);
  let [lo, hi] = o.domain ?? finiteExtent(values) ?? [0, 1];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) throw new RangeError(`histogram: the domain must be finite with low ≤ high, got [${lo}, ${hi}]`);
  // all values equal: one bin of width 1 around them
  if (lo === hi) (lo -= 0.5, hi += 0.5);
  const edges = Float64Array.from({ length: bins + 1 }, (_, k) => lo + ((hi - lo) * k) / bins);
  const counts = new Int32Array(bins);
  const w = (hi - lo) / bins;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / w))]++;
  }
  return { edges, counts };
}

/** One distribution in a {@link histogramSvg}. */
export interface HistogramSeries {
  values: ArrayLike<number>;
  label?: string;
  color?: string;
}

/** Options of {@link histogramSvg} (and of the rate and weight histograms). */
export interface HistogramOptions {
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Number of bins; default 30. */
  bins?: number;
  /** The binned range; default the range of all series' values. */
  domain?: readonly [number, number];
  /** Prefix for the clip-path id (reproducible output). */
  idPrefix?: string;
}

/**
 * A histogram of one or more distributions on shared bins; each non-empty bin is one
 * `<rect class="bar">` (several series are drawn translucent, over each other).
 *
 * @example
 * const svg = histogramSvg([{ values: before, label: 'before' }, { values: after, label: 'after' }], { xLabel: 'weight (pA)' });
 */
export function histogramSvg(series: readonly HistogramSeries[], options: HistogramOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  let ext: [number, number] | undefined;
  for (const s of series) ext = finiteExtent(s.values, ext);
  const domain = options.domain ?? ext ?? [0, 1];
  const hists = series.map((s) => histogram(s.values, { bins: options.bins, domain }));
  const edges = hists[0]?.edges ?? Float64Array.of(0, 1);
  let top = 1;
  for (const h of hists) for (const c of h.counts) top = Math.max(top, c);
  const f = plotFrame({
    width,
    height,
    title: options.title,
    xLabel: options.xLabel ?? 'value',
    yLabel: options.yLabel ?? 'count',
    xDomain: [edges[0], edges[edges.length - 1]],
    yDomain: niceDomain(0, top),
    grid: true,
    idPrefix: options.idPrefix,
  });
  const bars: string[] = [];
  const legend: { label: string; color: string }[] = [];
  const opacity = series.length > 1 ? 0.55 : 0.85;
  hists.forEach((h, k) => {
    const s = series[k];
    const color = s.color ?? PALETTE[k % PALETTE.length];
    for (let b = 0; b < h.counts.length; b++) {
      const c = h.counts[b];
      if (c === 0) continue;
      const x0 = f.x(h.edges[b]);
      const x1 = f.x(h.edges[b + 1]);
      const y = f.y(c);
      bars.push(`<rect class="bar" data-series="${k}" data-count="${c}" x="${num(x0)}" y="${num(y)}" width="${num(Math.max(0.5, x1 - x0 - 0.5))}" height="${num(Math.max(0, f.y(0) - y))}" fill="${escapeXml(color)}" fill-opacity="${opacity}"/>`);
    }
    if (s.label) legend.push({ label: s.label, color });
  });
  const body = [f.defs, f.decorations, f.clip(bars.join('\n')), legendSvg(legend, f.right - 6, f.top + 6)].join('\n');
  return svgDocument(width, height, body, { title: options.title });
}

/**
 * The firing rates of a population's neurons, one value per neuron (silent neurons count as 0 Hz),
 * from recorded spike indices over `duration` seconds.
 *
 * @example
 * const rates = firingRates(mon.spikes().indices, 4000, 1.0); // Float64Array of 4000 rates in Hz
 */
export function firingRates(indices: ArrayLike<number>, nNeurons: number, duration: number): Float64Array {
  if (!(duration > 0)) throw new RangeError(`firingRates: the duration must be positive (seconds), got ${duration}`);
  const rates = new Float64Array(nNeurons);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (i >= 0 && i < nNeurons) rates[i]++;
  }
  for (let i = 0; i < nNeurons; i++) rates[i] /= duration;
  return rates;
}

/**
 * A histogram of the neurons' firing rates (Hz).
 *
 * @example
 * const { indices } = mon.spikes();
 * writeFileSync('rates.svg', rateHistogramSvg(indices, 4000, 1.0, { title: 'COBA rates' }));
 */
export function rateHistogramSvg(indices: ArrayLike<number>, nNeurons: number, duration: number, options: HistogramOptions = {}): string {
  const rates = firingRates(indices, nNeurons, duration);
  return histogramSvg([{ values: rates }], { xLabel: 'firing rate (Hz)', yLabel: 'neurons', ...options });
}

/**
 * A histogram of synaptic weights, in the unit they are given in; several sets (e.g. before and
 * after training) share the bins.
 *
 * @example
 * writeFileSync('w.svg', weightHistogramSvg([{ values: w0, label: 'initial' }, { values: w1, label: 'trained' }], 'pA'));
 */
export function weightHistogramSvg(sets: readonly HistogramSeries[], unit = '', options: HistogramOptions = {}): string {
  return histogramSvg(sets, { xLabel: unit ? `weight (${unit})` : 'weight', yLabel: 'synapses', ...options });
}
