/**
 * Hebbian learning based orthogonal projection for continual learning (after Xiao et al., ICLR
 * 2024, "Hebbian learning based orthogonal projection for continual learning of spiking neural
 * networks", HLOP).
 *
 * Two parts:
 *
 * - {@link HebbianSubspace}: a population of k "subspace neurons" with feed-forward weights H
 *   (k × n) from the n presynaptic units of a projection, trained by the Oja subspace rule
 *       y = H r,   ΔH = η (y rᵀ − y yᵀ H),
 *   whose Hebbian term y rᵀ is the feed-forward correlation and whose anti-Hebbian term −y yᵀ H is
 *   the lateral/recurrent inhibition between the subspace neurons (the subspace-network form of
 *   Oja's and Földiák's lateral circuits). r = x − Uᵀ U x is the presynaptic activity x after the
 *   lateral inhibition from the neurons of earlier tasks (U: their consolidated weights), so each
 *   task adds the principal directions that earlier tasks do not already span. The rule converges to
 *   an orthonormal basis of the top-k principal subspace of E[r rᵀ]. It can run online on single
 *   activity vectors ({@link HebbianSubspace.hebbianStep}) or in its averaged form on the
 *   correlation matrix accumulated over a task ({@link HebbianSubspace.accumulate} then
 *   {@link HebbianSubspace.fit}); the averaged form is the expectation of the online update and is
 *   what the training hook uses, for speed.
 *   On consolidation the learnt rows are re-orthonormalised (Gram–Schmidt; this only removes the
 *   residual error of the finite number of Hebbian iterations) and appended to U.
 *
 * - {@link OrthogonalProjection}: a training hook over a {@link Network}. After a task it observes
 *   the presynaptic activity of each tracked all-to-all projection with a trained per-synapse
 *   weight (by default each time step's spike vector, from `net.spikeEvents(pre)`, since the BPTT
 *   weight gradient is Σ_t s_pre(t) ⊗ dL/dI(t)), extracts the subspace, and later replaces every
 *   weight gradient G (post × pre) by G (I − P), P = Uᵀ U, before the optimizer step. With a
 *   non-linear optimizer (Adam), the actual weight change can be projected too (`projectUpdate`,
 *   default true), so the change is exactly orthogonal to old inputs.
 *
 * All-to-all weights (the parameter `${proj.name}.weight`) are stored [nPre × nPost] (CSR order),
 * so here G (I − P) is applied as (I − P) W on the pre index.
 */
import { Rng } from '../math/rng.js';
import { type Network } from '../core/network.js';
import { type Projection } from '../projections/projection.js';
import { All2All } from '../connect/index.js';
import { type Param } from '../autodiff/param.js';
import { type Optimizer } from './optim.js';

type FloatArray = Float32Array | Float64Array;

/** Options of a {@link HebbianSubspace}. */
export interface HebbianSubspaceOptions {
  /** Number of presynaptic units (dimension of the activity vectors). */
  readonly n: number;
  /** Seed of the initial subspace-neuron weights (default 0). */
  readonly seed?: number;
}

/** Options of {@link HebbianSubspace.fit}. */
export interface FitOptions {
  /** Number of averaged Hebbian iterations (default 200). */
  readonly iterations?: number;
  /** Step size relative to 1/λmax of the correlation (default 0.5). */
  readonly lr?: number;
}

/**
 * Principal-subspace extractor with Hebbian/anti-Hebbian learning (see the module comment).
 *
 * @example
 * const s = new HebbianSubspace({ n: 20 });
 * s.begin(3);
 * for (const x of samples) s.hebbianStep(x, 0.01);
 * s.consolidate();          // s.basis: 3 orthonormal rows of length 20
 */
export class HebbianSubspace {
  readonly n: number;
  /** Consolidated orthonormal rows (m × n), the subspace of old tasks. */
  basis: Float64Array = new Float64Array(0);
  /** Number of consolidated rows. */
  m = 0;
  /** Weights of the subspace neurons of the current task (k × n). */
  H: Float64Array = new Float64Array(0);
  k = 0;
  /** Accumulated correlation Σ x xᵀ (n × n) and the number of vectors. */
  readonly corr: Float64Array;
  count = 0;
  private readonly rng: Rng;
  private readonly r: Float64Array;
  private y: Float64Array;

