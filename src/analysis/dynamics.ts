/**
 * Phase-plane and bifurcation analysis of one- and two-dimensional neuron models (or of a chosen
 * pair of state variables with the others held fixed): nullclines by marching squares, vector
 * fields, fixed points by Newton's method with the symbolic Jacobian, their linear stability, and
 * one-parameter bifurcation scans. Models are read from their declaration (the same expanded
 * equations the simulator compiles); the code evaluated here is generated from expression trees
 * and compiled with `compileKernel`. Inputs may be given with units; everything returned is SI.
 */
import { type Expr, num, sym, substitute } from '../equations/ast.js';
import { emitJS, KERNEL_HELPERS } from '../equations/codegen.js';
import { diff, simplify } from '../equations/symbolic.js';
import { type QuantityLike, parseQuantity, SECOND } from '../equations/quantity.js';
import { type Dim, dimEq, formatDim, DIMENSIONLESS } from '../math/units.js';
import { compileKernel } from '../lang/kernel.js';
import { type NeuronModel } from '../model/model.js';
import { BuildError } from '../lang/errors.js';
import { resolveModel, solveModel } from './adaptive.js';

/** A range of one variable: SI numbers, or quantities such as `['-80 mV', '0 mV']`. */
export type AxisRange = readonly [QuantityLike, QuantityLike];

/** Values common to the phase-plane tools. */
export interface PlaneOptions {
  /** Parameter overrides (defaults from the model). */
  params?: Readonly<Record<string, QuantityLike>>;
  /** Constant inputs, e.g. `{ I: 0.5 }` (default 0). */
  inputs?: Readonly<Record<string, QuantityLike>>;
  /** Values of the other state variables (held fixed) and per-neuron values; default the model's init, else 0. */
  fixed?: Readonly<Record<string, QuantityLike>>;
  /** Time at which an explicitly time-dependent right-hand side is evaluated (s); default 0. */
  t?: number;
}

/** Options of {@link nullclines} and {@link vectorField}. */
export interface PlaneGridOptions extends PlaneOptions {
  xRange: AxisRange;
  yRange: AxisRange;
  /** Grid points per axis (one number for both, or [nx, ny]); default 201 for nullclines, 21 for fields. */
  grid?: number | readonly [number, number];
}

/** Options of {@link fixedPoints}: a y range only for two variables. */
export interface FixedPointOptions extends PlaneOptions {
  xRange: AxisRange;
  yRange?: AxisRange;
  /** Newton starting points per axis; default 12. */
  grid?: number | readonly [number, number];
}

/** A polyline in the plane (SI). */
export interface Polyline {
  x: Float64Array;
  y: Float64Array;
}

/** The nullclines of a pair of variables: `x` where dx/dt = 0, `y` where dy/dt = 0. */
export interface Nullclines {
  x: Polyline[];
  y: Polyline[];
}

/** A vector field on a grid, laid out as {@link phasePlaneSvg} wants it: `u[j * x.length + i]` at (x[i], y[j]). */
export interface VectorFieldGrid {
  x: Float64Array;
  y: Float64Array;
  u: Float64Array;
  v: Float64Array;
}

/** An eigenvalue re + i·im. */
export interface Eigenvalue {
  re: number;
  im: number;
}

/** Linear stability of a fixed point. */
export interface StabilityInfo {
  /** The Jacobian, row i = ∂(d var_i/dt)/∂(var_j), SI. */
  jacobian: number[][];
  eigenvalues: Eigenvalue[];
  /** 'node' (real eigenvalues of one sign), 'focus' (complex), 'saddle', 'center' (purely imaginary) or 'degenerate' (a zero eigenvalue). */
  type: 'node' | 'focus' | 'saddle' | 'center' | 'degenerate';
  /** True when every eigenvalue has a negative real part. */
  stable: boolean;
  /** e.g. 'stable focus', 'saddle'. */
  label: string;
}

/** A fixed point with its stability. `y` is NaN for a one-variable system. */
export interface FixedPoint extends StabilityInfo {
  x: number;
  y: number;
  /** The point by variable name. */
  values: Record<string, number>;
}

const SCAN = 'scan$';

/** A compiled 1- or 2-variable system. */
interface PlaneSystem {
  names: string[];
  rhs: Expr[];
  /** f(x, y, p, out): writes the derivatives. */
  f: (x: number, y: number, p: number, out: Float64Array) => void;
  /** J(x, y, p, out): writes the Jacobian row-major. */
  J: (x: number, y: number, p: number, out: Float64Array) => void;
  where: string;
}

