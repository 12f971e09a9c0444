/**
 * Training curves: loss (left panel) and accuracy (right panel) by epoch, one point per epoch.
 */

import { plotFrame } from './axes.js';
import { finiteExtent, polylinePath } from './line.js';
import { niceDomain } from './scale.js';
import { PALETTE, escapeXml, legendSvg, num, svgDocument } from './svg.js';

/** What one epoch reported; accuracies are fractions in [0, 1]. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy?: number;
  testAccuracy?: number;
}

/** Options of {@link trainingCurvesSvg}. */
export interface TrainingCurveOptions {
  width?: number;
  height?: number;
  title?: string;
  /** Draw a dashed line at this accuracy (e.g. chance, 1 / classes). */
  chance?: number;
  idPrefix?: string;
}

/**
 * Loss and accuracy by epoch, side by side. Every epoch is a `<circle class="point">` on each
 * curve it has a value for (`data-series` loss, train or test).
 *
 * @example
 * writeFileSync('training.svg', trainingCurvesSvg(history, { chance: 0.25 }));
 */
export function trainingCurvesSvg(history: readonly EpochRecord[], options: TrainingCurveOptions = {}): string {
  const width = options.width ?? 900;
  const height = options.height ?? 360;
  const half = width / 2;
  const epochs = history.map((h) => h.epoch);
  const xDomain: [number, number] = niceDomain(...(finiteExtent(epochs) ?? [0, 1]));
  if (xDomain[0] === xDomain[1]) xDomain[1] = xDomain[0] + 1;
  const losses = history.map((h) => h.loss);
  const [lLo, lHi] = finiteExtent(losses) ?? [0, 1];
  const lossFrame = plotFrame({ width: half, height, x0: 0, title: 'loss', xLabel: 'epoch', yLabel: 'loss', xDomain, yDomain: niceDomain(Math.min(0, lLo), lHi > lLo ? lHi : lLo + 1), grid: true, idPrefix: `${options.idPrefix ?? 'train'}-loss` });
  const accFrame = plotFrame({ width: half, height, x0: half, title: 'accuracy', xLabel: 'epoch', yLabel: 'accuracy', xDomain, yDomain: [0, 1], grid: true, idPrefix: `${options.idPrefix ?? 'train'}-acc` });
  const curve = (f: typeof lossFrame, ys: number[], name: string, color: string, dash = ''): string => {
    const xs: number[] = [];
    const vs: number[] = [];
    history.forEach((h, k) => {
      if (ys[k] !== undefined && Number.isFinite(ys[k])) (xs.push(h.epoch), vs.push(ys[k]));
    });
    const parts = [`<path class="series" data-series="${name}" d="${polylinePath(xs, vs, f.x, f.y)}" fill="none" stroke="${escapeXml(color)}" stroke-width="1.8"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`];
    for (let k = 0; k < xs.length; k++) parts.push(`<circle class="point" data-series="${name}" cx="${num(f.x(xs[k]))}" cy="${num(f.y(vs[k]))}" r="3" fill="${escapeXml(color)}"/>`);
    return parts.join('\n');
  };
  const accParts: string[] = [];
  const legend: { label: string; color: string }[] = [];
  if (history.some((h) => h.trainAccuracy !== undefined)) {
    accParts.push(curve(accFrame, history.map((h) => h.trainAccuracy as number), 'train', PALETTE[0]));
    legend.push({ label: 'train', color: PALETTE[0] });
  }
  if (history.some((h) => h.testAccuracy !== undefined)) {
    accParts.push(curve(accFrame, history.map((h) => h.testAccuracy as number), 'test', PALETTE[1]));
    legend.push({ label: 'test', color: PALETTE[1] });
  }
  if (options.chance !== undefined && Number.isFinite(options.chance)) {
    const y = accFrame.y(options.chance);
    accParts.push(`<path class="chance" d="M${num(accFrame.left)} ${num(y)}H${num(accFrame.right)}" stroke="#888" stroke-dasharray="4 3" fill="none"/>`);
    legend.push({ label: 'chance', color: '#888' });
  }
  const body = [
    lossFrame.defs,
    lossFrame.decorations,
    lossFrame.clip(curve(lossFrame, losses, 'loss', PALETTE[3 % PALETTE.length])),
    accFrame.defs,
    accFrame.decorations,
    accFrame.clip(accParts.join('\n')),
    legendSvg(legend, accFrame.right - 6, accFrame.bottom - 14 - 15 * legend.length),
  ].join('\n');
  return svgDocument(width, height, body, { title: options.title ?? 'training' });
}
