/**
 * Branching factor (branching ratio) of spiking activity: the mean number of spikes one spike
 * causes in the next time step. σ < 1 is sub-critical (activity dies out), σ > 1 super-critical
 * (activity is amplified), σ ≈ 1 critical, the "edge of chaos" of reservoir computing.
 *
 * Two estimators and two synthetic generators with known σ:
 * - {@link branchingFactor}: the network estimator of Ivanov & Michmizos (NeurIPS 2021): for every
 *   spike, the spikes of the neuron's post-synaptic targets in the next Δ steps divided by the
 *   spikes of its pre-synaptic sources in the previous Δ steps, averaged per neuron, then over
 *   neurons;
 * - {@link branchingRatio}: the population estimator: the regression slope of A(t + k) on A(t)
 *   for the population spike count A (Wilting & Priesemann 2018: with lags 1..K and a fit of
 *   r_k = b·m^k, the multistep-regression estimator, which is robust to subsampling);
 * - {@link branchingProcess}: a driven Galton–Watson process, A(t+1) ~ Poisson(m·A(t) + h);
 * - {@link networkBranchingProcess}: the same on a graph: each spike of neuron i makes each of its
 *   targets spike in the next step with probability m / outdegree(i), plus spontaneous spikes.
 *
 * All on plain typed arrays; time is in integer steps.
 */
import { Rng } from '../math/rng.js';

/** Spikes as parallel arrays of integer steps (non-decreasing) and neuron indices. */
export interface StepSpikes {
  readonly steps: ArrayLike<number>;
  readonly indices: ArrayLike<number>;
}

/** Connectivity in CSR form: synapses of pre i go to `indices[indptr[i]] .. indices[indptr[i+1]−1]`. */
export interface CSRLike {
  readonly indptr: ArrayLike<number>;
  readonly indices: ArrayLike<number>;
}

/** Options of {@link branchingFactor}. */
export interface BranchingFactorOptions {
  /** Window Δ in steps on each side of a spike (default 4, as in the NALSM code). */
  readonly window?: number;
  /** First step of the analysed range (default 0; the NALSM code skips 25 ms at each end). */
  readonly start?: number;
  /** End of the analysed range, exclusive (default: last spike step + 1). */
  readonly stop?: number;
}

/** Result of {@link branchingFactor}. */
export interface BranchingFactorResult {
  /** Mean over neurons with at least one analysed spike (NaN if none). */
  readonly value: number;
  /** Per-neuron mean ratio (NaN for neurons without an analysed spike). */
  readonly perNeuron: Float64Array;
  /** Number of spikes analysed. */
  readonly events: number;
}

function checkSpikes(where: string, s: StepSpikes): void {
  if (s.steps.length !== s.indices.length) throw new RangeError(`${where}: spikes.steps has ${s.steps.length} entries but spikes.indices has ${s.indices.length}`);
}

function checkCSR(where: string, csr: CSRLike, n: number): void {
  if (csr.indptr.length !== n + 1) throw new RangeError(`${where}: csr.indptr has length ${csr.indptr.length}, needs n + 1 = ${n + 1}`);
  for (let k = 0; k < csr.indices.length; k++) {
    const j = csr.indices[k];
    if (!(j >= 0 && j < n)) throw new RangeError(`${where}: csr.indices[${k}] = ${j} is not a neuron in [0, ${n})`);
  }
}

/**
 * Network branching factor of Ivanov & Michmizos (2021). Only spikes in [start, stop) count. For
 * each spike of neuron i at step t with start + Δ ≤ t < stop − Δ:
 *
 *   ratio = (# spikes of i's targets in [t+1, t+1+Δ)) / max(1, # spikes of i's sources in [t−Δ, t)),
 *
 * averaged over i's spikes, then over the neurons that had one. `csr` lists the synapses among the
 * same n neurons (pre → post). For a process in which each spike causes on average σ spikes of its
 * targets one step later, with little overlap between cascades, the value with Δ = 1 is ≈ σ.
 *
 * @example
 * const bf = branchingFactor({ steps, indices }, liquid.liquidCSR(), 1000, { window: 4, start: 25, stop: 225 });
 * bf.value; // ≈ 1 near criticality
 */