function siValue(q: QuantityLike, dim: Dim | undefined, where: string, field: string): number {
  let v;
  try {
    v = parseQuantity(q);
  } catch (err) {
    throw new BuildError(where, field, `cannot read ${JSON.stringify(q)}: ${(err as Error).message}`);
  }
  // A plain number is taken as SI for a dimensioned axis.
  if (dim && typeof q !== 'number' && !dimEq(v.dim, dim)) {
    throw new BuildError(where, field, `expected dimension ${formatDim(dim)}, got ${JSON.stringify(q)} (dimension ${formatDim(v.dim)})`);
  }
  if (!Number.isFinite(v.value)) throw new BuildError(where, field, `must be finite, got ${JSON.stringify(q)}`);
  return v.value;
}

function rangeOf(model: NeuronModel, name: string, r: AxisRange | undefined, where: string, field: string): [number, number] {
  if (!r || r.length !== 2) throw new BuildError(where, field, `needs [low, high] for '${name}'`, `give e.g. ${field}: [-2, 2]`);
  const lo = siValue(r[0], model.dimOf(name), where, field);
  const hi = siValue(r[1], model.dimOf(name), where, field);
  if (!(hi > lo)) throw new BuildError(where, field, `low must be below high, got [${r[0]}, ${r[1]}]`);
  return [lo, hi];
}

function gridOf(g: number | readonly [number, number] | undefined, dflt: number, where: string): [number, number] {
  const [nx, ny] = g === undefined ? [dflt, dflt] : typeof g === 'number' ? [g, g] : [g[0], g[1]];
  if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 2 && ny >= 2)) throw new BuildError(where, 'grid', `needs integers ≥ 2, got ${JSON.stringify(g)}`);
  return [nx, ny];
}

/**
 * Builds the reduced system of `xVar` (and `yVar`): other state variables, values, inputs and
 * parameters are folded to numbers, except `scan` (a parameter or input name) which becomes the
 * argument p of the compiled functions.
 */
function buildPlane(model: NeuronModel, xVar: string, yVar: string | null, opts: PlaneOptions, scan?: string): PlaneSystem {
  const where = `model '${model.name}'`;
  const states = model.stateNames();
  for (const [v, field] of [[xVar, 'xVar'], [yVar, 'yVar']] as const) {
    if (v !== null && !states.includes(v)) throw new BuildError(where, field, `'${v}' is not a state variable`, `choose one of: ${states.join(', ')}`);
  }
  if (yVar === xVar) throw new BuildError(where, 'yVar', `must differ from xVar ('${xVar}')`);
  const isParam = scan !== undefined && model.params.has(scan);
  const isInput = scan !== undefined && model.inputNames().includes(scan);
  if (scan !== undefined && !isParam && !isInput) {
    throw new BuildError(where, 'param', `'${scan}' is neither a parameter nor an input`, `choose one of: ${[...model.params.keys(), ...model.inputNames()].join(', ')}`);
  }
  const fixedInit: Record<string, QuantityLike> = {};
  for (const [k, v] of Object.entries(opts.fixed ?? {})) if (k !== xVar && k !== yVar) fixedInit[k] = v;
  const r = resolveModel(model, { params: opts.params, inputs: opts.inputs, init: fixedInit, symbolic: isParam ? [scan!] : [] });
  const names = yVar === null ? [xVar] : [xVar, yVar];
  const stateIdx = new Map(r.odes.map((o, i) => [o.name, i]));
  const t = opts.t ?? 0;
  const constant = (n: string): Expr | undefined => {
    if (names.includes(n)) return undefined;
    if (isParam && n === `p$${scan}`) return sym(SCAN);
    if (n.startsWith('ext$')) {
      const inp = n.slice(4);
      if (isInput && inp === scan) return sym(SCAN);
      const v = r.inputs.get(inp);
      if (v !== undefined) return num(v);
    }
    const si = stateIdx.get(n);
    if (si !== undefined) return num(r.init[si]);
    const val = r.values.get(n);
    if (val !== undefined) return num(val);
    if (n === 't') return num(t);
    throw new BuildError(where, 'equations', `'${n}' has no value in a phase-plane analysis`, 'give it through params, inputs or fixed');
  };
  const rhs = names.map((n) => simplify(substitute(r.odes[stateIdx.get(n)!].rhs, constant)));
  const jac = rhs.map((e) => names.map((v) => diff(e, v)));
  const code = (n: string): string => {
    if (n === xVar) return 'x';
    if (n === yVar) return 'y';
    if (n === SCAN) return 'p';
    throw new BuildError(where, 'equations', `internal: unresolved symbol '${n}'`);
  };
  const fBody = `return function (x, y, p, out) {\n${rhs.map((e, i) => `  out[${i}] = ${emitJS(e, code)};`).join('\n')}\n};`;
  const jBody = `return function (x, y, p, out) {\n${jac.flat().map((e, i) => `  out[${i}] = ${emitJS(e, code)};`).join('\n')}\n};`;
  const f = compileKernel(['H'], fBody)(KERNEL_HELPERS) as PlaneSystem['f'];
  const J = compileKernel(['H'], jBody)(KERNEL_HELPERS) as PlaneSystem['J'];
  return { names, rhs, f, J, where };
}

