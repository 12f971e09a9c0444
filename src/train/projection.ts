/**
 * Trainable linear projections between layers: dense, sparse (CSR) and just-in-time (connectivity
 * regenerated from a seed at every use, nothing stored but the seed and the weight scalars).
 *
 * All three are event-driven in both passes. Forward: only the rows of the pre-synaptic units that
 * spiked (or the input events) are added into the post-synaptic input. Backward: the weight
 * gradient is accumulated over the same events only (dW[i, j] += s_i · dL/dI_j), and, when the
 * source is a trained spiking layer, dL/ds_i = Σ_j W[i, j] dL/dI_j is computed for every unit
 * (the surrogate gradient needs it for the silent ones too).
 *
 * Timing (the simulator's schedule): a layer's spikes of step t reach its targets at step t + 1;
 * input events of step t reach their targets at step t.
 */
import { BuildError } from '../core/errors.js';
import { type Init, fillInit } from '../core/init.js';
import { type Connector, FixedProb } from '../connect/connectors.js';
import { type CSR } from '../connect/csr.js';
import { Rng, uniformAt } from '../math/rng.js';
import { DIMENSIONLESS } from '../math/units.js';
import { type FloatArray, type FloatCtor, type Layer, type Param } from './layer.js';
import { type SynapseDynamics, type ShortTermPlasticity } from '../synapses/index.js';
import { PreSynapse, PreSTP, type PreSynOptions, type PreSTPOptions } from './presyn.js';

/**
 * A batch of events over time: step t's events are idx[ptr[t] .. ptr[t+1]), each a flat index
 * b·n + i (batch row b, unit i), with an optional value (1 when absent).
 */
export interface Events {
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
  readonly val?: FloatArray;
}

/**
 * The source of a projection: a layer, or an input of the network.
 *
 * @example
 * const x = net.input(784, 'pixels'); // x.n === 784
 * net.dense(x, h, { target: 'I' }); net.forward(events); // events: ptr/idx over steps, idx = b·784 + pixel
 */
export class Input {
  readonly kind = 'input';
  readonly n: number;
  name: string;
  /** The events of the current batch (set by `SNN.forward`). */
  events: Events | undefined;
  constructor(n: number, name = '') {
    if (!Number.isInteger(n) || n <= 0) throw new BuildError(`input '${name}'`, 'size', `must be a positive integer, got ${n}`, 'give a size such as 784');
    this.n = n;
    this.name = name;
  }
}

export type Source = Layer | Input;

/** Options shared by all projections. */
export interface TrainProjectionOptions {
  readonly name?: string;
  /** Input value or state variable of the post model that the projection feeds. */
  readonly target?: string;
  /** Whether to train the weights (default true). */
  readonly train?: boolean;
  /**
   * A kinetic (align 'pre') synapse such as AMPA(), GABAa(), NMDA(): its state is kept per pre unit
   * and batch row, driven by the source's spikes (input events count as spikes, their values are
   * ignored), and Σ_i w_ij · g_i is transmitted every step (see presyn.ts).
   */
  readonly syn?: SynapseDynamics;
  /** Synapse parameters to train (one scalar each), e.g. ['alpha', 'beta']. */
  readonly trainSyn?: PreSynOptions['trainSyn'];
  /** Integration method of the synaptic state (default 'auto'). */
  readonly synMethod?: PreSynOptions['synMethod'];
  /**
   * Tsodyks–Markram short-term plasticity, STP({ U, tau_f, tau_d }): u and x are kept per pre unit
   * and batch row, and w_ij · r_i is transmitted at the steps where pre unit i spikes, 0 otherwise
   * (see PreSTP in presyn.ts). Not combined with `syn` (yet).
   */
  readonly stp?: ShortTermPlasticity;
  /** STP parameters to train (one scalar each), among 'U', 'tau_f', 'tau_d'. */
  readonly trainStp?: PreSTPOptions['trainStp'];
}

