/**
 * PNG pictures: any SVG of src/plot rendered by resvg (the optional package @resvg/resvg-js,
 * a prebuilt renderer installed from npm). Node only.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Options of {@link svgToPng}. */
export interface PngOptions {
  /** Pixels per SVG unit (default 2: a 900×500 plot becomes 1800×1000 pixels). */
  readonly scale?: number;
  /** Background colour (default white; PNGs of plots are read on dark pages too). */
  readonly background?: string;
}

/**
 * Renders an SVG document to PNG bytes.
 *
 * @example
 * const png = await svgToPng(rasterSvg(spikes, { nNeurons: 4000, tStop: 1 }));
 */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  let resvg: typeof import('@resvg/resvg-js');
  try {
    resvg = await import('@resvg/resvg-js');
  } catch (err) {
    throw new Error(`PNG output needs the optional package @resvg/resvg-js, which is not installed here (${(err as Error).message.split('\n')[0]}). Fix: npm install @resvg/resvg-js, or ask for SVG only`);
  }
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) throw new RangeError(`svgToPng: scale must be in (0, 16], got ${scale}`);
  const r = new resvg.Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: options.background ?? 'white', logLevel: 'off' });
  return r.render().asPng();
}

/**
 * Writes an SVG document as a PNG file, creating parent folders.
 *
 * @example
 * await writePng('out/raster.png', rasterSvg(spikes, { nNeurons: 4000, tStop: 1 }));
 */
export async function writePng(path: string, svg: string, options: PngOptions = {}): Promise<void> {
  const png = await svgToPng(svg, options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, png);
}