/** Eigenvalues and classification of a 1×1 or 2×2 Jacobian (row-major). */
function classify(jm: Float64Array, dim: number): StabilityInfo {
  if (dim === 1) {
    const l = jm[0];
    const type = l === 0 ? 'degenerate' : 'node';
    const stable = l < 0;
    return { jacobian: [[l]], eigenvalues: [{ re: l, im: 0 }], type, stable, label: type === 'degenerate' ? 'degenerate' : `${stable ? 'stable' : 'unstable'} node` };
  }
  const [a, b, c, d] = [jm[0], jm[1], jm[2], jm[3]];
  const tr = a + d;
  const det = a * d - b * c;
  const size = Math.max(Math.abs(a), Math.abs(b), Math.abs(c), Math.abs(d), Number.MIN_VALUE);
  const half = tr / 2;
  const disc = half * half - det;
  let eigenvalues: Eigenvalue[];
  if (disc >= 0) {
    const s = Math.sqrt(disc);
    // numerically stable roots of λ² - tr λ + det
    const l1 = half + (half >= 0 ? s : -s);
    const l2 = l1 !== 0 ? det / l1 : half - (half >= 0 ? s : -s);
    eigenvalues = [{ re: Math.max(l1, l2), im: 0 }, { re: Math.min(l1, l2), im: 0 }];
  } else {
    const s = Math.sqrt(-disc);
    eigenvalues = [{ re: half, im: s }, { re: half, im: -s }];
  }
  let type: StabilityInfo['type'];
  if (Math.abs(det) <= 1e-13 * size * size) type = 'degenerate';
  else if (det < 0) type = 'saddle';
  else if (disc < 0) type = Math.abs(tr) <= 1e-12 * size ? 'center' : 'focus';
  else type = 'node';
  const stable = eigenvalues.every((e) => e.re < 0);
  const label = type === 'saddle' || type === 'center' || type === 'degenerate' ? type : `${stable ? 'stable' : 'unstable'} ${type}`;
  return { jacobian: [[a, b], [c, d]], eigenvalues, type, stable, label };
}

/** Newton's method with backtracking from (x, y); returns the root or undefined. */
function newton(sys: PlaneSystem, x0: number, y0: number, p: number, xScale: number, yScale: number, fScale: Float64Array): [number, number] | undefined {
  const dim = sys.names.length;
  const F = new Float64Array(2);
  const J = new Float64Array(4);
  const Ft = new Float64Array(2);
  let x = x0;
  let y = dim === 2 ? y0 : 0;
  const norm = (v: Float64Array) => Math.hypot(v[0] / fScale[0], dim === 2 ? v[1] / fScale[1] : 0);
  sys.f(x, y, p, F);
  let nf = norm(F);
  for (let it = 0; it < 60; it++) {
    if (!Number.isFinite(nf)) return undefined;
    sys.J(x, y, p, J);
    let dx: number;
    let dy = 0;
    if (dim === 1) {
      if (J[0] === 0) return undefined;
      dx = -F[0] / J[0];
    } else {
      const det = J[0] * J[3] - J[1] * J[2];
      if (det === 0 || !Number.isFinite(det)) return undefined;
      dx = (-F[0] * J[3] + F[1] * J[1]) / det;
      dy = (-F[1] * J[0] + F[0] * J[2]) / det;
    }
    // backtracking: accept the first fraction that lowers the residual
    let lam = 1;
    let xn = x + dx;
    let yn = y + dy;
    sys.f(xn, yn, p, Ft);
    let nt = norm(Ft);
    for (let k = 0; k < 30 && !(nt < nf) && nf > 0; k++) {
      lam *= 0.5;
      xn = x + lam * dx;
      yn = y + lam * dy;
      sys.f(xn, yn, p, Ft);
      nt = norm(Ft);
    }
    const small = Math.abs(lam * dx) <= 1e-14 * (Math.abs(x) + xScale) && (dim === 1 || Math.abs(lam * dy) <= 1e-14 * (Math.abs(y) + yScale));
    x = xn;
    y = yn;
    F.set(Ft);
    nf = nt;
    if (small || nf === 0) break;
    // far outside the region of interest: give up
    if (Math.abs(x) > 1e3 * (Math.abs(x0) + xScale) || Math.abs(y) > 1e3 * (Math.abs(y0) + yScale)) return undefined;
  }
  return nf <= 1e-8 ? [x, y] : undefined;
}

