/**
 * Benchmark tasks of reservoir computing: memory capacity, NARMA-10, and the Mackey–Glass and
 * Lorenz-63 chaotic series.
 */
import { BuildError } from '../lang/errors.js';
import { Rng } from '../math/rng.js';
import { type Matrix, matrix } from './linalg.js';
import { Ridge } from './readout.js';
import { squaredCorrelation } from './metrics.js';

/**
 * Largest Lyapunov exponent of the Lorenz-63 system with σ = 10, ρ = 28, β = 8/3 (≈ 0.906 per
 * time unit; one Lyapunov time is 1/0.906 ≈ 1.1 time units).
 *
 * @example
 * const lyapunovTimes = validSteps * dt * LORENZ_LYAPUNOV;
 */
export const LORENZ_LYAPUNOV = 0.9056;

// ---------------------------------------------------------------------------------------------
// Memory capacity

/** Options of {@link memoryCapacity}. */
export interface MemoryCapacityOptions {
  /** Largest delay k (default 2 × the number of state columns). */
  readonly maxDelay?: number;
  /** Smallest delay (default 1, as in Jaeger 2002). */
  readonly minDelay?: number;
  /** Fraction of the usable rows used for training; the rest measures r² (default 0.5). */
  readonly trainFraction?: number;
  /** Ridge λ (default 1e-8, on standardised states). */
  readonly lambda?: number;
}

/** What {@link memoryCapacity} returns. */
export interface MemoryCapacityResult {
  /** Σ_k r²_k. */
  readonly total: number;
  /** r²_k for k = minDelay .. maxDelay. */
  readonly perDelay: Float64Array;
  readonly minDelay: number;
}

/**
 * Short-term memory capacity (Jaeger 2002): for each delay k a linear readout of the state x(t) is
 * trained to output u(t − k); MC = Σ_k r²(u(t − k), ŷ_k(t)), the squared correlation measured on
 * held-out samples. For i.i.d. input, MC ≤ N (the number of state dimensions). All delays share
 * one ridge solve (one Cholesky factorisation, one target column per delay).
 *
 * `states` row t must be the state after input `input[t]` (as {@link EchoStateNetwork.run} returns
 * with washout 0; drop any transient with `sliceRows` on both).
 *
 * @example
 * const u = Float64Array.from({ length: 4000 }, () => 2 * rng.uniform() - 1);
 * const X = esn.run(matrix(4000, 1, u));
 * const { total } = memoryCapacity(X, u, { maxDelay: 60 });
 */
export function memoryCapacity(states: Matrix, input: ArrayLike<number>, options: MemoryCapacityOptions = {}): MemoryCapacityResult {
  const T = states.rows;
  const n = states.cols;
  if (input.length !== T) throw new BuildError('memoryCapacity', 'input', `has ${input.length} values, states have ${T} rows`, 'give one input value per state row');
  const kMin = options.minDelay ?? 1;
  const kMax = options.maxDelay ?? 2 * n;
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 0 || kMax < kMin) throw new BuildError('memoryCapacity', 'maxDelay', `need integers 0 ≤ minDelay ≤ maxDelay, got ${kMin}, ${kMax}`);
  const K = kMax - kMin + 1;
  const usable = T - kMax;
  const frac = options.trainFraction ?? 0.5;
  const nTrain = Math.floor(usable * frac);
  const nTest = usable - nTrain;
  if (nTrain < 2 || nTest < 2) throw new BuildError('memoryCapacity', 'states', `${T} rows leave ${nTrain} training and ${nTest} test samples for ${n} states and delays up to ${kMax}`, 'run the reservoir longer');
  const Y = matrix(usable, K);
  for (let r = 0; r < usable; r++) {
    const t = r + kMax;
    for (let k = 0; k < K; k++) Y.data[r * K + k] = input[t - (k + kMin)];
  }
  const X: Matrix = { rows: usable, cols: n, data: states.data.subarray(kMax * n, T * n) };
  const ridge = new Ridge(n, K, { lambda: options.lambda ?? 1e-8, scale: true });
  ridge.add({ rows: nTrain, cols: n, data: X.data.subarray(0, nTrain * n) }, { rows: nTrain, cols: K, data: Y.data.subarray(0, nTrain * K) }).solve();
  const Xte: Matrix = { rows: nTest, cols: n, data: X.data.subarray(nTrain * n) };
  const P = ridge.predict(Xte);
  const perDelay = new Float64Array(K);
  const a = new Float64Array(nTest);
  const b = new Float64Array(nTest);
  let total = 0;
  for (let k = 0; k < K; k++) {
    for (let r = 0; r < nTest; r++) {
      a[r] = P.data[r * K + k];
      b[r] = Y.data[(nTrain + r) * K + k];
    }
    const r2 = squaredCorrelation(a, b);
    perDelay[k] = r2;
    total += r2;
  }
  return { total, perDelay, minDelay: kMin };
}

// ---------------------------------------------------------------------------------------------
// NARMA-10

