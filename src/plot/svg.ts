/**
 * Low-level SVG building blocks: escaping, compact number formatting, the document wrapper, a
 * legend and a clip-path id source. Everything returns strings.
 */

/**
 * Escapes text for use in SVG/XML content or a double- or single-quoted attribute. Characters
 * that XML 1.0 forbids (control characters other than tab, newline and carriage return, lone
 * surrogates) are dropped.
 *
 * @example
 * escapeXml('E < I & "gain"'); // 'E &lt; I &amp; &quot;gain&quot;'
 */
export function escapeXml(text: string): string {
  return String(text)
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * A coordinate as a short string: rounded to `digits` decimals, no trailing zeros, no "-0".
 *
 * @example
 * num(12.3456); // '12.35'
 * num(3.0001, 1); // '3'
 */
export function num(x: number, digits = 2): string {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? '0' : String(r);
}

/** Options of {@link svgDocument}. */
export interface SvgDocumentOptions {
  /** Accessible title (`<title>` element); not drawn. */
  title?: string;
  /** Background fill; default white. Pass 'none' for transparent. */
  background?: string;
  /** Base font size in px; default 11. */
  fontSize?: number;
}

/**
 * Wraps SVG body markup in a standalone `<svg>` root with width, height and viewBox.
 *
 * @example
 * const svg = svgDocument(200, 100, '<circle cx="50" cy="50" r="10"/>', { title: 'dot' });
 */
export function svgDocument(width: number, height: number, body: string, options: SvgDocumentOptions = {}): string {
  const bg = options.background ?? 'white';
  const fs = options.fontSize ?? 11;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="${num(fs)}">`,
  ];
  if (options.title) parts.push(`<title>${escapeXml(options.title)}</title>`);
  if (bg !== 'none') parts.push(`<rect width="100%" height="100%" fill="${escapeXml(bg)}"/>`);
  parts.push(body, '</svg>');
  return parts.join('\n');
}

/**
 * A text element at (x, y). `anchor` is the text-anchor; `baseline` 'middle' or 'hanging' puts
 * the text's middle or top at y instead of its baseline; `rotate` turns it about (x, y) (degrees).
 * `size` is the font size in px the text is drawn at (default 11, the document's).
 *
 * @example
 * textSvg(100, 20, 'Raster', { anchor: 'middle', weight: 'bold' });
 */
export function textSvg(
  x: number,
  y: number,
  text: string,
  opts: { anchor?: 'start' | 'middle' | 'end'; rotate?: number; size?: number; weight?: string; fill?: string; baseline?: 'auto' | 'middle' | 'hanging' } = {},
): string {
  // Vertical alignment by offsetting y rather than with dominant-baseline, which several
  // renderers and converters ignore: cap height ≈ 0.7 em.
  const size = opts.size ?? 11;
  const dy = opts.baseline === 'middle' ? 0.35 * size : opts.baseline === 'hanging' ? 0.72 * size : 0;
  let attrs = `x="${num(x)}" y="${num(y + dy)}"`;
  if (opts.anchor && opts.anchor !== 'start') attrs += ` text-anchor="${opts.anchor}"`;
  if (opts.size !== undefined) attrs += ` font-size="${num(opts.size)}"`;
  if (opts.weight) attrs += ` font-weight="${escapeXml(opts.weight)}"`;
  if (opts.fill) attrs += ` fill="${escapeXml(opts.fill)}"`;
  if (opts.rotate) attrs += ` transform="rotate(${num(opts.rotate)} ${num(x)} ${num(y + dy)})"`;
  return `<text ${attrs}>${escapeXml(text)}</text>`;
}

/** A legend entry: a coloured swatch and its label. */
export interface LegendItem {
  label: string;
  color: string;
}

/**
 * A legend: one row per item, a short coloured line then the label, with its top-right corner at
 * (right, top) and a translucent white backing.
 *
 * @example
 * legendSvg([{ label: 'E', color: '#1f77b4' }, { label: 'I', color: '#d62728' }], 580, 10);
 */
export function legendSvg(items: readonly LegendItem[], right: number, top: number): string {
  if (items.length === 0) return '';
  const rowH = 15;
  const textW = Math.max(...items.map((it) => approxTextWidth(it.label)));
  const w = 8 + 18 + 6 + textW + 8;
  const h = items.length * rowH + 8;
  const x0 = right - w;
  const out = [`<g class="legend">`, `<rect x="${num(x0)}" y="${num(top)}" width="${num(w)}" height="${num(h)}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`];
  items.forEach((it, k) => {
    const cy = top + 4 + rowH * k + rowH / 2;
    out.push(
      `<line x1="${num(x0 + 8)}" x2="${num(x0 + 26)}" y1="${num(cy)}" y2="${num(cy)}" stroke="${escapeXml(it.color)}" stroke-width="3"/>`,
      textSvg(x0 + 32, cy, it.label, { baseline: 'middle' }),
    );
  });
  out.push('</g>');
  return out.join('\n');
}

/**
 * Rough width in px of a string at font size `size` (no font metrics available in plain strings):
 * used to size margins and legends.
 *
 * @example
 * approxTextWidth('−0.065'); // ≈ 36
 */
export function approxTextWidth(text: string, size = 11): number {
  return Array.from(text).length * size * 0.6;
}

let idCounter = 0;

/**
 * A fresh id for clip paths and other defs, unique within this page/process, so several plots can
 * be inlined in one HTML document. Pass `prefix` for reproducible output.
 *
 * @example
 * const id = uniqueId('clip'); // 'clip-1', then 'clip-2', ...
 */
export function uniqueId(prefix = 'braints'): string {
  idCounter++;
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}-${idCounter}`;
}

/** A ten-colour categorical palette (colour-blind-friendly ordering of the classic "category10"). */
export const PALETTE: readonly string[] = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];