/** Typical magnitude of each derivative over a grid (for scale-free residuals). */
function derivativeScale(sys: PlaneSystem, xr: [number, number], yr: [number, number] | undefined, p: number): Float64Array {
  const dim = sys.names.length;
  const s = new Float64Array(2);
  const out = new Float64Array(2);
  const n = 9;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < (dim === 2 ? n : 1); j++) {
      const x = xr[0] + ((xr[1] - xr[0]) * i) / (n - 1);
      const y = yr ? yr[0] + ((yr[1] - yr[0]) * j) / (n - 1) : 0;
      sys.f(x, y, p, out);
      for (let k = 0; k < dim; k++) if (Number.isFinite(out[k])) s[k] = Math.max(s[k], Math.abs(out[k]));
    }
  }
  for (let k = 0; k < 2; k++) if (!(s[k] > 0)) s[k] = 1;
  return s;
}

function pointAt(sys: PlaneSystem, x: number, y: number, p: number): FixedPoint {
  const dim = sys.names.length;
  const J = new Float64Array(4);
  sys.J(x, y, p, J);
  const st = classify(J, dim);
  const values: Record<string, number> = { [sys.names[0]]: x };
  if (dim === 2) values[sys.names[1]] = y;
  return { x, y: dim === 2 ? y : NaN, values, ...st };
}

function findFixedPoints(
  sys: PlaneSystem,
  xr: [number, number],
  yr: [number, number] | undefined,
  grid: [number, number],
  p: number,
  extraStarts: readonly (readonly [number, number])[] = [],
): FixedPoint[] {
  const dim = sys.names.length;
  const xs = xr[1] - xr[0];
  const ys = yr ? yr[1] - yr[0] : 1;
  const fScale = derivativeScale(sys, xr, yr, p);
  const found: [number, number][] = [];
  const tryFrom = (x0: number, y0: number) => {
    const r = newton(sys, x0, y0, p, xs, ys, fScale);
    if (!r) return;
    const [x, y] = r;
    if (x < xr[0] - 1e-9 * xs || x > xr[1] + 1e-9 * xs) return;
    if (yr && (y < yr[0] - 1e-9 * ys || y > yr[1] + 1e-9 * ys)) return;
    if (found.some(([a, b]) => Math.abs(a - x) <= 1e-7 * xs && (dim === 1 || Math.abs(b - y) <= 1e-7 * ys))) return;
    found.push([x, y]);
  };
  for (const [a, b] of extraStarts) tryFrom(a, b);
  const [nx, ny] = grid;
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < (dim === 2 ? ny : 1); j++) {
      // cell centres, so that a start never sits exactly on a symmetric point
      const x = xr[0] + (xs * (i + 0.5)) / nx;
      const y = yr ? yr[0] + (ys * (j + 0.5)) / ny : 0;
      tryFrom(x, y);
    }
  }
  found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return found.map(([x, y]) => pointAt(sys, x, y, p));
}

/**
 * The nullclines of two state variables by marching squares on a grid of dx/dt and dy/dt: `x`
 * holds the polylines where dx/dt = 0, `y` those where dy/dt = 0 (the crossings are linearly
 * interpolated along grid edges; ambiguous cells are resolved by the cell-centre value).
 *
 * @example
 * const nc = nullclines(FitzHughNagumo, 'v', 'w', { xRange: [-2.5, 2.5], yRange: [-1, 2], inputs: { I: 0.5 } });
 * nc.x[0].x, nc.x[0].y; // the cubic v-nullcline w = v - v³/3 + I
 */