  constructor(o: HebbianSubspaceOptions) {
    if (!(Number.isInteger(o.n) && o.n > 0)) throw new RangeError(`HebbianSubspace: n must be a positive integer, got ${o.n}`);
    this.n = o.n;
    this.corr = new Float64Array(o.n * o.n);
    this.rng = new Rng(o.seed ?? 0, 0x48e0);
    this.r = new Float64Array(o.n);
    this.y = new Float64Array(0);
  }

  /**
   * Starts a task with k new subspace neurons (small random weights, outside the old subspace).
   *
   * @example
   * s.begin(10);
   */
  begin(k: number): void {
    if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`HebbianSubspace.begin: k must be an integer ≥ 0, got ${k}`);
    const k2 = Math.min(k, this.n - this.m);
    this.k = k2;
    this.H = new Float64Array(k2 * this.n);
    const s = 1 / Math.sqrt(this.n);
    for (let i = 0; i < this.H.length; i++) this.H[i] = s * this.rng.normal();
    for (let c = 0; c < k2; c++) this.deflate(this.H.subarray(c * this.n, (c + 1) * this.n));
    this.y = new Float64Array(k2);
  }

  /** x ← x − Uᵀ U x (lateral inhibition from the consolidated neurons). */
  private deflate(x: Float64Array): void {
    const n = this.n;
    const U = this.basis;
    for (let c = 0; c < this.m; c++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += U[c * n + i] * x[i];
      if (d !== 0) for (let i = 0; i < n; i++) x[i] -= d * U[c * n + i];
    }
  }

  /**
   * One online step of the Oja subspace rule on one activity vector x:
   * r = x − Uᵀ U x, y = H r, H += η (y rᵀ − y yᵀ H).
   *
   * @example
   * s.begin(2);
   * s.hebbianStep(new Float64Array([1, 0, 0]), 0.05);
   */
  hebbianStep(x: ArrayLike<number>, eta: number): void {
    const n = this.n;
    const k = this.k;
    const H = this.H;
    const r = this.r;
    const y = this.y;
    for (let i = 0; i < n; i++) r[i] = x[i];
    this.deflate(r);
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += H[c * n + i] * r[i];
      y[c] = d;
    }
    // Feedback through the lateral circuit: e = r − Hᵀ y (reconstruction error).
    const e = new Float64Array(r);
    for (let c = 0; c < k; c++) {
      const yc = y[c];
      if (yc !== 0) for (let i = 0; i < n; i++) e[i] -= yc * H[c * n + i];
    }
    for (let c = 0; c < k; c++) {
      const g = eta * y[c];
      if (g !== 0) for (let i = 0; i < n; i++) H[c * n + i] += g * e[i];
    }
  }

  /**
   * Adds the outer product x xᵀ of a sparse activity vector (units idx[lo..hi), values val or 1,
   * unit = idx − offset) to the correlation.
   *
   * @example
   * s.accumulate(Int32Array.of(0, 2), undefined, 0, 2, 0); // x = e0 + e2
   */
  accumulate(idx: ArrayLike<number>, val: ArrayLike<number> | undefined, lo: number, hi: number, offset: number): void {
    const n = this.n;
    const C = this.corr;
    for (let p = lo; p < hi; p++) {
      const i = idx[p] - offset;
      const vi = val ? val[p] : 1;
      const row = i * n;
      for (let q = lo; q < hi; q++) C[row + idx[q] - offset] += vi * (val ? val[q] : 1);
    }
    this.count++;
  }

  /**
   * Adds x xᵀ of a dense activity vector to the correlation.
   *
   * @example
   * s.accumulateDense([0.5, 0, 1]);
   */
  accumulateDense(x: ArrayLike<number>): void {
    const n = this.n;
    const C = this.corr;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      for (let j = 0; j < n; j++) C[i * n + j] += xi * x[j];
    }
    this.count++;
  }

  /**
   * Runs the averaged Oja subspace rule on the accumulated correlation (after lateral inhibition
   * by the old subspace): H += η (H C̃ − (H C̃ Hᵀ) H), C̃ = (I − UᵀU) C (I − UᵀU) / count.
   * Returns the variance captured by each neuron (Rayleigh quotients of C̃).
   *
   * @example
   * s.begin(4); s.accumulateDense(x1); s.accumulateDense(x2); const captured = s.fit();
   */
  fit(o: FitOptions = {}): Float64Array {
    const n = this.n;
    const k = this.k;
    const H = this.H;
    const iters = o.iterations ?? 200;
    const Ct = this.deflatedCorrelation();
    // λmax by power iteration, for the step size.
    let v: Float64Array = new Float64Array(n).fill(1 / Math.sqrt(n));
    let lmax = 0;
    for (let it = 0; it < 30; it++) {
      const w = matVec(Ct, v, n);
      lmax = Math.hypot(...w);
      if (!(lmax > 0)) break;
      for (let i = 0; i < n; i++) w[i] /= lmax;
      v = w;
    }
    const captured = new Float64Array(k);
    if (!(lmax > 0) || k === 0) return captured;
    const eta = (o.lr ?? 0.5) / lmax;
    const A = new Float64Array(k * n);
    const M = new Float64Array(k * k);
    for (let it = 0; it < iters; it++) {
      mulRows(H, Ct, A, k, n); // A = H C̃
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += A[a * n + i] * H[b * n + i];
        M[a * k + b] = d; // M = H C̃ Hᵀ (= Y Yᵀ on average)
      }
      for (let a = 0; a < k; a++) {
        const row = a * n;
        for (let i = 0; i < n; i++) {
          let d = A[row + i];
          for (let b = 0; b < k; b++) d -= M[a * k + b] * H[b * n + i];
          A[row + i] = d;
        }
      }
      for (let i = 0; i < k * n; i++) H[i] += eta * A[i];
    }
    mulRows(H, Ct, A, k, n);
    for (let a = 0; a < k; a++) {
      let num = 0;
      let den = 0;
      for (let i = 0; i < n; i++) {
        num += A[a * n + i] * H[a * n + i];
        den += H[a * n + i] * H[a * n + i];
      }
      captured[a] = den > 0 ? num / den : 0;
    }
    return captured;
  }

  /** C̃ = (I − UᵀU) C (I − UᵀU) / count. */
  private deflatedCorrelation(): Float64Array {
    const n = this.n;
    const C = new Float64Array(this.corr);
    const s = this.count > 0 ? 1 / this.count : 0;
    for (let i = 0; i < C.length; i++) C[i] *= s;
    if (this.m === 0) return C;
    // Rows then columns (C is symmetric, so deflate rows, transpose, deflate rows again).
    for (let i = 0; i < n; i++) this.deflate(C.subarray(i * n, (i + 1) * n));
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      const t = C[i * n + j];
      C[i * n + j] = C[j * n + i];
      C[j * n + i] = t;
    }
    for (let i = 0; i < n; i++) this.deflate(C.subarray(i * n, (i + 1) * n));
    return C;
  }

  /**
   * Appends the current subspace neurons to the old subspace: their rows are orthonormalised
   * against the old rows and each other; rows whose residual norm is below `minNorm` (default 0.5,
   * neurons that did not converge, or directions already spanned) are dropped. Clears the
   * correlation. Returns the number of rows added.
   *
   * @example
   * s.begin(5); s.fit(); const added = s.consolidate();
   */
  consolidate(minNorm = 0.5): number {
    const n = this.n;
    const rows: Float64Array[] = [];
    for (let a = 0; a < this.k; a++) {
      const h = new Float64Array(this.H.subarray(a * n, (a + 1) * n));
      const norm0 = Math.hypot(...h);
      if (!(norm0 > 0)) continue;
      // Two passes of Gram–Schmidt against old and new rows.
      for (let pass = 0; pass < 2; pass++) {
        this.deflate(h);
        for (const r of rows) {
          let d = 0;
          for (let i = 0; i < n; i++) d += r[i] * h[i];
          for (let i = 0; i < n; i++) h[i] -= d * r[i];
        }
      }
      const norm = Math.hypot(...h);
      if (!(norm >= minNorm)) continue;
      for (let i = 0; i < n; i++) h[i] /= norm;
      rows.push(h);
    }
    const B = new Float64Array((this.m + rows.length) * n);
    B.set(this.basis);
    rows.forEach((r, a) => B.set(r, (this.m + a) * n));
    this.basis = B;
    this.m += rows.length;
    this.H = new Float64Array(0);
    this.k = 0;
    this.corr.fill(0);
    this.count = 0;
    return rows.length;
  }

  /**
   * Projects the columns of a [n × cols] matrix (row i: presynaptic unit i) orthogonally to the
   * subspace, in place: G ← (I − UᵀU) G.
   *
   * @example
   * s.project(dense.w.grad, dense.post.n);
   */
  project(G: FloatArray | Float64Array, cols: number): void {
    const n = this.n;
    const m = this.m;
    if (m === 0) return;
    if (G.length !== n * cols) throw new RangeError(`HebbianSubspace.project: ${G.length} values for ${n} × ${cols}`);
    const U = this.basis;
    const A = new Float64Array(m * cols);
    for (let c = 0; c < m; c++) {
      const ar = c * cols;
      for (let i = 0; i < n; i++) {
        const u = U[c * n + i];
        if (u === 0) continue;
        const gr = i * cols;
        for (let j = 0; j < cols; j++) A[ar + j] += u * G[gr + j];
      }
    }
    for (let i = 0; i < n; i++) {
      const gr = i * cols;
      for (let c = 0; c < m; c++) {
        const u = U[c * n + i];
        if (u === 0) continue;
        const ar = c * cols;
        for (let j = 0; j < cols; j++) G[gr + j] -= u * A[ar + j];
      }
    }
  }
}

