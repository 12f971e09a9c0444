/**
 * Axes and the plot frame (margins, title, axes, grid, clip path) shared by the chart functions.
 */

import { type LinearScale, linearScale, tickFormat } from './scale.js';
import { approxTextWidth, escapeXml, num, textSvg, uniqueId } from './svg.js';

/** Options of {@link axisBottom} and {@link axisLeft}. */
export interface AxisOptions {
  /** Axis title, drawn below (x) or left of (y) the tick labels. */
  label?: string;
  /** Explicit tick values; default `scale.ticks(tickCount)`. */
  ticks?: readonly number[];
  /** About how many ticks; default 5 (x) or 5 (y). */
  tickCount?: number;
  /** Draw tick labels; default true. */
  tickLabels?: boolean;
  /** Tick label formatter; default {@link tickFormat} of the ticks. */
  format?: (v: number) => string;
  /** If > 0, light grid lines of this length across the plot area. */
  grid?: number;
}

const AXIS_COLOR = '#333';
const GRID_COLOR = '#e5e5e5';
const TICK = 5;

function resolveTicks(scale: LinearScale, opts: AxisOptions): { ticks: readonly number[]; fmt: (v: number) => string } {
  const ticks = opts.ticks ?? scale.ticks(opts.tickCount ?? 5);
  return { ticks, fmt: opts.format ?? tickFormat(ticks) };
}

/**
 * A horizontal axis along pixel row `y`: domain line, ticks pointing down, labels, axis title.
 *
 * @example
 * const x = linearScale([0, 1000], [60, 880]);
 * const svg = axisBottom(x, 460, { label: 'time (ms)' });
 */
export function axisBottom(scale: LinearScale, y: number, opts: AxisOptions = {}): string {
  const { ticks, fmt } = resolveTicks(scale, opts);
  const [r0, r1] = scale.range;
  const out: string[] = ['<g class="axis axis-x">'];
  if (opts.grid && opts.grid > 0) {
    let d = '';
    for (const t of ticks) d += `M${num(scale(t))} ${num(y)}v${num(-opts.grid)}`;
    if (d) out.push(`<path class="grid" d="${d}" stroke="${GRID_COLOR}" fill="none"/>`);
  }
  let d = `M${num(Math.min(r0, r1))} ${num(y)}H${num(Math.max(r0, r1))}`;
  for (const t of ticks) d += `M${num(scale(t))} ${num(y)}v${TICK}`;
  out.push(`<path d="${d}" stroke="${AXIS_COLOR}" fill="none"/>`);
  if (opts.tickLabels !== false) {
    for (const t of ticks) out.push(textSvg(scale(t), y + TICK + 3, fmt(t), { anchor: 'middle', baseline: 'hanging' }));
  }
  if (opts.label) {
    const labelY = y + TICK + (opts.tickLabels !== false ? 30 : 16);
    out.push(textSvg((r0 + r1) / 2, labelY, opts.label, { anchor: 'middle' }));
  }
  out.push('</g>');
  return out.join('\n');
}

/**
 * Horizontal space (px) a left axis needs for its tick labels and title.
 *
 * @example
 * const left = axisLeftWidth(linearScale([-0.08, -0.04], [400, 20]), { label: 'v (V)' });
 */
export function axisLeftWidth(scale: LinearScale, opts: AxisOptions = {}): number {
  const { ticks, fmt } = resolveTicks(scale, opts);
  let w = 0;
  if (opts.tickLabels !== false) for (const t of ticks) w = Math.max(w, approxTextWidth(fmt(t)));
  return TICK + 4 + w + (opts.label ? 20 : 0) + 4;
}

/**
 * A vertical axis along pixel column `x`: domain line, ticks pointing left, labels, rotated title.
 *
 * @example
 * const y = linearScale([0, 100], [440, 20]);
 * const svg = axisLeft(y, 60, { label: 'neuron index' });
 */
export function axisLeft(scale: LinearScale, x: number, opts: AxisOptions = {}): string {
  const { ticks, fmt } = resolveTicks(scale, opts);
  const [r0, r1] = scale.range;
  const out: string[] = ['<g class="axis axis-y">'];
  if (opts.grid && opts.grid > 0) {
    let d = '';
    for (const t of ticks) d += `M${num(x)} ${num(scale(t))}h${num(opts.grid)}`;
    if (d) out.push(`<path class="grid" d="${d}" stroke="${GRID_COLOR}" fill="none"/>`);
  }
  let d = `M${num(x)} ${num(Math.min(r0, r1))}V${num(Math.max(r0, r1))}`;
  for (const t of ticks) d += `M${num(x)} ${num(scale(t))}h${-TICK}`;
  out.push(`<path d="${d}" stroke="${AXIS_COLOR}" fill="none"/>`);
  let w = 0;
  if (opts.tickLabels !== false) {
    for (const t of ticks) {
      const s = fmt(t);
      w = Math.max(w, approxTextWidth(s));
      out.push(textSvg(x - TICK - 3, scale(t), s, { anchor: 'end', baseline: 'middle' }));
    }
  }
  if (opts.label) {
    const lx = x - TICK - 4 - w - 10;
    out.push(textSvg(lx, (r0 + r1) / 2, opts.label, { anchor: 'middle', rotate: -90 }));
  }
  out.push('</g>');
  return out.join('\n');
}