export function nullclines(model: NeuronModel, xVar: string, yVar: string, opts: PlaneGridOptions): Nullclines {
  const sys = buildPlane(model, xVar, yVar, opts);
  const xr = rangeOf(model, xVar, opts.xRange, sys.where, 'xRange');
  const yr = rangeOf(model, yVar, opts.yRange, sys.where, 'yRange');
  const [nx, ny] = gridOf(opts.grid, 201, sys.where);
  const gx = new Float64Array(nx);
  const gy = new Float64Array(ny);
  for (let i = 0; i < nx; i++) gx[i] = xr[0] + ((xr[1] - xr[0]) * i) / (nx - 1);
  for (let j = 0; j < ny; j++) gy[j] = yr[0] + ((yr[1] - yr[0]) * j) / (ny - 1);
  const fx = new Float64Array(nx * ny);
  const fy = new Float64Array(nx * ny);
  const out = new Float64Array(2);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      sys.f(gx[i], gy[j], 0, out);
      fx[j * nx + i] = out[0];
      fy[j * nx + i] = out[1];
    }
  }
  const centre = (field: Float64Array) => (i: number, j: number) => {
    const cx = 0.5 * (gx[i] + gx[i + 1]);
    const cy = 0.5 * (gy[j] + gy[j + 1]);
    sys.f(cx, cy, 0, out);
    return field === fx ? out[0] : out[1];
  };
  return { x: marchingSquares(fx, gx, gy, centre(fx)), y: marchingSquares(fy, gx, gy, centre(fy)) };
}

/**
 * Zero contours of a grid of values (`values[j * xs.length + i]` at (xs[i], ys[j])) as polylines.
 * `centre(i, j)` gives the value at the centre of cell (i, j), used to resolve saddle cells
 * (default: the mean of the corners).
 *
 * @example
 * // the unit circle: values[j * xs.length + i] = xs[i]**2 + ys[j]**2 - 1
 * const [circle] = marchingSquares(values, xs, ys); // one closed polyline
 */
export function marchingSquares(values: ArrayLike<number>, xs: ArrayLike<number>, ys: ArrayLike<number>, centre?: (i: number, j: number) => number): Polyline[] {
  const nx = xs.length;
  const ny = ys.length;
  if (values.length !== nx * ny) throw new RangeError(`marchingSquares: values needs ${nx * ny} entries, got ${values.length}`);
  const val = (i: number, j: number) => values[j * nx + i];
  const pos = (v: number) => v >= 0;
  // Edge ids: horizontal edge (i,j)-(i+1,j) → 2*(j*nx+i); vertical edge (i,j)-(i,j+1) → 2*(j*nx+i)+1.
  const pointOf = new Map<number, [number, number]>();
  const edgePoint = (id: number): [number, number] => {
    let p = pointOf.get(id);
    if (p) return p;
    const node = id >> 1;
    const i = node % nx;
    const j = (node - i) / nx;
    const v0 = val(i, j);
    if (id & 1) {
      const v1 = val(i, j + 1);
      const s = v0 / (v0 - v1);
      p = [xs[i], ys[j] + s * (ys[j + 1] - ys[j])];
    } else {
      const v1 = val(i + 1, j);
      const s = v0 / (v0 - v1);
      p = [xs[i] + s * (xs[i + 1] - xs[i]), ys[j]];
    }
    pointOf.set(id, p);
    return p;
  };
  const adj = new Map<number, number[]>();
  const link = (a: number, b: number) => {
    if (!adj.has(a)) adj.set(a, []);
    if (!adj.has(b)) adj.set(b, []);
    adj.get(a)!.push(b);
    adj.get(b)!.push(a);
  };
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const a = val(i, j), b = val(i + 1, j), c = val(i + 1, j + 1), d = val(i, j + 1);
      if (![a, b, c, d].every(Number.isFinite)) continue;
      const bottom = 2 * (j * nx + i);
      const top = 2 * ((j + 1) * nx + i);
      const left = 2 * (j * nx + i) + 1;
      const right = 2 * (j * nx + i + 1) + 1;
      const cut: number[] = [];
      if (pos(a) !== pos(b)) cut.push(bottom);
      if (pos(b) !== pos(c)) cut.push(right);
      if (pos(c) !== pos(d)) cut.push(top);
      if (pos(d) !== pos(a)) cut.push(left);
      if (cut.length === 2) link(cut[0], cut[1]);
      else if (cut.length === 4) {
        // saddle: a and c on one side, b and d on the other
        const m = centre ? centre(i, j) : (a + b + c + d) / 4;
        if (pos(m) === pos(a)) {
          // a's region connects across the centre: separate b and d corners
          link(bottom, right);
          link(top, left);
        } else {
          link(bottom, left);
          link(right, top);
        }
      }
    }
  }
  const lines: Polyline[] = [];
  const used = new Set<string>();
  const key = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);
  const walkFrom = (start: number): number[] => {
    const chain = [start];
    let prev = -1;
    let cur = start;
    for (;;) {
      const next = (adj.get(cur) ?? []).find((n) => n !== prev && !used.has(key(cur, n)));
      if (next === undefined) break;
      used.add(key(cur, next));
      chain.push(next);
      prev = cur;
      cur = next;
      if (cur === start) break;
    }
    return chain;
  };
  const emit = (chain: number[]) => {
    if (chain.length < 2) return;
    const x = new Float64Array(chain.length);
    const y = new Float64Array(chain.length);
    chain.forEach((id, k) => {
      const [px, py] = edgePoint(id);
      x[k] = px;
      y[k] = py;
    });
    lines.push({ x, y });
  };
  // open chains first (start at ends, degree 1), then closed loops
  for (const [id, ns] of adj) if (ns.length === 1 && !used.has(key(id, ns[0]))) emit(walkFrom(id));
  for (const [id, ns] of adj) if (ns.some((n) => !used.has(key(id, n)))) emit(walkFrom(id));
  return lines;
}

