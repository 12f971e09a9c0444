/**
 * Line charts: voltage traces, f–I curves, rates.
 */

import { plotFrame } from './axes.js';
import { niceDomain, type LinearScale } from './scale.js';
import { PALETTE, escapeXml, legendSvg, num, svgDocument } from './svg.js';

/** One line: parallel x and y arrays. Non-finite y values break the line. */
export interface LineSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  label?: string;
  color?: string;
  /** Stroke width in px; default 1.5. */
  width?: number;
  /** SVG stroke-dasharray, e.g. '4 3'. */
  dash?: string;
  /** Draw a dot at each point (for short series such as f–I curves); default false. */
  points?: boolean;
}

/** Options of {@link lineSvg}. */
export interface LineOptions {
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Fixed axis ranges; default the data range, widened to nice ticks. */
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  /** Widen automatic domains to nice tick values; default true. */
  niceX?: boolean;
  niceY?: boolean;
  /** Light grid lines; default true. */
  grid?: boolean;
  /** Prefix for the clip-path id (reproducible output). */
  idPrefix?: string;
}

/**
 * Range of the finite values of an array, merged with `into` if given; undefined if there are none.
 *
 * @example
 * finiteExtent([3, NaN, -1]); // [-1, 3]
 */
export function finiteExtent(values: ArrayLike<number>, into?: [number, number]): [number, number] | undefined {
  let lo = into ? into[0] : Infinity;
  let hi = into ? into[1] : -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : into;
}

/**
 * Path data of a polyline through (x[k], y[k]) in pixel space. Points with a non-finite coordinate
 * break the line. Long series with increasing x are thinned to the first, lowest, highest and last
 * point of each pixel column, which draws the same picture with a few points per pixel.
 *
 * @example
 * const d = polylinePath(t, v, x, y); // `<path d="${d}" .../>`
 */
export function polylinePath(xs: ArrayLike<number>, ys: ArrayLike<number>, x: LinearScale, y: LinearScale): string {
  const n = Math.min(xs.length, ys.length);
  const [r0, r1] = x.range;
  const pixels = Math.abs(r1 - r0);
  let monotone = n > 4 * pixels;
  for (let k = 1; monotone && k < n; k++) if (!(xs[k] >= xs[k - 1])) monotone = false;
  const parts: string[] = [];
  let pen = false;
  const emit = (k: number): void => {
    const px = x(xs[k]);
    const py = y(ys[k]);
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      pen = false;
      return;
    }
    // Keep far-away points bounded so the SVG stays valid; the clip path hides them.
    const cx = Math.max(-1e6, Math.min(1e6, px));
    const cy = Math.max(-1e6, Math.min(1e6, py));
    parts.push(`${pen ? 'L' : 'M'}${num(cx)} ${num(cy)}`);
    pen = true;
  };
  if (!monotone) {
    for (let k = 0; k < n; k++) emit(k);
    return parts.join('');
  }
  // M4 thinning per pixel column: first, min, max, last, in index order.
  let k = 0;
  while (k < n) {
    const col = Math.floor(x(xs[k]));
    let kMin = k;
    let kMax = k;
    let kEnd = k;
    let broken = false;
    while (kEnd + 1 < n && Math.floor(x(xs[kEnd + 1])) === col) {
      kEnd++;
      const v = ys[kEnd];
      if (!Number.isFinite(v)) broken = true;
      else {
        if (!(ys[kMin] <= v)) kMin = kEnd;
        if (!(ys[kMax] >= v)) kMax = kEnd;
      }
    }
    if (broken) {
      for (let j = k; j <= kEnd; j++) emit(j);
    } else {
      const pick = [k, kMin, kMax, kEnd].sort((a, b) => a - b);
      let prev = -1;
      for (const j of pick) if (j !== prev) emit((prev = j));
    }
    k = kEnd + 1;
  }
  return parts.join('');
}

/**
 * A line chart of one or more series, with axes, optional title, axis labels and a legend for
 * labelled series.
 *
 * @example
 * const svg = lineSvg([{ x: tMs, y: vMv, label: 'v' }], { xLabel: 'time (ms)', yLabel: 'v (mV)' });
 */
export function lineSvg(series: readonly LineSeries[], options: LineOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  let xExt: [number, number] | undefined;
  let yExt: [number, number] | undefined;
  for (const s of series) {
    if (s.x.length !== s.y.length) {
      throw new RangeError(`lineSvg: series '${s.label ?? ''}' has ${s.x.length} x values but ${s.y.length} y values`);
    }
    xExt = finiteExtent(s.x, xExt);
    yExt = finiteExtent(s.y, yExt);
  }
  const xDomain = options.xDomain ?? (options.niceX === false ? xExt ?? [0, 1] : niceDomain(...(xExt ?? [0, 1])));
  const yDomain = options.yDomain ?? (options.niceY === false ? yExt ?? [0, 1] : niceDomain(...(yExt ?? [0, 1])));
  const f = plotFrame({
    width,
    height,
    title: options.title,
    xLabel: options.xLabel,
    yLabel: options.yLabel,
    xDomain,
    yDomain,
    grid: options.grid ?? true,
    idPrefix: options.idPrefix,
  });
  const lines: string[] = [];
  const legend: { label: string; color: string }[] = [];
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const d = polylinePath(s.x, s.y, f.x, f.y);
    const dash = s.dash ? ` stroke-dasharray="${escapeXml(s.dash)}"` : '';
    const label = s.label !== undefined ? ` data-label="${escapeXml(s.label)}"` : '';
    if (d) {
      lines.push(
        `<path class="series"${label} d="${d}" fill="none" stroke="${escapeXml(color)}" stroke-width="${num(s.width ?? 1.5)}" stroke-linejoin="round"${dash}/>`,
      );
    }
    if (s.points) {
      let pd = '';
      for (let j = 0; j < s.x.length; j++) {
        const px = f.x(s.x[j]);
        const py = f.y(s.y[j]);
        if (Number.isFinite(px) && Number.isFinite(py)) pd += `M${num(px)} ${num(py)}h0`;
      }
      if (pd) lines.push(`<path class="points" d="${pd}" stroke="${escapeXml(color)}" stroke-width="5" stroke-linecap="round" fill="none"/>`);
    }
    if (s.label) legend.push({ label: s.label, color });
  });
  const body = [f.defs, f.decorations, f.clip(lines.join('\n')), legendSvg(legend, f.right - 6, f.top + 6)].join('\n');
  return svgDocument(width, height, body, { title: options.title });
}