/**
 * Common part: event ranges of the source for a step. The base of {@link Dense}, {@link Sparse}
 * and {@link Jit}.
 *
 * @example
 * for (const p of net.projections) console.log(p.name, p.kind, p.parameters().map((q) => q.value.length));
 */
export abstract class TrainProjection {
  readonly pre: Source;
  readonly post: Layer;
  readonly options: TrainProjectionOptions;
  name: string;
  target = '';
  abstract readonly kind: 'dense' | 'sparse' | 'jit';

  /** The kinetic synapse state, when `syn` is given. */
  presyn: PreSynapse | undefined;
  /** The short-term plasticity state, when `stp` is given. */
  prestp: PreSTP | undefined;
  /** Whichever of {@link presyn} / {@link prestp} the projection has. */
  private get preState(): PreSynapse | PreSTP | undefined {
    return this.presyn ?? this.prestp;
  }
  private synBuf: { idx: Int32Array; val: FloatArray } | undefined;
  private synCache = { t: -1, m: 0 };

  constructor(pre: Source, post: Layer, options: TrainProjectionOptions) {
    this.pre = pre;
    this.post = post;
    this.options = options;
    this.name = options.name ?? '';
    if (options.syn) this.presyn = new PreSynapse(options.syn, `projection '${options.name ?? ''}'`, { trainSyn: options.trainSyn, synMethod: options.synMethod });
    if (options.stp) {
      if (options.syn) throw new BuildError(`projection '${options.name ?? ''}'`, 'stp', 'short-term plasticity together with a kinetic synapse (syn) is not supported in training projections', 'give either syn or stp');
      this.prestp = new PreSTP(options.stp, `projection '${options.name ?? ''}'`, { trainStp: options.trainStp });
    } else if (options.trainStp && options.trainStp.length > 0) {
      throw new BuildError(`projection '${options.name ?? ''}'`, 'trainStp', 'needs stp', "give stp: STP({ U, tau_f, tau_d })");
    }
  }

  /** Builds the kinetic synapse (called by the network after {@link TrainProjection.build}). */
  buildSynapse(F: FloatCtor, steps: number, maxBatch: number, dt: number): void {
    const ps = this.preState;
    if (!ps) return;
    (ps as { where: string }).where = this.where;
    ps.build({ n: this.pre.n, steps, maxBatch, dt, F, name: this.name });
    this.synBuf = { idx: new Int32Array(maxBatch * this.pre.n), val: new F(maxBatch * this.pre.n) };
  }

  /** All trainable arrays: the weights, then the trained synapse parameters. */
  allParameters(): Param[] {
    const ps = this.preState;
    return [...this.parameters(), ...(ps ? ps.parameters() : [])];
  }

  /** Step t of the kinetic synapse (before the projection's forward of step t). */
  synForward(t: number, B: number): void {
    const ps = this.preState;
    if (!ps) return;
    const { e0, e1, idx } = this.spikes(t);
    ps.forward(t, B, e0, e1, idx);
    this.synCache.t = -1;
  }

  /** Step t of the kinetic synapse backward (after the projection's backward of step t). */
  synBackward(t: number, B: number): void {
    this.preState?.backward(t, B);
  }

  /** Clears carried adjoints (start of a backward pass, truncation points). */
  cutGradient(): void {
    this.preState?.resetAdjoint();
  }

  get where(): string {
    return `projection '${this.name}'`;
  }

  /** Creates weights and scratch (post target already registered). */
  abstract build(F: FloatCtor, seed: number, index: number): void;
  abstract parameters(): Param[];
  /** Adds the events of the source for step t into slot u of the post input. */
  abstract forward(u: number, t: number, B: number): void;
  /** Accumulates weight gradients from the post input gradient of step t; returns dL/ds into the source. */
  abstract backward(t: number, B: number): void;
  /** Called once before a backward pass (weights are fixed during it). */
  beginBackward(): void {}