/**
 * Joins polylines into one curve with NaN breaks, as {@link phasePlaneSvg} draws it.
 *
 * @example
 * const nc = nullclines(FHN, 'v', 'w', opts);
 * phasePlaneSvg({ nullclines: [{ ...joinPolylines(nc.x), label: 'dv/dt = 0' }] });
 */
export function joinPolylines(lines: readonly Polyline[]): Polyline {
  const total = lines.reduce((s, l) => s + l.x.length, 0) + Math.max(0, lines.length - 1);
  const x = new Float64Array(total);
  const y = new Float64Array(total);
  let k = 0;
  lines.forEach((l, n) => {
    if (n > 0) {
      x[k] = NaN;
      y[k] = NaN;
      k++;
    }
    x.set(l.x, k);
    y.set(l.y, k);
    k += l.x.length;
  });
  return { x, y };
}

/**
 * The vector field (dx/dt, dy/dt) of two state variables on a grid, SI units, laid out for
 * {@link phasePlaneSvg}'s `field`.
 *
 * @example
 * const field = vectorField(FitzHughNagumo, 'v', 'w', { xRange: [-2.5, 2.5], yRange: [-1, 2], grid: 20, inputs: { I: 0.5 } });
 * phasePlaneSvg({ field });
 */
export function vectorField(model: NeuronModel, xVar: string, yVar: string, opts: PlaneGridOptions): VectorFieldGrid {
  const sys = buildPlane(model, xVar, yVar, opts);
  const xr = rangeOf(model, xVar, opts.xRange, sys.where, 'xRange');
  const yr = rangeOf(model, yVar, opts.yRange, sys.where, 'yRange');
  const [nx, ny] = gridOf(opts.grid, 21, sys.where);
  const x = Float64Array.from({ length: nx }, (_, i) => xr[0] + ((xr[1] - xr[0]) * i) / (nx - 1));
  const y = Float64Array.from({ length: ny }, (_, j) => yr[0] + ((yr[1] - yr[0]) * j) / (ny - 1));
  const u = new Float64Array(nx * ny);
  const v = new Float64Array(nx * ny);
  const out = new Float64Array(2);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      sys.f(x[i], y[j], 0, out);
      u[j * nx + i] = out[0];
      v[j * nx + i] = out[1];
    }
  }
  return { x, y, u, v };
}

/**
 * The fixed points of one state variable (`yVar` null) or of a pair, inside the given ranges:
 * Newton's method with the symbolic Jacobian (from `diff`), started from a grid of points, with
 * backtracking; roots are deduplicated and classified (see {@link stability}).
 *
 * @example
 * const fps = fixedPoints(FitzHughNagumo, 'v', 'w', { xRange: [-3, 3], yRange: [-2, 3], inputs: { I: 0.5 } });
 * fps[0]; // { x: -0.80485, y: -0.13106, type: 'focus', stable: false, label: 'unstable focus', ... }
 */
export function fixedPoints(model: NeuronModel, xVar: string, yVar: string | null, opts: FixedPointOptions): FixedPoint[] {
  const sys = buildPlane(model, xVar, yVar, opts);
  const xr = rangeOf(model, xVar, opts.xRange, sys.where, 'xRange');
  const yr = yVar === null ? undefined : rangeOf(model, yVar, opts.yRange, sys.where, 'yRange');
  return findFixedPoints(sys, xr, yr, gridOf(opts.grid, 12, sys.where), 0);
}