function matVec(C: Float64Array, v: Float64Array, n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let j = 0; j < n; j++) d += C[i * n + j] * v[j];
    w[i] = d;
  }
  return w;
}

/** A (k × n) = H (k × n) · C (n × n, symmetric). */
function mulRows(H: Float64Array, C: Float64Array, A: Float64Array, k: number, n: number): void {
  A.fill(0);
  for (let a = 0; a < k; a++) {
    const ar = a * n;
    for (let j = 0; j < n; j++) {
      const h = H[ar + j];
      if (h === 0) continue;
      const cr = j * n;
      for (let i = 0; i < n; i++) A[ar + i] += h * C[cr + i];
    }
  }
}

/**
 * Orthonormal rows (Gram–Schmidt) spanning the rows of a (k × n) matrix; rows that are dependent
 * are dropped.
 *
 * @example
 * const Q = orthonormalRows(new Float64Array([1, 1, 0, 1, 0, 0]), 3); // 2 rows of length 3
 */
export function orthonormalRows(A: ArrayLike<number>, n: number, tol = 1e-10): Float64Array {
  const k = Math.floor(A.length / n);
  const rows: Float64Array[] = [];
  for (let a = 0; a < k; a++) {
    const h = Float64Array.from({ length: n }, (_, i) => A[a * n + i]);
    for (let pass = 0; pass < 2; pass++) {
      for (const r of rows) {
        let d = 0;
        for (let i = 0; i < n; i++) d += r[i] * h[i];
        for (let i = 0; i < n; i++) h[i] -= d * r[i];
      }
    }
    const norm = Math.hypot(...h);
    if (norm > tol) rows.push(h.map((x) => x / norm));
  }
  const out = new Float64Array(rows.length * n);
  rows.forEach((r, a) => out.set(r, a * n));
  return out;
}