  /**
   * The source events delivered at step t: [start, end), the flat indices and the values. With a
   * kinetic synapse: every pre unit whose synaptic output is non-zero after step t, valued by it.
   */
  protected source(t: number): { e0: number; e1: number; idx: Int32Array; val: FloatArray | undefined } {
    const ps = this.preState;
    if (ps) {
      const buf = this.synBuf!;
      if (this.synCache.t !== t) {
        this.synCache.m = ps.events(t, this.batch, buf);
        this.synCache.t = t;
      }
      return { e0: 0, e1: this.synCache.m, idx: buf.idx, val: buf.val };
    }
    return this.spikes(t);
  }

  /** The batch size of the current pass (set by the network). */
  batch = 0;

  /** The spikes of the source that reach the projection at step t. */
  protected spikes(t: number): { e0: number; e1: number; idx: Int32Array; val: FloatArray | undefined } {
    const pre = this.pre;
    if (pre.kind === 'input') {
      const ev = pre.events;
      if (!ev) throw new Error(`input '${pre.name}' has no events: give them to SNN.forward`);
      return { e0: ev.ptr[t], e1: ev.ptr[t + 1], idx: ev.idx, val: ev.val };
    }
    if (t === 0) return { e0: 0, e1: 0, idx: pre.ev, val: undefined };
    return { e0: pre.evPtr[t - 1], e1: pre.evPtr[t], idx: pre.ev, val: pre.evVal.length > 0 ? pre.evVal : undefined };
  }

  /** Whether dL/ds must be sent to the source at step t. */
  protected needsSourceGrad(t: number): boolean {
    if (this.preState) return true;
    return this.pre.kind === 'layer' && this.pre.spiking && t > 0;
  }

  /** Where dL/d(source value) goes: the source layer's spike gradient, or the synapse's adjoint. */
  protected sourceGrad(): FloatArray {
    const ps = this.preState;
    return ps ? ps.outAdjoint : (this.pre as Layer).GSprev;
  }

  protected trainable(): boolean {
    return this.options.train ?? true;
  }
}

/** Options of a dense projection. */
export interface DenseOptions extends TrainProjectionOptions {
  /** Weight initializer, in the target's unit (default normal(0, 1/√nPre)). */
  readonly weight?: Init;
}

/**
 * Dense weights W[nPre × nPost] (row i: the weights out of pre unit i).
 *
 * @example
 * const W1 = net.dense(x, h, { target: 'I', weight: { dist: 'normal', mean: 0, std: 0.05 } });
 * net.build(); W1.w.value.length // x.n · h.n
 */
export class Dense extends TrainProjection {
  readonly kind = 'dense';
  w!: Param;
  /** Wᵀ [nPost × nPre], refreshed before each backward pass (contiguous rows for dL/ds = W dL/dI). */
  private wt: FloatArray | undefined;

  override beginBackward(): void {
    if (!this.needsSourceGrad(1)) return;
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const W = this.w.value;
    if (!this.wt) this.wt = new (W.constructor as FloatCtor)(W.length);
    const wt = this.wt;
    for (let i = 0; i < nPre; i++) for (let j = 0; j < nPost; j++) wt[j * nPre + i] = W[i * nPost + j];
  }

  build(F: FloatCtor, seed: number, index: number): void {
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const value = new F(nPre * nPost);
    const init = (this.options as DenseOptions).weight ?? { dist: 'normal' as const, mean: 0, std: 1 / Math.sqrt(nPre) };
    const dim = this.post.model.dimOf(this.target) ?? DIMENSIONLESS;
    fillInit(value, init, dim, new Rng(seed, 0x77720000 + index), this.where, 'weight');
    this.w = { name: `${this.name}.w`, value, grad: new F(value.length) };
  }

  parameters(): Param[] {
    return this.trainable() ? [this.w] : [];
  }

