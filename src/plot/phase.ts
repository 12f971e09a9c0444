/**
 * Phase-plane plots of two-variable systems: nullclines, a vector field and trajectories. All
 * geometry is passed in as arrays; nothing here evaluates a model.
 */

import { plotFrame } from './axes.js';
import { finiteExtent, polylinePath } from './line.js';
import { PALETTE, escapeXml, legendSvg, num, svgDocument } from './svg.js';

/** A curve in the plane: a nullcline or a trajectory. */
export interface PhaseCurve {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  label?: string;
  color?: string;
  /** Stroke width in px; default 2 for nullclines, 1.5 for trajectories. */
  width?: number;
  dash?: string;
}

/**
 * Arrows on a grid. `u[j * x.length + i]` and `v[j * x.length + i]` are dx/dt and dy/dt at the
 * grid point (x[i], y[j]).
 */
export interface VectorField {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  u: ArrayLike<number>;
  v: ArrayLike<number>;
  color?: string;
  /** Draw all arrows the same length (direction only); default true. Otherwise length ∝ speed. */
  normalize?: boolean;
}

/** A marked point, e.g. a fixed point: filled if stable, hollow if not. */
export interface PhasePoint {
  x: number;
  y: number;
  stable?: boolean;
  label?: string;
  color?: string;
}

/** What to draw in {@link phasePlaneSvg}. */
export interface PhasePlaneData {
  nullclines?: readonly PhaseCurve[];
  field?: VectorField;
  trajectories?: readonly PhaseCurve[];
  points?: readonly PhasePoint[];
}

/** Options of {@link phasePlaneSvg}. */
export interface PhasePlaneOptions {
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Axis ranges; default the extent of the field grid, or of all curves if there is no field. */
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  idPrefix?: string;
}

/**
 * A phase-plane plot: vector-field arrows (grey), nullclines (coloured, labelled in the legend),
 * trajectories (dark, with a dot at the start) and fixed points.
 *
 * @example
 * const svg = phasePlaneSvg(
 *   { nullclines: [{ x: v, y: wNullV, label: 'dv/dt = 0' }], field: { x: gx, y: gy, u, v: dw }, trajectories: [{ x: vt, y: wt }] },
 *   { xLabel: 'v', yLabel: 'w' },
 * );
 */
