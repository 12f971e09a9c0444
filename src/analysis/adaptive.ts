/**
 * Adaptive Runge–Kutta integration for single neurons and low-dimensional studies: the
 * Dormand–Prince 5(4) pair (Dormand & Prince 1980, "A family of embedded Runge–Kutta formulae",
 * J. Comput. Appl. Math. 6:19) with its embedded 4th-order error estimate, FSAL, proportional-
 * integral (or standard) step-size control and the 4th-order continuous extension of Hairer,
 * Nørsett & Wanner ("Solving Ordinary Differential Equations I", 2nd ed., §II.6).
 *
 * Two entry points:
 * - {@link dopri5} integrates a plain function `f(t, y, dy)`.
 * - {@link solveModel} integrates a declared neuron model: its right-hand side is generated from
 *   the model's expanded equations (never from user text) and compiled with `compileKernel`.
 *   Threshold crossings are located by root-finding on re-integrated partial steps (each probe is
 *   a true 5th-order step from the start of the step, not the interpolant), the reset is applied
 *   at the crossing, and variables flagged `(unless refractory)` are held for the refractory period.
 *
 * Everything is in SI units.
 */
import { type Expr, walk, isNoiseSymbol, RANDOM_FUNCTIONS } from '../equations/ast.js';
import { emitJS, jsNumber, KERNEL_HELPERS } from '../equations/codegen.js';
import { simplify } from '../equations/symbolic.js';
import { type QuantityLike, parseQuantity, SECOND } from '../equations/quantity.js';
import { type Dim, DIMENSIONLESS, UNITS, dimEq, formatDim } from '../math/units.js';
import { compileKernel } from '../lang/kernel.js';
import { type NeuronModel, checkModel } from '../model/model.js';
import { BuildError } from '../lang/errors.js';
import { checkModelDimensions, makeExpander } from '../model/expand.js';
import { isScalarInit, exampleUnit } from '../model/init.js';
import { type OdeVar } from '../integrators/index.js';

// ---------------------------------------------------------------------------------------------
// Dormand–Prince 5(4) tableau
// ---------------------------------------------------------------------------------------------

const C2 = 1 / 5, C3 = 3 / 10, C4 = 4 / 5, C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40, A32 = 9 / 40;
const A41 = 44 / 45, A42 = -56 / 15, A43 = 32 / 9;
const A51 = 19372 / 6561, A52 = -25360 / 2187, A53 = 64448 / 6561, A54 = -212 / 729;
const A61 = 9017 / 3168, A62 = -355 / 33, A63 = 46732 / 5247, A64 = 49 / 176, A65 = -5103 / 18656;
// 5th-order weights (also the 7th stage row: FSAL)
const B1 = 35 / 384, B3 = 500 / 1113, B4 = 125 / 192, B5 = -2187 / 6784, B6 = 11 / 84;
// error weights: 5th-order minus embedded 4th-order
const E1 = 71 / 57600, E3 = -71 / 16695, E4 = 71 / 1920, E5 = -17253 / 339200, E6 = 22 / 525, E7 = -1 / 40;
// continuous extension
const D1 = -12715105075 / 11282082432, D3 = 87487479700 / 32700410799, D4 = -10690763975 / 1880347072;
const D5 = 701980252875 / 199316789632, D6 = -1453857185 / 822651844, D7 = 69997945 / 29380423;

/** A right-hand side: writes dy/dt at (t, y) into `dy` (never the same array as `y`). */
export type OdeRhs = (t: number, y: Float64Array, dy: Float64Array) => void;

/** Options of {@link dopri5}. */
export interface Dopri5Options {
  /** Relative tolerance; default 1e-6. */
  rtol?: number;
  /** Absolute tolerance, one for all or one per component; default 1e-9. */
  atol?: number | ArrayLike<number>;
  /** First step; default chosen from f (Hairer's heuristic). */
  h0?: number;
  /** Largest step; default |tEnd - t0|. */
  maxStep?: number;
  /** Most steps (accepted + rejected) before giving up; default 1e6. */
  maxSteps?: number;
  /** 'pi' (Gustafsson's proportional-integral controller, default) or 'standard' (h·(1/err)^(1/5)). */
  control?: 'pi' | 'standard';
  /** Output times (dense output): the solution is returned at exactly these times instead of at every step. */
  tEval?: ArrayLike<number>;
  /** Keep the continuous extension of every step and return it as `sol(t)`; default false. */
  dense?: boolean;
}

/** The result of {@link dopri5}. */
export interface Dopri5Result {
  /** Times: every accepted step (t0 included), or `tEval`. */
  t: Float64Array;
  /** One array per component, parallel to `t`. */
  y: Float64Array[];
  steps: number;
  rejected: number;
  /** Right-hand-side evaluations. */
  evaluations: number;
  /** The continuous solution on [t0, tEnd] (only with `dense: true`). */
  sol?: (t: number, out?: Float64Array) => Float64Array;
}