/** A NARMA series: the input u and the target y, aligned so that target[t] depends on u[0..t]. */
export interface NarmaSeries {
  readonly input: Float64Array;
  readonly target: Float64Array;
}

/**
 * The NARMA-10 task (Atiya & Parlos 2000): with u(t) ~ U[0, 0.5],
 *
 *   y(t+1) = 0.3 y(t) + 0.05 y(t) Σ_{i=0}^{9} y(t−i) + 1.5 u(t−9) u(t) + 0.1,
 *
 * returned as `input[t] = u(t)`, `target[t] = y(t+1)` (so the reservoir, having seen u up to t,
 * predicts target[t]). The system occasionally diverges for unlucky inputs; the generator then
 * redraws the inputs with the next random stream (deterministically).
 *
 * @example
 * const { input, target } = narma10(4000, { seed: 1 });
 */
export function narma10(length: number, options: { seed?: number; order?: number } = {}): NarmaSeries {
  if (!Number.isInteger(length) || length < 1) throw new BuildError('narma10', 'length', `must be a positive integer, got ${length}`);
  const order = options.order ?? 10;
  const seed = options.seed ?? 0;
  const input = new Float64Array(length);
  const y = new Float64Array(length + 1);
  for (let attempt = 0; attempt < 100; attempt++) {
    const rng = new Rng(seed, 0x4e41 + attempt);
    for (let t = 0; t < length; t++) input[t] = 0.5 * rng.uniform();
    y.fill(0);
    let ok = true;
    for (let t = 0; t < length; t++) {
      let sum = 0;
      for (let i = 0; i < order && t - i >= 0; i++) sum += y[t - i];
      const uLag = t - (order - 1) >= 0 ? input[t - (order - 1)] : 0;
      const v = 0.3 * y[t] + 0.05 * y[t] * sum + 1.5 * uLag * input[t] + 0.1;
      if (!(Math.abs(v) < 10)) {
        ok = false;
        break;
      }
      y[t + 1] = v;
    }
    if (ok) return { input, target: y.slice(1) };
  }
  throw new Error('narma10: the series diverged for 100 input draws');
}

// ---------------------------------------------------------------------------------------------
// Mackey–Glass

/** Options of {@link mackeyGlass}. */
export interface MackeyGlassOptions {
  /** Delay τ (default 17: mildly chaotic). */
  readonly tau?: number;
  readonly beta?: number;
  readonly gamma?: number;
  /** Exponent n (default 10). */
  readonly n?: number;
  /** Constant history x(t ≤ 0) (default 1.2). */
  readonly x0?: number;
  /** RK4 step (default 0.1; must be < τ). */
  readonly h?: number;
  /** Time between returned samples (default 1; a multiple of h). */
  readonly sampleEvery?: number;
  /** Time integrated and discarded before the first sample (default 0). */
  readonly transient?: number;
}

/**
 * The Mackey–Glass delay equation dx/dt = β x(t−τ) / (1 + x(t−τ)ⁿ) − γ x(t), with β = 0.2,
 * γ = 0.1, n = 10, τ = 17 by default, integrated with classical RK4 at step h. The delayed values
 * the RK4 stages need between grid points (t + h/2 − τ) come from cubic Hermite interpolation of
 * the stored solution and its derivative, so the scheme stays fourth-order accurate for any h
 * (τ/h need not be an integer). History lives in a ring buffer of ⌈τ/h⌉ + 4 points.
 * Returns `length` samples spaced `sampleEvery` apart.
 *
 * @example
 * const x = mackeyGlass(2000, { transient: 500 }); // samples every 1 time unit
 */