/**
 * The largest principal angle (radians) between the row spaces of two matrices with n columns
 * (both orthonormalised here): asin of the largest distance of a unit vector of span(B) from
 * span(A). 0 when span(B) ⊆ span(A).
 *
 * @example
 * subspaceAngle(new Float64Array([1, 0, 0]), new Float64Array([1, 1, 0]), 3); // π/4
 */
export function subspaceAngle(A: ArrayLike<number>, B: ArrayLike<number>, n: number): number {
  const QA = orthonormalRows(A, n);
  const QB = orthonormalRows(B, n);
  const ka = QA.length / n;
  const kb = QB.length / n;
  // R = rows of QB with their projection on span(QA) removed; largest singular value of R.
  const R = new Float64Array(QB);
  for (let b = 0; b < kb; b++) {
    for (let a = 0; a < ka; a++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += QA[a * n + i] * R[b * n + i];
      for (let i = 0; i < n; i++) R[b * n + i] -= d * QA[a * n + i];
    }
  }
  // M = R Rᵀ (kb × kb), λmax by power iteration.
  const M = new Float64Array(kb * kb);
  for (let a = 0; a < kb; a++) for (let b = 0; b < kb; b++) {
    let d = 0;
    for (let i = 0; i < n; i++) d += R[a * n + i] * R[b * n + i];
    M[a * kb + b] = d;
  }
  let v: Float64Array = new Float64Array(kb).fill(1 / Math.sqrt(Math.max(1, kb)));
  let lam = 0;
  for (let it = 0; it < 500; it++) {
    const w = matVec(M, v, kb);
    const norm = Math.hypot(...w);
    if (!(norm > 0)) return 0;
    lam = norm;
    v = w.map((x) => x / norm);
  }
  return Math.asin(Math.min(1, Math.sqrt(lam)));
}