  forward(u: number, t: number, B: number): void {
    const { e0, e1, idx, val } = this.source(t);
    if (e0 === e1) return;
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const IN = this.post.IN.get(this.target)!;
    const W = this.w.value;
    const base = u * this.post.S;
    for (let e = e0; e < e1; e++) {
      const k = idx[e];
      const b = (k / nPre) | 0;
      const r = (k - b * nPre) * nPost;
      const o = base + b * nPost;
      if (val === undefined) {
        for (let j = 0; j < nPost; j++) IN[o + j] += W[r + j];
      } else {
        const v = val[e];
        for (let j = 0; j < nPost; j++) IN[o + j] += v * W[r + j];
      }
    }
    void B;
  }

  backward(t: number, B: number): void {
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const G = this.post.GIN.get(this.target)!;
    if (this.trainable()) {
      const { e0, e1, idx, val } = this.source(t);
      const dW = this.w.grad;
      for (let e = e0; e < e1; e++) {
        const k = idx[e];
        const b = (k / nPre) | 0;
        const r = (k - b * nPre) * nPost;
        const o = b * nPost;
        const v = val === undefined ? 1 : val[e];
        for (let j = 0; j < nPost; j++) dW[r + j] += v * G[o + j];
      }
    }
    if (this.needsSourceGrad(t)) {
      // dL/ds[b, :] += Σ_j dL/dI[b, j] · Wᵀ[j, :] (rows of silent post units are skipped).
      const GS = this.sourceGrad();
      const WT = this.wt!;
      for (let b = 0; b < B; b++) {
        const o = b * nPost;
        const gb = b * nPre;
        for (let j = 0; j < nPost; j++) {
          const g = G[o + j];
          if (g === 0) continue;
          const r = j * nPre;
          for (let i = 0; i < nPre; i++) GS[gb + i] += g * WT[r + i];
        }
      }
    }
  }
}

/** Options of a sparse projection. */
export interface SparseOptions extends TrainProjectionOptions {
  /** Weight initializer per synapse, in the target's unit (default normal(0, 1/√(mean fan-in))). */
  readonly weight?: Init;
}

/**
 * Sparse weights on a CSR connectivity (built from any connector, from the network's seed).
 *
 * @example
 * const rec = net.sparse(h, h, new FixedProb(0.1), { name: 'rec', target: 'I' });
 * net.build(); rec.csr.indices.length // number of synapses (≈ 10% of h.n²)
 */
export class Sparse extends TrainProjection {
  readonly kind = 'sparse';
  readonly connector: Connector | CSR;
  csr!: CSR;
  w!: Param;

  constructor(pre: Source, post: Layer, connector: Connector | CSR, options: SparseOptions) {
    super(pre, post, options);
    this.connector = connector;
  }

  build(F: FloatCtor, seed: number, index: number): void {
    const c = this.connector;
    if ('indptr' in c) {
      if (c.nPre !== this.pre.n || c.nPost !== this.post.n) {
        throw new BuildError(this.where, 'csr', `is ${c.nPre} × ${c.nPost} but the projection is ${this.pre.n} × ${this.post.n}`, 'give a CSR of matching size');
      }
      this.csr = c;
    } else {
      this.csr = c.build({ nPre: this.pre.n, nPost: this.post.n, seed: (seed ^ (0x5a5a0000 + index)) >>> 0, where: this.where, selfOffset: (this.pre as unknown) === this.post ? 0 : undefined });
    }
    const nSyn = this.csr.indices.length;
    const value = new F(nSyn);
    const fanIn = Math.max(1, nSyn / this.post.n);
    const init = (this.options as SparseOptions).weight ?? { dist: 'normal' as const, mean: 0, std: 1 / Math.sqrt(fanIn) };
    const dim = this.post.model.dimOf(this.target) ?? DIMENSIONLESS;
    fillInit(value, init, dim, new Rng(seed, 0x73700000 + index), this.where, 'weight');
    this.w = { name: `${this.name}.w`, value, grad: new F(nSyn) };
  }

  parameters(): Param[] {
    return this.trainable() ? [this.w] : [];
  }