export function mackeyGlass(length: number, options: MackeyGlassOptions = {}): Float64Array {
  const tau = options.tau ?? 17;
  const beta = options.beta ?? 0.2;
  const gamma = options.gamma ?? 0.1;
  const p = options.n ?? 10;
  const x0 = options.x0 ?? 1.2;
  const h = options.h ?? 0.1;
  const every = options.sampleEvery ?? 1;
  const transient = options.transient ?? 0;
  const where = 'mackeyGlass';
  if (!(tau > 0)) throw new BuildError(where, 'tau', `must be positive, got ${tau}`);
  if (!(h > 0 && h < tau)) throw new BuildError(where, 'h', `must be in (0, τ = ${tau}), got ${h}`, 'give e.g. 0.1');
  const stepsPerSample = Math.round(every / h);
  if (stepsPerSample < 1 || Math.abs(stepsPerSample * h - every) > 1e-9 * every) {
    throw new BuildError(where, 'sampleEvery', `must be a positive multiple of h = ${h}, got ${every}`);
  }
  const transientSteps = Math.round(transient / h);
  const L = Math.ceil(tau / h) + 4;
  const xs = new Float64Array(L);
  const fs = new Float64Array(L);
  const rhs = (x: number, xd: number) => (beta * xd) / (1 + Math.pow(xd, p)) - gamma * x;
  // x at time s (s ≤ current time), from the constant history or the ring buffer (i = step index).
  let i = 0; // current step index; x(i*h) = xs[i % L]
  const delayed = (s: number): number => {
    if (s <= 0) return x0;
    const q = s / h;
    let k = Math.floor(q);
    let th = q - k;
    if (k >= i) {
      // Only reached through rounding at the newest point.
      k = i;
      th = 0;
    }
    const a = xs[k % L];
    if (th === 0) return a;
    const b = xs[(k + 1) % L];
    const fa = fs[k % L];
    const fb = fs[(k + 1) % L];
    // Cubic Hermite on [k h, (k+1) h].
    const t2 = th * th;
    const t3 = t2 * th;
    return (2 * t3 - 3 * t2 + 1) * a + (t3 - 2 * t2 + th) * h * fa + (-2 * t3 + 3 * t2) * b + (t3 - t2) * h * fb;
  };
  xs[0] = x0;
  fs[0] = rhs(x0, x0);
  const out = new Float64Array(length);
  const total = transientSteps + (length - 1) * stepsPerSample;
  let k = 0;
  if (transientSteps === 0 && length > 0) out[k++] = x0;
  for (i = 0; i < total; ) {
    const t = i * h;
    const x = xs[i % L];
    const d1 = delayed(t - tau);
    const dm = delayed(t + h / 2 - tau);
    const d2 = delayed(t + h - tau);
    const k1 = rhs(x, d1);
    const k2 = rhs(x + (h / 2) * k1, dm);
    const k3 = rhs(x + (h / 2) * k2, dm);
    const k4 = rhs(x + h * k3, d2);
    const xn = x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    i++;
    xs[i % L] = xn;
    fs[i % L] = rhs(xn, d2);
    if (i >= transientSteps && (i - transientSteps) % stepsPerSample === 0) out[k++] = xn;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lorenz-63

/** Options of {@link lorenz}. */
export interface LorenzOptions {
  readonly sigma?: number;
  readonly rho?: number;
  readonly beta?: number;
  /** Sample spacing (default 0.025, as in Gauthier et al. 2021). */
  readonly dt?: number;
  /** RK4 steps per sample (default 10). */
  readonly substeps?: number;
  /** Initial state (default [1, 1, 1]). */
  readonly x0?: readonly [number, number, number];
  /** Time integrated and discarded before the first sample (default 0). */
  readonly transient?: number;
}

/**
 * The Lorenz-63 system dx/dt = σ(y − x), dy/dt = x(ρ − z) − y, dz/dt = xy − βz (σ = 10, ρ = 28,
 * β = 8/3), integrated with RK4 and returned as a [length × 3] matrix sampled every `dt`.
 *
 * @example
 * const xyz = lorenz(4000, { dt: 0.025, transient: 10 });
 */
export function lorenz(length: number, options: LorenzOptions = {}): Matrix {
  const s = options.sigma ?? 10;
  const r = options.rho ?? 28;
  const b = options.beta ?? 8 / 3;
  const dt = options.dt ?? 0.025;
  const sub = options.substeps ?? 10;
  if (!(dt > 0) || !Number.isInteger(sub) || sub < 1) throw new BuildError('lorenz', 'dt', `need dt > 0 and integer substeps ≥ 1, got ${dt}, ${sub}`);
  const h = dt / sub;
  let [x, y, z] = options.x0 ?? [1, 1, 1];
  const out = matrix(length, 3);
  const step = () => {
    const k1x = s * (y - x);
    const k1y = x * (r - z) - y;
    const k1z = x * y - b * z;
    let ax = x + 0.5 * h * k1x;
    let ay = y + 0.5 * h * k1y;
    let az = z + 0.5 * h * k1z;
    const k2x = s * (ay - ax);
    const k2y = ax * (r - az) - ay;
    const k2z = ax * ay - b * az;
    ax = x + 0.5 * h * k2x;
    ay = y + 0.5 * h * k2y;
    az = z + 0.5 * h * k2z;
    const k3x = s * (ay - ax);
    const k3y = ax * (r - az) - ay;
    const k3z = ax * ay - b * az;
    ax = x + h * k3x;
    ay = y + h * k3y;
    az = z + h * k3z;
    const k4x = s * (ay - ax);
    const k4y = ax * (r - az) - ay;
    const k4z = ax * ay - b * az;
    x += (h / 6) * (k1x + 2 * k2x + 2 * k3x + k4x);
    y += (h / 6) * (k1y + 2 * k2y + 2 * k3y + k4y);
    z += (h / 6) * (k1z + 2 * k2z + 2 * k3z + k4z);
  };
  const tr = Math.round((options.transient ?? 0) / h);
  for (let k = 0; k < tr; k++) step();
  for (let t = 0; t < length; t++) {
    out.data[3 * t] = x;
    out.data[3 * t + 1] = y;
    out.data[3 * t + 2] = z;
    for (let k = 0; k < sub; k++) step();
  }
  return out;
}