/**
 * Linear stability at a point (normally a fixed point): the symbolic Jacobian evaluated there, its
 * eigenvalues, and the type (node, focus, saddle, center, degenerate) and stability.
 *
 * @example
 * stability(FitzHughNagumo, 'v', 'w', { v: -1.1994, w: -0.6243 }, { inputs: { I: 0 } }).label; // 'stable focus'
 */
export function stability(model: NeuronModel, xVar: string, yVar: string | null, point: Readonly<Record<string, QuantityLike>>, opts: PlaneOptions = {}): StabilityInfo {
  const sys = buildPlane(model, xVar, yVar, opts);
  const get = (n: string) => {
    if (point[n] === undefined) throw new BuildError(sys.where, 'point', `needs a value for '${n}'`);
    return siValue(point[n], model.dimOf(n), sys.where, `point.${n}`);
  };
  const x = get(xVar);
  const y = yVar === null ? 0 : get(yVar);
  const J = new Float64Array(4);
  sys.J(x, y, 0, J);
  return classify(J, sys.names.length);
}

/** A change found by {@link bifurcationScan} between two scanned values. */
export interface BifurcationTransition {
  /** 'hopf': a focus changes stability; 'real': a real eigenvalue crosses zero with the number of fixed points unchanged; 'saddle-node': fixed points appear or disappear. */
  kind: 'hopf' | 'real' | 'saddle-node';
  /** The parameter value (SI): refined by bisection for 'hopf' and 'real', the midpoint for 'saddle-node'. */
  value: number;
  /** The two scanned values it lies between. */
  between: [number, number];
  /** The fixed point at the transition (for 'hopf' and 'real'). */
  fixedPoint?: FixedPoint;
}

/** Options of {@link bifurcationScan}. */
export interface BifurcationOptions extends FixedPointOptions {
  /** The state variable (x axis of the fixed-point search). */
  xVar: string;
  /** The second variable, or omit for a one-variable system. */
  yVar?: string;
  /** Refine stability changes by bisection; default true. */
  refine?: boolean;
  /** Also simulate each value with {@link solveModel} and record min/max of a variable after a transient. */
  simulate?: {
    variable: string;
    tStop: QuantityLike;
    transient: QuantityLike;
    /** Initial state (default the model's init). */
    init?: Readonly<Record<string, QuantityLike>>;
    rtol?: number;
    maxStep?: QuantityLike;
    /** Sampling step of the trajectory for min/max (default (tStop - transient)/4000). */
    sampleDt?: QuantityLike;
  };
}

/** The result of {@link bifurcationScan}. */
export interface BifurcationScan {
  param: string;
  /** The scanned values, SI. */
  values: Float64Array;
  /** The fixed points at each value. */
  fixedPoints: FixedPoint[][];
  transitions: BifurcationTransition[];
  /** Minimum / maximum of the simulated variable after the transient (with `simulate`). */
  min?: Float64Array;
  max?: Float64Array;
}

/**
 * A one-parameter bifurcation scan: for each value of a parameter or input, the fixed points and
 * their stability; changes of stability between neighbouring values are reported (Hopf when the
 * eigenvalues are complex) and refined by bisection with Newton continuation. With `simulate`,
 * the min and max of a variable along the attractor reached from the initial state.
 *
 * @example
 * const scan = bifurcationScan(FitzHughNagumo, 'I', Array.from({ length: 41 }, (_, k) => k * 0.025), {
 *   xVar: 'v', yVar: 'w', xRange: [-3, 3], yRange: [-2, 3],
 * });
 * scan.transitions.find((t) => t.kind === 'hopf')?.value; // ≈ 0.3313
 */