export function branchingFactor(spikes: StepSpikes, csr: CSRLike, n: number, options: BranchingFactorOptions = {}): BranchingFactorResult {
  const where = 'branchingFactor';
  checkSpikes(where, spikes);
  checkCSR(where, csr, n);
  const dt = options.window ?? 4;
  if (!Number.isInteger(dt) || dt < 1) throw new RangeError(`${where}: window must be a positive integer, got ${dt}`);
  const m = spikes.steps.length;
  for (let k = 1; k < m; k++) if (spikes.steps[k] < spikes.steps[k - 1]) throw new RangeError(`${where}: spikes.steps must be non-decreasing (entry ${k})`);
  for (let k = 0; k < m; k++) if (!(spikes.indices[k] >= 0 && spikes.indices[k] < n)) throw new RangeError(`${where}: spikes.indices[${k}] = ${spikes.indices[k]} is not in [0, ${n})`);
  const start = options.start ?? 0;
  const stop = options.stop ?? (m ? spikes.steps[m - 1] + 1 : 0);
  // Spikes in range, bucketed by step: first[t - start] .. first[t - start + 1].
  const T = Math.max(0, stop - start);
  const first = new Int32Array(T + 1);
  for (let k = 0; k < m; k++) {
    const t = spikes.steps[k];
    if (t >= start && t < stop) first[t - start + 1]++;
  }
  for (let t = 0; t < T; t++) first[t + 1] += first[t];
  const who = new Int32Array(first[T]);
  const fill = first.slice(0, T);
  for (let k = 0; k < m; k++) {
    const t = spikes.steps[k];
    if (t >= start && t < stop) who[fill[t - start]++] = spikes.indices[k];
  }
  // Transposed connectivity (sources of each neuron).
  const tptr = new Int32Array(n + 1);
  for (let k = 0; k < csr.indices.length; k++) tptr[csr.indices[k] + 1]++;
  for (let j = 0; j < n; j++) tptr[j + 1] += tptr[j];
  const tsrc = new Int32Array(csr.indices.length);
  const tfill = tptr.slice(0, n);
  for (let i = 0; i < n; i++) for (let s = csr.indptr[i]; s < csr.indptr[i + 1]; s++) tsrc[tfill[csr.indices[s]]++] = i;
  // Marks: stamp[j] === tag when j is a source (or target) of the current neuron.
  const isSource = new Int32Array(n).fill(-1);
  const isTarget = new Int32Array(n).fill(-1);
  const sum = new Float64Array(n);
  const cnt = new Int32Array(n);
  let events = 0;
  for (let t = dt; t < T - dt; t++) {
    for (let q = first[t]; q < first[t + 1]; q++) {
      const i = who[q];
      const tag = q;
      for (let s = tptr[i]; s < tptr[i + 1]; s++) isSource[tsrc[s]] = tag;
      for (let s = csr.indptr[i]; s < csr.indptr[i + 1]; s++) isTarget[csr.indices[s]] = tag;
      let pre = 0;
      for (let x = first[t - dt]; x < first[t]; x++) if (isSource[who[x]] === tag) pre++;
      let post = 0;
      for (let x = first[t + 1]; x < first[Math.min(T, t + 1 + dt)]; x++) if (isTarget[who[x]] === tag) post++;
      sum[i] += post / Math.max(1, pre);
      cnt[i]++;
      events++;
    }
  }
  const perNeuron = new Float64Array(n);
  let total = 0;
  let used = 0;
  for (let i = 0; i < n; i++) {
    if (cnt[i] > 0) {
      perNeuron[i] = sum[i] / cnt[i];
      total += perNeuron[i];
      used++;
    } else perNeuron[i] = NaN;
  }
  return { value: used ? total / used : NaN, perNeuron, events };
}