export function phasePlaneSvg(data: PhasePlaneData, options: PhasePlaneOptions = {}): string {
  const width = options.width ?? 560;
  const height = options.height ?? 480;
  const field = data.field;
  if (field) {
    const need = field.x.length * field.y.length;
    if (field.u.length !== need || field.v.length !== need) {
      throw new RangeError(
        `phasePlaneSvg: field.u and field.v need x.length × y.length = ${need} entries (index j * x.length + i), got ${field.u.length} and ${field.v.length}`,
      );
    }
  }
  let xExt: [number, number] | undefined;
  let yExt: [number, number] | undefined;
  if (field && field.x.length > 0 && field.y.length > 0) {
    xExt = finiteExtent(field.x);
    yExt = finiteExtent(field.y);
  } else {
    for (const c of [...(data.nullclines ?? []), ...(data.trajectories ?? [])]) {
      xExt = finiteExtent(c.x, xExt);
      yExt = finiteExtent(c.y, yExt);
    }
    for (const p of data.points ?? []) {
      xExt = finiteExtent([p.x], xExt);
      yExt = finiteExtent([p.y], yExt);
    }
  }
  const f = plotFrame({
    width,
    height,
    title: options.title,
    xLabel: options.xLabel,
    yLabel: options.yLabel,
    xDomain: options.xDomain ?? xExt ?? [0, 1],
    yDomain: options.yDomain ?? yExt ?? [0, 1],
    idPrefix: options.idPrefix,
  });
  const inner: string[] = [];
  const legend: { label: string; color: string }[] = [];

  if (field && field.x.length > 0 && field.y.length > 0) {
    const nx = field.x.length;
    const ny = field.y.length;
    // Grid spacing in px sets the arrow length.
    const cellX = nx > 1 ? Math.abs(f.x(field.x[1]) - f.x(field.x[0])) : f.right - f.left;
    const cellY = ny > 1 ? Math.abs(f.y(field.y[1]) - f.y(field.y[0])) : f.bottom - f.top;
    const maxLen = 0.8 * Math.min(cellX, cellY);
    // Pixels per data unit along each axis (y flips).
    const kx = (f.x.range[1] - f.x.range[0]) / (f.x.domain[1] - f.x.domain[0]);
    const ky = (f.y.range[1] - f.y.range[0]) / (f.y.domain[1] - f.y.domain[0]);
    const normalize = field.normalize !== false;
    let maxSpeed = 0;
    if (!normalize) {
      for (let k = 0; k < nx * ny; k++) {
        const s = Math.hypot(field.u[k] * kx, field.v[k] * ky);
        if (Number.isFinite(s) && s > maxSpeed) maxSpeed = s;
      }
    }
    let d = '';
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const k = j * nx + i;
        const dx = field.u[k] * kx;
        const dy = field.v[k] * ky;
        const s = Math.hypot(dx, dy);
        if (!(s > 0) || !Number.isFinite(s)) continue;
        const len = normalize ? maxLen : (maxLen * s) / maxSpeed;
        if (len < 0.5) continue;
        const ux = dx / s;
        const uy = dy / s;
        const cx = f.x(field.x[i]);
        const cy = f.y(field.y[j]);
        const x0 = cx - (ux * len) / 2;
        const y0 = cy - (uy * len) / 2;
        const x1 = cx + (ux * len) / 2;
        const y1 = cy + (uy * len) / 2;
        const head = Math.min(5, 0.35 * len);
        // Head: two strokes back from the tip, ±28° off the shaft.
        const c = Math.cos(0.49);
        const sn = Math.sin(0.49);
        const hx1 = x1 - head * (ux * c - uy * sn);
        const hy1 = y1 - head * (uy * c + ux * sn);
        const hx2 = x1 - head * (ux * c + uy * sn);
        const hy2 = y1 - head * (uy * c - ux * sn);
        d += `M${num(x0, 1)} ${num(y0, 1)}L${num(x1, 1)} ${num(y1, 1)}M${num(hx1, 1)} ${num(hy1, 1)}L${num(x1, 1)} ${num(y1, 1)}L${num(hx2, 1)} ${num(hy2, 1)}`;
      }
    }
    if (d) inner.push(`<path class="field" d="${d}" fill="none" stroke="${escapeXml(field.color ?? '#9a9a9a')}" stroke-width="1"/>`);
  }

  (data.nullclines ?? []).forEach((c, k) => {
    const color = c.color ?? PALETTE[k % PALETTE.length];
    const d = polylinePath(c.x, c.y, f.x, f.y);
    const dash = c.dash ? ` stroke-dasharray="${escapeXml(c.dash)}"` : '';
    if (d) inner.push(`<path class="nullcline" d="${d}" fill="none" stroke="${escapeXml(color)}" stroke-width="${num(c.width ?? 2)}"${dash}/>`);
    if (c.label) legend.push({ label: c.label, color });
  });

  (data.trajectories ?? []).forEach((c) => {
    const color = c.color ?? '#222';
    const d = polylinePath(c.x, c.y, f.x, f.y);
    const dash = c.dash ? ` stroke-dasharray="${escapeXml(c.dash)}"` : '';
    if (d) inner.push(`<path class="trajectory" d="${d}" fill="none" stroke="${escapeXml(color)}" stroke-width="${num(c.width ?? 1.5)}" stroke-linejoin="round"${dash}/>`);
    if (c.x.length > 0 && Number.isFinite(c.x[0]) && Number.isFinite(c.y[0])) {
      inner.push(`<circle class="start" cx="${num(f.x(c.x[0]))}" cy="${num(f.y(c.y[0]))}" r="3" fill="${escapeXml(color)}"/>`);
    }
    if (c.label) legend.push({ label: c.label, color });
  });

  for (const p of data.points ?? []) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    const color = p.color ?? '#000';
    const fill = p.stable === false ? 'white' : escapeXml(color);
    const title = p.label ? `<title>${escapeXml(p.label)}</title>` : '';
    inner.push(
      `<circle class="fixed-point" cx="${num(f.x(p.x))}" cy="${num(f.y(p.y))}" r="4.5" fill="${fill}" stroke="${escapeXml(color)}" stroke-width="1.5">${title}</circle>`,
    );
  }

  const body = [f.defs, f.decorations, f.clip(inner.join('\n')), legendSvg(legend, f.right - 6, f.top + 6)].join('\n');
  return svgDocument(width, height, body, { title: options.title });
}