/** Options of an {@link OrthogonalProjection}. */
export interface OrthogonalProjectionOptions {
  /**
   * Projections to protect: each needs a trained per-synapse weight (`train: ['weight']`) over
   * complete (all-to-all) connectivity. Default: every such projection connected with `All2All`.
   */
  readonly projections?: readonly Projection[];
  /** Subspace neurons added per task, for every projection or by projection name (default 20). */
  readonly k?: number | Readonly<Record<string, number>>;
  /**
   * Presynaptic activity vectors: 'steps' (each time step's spike vector, default; the BPTT
   * gradient lies in their span) or 'counts' (spike counts per sample).
   */
  readonly activity?: 'steps' | 'counts';
  /** Averaged Hebbian iterations per task (default 200). */
  readonly iterations?: number;
  /** Hebbian step size relative to 1/λmax (default 0.5). */
  readonly lr?: number;
  /** Also project the actual weight change of each optimizer step (default true). */
  readonly projectUpdate?: boolean;
  readonly seed?: number;
}

/**
 * The continual-learning hook (see the module comment): call {@link OrthogonalProjection.observe}
 * after forward passes on a finished task's data, {@link OrthogonalProjection.consolidate} at the
 * end of the task, and {@link OrthogonalProjection.step} instead of `opt.step()` while training
 * later tasks.
 *
 * @example
 * const hlop = new OrthogonalProjection(net, { projections: [W1], k: 40 });
 * // train task 1: net.forward, loss, opt.zeroGrad(), net.backward(), hlop.step(opt)
 * for (const rows of task1Batches) { net.forward({ steps, batch, inputs: [[x, encode(rows)]] }); hlop.observe(); }
 * hlop.consolidate();
 * // train task 2 the same way: its updates leave task 1's inputs to W untouched
 */
export class OrthogonalProjection {
  readonly net: Network;
  readonly projections: readonly Projection[];
  readonly subspaces: HebbianSubspace[];
  readonly options: OrthogonalProjectionOptions;
  /** The weight parameter of each tracked projection ([pre × post]). */
  private readonly weights: readonly Param[];
  private began = false;

  constructor(net: Network, options: OrthogonalProjectionOptions = {}) {
    net.build();
    this.net = net;
    this.options = options;
    const params = new Map(net.parameters().map((p) => [p.name, p]));
    const trained = (p: Projection) => params.has(`${p.name}.weight`);
    this.projections = options.projections ?? net.allProjections.filter((p) => p.options.comm instanceof All2All && trained(p) && p.numSynapses === p.pre.size * p.post.size);
    this.weights = this.projections.map((p) => {
      if (!net.allProjections.includes(p)) throw new Error(`OrthogonalProjection: projection '${p.name}' is not part of network '${net.name}'`);
      const w = params.get(`${p.name}.weight`);
      if (!w) throw new Error(`OrthogonalProjection: projection '${p.name}' has no trained per-synapse weight. Fix: connect it with train: ['weight']`);
      if (w.value.length !== p.pre.size * p.post.size) {
        throw new Error(`OrthogonalProjection: projection '${p.name}' has ${w.value.length} synapses, not ${p.pre.size} × ${p.post.size}. Fix: connect it all-to-all (new All2All())`);
      }
      return w;
    });
    this.subspaces = this.projections.map((p, i) => new HebbianSubspace({ n: p.pre.size, seed: (options.seed ?? 0) * 1000 + i }));
  }

  private kFor(p: Projection): number {
    const k = this.options.k ?? 20;
    return typeof k === 'number' ? k : (k[p.name] ?? 20);
  }