/** Options of {@link branchingRatio}. */
export interface BranchingRatioOptions {
  /** Largest lag K (default 1: the conventional regression estimator). */
  readonly maxLag?: number;
}

/** Result of {@link branchingRatio}. */
export interface BranchingRatioResult {
  /** The estimate m̂. */
  readonly value: number;
  /** Regression slopes r_k of A(t + k) on A(t), k = 1..K. */
  readonly slopes: Float64Array;
}

/**
 * Population branching ratio from an activity series A(t) (spike counts per step). With K = 1,
 * m̂ = r₁, the least-squares slope of A(t+1) on A(t), which is unbiased for a fully sampled driven
 * branching process A(t+1) ~ Poisson(m A(t) + h). With K > 1, m̂ comes from fitting
 * ln r_k = ln b + k ln m (the lags with r_k > 0), the multistep-regression estimator of Wilting &
 * Priesemann (2018), which stays unbiased when only a fraction of the neurons is observed.
 *
 * @example
 * const A = branchingProcess({ m: 0.9, drive: 2, steps: 100000, seed: 1 });
 * branchingRatio(A).value; // ≈ 0.9
 */
export function branchingRatio(activity: ArrayLike<number>, options: BranchingRatioOptions = {}): BranchingRatioResult {
  const K = options.maxLag ?? 1;
  const T = activity.length;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`branchingRatio: maxLag must be a positive integer, got ${K}`);
  if (T < K + 2) throw new RangeError(`branchingRatio: needs at least maxLag + 2 = ${K + 2} steps, got ${T}`);
  const slopes = new Float64Array(K);
  for (let k = 1; k <= K; k++) {
    const n = T - k;
    let mx = 0, my = 0;
    for (let t = 0; t < n; t++) {
      mx += activity[t];
      my += activity[t + k];
    }
    mx /= n;
    my /= n;
    let sxy = 0, sxx = 0;
    for (let t = 0; t < n; t++) {
      const dx = activity[t] - mx;
      sxy += dx * (activity[t + k] - my);
      sxx += dx * dx;
    }
    slopes[k - 1] = sxx > 0 ? sxy / sxx : NaN;
  }
  if (K === 1) return { value: slopes[0], slopes };
  let n = 0, sk = 0, sl = 0, skk = 0, skl = 0;
  for (let k = 1; k <= K; k++) {
    const r = slopes[k - 1];
    if (!(r > 0)) continue;
    const l = Math.log(r);
    n++;
    sk += k;
    sl += l;
    skk += k * k;
    skl += k * l;
  }
  const den = n * skk - sk * sk;
  const value = n >= 2 && den > 0 ? Math.exp((n * skl - sk * sl) / den) : slopes[0];
  return { value, slopes };
}

function poisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) {
    // Normal approximation, rounded and kept ≥ 0 (the tests use small means).
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  }
  const L = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= rng.uniform();
    if (p <= L) return k;
    k++;
  }
}

/** Options of {@link branchingProcess}. */
export interface BranchingProcessOptions {
  /** Branching ratio m ≥ 0 (below 1 for a stationary process). */
  readonly m: number;
  /** Mean number of externally driven events per step, h (default 1). */
  readonly drive?: number;
  /** Number of steps. */
  readonly steps: number;
  /** Seed (default 1). */
  readonly seed?: number;
}

/**
 * A driven branching process: A(t+1) ~ Poisson(m·A(t) + h), started at its stationary mean
 * h/(1 − m) (or h when m ≥ 1). A known-answer input for {@link branchingRatio}.
 *
 * @example
 * const A = branchingProcess({ m: 0.95, drive: 1, steps: 50000 }); // Float64Array of counts
 */