/** Options of {@link plotFrame}. */
export interface FrameOptions {
  /** Outer size in px. */
  width: number;
  height: number;
  /** Left/top corner of the frame's box within the document; default 0, 0. */
  x0?: number;
  y0?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Data ranges shown on the axes. */
  xDomain: readonly [number, number];
  yDomain: readonly [number, number];
  xAxis?: Omit<AxisOptions, 'label' | 'grid'>;
  yAxis?: Omit<AxisOptions, 'label' | 'grid'>;
  /** Light grid lines at the ticks; default false. */
  grid?: boolean;
  /** Extra space (px) on the right, e.g. for a legend outside the plot; default 16. */
  marginRight?: number;
  /** Space at the top; default 34 with a title, 12 without. */
  marginTop?: number;
  /** Space at the bottom; default 44 with tick labels, 20 without. */
  marginBottom?: number;
  /** Prefix of the clip-path id (see {@link uniqueId}). */
  idPrefix?: string;
}

/** A laid-out plot area: scales into it, its pixel box, and the markup around it. */
export interface Frame {
  x: LinearScale;
  y: LinearScale;
  /** The plot area in px. */
  left: number;
  top: number;
  right: number;
  bottom: number;
  /** Title, grid and axes. */
  decorations: string;
  /** `<defs>` with the clip path of the plot area. */
  defs: string;
  /** Wraps markup so it is clipped to the plot area. */
  clip(markup: string): string;
}

/**
 * Lays out a plot: computes margins from the tick labels, builds the x and y scales into the plot
 * area, and renders title, axes and optional grid. Draw data with `frame.x` / `frame.y` inside
 * `frame.clip(...)`, then wrap `frame.defs + frame.decorations + data` with {@link svgDocument}.
 *
 * @example
 * const f = plotFrame({ width: 600, height: 400, xDomain: [0, 1], yDomain: [0, 10], xLabel: 't (s)' });
 * const body = f.defs + f.decorations + f.clip(`<circle cx="${f.x(0.5)}" cy="${f.y(5)}" r="3"/>`);
 */
export function plotFrame(opts: FrameOptions): Frame {
  const x0 = opts.x0 ?? 0;
  const y0 = opts.y0 ?? 0;
  const top = y0 + (opts.marginTop ?? (opts.title ? 34 : 12));
  const xTickLabels = opts.xAxis?.tickLabels !== false;
  const bottom = y0 + opts.height - (opts.marginBottom ?? (xTickLabels ? (opts.xLabel ? 44 : 26) : opts.xLabel ? 24 : 10));
  // The left margin depends on the y tick labels, which depend only on the domain.
  const yProbe = linearScale(opts.yDomain, [bottom, top]);
  const left = x0 + Math.max(36, axisLeftWidth(yProbe, { ...opts.yAxis, label: opts.yLabel }) + 2);
  const right = x0 + opts.width - (opts.marginRight ?? 16);
  const x = linearScale(opts.xDomain, [left, Math.max(left + 1, right)]);
  const y = linearScale(opts.yDomain, [Math.max(top + 1, bottom), top]);
  const id = uniqueId(opts.idPrefix ?? 'clip');
  const defs = `<defs><clipPath id="${id}"><rect x="${num(left)}" y="${num(top)}" width="${num(Math.max(0, right - left))}" height="${num(Math.max(0, bottom - top))}"/></clipPath></defs>`;
  const deco: string[] = [];
  if (opts.title) deco.push(textSvg((x0 + x0 + opts.width) / 2, y0 + 20, opts.title, { anchor: 'middle', size: 14, weight: '600' }));
  deco.push(axisBottom(x, bottom, { ...opts.xAxis, label: opts.xLabel, grid: opts.grid ? bottom - top : 0 }));
  deco.push(axisLeft(y, left, { ...opts.yAxis, label: opts.yLabel, grid: opts.grid ? right - left : 0 }));
  return {
    x,
    y,
    left,
    top,
    right,
    bottom,
    decorations: deco.join('\n'),
    defs,
    clip: (markup) => `<g clip-path="url(#${escapeXml(id)})">\n${markup}\n</g>`,
  };
}
