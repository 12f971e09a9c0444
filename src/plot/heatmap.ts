/**
 * A matrix as a grid of coloured cells (connectivity and correlation matrices): a diverging
 * blue–white–red scale centred on 0 when the values change sign, else white to dark red.
 */
import { escapeXml, num, svgDocument } from './svg.js';

/** Options of {@link heatmapSvg}. */
export interface HeatmapOptions {
  /** Pixel size of the square plot area; default 320. */
  size?: number;
  title?: string;
  /** Colour scale limits; default symmetric ±max|x| (signed data) or [0, max]. */
  domain?: readonly [number, number];
}

/**
 * An SVG heatmap of the n × n matrix `m` (row-major), row 0 at the top.
 *
 * @example
 * const svg = heatmapSvg(fc, 68, { title: 'functional connectivity' });
 */
export function heatmapSvg(m: ArrayLike<number>, n: number, options: HeatmapOptions = {}): string {
  if (!Number.isInteger(n) || n < 1 || m.length !== n * n) throw new RangeError(`heatmapSvg: expected ${n} × ${n} values, got ${m.length}`);
  const size = options.size ?? 320;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < m.length; k++) if (Number.isFinite(m[k])) (lo = Math.min(lo, m[k])), (hi = Math.max(hi, m[k]));
  if (!Number.isFinite(lo)) (lo = 0), (hi = 1);
  const signed = lo < 0;
  const [d0, d1] = options.domain ?? (signed ? [-Math.max(-lo, hi), Math.max(-lo, hi)] : [0, hi > 0 ? hi : 1]);
  const colour = (x: number) => {
    if (!Number.isFinite(x)) return '#cccccc';
    const t = Math.min(1, Math.max(0, (x - d0) / (d1 - d0 || 1)));
    // signed: blue (0) – white (0.5) – red (1); unsigned: white – dark red
    const [r, g, b] = signed ? (t < 0.5 ? mix([33, 102, 172], [255, 255, 255], t * 2) : mix([255, 255, 255], [178, 24, 43], t * 2 - 1)) : mix([255, 255, 255], [153, 0, 13], t);
    return `rgb(${r},${g},${b})`;
  };
  const top = options.title ? 28 : 8;
  const left = 8;
  const cell = size / n;
  const cells: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) cells.push(`<rect x="${num(left + j * cell)}" y="${num(top + i * cell)}" width="${num(cell + 0.05)}" height="${num(cell + 0.05)}" fill="${colour(m[i * n + j])}"/>`);
  }
  // colour bar with its limits
  const barX = left + size + 12;
  const steps = 32;
  for (let k = 0; k < steps; k++) {
    const x = d1 - ((k + 0.5) / steps) * (d1 - d0);
    cells.push(`<rect x="${num(barX)}" y="${num(top + (k * size) / steps)}" width="12" height="${num(size / steps + 0.05)}" fill="${colour(x)}"/>`);
  }
  cells.push(`<text x="${num(barX + 16)}" y="${num(top + 8)}">${escapeXml(fmt(d1))}</text>`, `<text x="${num(barX + 16)}" y="${num(top + size)}">${escapeXml(fmt(d0))}</text>`);
  if (options.title) cells.unshift(`<text x="${num(left)}" y="18" font-weight="600">${escapeXml(options.title)}</text>`);
  return svgDocument(left + size + 70, top + size + 8, cells.join(''), { title: options.title });
}

function mix(a: readonly number[], b: readonly number[], t: number): number[] {
  return a.map((x, k) => Math.round(x + (b[k] - x) * t));
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(1) : String(Math.round(x * 100) / 100);
}