export function bifurcationScan(model: NeuronModel, param: string, values: ArrayLike<number> | readonly QuantityLike[], opts: BifurcationOptions): BifurcationScan {
  const yVar = opts.yVar ?? null;
  const where = `model '${model.name}'`;
  const dimOfParam: Dim | undefined = model.params.get(param)?.dim ?? model.lines.find((l) => l.name === param)?.dim;
  const vals = Float64Array.from({ length: values.length }, (_, k) => {
    const q = (values as ArrayLike<QuantityLike>)[k];
    return typeof q === 'number' ? q : siValue(q, dimOfParam ?? DIMENSIONLESS, where, `values[${k}]`);
  });
  const sys = buildPlane(model, opts.xVar, yVar, opts, param);
  const xr = rangeOf(model, opts.xVar, opts.xRange, where, 'xRange');
  const yr = yVar === null ? undefined : rangeOf(model, yVar, opts.yRange, where, 'yRange');
  const grid = gridOf(opts.grid, 12, where);
  const all: FixedPoint[][] = [];
  for (let k = 0; k < vals.length; k++) {
    const prev = k > 0 ? all[k - 1].map((p) => [p.x, Number.isNaN(p.y) ? 0 : p.y] as const) : [];
    all.push(findFixedPoints(sys, xr, yr, grid, vals[k], prev));
  }
  const maxRe = (p: FixedPoint) => Math.max(...p.eigenvalues.map((e) => e.re));
  const transitions: BifurcationTransition[] = [];
  const xs = xr[1] - xr[0];
  const ys = yr ? yr[1] - yr[0] : 1;
  for (let k = 0; k + 1 < vals.length; k++) {
    const A = all[k];
    const B = all[k + 1];
    const between: [number, number] = [vals[k], vals[k + 1]];
    if (A.length !== B.length) {
      transitions.push({ kind: 'saddle-node', value: 0.5 * (vals[k] + vals[k + 1]), between });
      continue;
    }
    for (let m = 0; m < A.length; m++) {
      const a = A[m];
      const b = B[m];
      if (a.stable === b.stable) continue;
      const complex = a.eigenvalues.some((e) => e.im !== 0) || b.eigenvalues.some((e) => e.im !== 0);
      const kind = complex ? 'hopf' : 'real';
      if (opts.refine === false) {
        // linear interpolation of the largest real part
        const ra = maxRe(a);
        const rb = maxRe(b);
        transitions.push({ kind, value: vals[k] + ((vals[k + 1] - vals[k]) * ra) / (ra - rb), between });
        continue;
      }
      // bisection on the sign of the largest real part, following the fixed point by Newton
      let lo = vals[k];
      let hi = vals[k + 1];
      let pt = a;
      const fScale = derivativeScale(sys, xr, yr, lo);
      const sLo = a.stable;
      for (let it = 0; it < 60 && Math.abs(hi - lo) > 1e-13 * Math.max(Math.abs(lo), Math.abs(hi), 1e-300); it++) {
        const mid = 0.5 * (lo + hi);
        const r = newton(sys, pt.x, Number.isNaN(pt.y) ? 0 : pt.y, mid, xs, ys, fScale);
        if (!r) break;
        const q = pointAt(sys, r[0], r[1], mid);
        if (q.stable === sLo) lo = mid;
        else hi = mid;
        pt = q;
      }
      const value = 0.5 * (lo + hi);
      const r = newton(sys, pt.x, Number.isNaN(pt.y) ? 0 : pt.y, value, xs, ys, fScale);
      transitions.push({ kind, value, between, fixedPoint: r ? pointAt(sys, r[0], r[1], value) : pt });
    }
  }
  const result: BifurcationScan = { param, values: vals, fixedPoints: all, transitions };
  if (opts.simulate) {
    const s = opts.simulate;
    if (!model.stateNames().includes(s.variable)) throw new BuildError(where, 'simulate.variable', `'${s.variable}' is not a state variable`, `choose one of: ${model.stateNames().join(', ')}`);
    const isParam = model.params.has(param);
    const tStop = siValue(s.tStop, SECOND, where, 'simulate.tStop');
    const transient = siValue(s.transient, SECOND, where, 'simulate.transient');
    if (!(transient >= 0 && transient < tStop)) throw new BuildError(where, 'simulate.transient', `must lie in [0, tStop), got ${JSON.stringify(s.transient)}`);
    const sampleDt = s.sampleDt ?? { value: (tStop - transient) / 4000, dim: SECOND };
    const mins = new Float64Array(vals.length);
    const maxs = new Float64Array(vals.length);
    for (let k = 0; k < vals.length; k++) {
      const q = { value: vals[k], dim: dimOfParam ?? DIMENSIONLESS };
      const sol = solveModel(model, {
        params: isParam ? { ...(opts.params ?? {}), [param]: q } : opts.params,
        inputs: isParam ? opts.inputs : { ...(opts.inputs ?? {}), [param]: q },
        init: { ...(opts.fixed ?? {}), ...(s.init ?? {}) },
        tStop: s.tStop,
        rtol: s.rtol ?? 1e-6,
        maxStep: s.maxStep,
        sampleDt,
      });
      let lo = Infinity;
      let hi = -Infinity;
      const tr = sol.t;
      const yv = sol.y[s.variable];
      for (let i = 0; i < tr.length; i++) {
        if (tr[i] < transient) continue;
        if (yv[i] < lo) lo = yv[i];
        if (yv[i] > hi) hi = yv[i];
      }
      mins[k] = lo;
      maxs[k] = hi;
    }
    result.min = mins;
    result.max = maxs;
  }
  return result;
}