  forward(u: number, t: number): void {
    const { e0, e1, idx, val } = this.source(t);
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const IN = this.post.IN.get(this.target)!;
    const { indptr, indices } = this.csr;
    const W = this.w.value;
    const base = u * this.post.S;
    for (let e = e0; e < e1; e++) {
      const k = idx[e];
      const b = (k / nPre) | 0;
      const i = k - b * nPre;
      const o = base + b * nPost;
      const v = val === undefined ? 1 : val[e];
      const end = indptr[i + 1];
      for (let s = indptr[i]; s < end; s++) IN[o + indices[s]] += v * W[s];
    }
  }

  backward(t: number, B: number): void {
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const G = this.post.GIN.get(this.target)!;
    const { indptr, indices } = this.csr;
    const W = this.w.value;
    if (this.trainable()) {
      const { e0, e1, idx, val } = this.source(t);
      const dW = this.w.grad;
      for (let e = e0; e < e1; e++) {
        const k = idx[e];
        const b = (k / nPre) | 0;
        const i = k - b * nPre;
        const o = b * nPost;
        const v = val === undefined ? 1 : val[e];
        const end = indptr[i + 1];
        for (let s = indptr[i]; s < end; s++) dW[s] += v * G[o + indices[s]];
      }
    }
    if (this.needsSourceGrad(t)) {
      const GS = this.sourceGrad();
      for (let b = 0; b < B; b++) {
        const o = b * nPost;
        for (let i = 0; i < nPre; i++) {
          let acc = 0;
          const end = indptr[i + 1];
          for (let s = indptr[i]; s < end; s++) acc += W[s] * G[o + indices[s]];
          GS[b * nPre + i] += acc;
        }
      }
    }
  }
}

/** Options of a just-in-time projection. */
export interface JitOptions extends TrainProjectionOptions {
  /**
   * Weights: a number (homogeneous, one trained scalar w), or { mean, std } (w_ij = mean + std·z_ij
   * with z_ij standard normal regenerated from the seed; mean and std are trained scalars).
   */
  readonly weight?: number | { readonly mean: number; readonly std: number };
  /** Seed of the connectivity and the random weights (default: derived from the network's). */
  readonly seed?: number;
}

/** A growable list of post indices (one regenerated row). */
class RowBuffer {
  buf: Int32Array;
  n = 0;
  constructor(cap: number) {
    this.buf = new Int32Array(Math.max(16, cap));
  }
  push(j: number): void {
    if (this.n === this.buf.length) {
      const b = new Int32Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.n++] = j;
  }
}

/**
 * Just-in-time connectivity: a {@link FixedProb} connector whose rows are regenerated from the seed
 * whenever they are needed (FixedProb.rowFunction), so memory is O(neurons), not O(synapses).
 *
 * @example
 * const p = net.jit(x, h, new FixedProb(0.05), { target: 'I', weight: { mean: 0, std: 0.1 } });
 * net.build(); p.parameters().map((q) => q.name) // [`${p.name}.mean`, `${p.name}.std`]
 */
export class Jit extends TrainProjection {
  readonly kind = 'jit';
  readonly connector: FixedProb;
  mean!: Param;
  std: Param | undefined;
  private seed = 0;
  private row!: RowBuffer;
  private z!: Float64Array;
  /** The connector's row generator, validated once at build. */
  private rowOf!: (i: number, out: RowBuffer) => void;

  constructor(pre: Source, post: Layer, connector: FixedProb, options: JitOptions) {
    super(pre, post, options);
    if (!(connector instanceof FixedProb)) throw new BuildError(`projection '${options.name ?? ''}'`, 'comm', 'just-in-time projections take a FixedProb connector', 'give new FixedProb(p)');
    this.connector = connector;
  }