/** Work arrays and the single step shared by both solvers. */
class DopriCore {
  readonly n: number;
  readonly k1: Float64Array;
  readonly k2: Float64Array;
  readonly k3: Float64Array;
  readonly k4: Float64Array;
  readonly k5: Float64Array;
  readonly k6: Float64Array;
  readonly k7: Float64Array;
  readonly ys: Float64Array;
  readonly y1: Float64Array;
  readonly yerr: Float64Array;
  evaluations = 0;
  constructor(n: number) {
    this.n = n;
    this.k1 = new Float64Array(n);
    this.k2 = new Float64Array(n);
    this.k3 = new Float64Array(n);
    this.k4 = new Float64Array(n);
    this.k5 = new Float64Array(n);
    this.k6 = new Float64Array(n);
    this.k7 = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.y1 = new Float64Array(n);
    this.yerr = new Float64Array(n);
  }

  /**
   * One step of size h from (t, y) with k1 = f(t, y) already in `k1`. Writes the 5th-order
   * solution to `out`; with `withError`, also k7 = f(t+h, out) and the error estimate `yerr`.
   */
  step(f: OdeRhs, t: number, y: Float64Array, h: number, out: Float64Array, withError: boolean): void {
    const { n, k1, k2, k3, k4, k5, k6, k7, ys, yerr } = this;
    for (let i = 0; i < n; i++) ys[i] = y[i] + h * A21 * k1[i];
    f(t + C2 * h, ys, k2);
    for (let i = 0; i < n; i++) ys[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
    f(t + C3 * h, ys, k3);
    for (let i = 0; i < n; i++) ys[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
    f(t + C4 * h, ys, k4);
    for (let i = 0; i < n; i++) ys[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
    f(t + C5 * h, ys, k5);
    for (let i = 0; i < n; i++) ys[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
    f(t + h, ys, k6);
    for (let i = 0; i < n; i++) out[i] = y[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
    this.evaluations += 5;
    if (withError) {
      f(t + h, out, k7);
      this.evaluations++;
      for (let i = 0; i < n; i++) yerr[i] = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
    }
  }

  /** Scaled RMS norm of the error estimate. */
  errorNorm(y0: Float64Array, y1: Float64Array, rtol: number, atol: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) {
      const sc = atol[i] + rtol * Math.max(Math.abs(y0[i]), Math.abs(y1[i]));
      const e = this.yerr[i] / sc;
      s += e * e;
    }
    return Math.sqrt(s / Math.max(1, this.n));
  }

  /** Coefficients of the continuous extension of the step just taken (5 rows of n). */
  denseCoefficients(y0: Float64Array, y1: Float64Array, h: number, into: Float64Array): void {
    const { n, k1, k3, k4, k5, k6, k7 } = this;
    for (let i = 0; i < n; i++) {
      const ydiff = y1[i] - y0[i];
      const bspl = h * k1[i] - ydiff;
      into[i] = y0[i];
      into[n + i] = ydiff;
      into[2 * n + i] = bspl;
      into[3 * n + i] = ydiff - h * k7[i] - bspl;
      into[4 * n + i] = h * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i] + D6 * k6[i] + D7 * k7[i]);
    }
  }
}

/** Evaluates a continuous extension (coefficients from `denseCoefficients`) at θ ∈ [0, 1]. */
function denseEval(rc: Float64Array, n: number, theta: number, out: Float64Array): void {
  const th1 = 1 - theta;
  for (let i = 0; i < n; i++) {
    out[i] = rc[i] + theta * (rc[n + i] + th1 * (rc[2 * n + i] + theta * (rc[3 * n + i] + th1 * rc[4 * n + i])));
  }
}

/** Hairer's starting step: a step for which an explicit Euler step would be accurate to ~1 %. */
function initialStep(f: OdeRhs, t: number, y: Float64Array, k1: Float64Array, dir: number, rtol: number, atol: Float64Array, hmax: number, work: Float64Array, f1: Float64Array): number {
  const n = y.length;
  let d0 = 0, d1 = 0;
  for (let i = 0; i < n; i++) {
    const sc = atol[i] + rtol * Math.abs(y[i]);
    d0 += (y[i] / sc) ** 2;
    d1 += (k1[i] / sc) ** 2;
  }
  d0 = Math.sqrt(d0 / Math.max(1, n));
  d1 = Math.sqrt(d1 / Math.max(1, n));
  let h = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  h = Math.min(h, hmax);
  for (let i = 0; i < n; i++) work[i] = y[i] + dir * h * k1[i];
  f(t + dir * h, work, f1);
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    const sc = atol[i] + rtol * Math.abs(y[i]);
    d2 += ((f1[i] - k1[i]) / sc) ** 2;
  }
  d2 = Math.sqrt(d2 / Math.max(1, n)) / h;
  const m = Math.max(d1, d2);
  const h1 = m <= 1e-15 ? Math.max(1e-6, h * 1e-3) : (0.01 / m) ** (1 / 5);
  return Math.min(100 * h, h1, hmax);
}

const SAFETY = 0.9;
const FAC_MIN = 0.2;
const FAC_MAX = 10;

/** Step-size controller: the next step after an accepted or rejected step. */
class Controller {
  private errOld = 1e-4;
  constructor(private readonly pi: boolean) {}
  accept(h: number, err: number, afterReject: boolean): number {
    const e = Math.max(err, 1e-10);
    let fac = this.pi ? SAFETY * e ** (-0.7 / 5) * this.errOld ** (0.4 / 5) : SAFETY * e ** (-1 / 5);
    fac = Math.min(afterReject ? 1 : FAC_MAX, Math.max(FAC_MIN, fac));
    this.errOld = e;
    return h * fac;
  }
  reject(h: number, err: number): number {
    return h * Math.max(FAC_MIN, SAFETY * err ** (-1 / 5));
  }
}

function atolArray(atol: number | ArrayLike<number> | undefined, n: number, dflt: number): Float64Array {
  const a = new Float64Array(n);
  if (atol === undefined || typeof atol === 'number') a.fill(atol ?? dflt);
  else {
    if (atol.length !== n) throw new RangeError(`dopri5: atol has ${atol.length} entries, the system has ${n}`);
    for (let i = 0; i < n; i++) a[i] = atol[i];
  }
  for (let i = 0; i < n; i++) if (!(a[i] > 0)) throw new RangeError(`dopri5: atol must be positive, got ${a[i]}`);
  return a;
}

/** Growable Float64 storage. */
class Grow {
  buf: Float64Array;
  length = 0;
  constructor(cap = 256) {
    this.buf = new Float64Array(cap);
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.length++] = v;
  }
  array(): Float64Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * Integrates y' = f(t, y) from t0 to tEnd with the Dormand–Prince 5(4) method and adaptive
 * steps. The local error of each accepted step satisfies ‖err_i / (atol_i + rtol·|y_i|)‖_rms ≤ 1.
 *
 * @example
 * // y' = -y, y(0) = 1 → y(1) = e^-1
 * const r = dopri5((t, y, dy) => { dy[0] = -y[0]; }, 0, [1], 1, { rtol: 1e-8, atol: 1e-12 });
 * r.y[0][r.t.length - 1]; // 0.36787944...
 */
export function dopri5(f: OdeRhs, t0: number, y0: ArrayLike<number>, tEnd: number, opts: Dopri5Options = {}): Dopri5Result {
  const n = y0.length;
  const rtol = opts.rtol ?? 1e-6;
  if (!(rtol > 0)) throw new RangeError(`dopri5: rtol must be positive, got ${rtol}`);
  const atol = atolArray(opts.atol, n, 1e-9);
  if (!Number.isFinite(t0) || !Number.isFinite(tEnd)) throw new RangeError(`dopri5: t0 and tEnd must be finite, got ${t0} and ${tEnd}`);
  const dir = tEnd >= t0 ? 1 : -1;
  const span = Math.abs(tEnd - t0);
  const hmax = Math.min(opts.maxStep ?? span, span) || 1;
  const maxSteps = opts.maxSteps ?? 1_000_000;
  const core = new DopriCore(n);
  const ctrl = new Controller((opts.control ?? 'pi') === 'pi');
  let y: Float64Array = Float64Array.from(y0);
  let y1: Float64Array = core.y1;
  let t = t0;
  const tEval = opts.tEval ? Float64Array.from(opts.tEval) : undefined;
  if (tEval) {
    for (let k = 0; k < tEval.length; k++) {
      if ((tEval[k] - t0) * dir < 0 || (tEval[k] - tEnd) * dir > 0) throw new RangeError(`dopri5: tEval[${k}] = ${tEval[k]} lies outside [${t0}, ${tEnd}]`);
      if (k > 0 && (tEval[k] - tEval[k - 1]) * dir < 0) throw new RangeError('dopri5: tEval must be sorted in the direction of integration');
    }
  }
  const outT = new Grow();
  const outY = Array.from({ length: n }, () => new Grow());
  const record = (tt: number, yy: Float64Array) => {
    outT.push(tt);
    for (let i = 0; i < n; i++) outY[i].push(yy[i]);
  };
  let evalIdx = 0;
  const rc = new Float64Array(5 * n);
  const tmp = new Float64Array(n);
  const segT: number[] = [];
  const segH: number[] = [];
  const segC: Float64Array[] = [];
  if (!tEval) record(t, y);
  else while (evalIdx < tEval.length && tEval[evalIdx] === t0) record(t0, y), evalIdx++;

  f(t, y, core.k1);
  core.evaluations++;
  let h = opts.h0 !== undefined ? Math.min(Math.abs(opts.h0), hmax) : initialStep(f, t, y, core.k1, dir, rtol, atol, hmax, tmp, core.k2);
  if (opts.h0 === undefined) core.evaluations++;
  let steps = 0;
  let rejected = 0;
  let afterReject = false;
  while ((tEnd - t) * dir > 0) {
    if (steps + rejected >= maxSteps) throw new Error(`dopri5: more than ${maxSteps} steps before t = ${tEnd} (stopped at t = ${t}); raise maxSteps or loosen rtol/atol`);
    let last = false;
    if (h >= Math.abs(tEnd - t) * (1 - 1e-12)) {
      h = Math.abs(tEnd - t);
      last = true;
    }
    if (h < 16 * Number.EPSILON * Math.max(Math.abs(t), 1e-300)) throw new Error(`dopri5: step size underflow at t = ${t} (h = ${h}); the problem may be stiff or singular`);
    core.step(f, t, y, dir * h, y1, true);
    const err = core.errorNorm(y, y1, rtol, atol);
    if (!Number.isFinite(err)) {
      // a non-finite stage: try a much smaller step
      h *= FAC_MIN;
      rejected++;
      afterReject = true;
      continue;
    }
    if (err > 1) {
      h = ctrl.reject(h, err);
      rejected++;
      afterReject = true;
      continue;
    }
    steps++;
    const tNew = last ? tEnd : t + dir * h;
    if (tEval || opts.dense) core.denseCoefficients(y, y1, dir * h, rc);
    if (tEval) {
      while (evalIdx < tEval.length && (tEval[evalIdx] - tNew) * dir <= 0) {
        denseEval(rc, n, (tEval[evalIdx] - t) / (dir * h), tmp);
        record(tEval[evalIdx], tmp);
        evalIdx++;
      }
    } else record(tNew, y1);
    if (opts.dense) {
      segT.push(t);
      segH.push(dir * h);
      segC.push(rc.slice());
    }
    const hNext = Math.min(ctrl.accept(h, err, afterReject), hmax);
    afterReject = false;
    const swap = y;
    y = y1;
    y1 = swap;
    core.k1.set(core.k7);
    t = tNew;
    h = hNext;
  }
  const res: Dopri5Result = { t: outT.array(), y: outY.map((g) => g.array()), steps, rejected, evaluations: core.evaluations };
  if (opts.dense) {
    const yEnd = y.slice();
    res.sol = (tq: number, out?: Float64Array) => {
      const o = out ?? new Float64Array(n);
      if (segT.length === 0) {
        o.set(yEnd);
        return o;
      }
      // binary search for the segment holding tq
      let lo = 0;
      let hi = segT.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((tq - segT[mid]) * dir >= 0) lo = mid;
        else hi = mid - 1;
      }
      const theta = (tq - segT[lo]) / segH[lo];
      denseEval(segC[lo], n, Math.min(1, Math.max(0, theta)), o);
      return o;
    };
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/** Values given to a model by {@link resolveModel}. */
export interface ModelValuesOptions {
  /** Parameter overrides (defaults come from the model). */
  params?: Readonly<Record<string, QuantityLike>>;
  /** Constant values of the summed inputs, e.g. `{ I: '200 pA' }` (default 0). */
  inputs?: Readonly<Record<string, QuantityLike>>;
  /** Initial values of state variables and per-neuron values (default: the model's init, else 0). */
  init?: Readonly<Record<string, QuantityLike>>;
  /** Parameters to keep as symbols `p$<name>` instead of folding them to numbers. */
  symbolic?: readonly string[];
}

/** A model with all its values resolved to SI numbers, and its equations expanded. */
export interface ResolvedModel {
  readonly model: NeuronModel;
  readonly where: string;
  /** Parameter values (SI), except the symbolic ones. */
  readonly scalars: ReadonlyMap<string, number>;
  /** Input values (SI) by input name; the expanded equations use the symbol `ext$<name>`. */
  readonly inputs: ReadonlyMap<string, number>;
  /** Per-neuron values (lines without a right-hand side that are not inputs), SI. */
  readonly values: ReadonlyMap<string, number>;
  /** The differential equations, expanded and simplified. */
  readonly odes: readonly OdeVar[];
  /** Initial values of the state variables, in `odes` order. */
  readonly init: Float64Array;
  /** The refractory period (s), 0 when none. */
  readonly tref: number;
  /** Expands any expression of the model (threshold, reset values) with these values. */
  readonly expand: (e: Expr) => Expr;
  /** A typical magnitude per state variable (for default absolute tolerances). */
  readonly scale: Float64Array;
}

function quantityAs(q: QuantityLike, dim: Dim, where: string, field: string): number {
  let v;
  try {
    v = parseQuantity(q);
  } catch (err) {
    throw new BuildError(where, field, `cannot read ${JSON.stringify(q)}: ${(err as Error).message}`, `write a number with a unit, e.g. '10 ${exampleUnit(dim)}'`);
  }
  if (!dimEq(v.dim, dim)) {
    throw new BuildError(
      where,
      field,
      `expected dimension ${formatDim(dim)}, got ${JSON.stringify(q)} (dimension ${formatDim(v.dim)})`,
      dimEq(dim, DIMENSIONLESS) ? 'give a plain number' : `write it with a unit, e.g. '${typeof q === 'number' ? q : 1} ${exampleUnit(dim)}'`,
    );
  }
  if (!Number.isFinite(v.value)) throw new BuildError(where, field, `must be finite, got ${JSON.stringify(q)}`);
  return v.value;
}

/**
 * Resolves a model's parameters, inputs, per-neuron values and initial state (all checked for
 * dimension and given in SI) and expands its equations. Shared by {@link solveModel} and the
 * phase-plane tools of `analysis/dynamics.ts`.
 *
 * @example
 * const r = resolveModel(LIF, { params: { tau: '20 ms' }, inputs: { I: '200 pA' } });
 * r.odes[0].name; // 'v'
 * r.init[0];      // -0.065
 */
export function resolveModel(model: NeuronModel, opts: ModelValuesOptions = {}): ResolvedModel {
  checkModel(model, 'resolveModel', 'model');
  const where = `model '${model.name}'`;
  checkModelDimensions(model, where);
  const symbolic = new Set(opts.symbolic ?? []);
  for (const k of Object.keys(opts.params ?? {})) {
    if (!model.params.has(k)) throw new BuildError(where, `params.${k}`, `'${k}' is not a parameter of the model`, `use one of: ${[...model.params.keys()].join(', ') || '(none)'}`);
  }
  const scalars = new Map<string, number>();
  const refParam = typeof model.spec.refractory === 'string' && model.params.has(model.spec.refractory) ? model.spec.refractory : undefined;
  for (const [name, def] of model.params) {
    if (symbolic.has(name)) continue;
    const given = opts.params?.[name];
    const v = given === undefined ? def.value : quantityAs(given, def.dim, where, `params.${name}`);
    if (given !== undefined && ((dimEq(def.dim, SECOND) && name !== refParam) || (model.spec.positive ?? []).includes(name)) && !(v > 0)) {
      throw new BuildError(where, `params.${name}`, `must be positive, got ${JSON.stringify(given)}`, `give a positive value`);
    }
    scalars.set(name, v);
  }
  const inputNames = new Set(model.inputNames());
  const inputs = new Map<string, number>();
  for (const k of Object.keys(opts.inputs ?? {})) {
    if (!inputNames.has(k)) throw new BuildError(where, `inputs.${k}`, `'${k}' is not an input of the model`, `declare it with the (input) flag, or use one of: ${[...inputNames].join(', ') || '(none)'}`);
  }
  for (const l of model.lines) {
    if (!inputNames.has(l.name)) continue;
    const given = opts.inputs?.[l.name];
    inputs.set(l.name, given === undefined ? 0 : quantityAs(given, l.dim, where, `inputs.${l.name}`));
  }
  const known = new Set(model.lines.filter((l) => l.kind !== 'sub' && !inputNames.has(l.name)).map((l) => l.name));
  for (const k of Object.keys(opts.init ?? {})) {
    if (!known.has(k)) throw new BuildError(where, `init.${k}`, `'${k}' is not a state variable or value of the model`, `use one of: ${[...known].join(', ')}`);
  }
  const initOf = (name: string, dim: Dim): number => {
    const given = opts.init?.[name];
    if (given !== undefined) return quantityAs(given, dim, where, `init.${name}`);
    const d = model.spec.init?.[name];
    if (d === undefined) return 0;
    if (!isScalarInit(d)) throw new BuildError(where, `init.${name}`, 'the model default is a distribution; a single trajectory needs one value', `give init: { ${name}: ... }`);
    return quantityAs(d, dim, where, `init.${name}`);
  };
  const values = new Map<string, number>();
  for (const l of model.lines) if (l.kind === 'value' && !inputNames.has(l.name)) values.set(l.name, initOf(l.name, l.dim));
  const expand0 = makeExpander({ model, scalars, perNeuron: symbolic, where });
  const expand = (e: Expr) => simplify(expand0(e));
  const diffLines = model.lines.filter((l) => l.kind === 'diff');
  const odes: OdeVar[] = diffLines.map((l) => ({ name: l.name, rhs: expand(l.expr!), gated: l.flags.includes('unless refractory') }));
  const init = Float64Array.from(diffLines, (l) => initOf(l.name, l.dim));
  for (const o of odes) {
    walk(o.rhs, (node) => {
      if ((node.k === 'sym' && isNoiseSymbol(node.name)) || (node.k === 'call' && RANDOM_FUNCTIONS.has(node.fn))) {
        throw new BuildError(where, 'equations', `d${o.name}/dt is stochastic ('${node.k === 'sym' ? node.name : `${node.fn}()`}'); the adaptive solver and the phase-plane tools need deterministic equations`, "simulate it in a Network with method 'euler_maruyama' or 'milstein', or remove the noise term");
      }
    });
  }
  const scale = Float64Array.from(diffLines, (l, i) => {
    let s = Math.abs(init[i]);
    for (const [pn, def] of model.params) if (dimEq(def.dim, l.dim)) s = Math.max(s, Math.abs(scalars.get(pn) ?? def.value));
    if (s === 0) s = dimEq(l.dim, DIMENSIONLESS) ? 1 : UNITS.get(exampleUnit(l.dim))?.value ?? 1;
    return s;
  });
  let tref = 0;
  const r = model.spec.refractory;
  if (r !== undefined) {
    if (typeof r === 'string' && model.params.has(r)) tref = scalars.get(r) ?? model.params.get(r)!.value;
    else tref = quantityAs(r, SECOND, where, 'refractory');
    if (!(tref >= 0)) throw new BuildError(where, 'refractory', `must be ≥ 0, got ${tref} s`, "give e.g. '2 ms'");
  }
  return { model, where, scalars, inputs, values, odes, init, tref, expand, scale };
}

/** Options of {@link solveModel}. */
export interface SolveModelOptions extends ModelValuesOptions {
  /** End time (start is 0), e.g. '200 ms'. */
  tStop: QuantityLike;
  /** Relative tolerance; default 1e-6. */
  rtol?: number;
  /** Absolute tolerance: one number (SI) for all, or per variable; default rtol × a typical magnitude of each variable. */
  atol?: number | Readonly<Record<string, QuantityLike>>;
  /** Largest step, e.g. '0.5 ms'; default tStop. */
  maxStep?: QuantityLike;
  /** Detect threshold crossings, reset and refractoriness; default true when the model has a threshold. */
  events?: boolean;
  /** Return the solution on a uniform grid with this spacing (dense output) instead of at every step. */
  sampleDt?: QuantityLike;
  /** Step-size control; default 'pi'. */
  control?: 'pi' | 'standard';
  /** Most steps before giving up; default 1e6. */
  maxSteps?: number;
}

/** The result of {@link solveModel}. All SI. */
export interface ModelSolution {
  /** Times of the samples. Without `sampleDt`: every accepted step, and at each spike the state before and after the reset (the time appears twice). */
  t: Float64Array;
  /** One array per state variable, parallel to `t`. */
  y: Record<string, Float64Array>;
  /** Spike times (threshold crossings), located to near machine precision. */
  spikes: Float64Array;
  steps: number;
  rejected: number;
  evaluations: number;
}

/** A compiled model: RHS, free and refractory, threshold, margin and reset. */
interface CompiledModel {
  f: OdeRhs;
  fRef: OdeRhs;
  cond?: (t: number, y: Float64Array) => boolean;
  margin?: (t: number, y: Float64Array) => number;
  reset?: (t: number, y: Float64Array) => void;
  lastSpike: Float64Array;
}

function compileModel(r: ResolvedModel): CompiledModel {
  const idx = new Map(r.odes.map((o, i) => [o.name, i]));
  const valueNames = [...r.values.keys()];
  const vIdx = new Map(valueNames.map((n, i) => [n, i]));
  const resolve = (n: string): string => {
    const i = idx.get(n);
    if (i !== undefined) return `y[${i}]`;
    if (n === 't') return 't';
    if (n === 'lastspike') return 'L[0]';
    const k = vIdx.get(n);
    if (k !== undefined) return `V[${k}]`;
    if (n.startsWith('ext$')) {
      const v = r.inputs.get(n.slice(4));
      if (v !== undefined) return jsNumber(v);
    }
    throw new BuildError(r.where, 'equations', `'${n}' cannot be used in a single-neuron solve`, 'give it a value through params, inputs or init');
  };
  const rhs = r.odes.map((o) => emitJS(o.rhs, resolve));
  const body = (gate: boolean) =>
    `return function (t, y, dy) {\n${rhs.map((c, i) => `  const r${i} = ${gate && r.odes[i].gated ? '0' : c};`).join('\n')}\n${rhs.map((_, i) => `  dy[${i}] = r${i};`).join('\n')}\n};`;
  const V = Float64Array.from(valueNames, (n) => r.values.get(n)!);
  // the time of the last spike, for expressions that use 'lastspike' (far in the past before the first)
  const L = Float64Array.of(-1e9);
  const f = compileKernel(['H', 'V', 'L'], body(false))(KERNEL_HELPERS, V, L) as OdeRhs;
  const fRef = r.odes.some((o) => o.gated) ? (compileKernel(['H', 'V', 'L'], body(true))(KERNEL_HELPERS, V, L) as OdeRhs) : f;
  const out: CompiledModel = { f, fRef, lastSpike: L };
  const model = r.model;
  if (model.threshold) {
    const th = r.expand(model.threshold);
    out.cond = compileKernel(['H', 'V', 'L'], `return function (t, y) { return !!(${emitJS(th, resolve)}); };`)(KERNEL_HELPERS, V, L) as CompiledModel['cond'];
    if (th.k === 'cmp' && th.op !== '==' && th.op !== '!=') {
      const up = th.op === '>' || th.op === '>=';
      const m = up ? `(${emitJS(th.a, resolve)}) - (${emitJS(th.b, resolve)})` : `(${emitJS(th.b, resolve)}) - (${emitJS(th.a, resolve)})`;
      out.margin = compileKernel(['H', 'V', 'L'], `return function (t, y) { return ${m}; };`)(KERNEL_HELPERS, V, L) as CompiledModel['margin'];
    }
    if (model.reset.length > 0) {
      const stmts = model.reset.map((a) => {
        const lhs = resolve(a.target);
        if (!lhs.startsWith('y[') && !lhs.startsWith('V[')) throw new BuildError(r.where, 'reset', `'${a.target}' cannot be reset here`);
        const val = emitJS(r.expand(a.value), resolve);
        return a.op === '=' ? `${lhs} = ${val};` : `${lhs} ${a.op} ${val};`;
      });
      out.reset = compileKernel(['H', 'V', 'L'], `return function (t, y) {\n${stmts.join('\n')}\n};`)(KERNEL_HELPERS, V, L) as CompiledModel['reset'];
    }
  }
  return out;
}

/**
 * Integrates one neuron of a declared model with adaptive Dormand–Prince 5(4) steps. Scalar
 * parameters are folded into generated code; inputs are constant. With a threshold (and `events`
 * not false), each crossing is located by root-finding on re-integrated partial steps, the reset
 * is applied there, the threshold is not tested during the refractory period, and variables
 * flagged `(unless refractory)` are held. A condition that still holds when the refractory period
 * ends fires again at once (Brian2's semantics); outside the refractory period a spike needs the
 * condition to turn from false to true.
 *
 * @example
 * import { LIF } from '../neurons/lif.js';
 * const r = solveModel(LIF, { inputs: { I: '200 pA' }, tStop: '100 ms', rtol: 1e-9 });
 * r.spikes; // Float64Array of spike times in seconds: 0.01386..., 0.02973..., ...
 */
export function solveModel(model: NeuronModel, opts: SolveModelOptions): ModelSolution {
  const r = resolveModel(model, opts);
  const where = r.where;
  const n = r.odes.length;
  const tStop = quantityAs(opts.tStop, SECOND, where, 'tStop');
  if (!(tStop > 0)) throw new BuildError(where, 'tStop', `must be positive, got ${JSON.stringify(opts.tStop)}`, "give e.g. '100 ms'");
  const rtol = opts.rtol ?? 1e-6;
  if (!(rtol > 0)) throw new BuildError(where, 'rtol', `must be positive, got ${rtol}`);
  const atol = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const name = r.odes[i].name;
    const a = opts.atol;
    if (a === undefined) atol[i] = rtol * r.scale[i];
    else if (typeof a === 'number') atol[i] = a;
    else if (a[name] !== undefined) atol[i] = quantityAs(a[name], model.dimOf(name)!, where, `atol.${name}`);
    else atol[i] = rtol * r.scale[i];
    if (!(atol[i] > 0)) throw new BuildError(where, `atol.${name}`, `must be positive, got ${atol[i]}`);
  }
  const hmax = opts.maxStep !== undefined ? quantityAs(opts.maxStep, SECOND, where, 'maxStep') : tStop;
  if (!(hmax > 0)) throw new BuildError(where, 'maxStep', `must be positive, got ${JSON.stringify(opts.maxStep)}`);
  const sampleDt = opts.sampleDt !== undefined ? quantityAs(opts.sampleDt, SECOND, where, 'sampleDt') : undefined;
  if (sampleDt !== undefined && !(sampleDt > 0)) throw new BuildError(where, 'sampleDt', `must be positive, got ${JSON.stringify(opts.sampleDt)}`);
  const maxSteps = opts.maxSteps ?? 1_000_000;
  const cm = compileModel(r);
  const events = (opts.events ?? true) && cm.cond !== undefined;

  const core = new DopriCore(n);
  const ctrl = new Controller((opts.control ?? 'pi') === 'pi');
  const outT = new Grow();
  const outY = Array.from({ length: n }, () => new Grow());
  const spikes = new Grow(16);
  const record = (tt: number, yy: Float64Array) => {
    outT.push(tt);
    for (let i = 0; i < n; i++) outY[i].push(yy[i]);
  };
  let nextSample = 0;
  let sampleIdx = 0;
  const sampleUpTo = (tEndSeg: number, inclusive: boolean, rc: Float64Array | null, t0: number, h: number, yEnd: Float64Array, tmp: Float64Array) => {
    if (sampleDt === undefined) return;
    while (nextSample <= tStop * (1 + 1e-12) && (inclusive ? nextSample <= tEndSeg : nextSample < tEndSeg)) {
      if (rc && h > 0) {
        denseEval(rc, n, Math.min(1, Math.max(0, (nextSample - t0) / h)), tmp);
        record(nextSample, tmp);
      } else record(nextSample, yEnd);
      sampleIdx++;
      nextSample = sampleIdx * sampleDt;
    }
  };

  let y: Float64Array = Float64Array.from(r.init);
  let y1: Float64Array = core.y1;
  const tmp = new Float64Array(n);
  const tmp2 = new Float64Array(n);
  const rc = new Float64Array(5 * n);
  let t = 0;
  let steps = 0;
  let rejected = 0;
  let refEnd = -Infinity; // refractory until this time
  let f: OdeRhs = cm.f;
  const checkFinite = (yy: Float64Array, tt: number) => {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(yy[i])) throw new Error(`${where}: the solution diverged: ${r.odes[i].name} = ${yy[i]} at t = ${tt} s. Fix: check the parameters and inputs, or lower rtol/maxStep`);
    }
  };
  checkFinite(y, 0);

  /** Fires at (t, y): records the pre-reset state, resets, records again, starts the refractory period. */
  const fire = (ts: number) => {
    spikes.push(ts);
    cm.lastSpike[0] = ts;
    if (sampleDt === undefined) record(ts, y);
    cm.reset?.(ts, y);
    checkFinite(y, ts);
    if (sampleDt === undefined) record(ts, y);
    if (r.tref > 0) {
      refEnd = ts + r.tref;
      f = cm.fRef;
    }
  };

  if (sampleDt === undefined) record(0, y);
  if (events && cm.cond!(0, y)) fire(0);
  f(t, y, core.k1);
  core.evaluations++;
  let h = initialStep(f, t, y, core.k1, 1, rtol, atol, hmax, tmp, core.k2);
  core.evaluations++;
  let afterReject = false;

  /** The state at t + s (0 < s ≤ h) by a fresh 5th-order step from (t, y); k1 holds f(t, y). */
  const probe = (s: number, out: Float64Array) => {
    core.step(f, t, y, s, out, false);
  };
  const condAt = (s: number, yy: Float64Array) => cm.cond!(t + s, yy);

  while (t < tStop) {
    if (steps + rejected >= maxSteps) throw new Error(`${where}: more than ${maxSteps} steps before t = ${tStop} s (stopped at t = ${t} s). Fix: raise maxSteps or loosen rtol`);
    // Stop exactly at tStop and at the end of the refractory period.
    const stopAt = refEnd > t ? Math.min(refEnd, tStop) : tStop;
    let last = false;
    if (t + h >= stopAt - 1e-12 * Math.max(Math.abs(stopAt), 1e-300) || h >= (stopAt - t) * (1 - 1e-12)) {
      h = stopAt - t;
      last = true;
    }
    if (!(h > 8 * Number.EPSILON * Math.max(t, 1e-300))) {
      if (last) {
        t = stopAt;
      } else throw new Error(`${where}: step size underflow at t = ${t} s (h = ${h} s). Fix: the system may be stiff or singular; check the parameters`);
    } else {
      core.step(f, t, y, h, y1, true);
      const err = core.errorNorm(y, y1, rtol, atol);
      if (!Number.isFinite(err) || err > 1) {
        h = Number.isFinite(err) ? ctrl.reject(h, err) : h * FAC_MIN;
        rejected++;
        afterReject = true;
        continue;
      }
      steps++;
      const hNext = Math.min(ctrl.accept(h, err, afterReject), hmax);
      afterReject = false;
      const tNew = last ? stopAt : t + h;
      checkFinite(y1, tNew);
      const needDense = sampleDt !== undefined || (events && refEnd <= t);
      if (needDense) core.denseCoefficients(y, y1, h, rc);

      // Threshold crossing inside (t, tNew]?
      let sCross = -1;
      // only a transition false → true is a crossing (a condition left true by the reset does not fire again)
      if (events && refEnd <= t && !cm.cond!(t, y)) {
        let lo = 0;
        let hi = -1;
        for (const th of [0.25, 0.5, 0.75]) {
          denseEval(rc, n, th, tmp);
          if (cm.cond!(t + th * h, tmp)) {
            hi = th * h;
            break;
          }
          lo = th * h;
        }
        if (hi < 0 && cm.cond!(tNew, y1)) hi = h;
        if (hi > 0) sCross = locate(lo, hi);
      }
      if (sCross > 0) {
        // Advance to the crossing with a fresh step, fire, and restart from there.
        probe(sCross, tmp2);
        const tc = t + sCross;
        sampleUpTo(tc, false, rc, t, h, tmp2, tmp);
        y.set(tmp2);
        t = tc;
        fire(t);
        f(t, y, core.k1);
        core.evaluations++;
        h = Math.min(hNext, hmax);
        continue;
      }
      sampleUpTo(tNew, tNew >= tStop, needDense ? rc : null, t, h, y1, tmp);
      if (sampleDt === undefined) record(tNew, y1);
      const swap = y;
      y = y1;
      y1 = swap;
      core.k1.set(core.k7);
      t = tNew;
      h = hNext;
    }
    // End of the refractory period: release the gated variables; a condition that holds fires at once.
    if (refEnd > -Infinity && t >= refEnd - 1e-15 * Math.max(1, Math.abs(refEnd))) {
      refEnd = -Infinity;
      if (f !== cm.f) {
        f = cm.f;
        f(t, y, core.k1);
        core.evaluations++;
      }
      if (events && t < tStop && cm.cond!(t, y)) {
        fire(t);
        f(t, y, core.k1);
        core.evaluations++;
      }
    }
  }
  sampleUpTo(tStop, true, null, t, 0, y, tmp);
  const yOut: Record<string, Float64Array> = {};
  r.odes.forEach((o, i) => (yOut[o.name] = outY[i].array()));
  return { t: outT.array(), y: yOut, spikes: spikes.array(), steps, rejected, evaluations: core.evaluations };

  /**
   * The earliest s in (lo, hi] where the condition holds, given it fails at lo and holds at hi.
   * Uses the Illinois variant of regula falsi on the threshold margin when there is one, else
   * bisection; each probe is a fresh step from (t, y).
   */
  function locate(lo: number, hi: number): number {
    const tolS = 4 * Number.EPSILON * Math.max(Math.abs(t), h);
    if (cm.margin) {
      probe(lo, tmp2);
      let mlo = lo === 0 ? cm.margin(t, y) : cm.margin(t + lo, tmp2);
      probe(hi, tmp2);
      let mhi = cm.margin(t + hi, tmp2);
      let side = 0;
      for (let it = 0; it < 100 && hi - lo > tolS; it++) {
        let s = mlo < 0 && mhi > 0 && Number.isFinite(mlo) && Number.isFinite(mhi) ? (lo * mhi - hi * mlo) / (mhi - mlo) : 0.5 * (lo + hi);
        if (!(s > lo && s < hi)) s = 0.5 * (lo + hi);
        probe(s, tmp2);
        const m = cm.margin(t + s, tmp2);
        if (condAt(s, tmp2)) {
          hi = s;
          mhi = m;
          if (side === 1) mlo *= 0.5;
          side = 1;
        } else {
          lo = s;
          mlo = m;
          if (side === -1) mhi *= 0.5;
          side = -1;
        }
        if (m === 0) break;
      }
      return hi;
    }
    for (let it = 0; it < 200 && hi - lo > tolS; it++) {
      const s = 0.5 * (lo + hi);
      probe(s, tmp2);
      if (condAt(s, tmp2)) hi = s;
      else lo = s;
    }
    return hi;
  }
}
