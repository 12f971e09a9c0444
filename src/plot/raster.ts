/**
 * Spike raster plots, optionally with a population-rate panel underneath.
 */

import { type SpikeData, lowerBound, smoothGaussian } from '../analysis/spikes.js';
import { axisBottom, axisLeft, axisLeftWidth } from './axes.js';
import { polylinePath } from './line.js';
import { linearScale, niceDomain } from './scale.js';
import { approxTextWidth, escapeXml, num, svgDocument, textSvg } from './svg.js';

/** A named range of neurons [start, stop) drawn in one colour, e.g. excitatory and inhibitory cells. */
export interface RasterGroup {
  name: string;
  start: number;
  stop: number;
  color: string;
}

/** Options of {@link rasterSvg}. Times are in seconds; the time axis is labelled in ms. */
export interface RasterOptions {
  /** Size of the population (the neuron axis spans [0, nNeurons)). */
  nNeurons: number;
  /** Start of the time window (s); default 0. */
  tStart?: number;
  /** End of the time window (s); default the last spike time. */
  tStop?: number;
  width?: number;
  height?: number;
  title?: string;
  /** Colour neuron ranges; neurons outside every group are drawn in `color`. */
  groups?: readonly RasterGroup[];
  /** Colour of spikes outside any group; default '#222'. */
  color?: string;
  /** Show at most this many evenly spaced neurons (rows); default all. */
  maxNeurons?: number;
  /**
   * Draw at most this many spike marks (default 200 000, about 3 MB of SVG): beyond it, fewer
   * evenly spaced neurons are shown, with all their spikes (the axis says how many of how many).
   * The rate panel always counts every spike. `Infinity` draws all.
   */
  maxSpikes?: number;
  /** Add a population-rate panel under the raster (one line per group if groups are given). */
  rateTrace?: boolean;
  /** Bin width of the rate panel (s); default (tStop − tStart) / 200. */
  rateBinWidth?: number;
  /** Gaussian smoothing (standard deviation, s) of the rate panel; default 2 bins. 0 for none. */
  rateSmoothWidth?: number;
  /** Width of a spike mark in px; default 1.5. */
  markWidth?: number;
}

const MS = 1000;

/**
 * A spike raster as an SVG string: time (ms) across, neuron index up, one small mark per spike.
 * All spikes of one colour go into a single `<path>` of `M x y h w` segments, so 100 000 spikes
 * stay a compact document (about 15 bytes each).
 *
 * @example
 * const svg = rasterSvg(spikes, {
 *   nNeurons: 4000, tStop: 1.0, title: 'COBA',
 *   groups: [{ name: 'E', start: 0, stop: 3200, color: '#1f77b4' }, { name: 'I', start: 3200, stop: 4000, color: '#d62728' }],
 *   rateTrace: true,
 * });
 */