  build(F: FloatCtor, seed: number, index: number): void {
    const o = this.options as JitOptions;
    this.seed = (o.seed ?? seed ^ (0x6a690000 + index)) >>> 0;
    const w = o.weight ?? 1 / Math.sqrt(Math.max(1, this.connector.prob * this.pre.n));
    if (typeof w === 'number') {
      this.mean = { name: `${this.name}.w`, value: F.of(w), grad: new F(1) };
    } else {
      this.mean = { name: `${this.name}.mean`, value: F.of(w.mean), grad: new F(1) };
      this.std = { name: `${this.name}.std`, value: F.of(w.std), grad: new F(1) };
    }
    if (!Number.isFinite(this.mean.value[0]) || (this.std && !Number.isFinite(this.std.value[0]))) {
      throw new BuildError(this.where, 'weight', `must be finite, got ${JSON.stringify(w)}`);
    }
    this.row = new RowBuffer(Math.ceil(this.connector.prob * this.post.n * 2) + 16);
    this.rowOf = this.connector.rowFunction({ nPre: this.pre.n, nPost: this.post.n, seed: this.seed, where: this.where, selfOffset: (this.pre as unknown) === this.post ? 0 : undefined });
    this.z = new Float64Array(this.post.n);
  }

  parameters(): Param[] {
    if (!this.trainable()) return [];
    return this.std ? [this.mean, this.std] : [this.mean];
  }

  /** Regenerates row i (post indices in row.buf[0..row.n), normal factors in z when weights are random). */
  private regen(i: number): number {
    const row = this.row;
    row.n = 0;
    this.rowOf(i, row);
    if (this.std) {
      const z = this.z;
      for (let q = 0; q < row.n; q++) {
        // Box–Muller on two uniforms that are a pure function of (seed, row, position).
        const u1 = 1 - uniformAt(this.seed ^ 0x3c6ef372, i, 2 * q);
        const u2 = uniformAt(this.seed ^ 0x3c6ef372, i, 2 * q + 1);
        z[q] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      }
    }
    return row.n;
  }

  forward(u: number, t: number): void {
    const { e0, e1, idx, val } = this.source(t);
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const IN = this.post.IN.get(this.target)!;
    const base = u * this.post.S;
    const m = this.mean.value[0];
    const sd = this.std ? this.std.value[0] : 0;
    for (let e = e0; e < e1; e++) {
      const k = idx[e];
      const b = (k / nPre) | 0;
      const i = k - b * nPre;
      const len = this.regen(i);
      const o = base + b * nPost;
      const v = val === undefined ? 1 : val[e];
      const cols = this.row.buf;
      const z = this.z;
      if (this.std) for (let q = 0; q < len; q++) IN[o + cols[q]] += v * (m + sd * z[q]);
      else for (let q = 0; q < len; q++) IN[o + cols[q]] += v * m;
    }
  }

  backward(t: number, B: number): void {
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const G = this.post.GIN.get(this.target)!;
    const m = this.mean.value[0];
    const sd = this.std ? this.std.value[0] : 0;
    if (this.trainable()) {
      const { e0, e1, idx, val } = this.source(t);
      let gm = 0;
      let gs = 0;
      for (let e = e0; e < e1; e++) {
        const k = idx[e];
        const b = (k / nPre) | 0;
        const i = k - b * nPre;
        const len = this.regen(i);
        const o = b * nPost;
        const v = val === undefined ? 1 : val[e];
        const cols = this.row.buf;
        for (let q = 0; q < len; q++) {
          const g = v * G[o + cols[q]];
          gm += g;
          if (this.std) gs += g * this.z[q];
        }
      }
      this.mean.grad[0] += gm;
      if (this.std) this.std.grad[0] += gs;
    }
    if (this.needsSourceGrad(t)) {
      const GS = this.sourceGrad();
      const cols = () => this.row.buf;
      for (let i = 0; i < nPre; i++) {
        const len = this.regen(i);
        const c = cols();
        const z = this.z;
        for (let b = 0; b < B; b++) {
          const o = b * nPost;
          let acc = 0;
          if (this.std) for (let q = 0; q < len; q++) acc += (m + sd * z[q]) * G[o + c[q]];
          else for (let q = 0; q < len; q++) acc += G[o + c[q]];
          GS[b * nPre + i] += this.std ? acc : m * acc;
        }
      }
    }
  }
}