export function branchingProcess(options: BranchingProcessOptions): Float64Array {
  const { m, steps } = options;
  const h = options.drive ?? 1;
  if (!(m >= 0) || !Number.isFinite(m)) throw new RangeError(`branchingProcess: m must be ≥ 0, got ${m}`);
  if (!(h >= 0)) throw new RangeError(`branchingProcess: drive must be ≥ 0, got ${h}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`branchingProcess: steps must be a positive integer, got ${steps}`);
  const rng = new Rng(options.seed ?? 1, 0x6272);
  const A = new Float64Array(steps);
  A[0] = Math.round(m < 1 ? h / (1 - m) : h);
  for (let t = 1; t < steps; t++) A[t] = poisson(rng, m * A[t - 1] + h);
  return A;
}

/** Options of {@link networkBranchingProcess}. */
export interface NetworkBranchingOptions {
  /** Branching ratio m: each spike triggers each of its k targets with probability m/k. */
  readonly m: number;
  /** Probability per neuron and step of a spontaneous spike (default 1e-4). */
  readonly spontaneous?: number;
  /** Number of steps. */
  readonly steps: number;
  /** Seed (default 1). */
  readonly seed?: number;
}

/**
 * A branching process on a graph of n neurons (CSR, pre → post): a spike of neuron i at step t
 * makes each of its targets spike at t + 1 with probability m / outdegree(i) (so it causes m
 * spikes on average), and every neuron also spikes spontaneously with a small probability. A
 * neuron spikes at most once per step. A known-answer input for {@link branchingFactor}.
 *
 * @example
 * const spikes = networkBranchingProcess(csr, 1000, { m: 1, steps: 20000, seed: 2 });
 * branchingFactor(spikes, csr, 1000, { window: 1 }).value; // ≈ 1
 */
export function networkBranchingProcess(csr: CSRLike, n: number, options: NetworkBranchingOptions): { steps: Int32Array; indices: Int32Array } {
  checkCSR('networkBranchingProcess', csr, n);
  const { m, steps } = options;
  const p0 = options.spontaneous ?? 1e-4;
  if (!(m >= 0)) throw new RangeError(`networkBranchingProcess: m must be ≥ 0, got ${m}`);
  if (!(p0 >= 0 && p0 <= 1)) throw new RangeError(`networkBranchingProcess: spontaneous must be a probability, got ${p0}`);
  const rng = new Rng(options.seed ?? 1, 0x6e62);
  let cap = 1024;
  let outSteps = new Int32Array(cap);
  let outIdx = new Int32Array(cap);
  let len = 0;
  let cur = new Int32Array(n);
  let nCur = 0;
  let next = new Int32Array(n);
  const mark = new Int32Array(n).fill(-1);
  for (let t = 0; t < steps; t++) {
    // Spikes of step t: those triggered at t − 1 (already in cur) plus spontaneous ones.
    for (let i = 0; i < n; i++) {
      if (mark[i] !== t && rng.uniform() < p0) {
        mark[i] = t;
        cur[nCur++] = i;
      }
    }
    cur.subarray(0, nCur).sort();
    for (let q = 0; q < nCur; q++) {
      if (len === cap) {
        cap *= 2;
        const a = new Int32Array(cap);
        a.set(outSteps);
        outSteps = a;
        const b = new Int32Array(cap);
        b.set(outIdx);
        outIdx = b;
      }
      outSteps[len] = t;
      outIdx[len] = cur[q];
      len++;
    }
    let nNext = 0;
    for (let q = 0; q < nCur; q++) {
      const i = cur[q];
      const k = csr.indptr[i + 1] - csr.indptr[i];
      if (k === 0) continue;
      const p = Math.min(1, m / k);
      for (let s = csr.indptr[i]; s < csr.indptr[i + 1]; s++) {
        const j = csr.indices[s];
        if (mark[j] !== t + 1 && rng.uniform() < p) {
          mark[j] = t + 1;
          next[nNext++] = j;
        }
      }
    }
    const tmp = cur;
    cur = next;
    next = tmp;
    nCur = nNext;
  }
  return { steps: outSteps.slice(0, len), indices: outIdx.slice(0, len) };
}