export function rasterSvg(spikes: SpikeData, options: RasterOptions): string {
  const { nNeurons } = options;
  if (!Number.isInteger(nNeurons) || nNeurons <= 0) {
    throw new RangeError(`rasterSvg: nNeurons must be a positive integer, got ${nNeurons}`);
  }
  const times = spikes.times;
  const indices = spikes.indices;
  const nSpikes = times.length;
  if (indices.length !== nSpikes) {
    throw new RangeError(`rasterSvg: spikes.times has ${nSpikes} entries but spikes.indices has ${indices.length}; they must be parallel`);
  }
  const width = options.width ?? 900;
  const height = options.height ?? 500;
  const tStart = options.tStart ?? 0;
  let tStop = options.tStop ?? (nSpikes > 0 ? times[nSpikes - 1] : tStart + 1);
  if (!(tStop > tStart)) tStop = tStart + 1e-3;

  // Groups: which colour each neuron gets (-1: the default colour).
  const groups = options.groups ?? [];
  const groupOf = new Int16Array(nNeurons).fill(-1);
  groups.forEach((g, k) => {
    if (!(g.start >= 0 && g.stop <= nNeurons && g.start <= g.stop && Number.isInteger(g.start) && Number.isInteger(g.stop))) {
      throw new RangeError(`rasterSvg: group '${g.name}' range [${g.start}, ${g.stop}) must be integers within [0, ${nNeurons})`);
    }
    groupOf.fill(k, g.start, g.stop);
  });
  const nColours = groups.length + 1;
  const colourOf = (k: number): string => (k < 0 ? options.color ?? '#222' : groups[k].color);

  // Row subsampling: neuron i is shown iff it is the first neuron of its stride bucket.
  const maxRows = options.maxNeurons !== undefined ? Math.max(1, Math.floor(options.maxNeurons)) : nNeurons;
  let nRows = Math.min(nNeurons, maxRows);
  const shown = new Uint8Array(nNeurons);
  const pick = (rows: number) => {
    shown.fill(0);
    if (rows === nNeurons) shown.fill(1);
    else for (let r = 0; r < rows; r++) shown[Math.floor((r * nNeurons) / rows)] = 1;
  };
  pick(nRows);
  // The spike budget: fewer rows until the marks fit (a few passes: activity differs between rows).
  const budget = options.maxSpikes ?? 200_000;
  if (!(budget >= 1)) throw new RangeError(`rasterSvg: maxSpikes must be ≥ 1, got ${budget}`);
  const k0 = lowerBound(times, tStart);
  for (let pass = 0; pass < 8 && nRows > 1; pass++) {
    let drawn = 0;
    for (let k = k0; k < nSpikes && times[k] <= tStop; k++) {
      const i = indices[k];
      if (i >= 0 && i < nNeurons && shown[i] === 1) drawn++;
    }
    if (drawn <= budget) break;
    nRows = Math.max(1, Math.min(nRows - 1, Math.floor((nRows * budget) / drawn)));
    pick(nRows);
  }

  // Layout.
  // The legend sits in the top margin, right-aligned; where it would run into the centred title
  // it takes a line of its own below the title.
  const legendWidth = groups.reduce((w, g) => w + approxTextWidth(g.name) + 26, 0);
  const titleRight = options.title ? width / 2 + approxTextWidth(options.title, 14) / 2 : 0;
  const legendLine = options.title && groups.length > 0 && width - 16 - legendWidth < titleRight + 12 ? 18 : 0;
  const top = (options.title || groups.length > 0 ? 34 : 12) + legendLine;
  const bottom = height - 44;
  const rateGap = 18;
  const rateH = options.rateTrace ? Math.max(40, Math.round((bottom - top) * 0.25)) : 0;
  const rasterBottom = options.rateTrace ? bottom - rateH - rateGap : bottom;
  const yLabel = nRows < nNeurons ? `neuron (${nRows} of ${nNeurons} shown)` : 'neuron index';
  const yAxis = linearScale([0, nNeurons], [rasterBottom, top]);

  // The rate panel (computed first: its y labels may need the wider left margin).
  let rateSeries: { rate: Float64Array; colour: string }[] = [];
  let rateT: Float64Array = new Float64Array(0);
  let rateMax = 0;
  if (options.rateTrace) {
    const binWidth = options.rateBinWidth ?? (tStop - tStart) / 200;
    const nBins = Math.max(1, Math.ceil((tStop - tStart) / binWidth - 1e-9));
    const counts = Array.from({ length: nColours }, () => new Float64Array(nBins));
    for (let k = lowerBound(times, tStart); k < nSpikes; k++) {
      const t = times[k];
      if (t > tStop) break;
      const i = indices[k];
      if (!(i >= 0 && i < nNeurons)) continue;
      const b = Math.min(nBins - 1, Math.floor((t - tStart) / binWidth + 1e-9));
      counts[groupOf[i] + 1][b] += 1;
    }
    const sizes = new Float64Array(nColours);
    for (let i = 0; i < nNeurons; i++) sizes[groupOf[i] + 1] += 1;
    rateT = new Float64Array(nBins);
    for (let b = 0; b < nBins; b++) rateT[b] = (tStart + (b + 0.5) * binWidth) * MS;
    const sigmaBins = (options.rateSmoothWidth ?? 2 * binWidth) / binWidth;
    // One line per group; without groups, one line for the whole population.
    const lines = groups.length > 0 ? groups.map((_, k) => k + 1).concat(sizes[0] > 0 ? [0] : []) : [0];
    rateSeries = lines.map((slot) => {
      const c = counts[slot];
      const denom = sizes[slot] * binWidth;
      for (let b = 0; b < nBins; b++) c[b] = denom > 0 ? c[b] / denom : 0;
      const rate = smoothGaussian(c, sigmaBins);
      for (let b = 0; b < nBins; b++) rateMax = Math.max(rateMax, rate[b]);
      return { rate, colour: colourOf(slot - 1) };
    });
  }
  const rateAxis = linearScale(niceDomain(0, rateMax > 0 ? rateMax : 1, 3), [bottom, bottom - rateH]);
  const left =
    Math.max(
      44,
      axisLeftWidth(yAxis, { label: yLabel }),
      options.rateTrace ? axisLeftWidth(rateAxis, { label: 'rate (Hz)', tickCount: 3 }) : 0,
    ) + 2;
  const right = width - 16;
  const xScale = linearScale([tStart * MS, tStop * MS], [left, right]);

  // Spike marks: one path per colour, "M x y h w" per spike, stroked with the row height.
  const rowPx = (rasterBottom - top) / nRows;
  const markH = Math.max(0.6, Math.min(6, rowPx * 0.8));
  const markW = options.markWidth ?? 1.5;
  const paths: string[][] = Array.from({ length: nColours }, () => []);
  const w = num(markW, 1);
  for (let k = lowerBound(times, tStart); k < nSpikes; k++) {
    const t = times[k];
    if (t > tStop) break;
    const i = indices[k];
    if (!(i >= 0 && i < nNeurons) || shown[i] === 0) continue;
    const x = xScale(t * MS) - markW / 2;
    const y = yAxis(i + 0.5);
    paths[groupOf[i] + 1].push(`M${num(x, 1)} ${num(y, 1)}h${w}`);
  }

  const out: string[] = [];
  if (options.title) out.push(textSvg(width / 2, 20, options.title, { anchor: 'middle', size: 14, weight: '600' }));
  out.push(axisLeft(yAxis, left, { label: yLabel }));
  out.push(axisBottom(xScale, rasterBottom, { label: options.rateTrace ? undefined : 'time (ms)', tickLabels: !options.rateTrace }));
  for (let slot = 0; slot < nColours; slot++) {
    const segs = paths[slot];
    if (segs.length === 0) continue;
    const name = slot === 0 ? '' : groups[slot - 1].name;
    out.push(
      `<path class="spikes" data-group="${escapeXml(name)}" d="${segs.join('')}" fill="none" stroke="${escapeXml(colourOf(slot - 1))}" stroke-width="${num(markH, 2)}" shape-rendering="crispEdges"/>`,
    );
  }
  if (options.rateTrace) {
    out.push(axisLeft(rateAxis, left, { label: 'rate (Hz)', tickCount: 3, grid: right - left }));
    out.push(axisBottom(xScale, bottom, { label: 'time (ms)' }));
    for (const s of rateSeries) {
      const d = polylinePath(rateT, s.rate, xScale, rateAxis);
      if (d) out.push(`<path class="rate" d="${d}" fill="none" stroke="${escapeXml(s.colour)}" stroke-width="1.25" stroke-linejoin="round"/>`);
    }
  }
  if (groups.length > 0) {
    // Legend in the top margin, right-aligned, one entry per group.
    let x = right;
    const entries: string[] = [];
    for (let k = groups.length - 1; k >= 0; k--) {
      const label = groups[k].name;
      const wText = approxTextWidth(label);
      x -= wText;
      entries.push(textSvg(x, top - 12, label, { baseline: 'middle' }));
      x -= 14;
      entries.push(`<rect x="${num(x)}" y="${num(top - 16)}" width="9" height="9" fill="${escapeXml(groups[k].color)}"/>`);
      x -= 12;
    }
    out.push(`<g class="legend">\n${entries.join('\n')}\n</g>`);
  }
  return svgDocument(width, height, out.join('\n'), { title: options.title ?? 'spike raster' });
}