  /**
   * Accumulates the presynaptic activity of the last forward pass (every batch row) of every
   * tracked projection: the spikes of its pre-synaptic group (input or spiking), restricted to the
   * projection's slice of it.
   *
   * @example
   * net.forward({ steps, batch, inputs: [[x, events]] }); hlop.observe();
   */
  observe(): void {
    const mode = this.options.activity ?? 'steps';
    this.projections.forEach((p, k) => {
      const s = this.subspaces[k];
      const group = p.pre.group;
      const G = group.size;
      const lo = p.pre.start;
      const n = p.pre.size;
      const src = this.net.spikeEvents(group);
      const T = src.ptr.length - 1;
      const B = G > 0 ? this.net.spikeCounts(group).length / G : 0;
      if (mode === 'counts') {
        const x = new Float64Array(B * n);
        for (let e = src.ptr[0]; e < src.ptr[T]; e++) {
          const b = (src.idx[e] / G) | 0;
          const i = src.idx[e] - b * G - lo;
          if (i >= 0 && i < n) x[b * n + i] += src.val ? src.val[e] : 1;
        }
        for (let b = 0; b < B; b++) s.accumulateDense(x.subarray(b * n, (b + 1) * n));
        return;
      }
      // Per step: bucket the events of the slice by batch row (counting sort), then one sparse outer product each.
      const cnt = new Int32Array(B + 1);
      for (let t = 0; t < T; t++) {
        const e0 = src.ptr[t];
        const e1 = src.ptr[t + 1];
        if (e0 === e1) continue;
        cnt.fill(0);
        let m = 0;
        for (let e = e0; e < e1; e++) {
          const b = (src.idx[e] / G) | 0;
          const i = src.idx[e] - b * G - lo;
          if (i >= 0 && i < n) {
            cnt[b + 1]++;
            m++;
          }
        }
        if (m === 0) continue;
        for (let b = 0; b < B; b++) cnt[b + 1] += cnt[b];
        const idx = new Int32Array(m);
        const val = src.val ? new Float64Array(m) : undefined;
        const fill = cnt.slice(0, B);
        for (let e = e0; e < e1; e++) {
          const b = (src.idx[e] / G) | 0;
          const i = src.idx[e] - b * G - lo;
          if (!(i >= 0 && i < n)) continue;
          const q = fill[b]++;
          idx[q] = i;
          if (val) val[q] = src.val![e];
        }
        for (let b = 0; b < B; b++) if (cnt[b + 1] > cnt[b]) s.accumulate(idx, val, cnt[b], cnt[b + 1], 0);
      }
    });
    this.began = true;
  }

  /**
   * Ends a task: runs the Hebbian/anti-Hebbian extraction on the observed activity of each
   * projection and adds the new subspace to the protected one. Returns the protected dimension per
   * projection.
   *
   * @example
   * const dims = hlop.consolidate(); // e.g. { W1: 40 }
   */
  consolidate(): Record<string, number> {
    if (!this.began) throw new Error('OrthogonalProjection.consolidate: call observe() after forward passes on the task first');
    const out: Record<string, number> = {};
    this.projections.forEach((p, k) => {
      const s = this.subspaces[k];
      s.begin(this.kFor(p));
      s.fit({ iterations: this.options.iterations, lr: this.options.lr });
      s.consolidate();
      out[p.name] = s.m;
    });
    this.began = false;
    return out;
  }

  /**
   * Replaces each tracked weight gradient G (post × pre) by G (I − P), in place on `param.grad`.
   *
   * @example
   * net.backward(); hlop.projectGradients(); opt.step();
   */
  projectGradients(): void {
    this.projections.forEach((p, k) => this.subspaces[k].project(this.weights[k].grad, p.post.size));
  }

  /**
   * Projects the gradients, runs `opt.step()`, and (with `projectUpdate`) projects the weight
   * change of the step as well.
   *
   * @example
   * opt.zeroGrad(); net.backward(); hlop.step(opt);
   */
  step(opt: Optimizer): void {
    this.projectGradients();
    const active = this.projections.map((p, k) => (this.subspaces[k].m > 0 ? k : -1)).filter((k) => k >= 0);
    if (!(this.options.projectUpdate ?? true) || active.length === 0) {
      opt.step();
      return;
    }
    const before = active.map((k) => new Float64Array(this.weights[k].value));
    opt.step();
    active.forEach((k, a) => {
      const p = this.projections[k];
      const w = this.weights[k].value;
      const old = before[a];
      const d = new Float64Array(w.length);
      for (let i = 0; i < w.length; i++) d[i] = w[i] - old[i];
      this.subspaces[k].project(d, p.post.size);
      for (let i = 0; i < w.length; i++) w[i] = old[i] + d[i];
    });
  }
}
