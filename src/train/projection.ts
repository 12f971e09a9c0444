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
 *
 * Gap junctions (`gap: 'v'`, dense and sparse): not spikes but a continuous electrical coupling,
 * the simulator's `gap` option. Each step t ≥ 1, post unit j receives into its input `target`
 *
 * ```
 * I_j += Σ_{i→j} w_ij · (V_pre,i − V_post,j)      V: the state before step t (after step t−1's reset)
 * ```
 *
 * and nothing at step 0 (the simulator computes the coupling after each step's update, for the next
 * step). It is one-directional, as in the simulator: the pre unit receives no counter-current, so an
 * electrical synapse that conducts both ways is two projections (or a symmetric connectivity within
 * one layer), each conductance trained on its own. The backward pass adds the coupling's adjoint to
 * the state adjoints of both V_pre (+w·dL/dI_j) and V_post (−w·dL/dI_j), and
 * dL/dw_ij = Σ_t dL/dI_j · (V_pre,i − V_post,j), per synapse (CSR order for sparse connectivity).
 * No surrogate gradient is involved: the coupling is a differentiable function of the state.
 */
import { checkSynapseDynamics } from '../synapses/check.js';
import { BuildError } from '../lang/errors.js';
import { type Init, fillInit } from '../model/init.js';
import { type Connector, FixedProb } from '../connect/connectors.js';
import { type CSR } from '../connect/csr.js';
import { Rng, uniformAt } from '../math/rng.js';
import { DIMENSIONLESS, type Dim, dimDiv, dimEq } from '../math/units.js';
import { type NeuronModel } from '../model/model.js';
import { type FloatArray, type FloatCtor, type Layer, type Param } from './layer.js';
import { type SynapseDynamics, type ShortTermPlasticity } from '../synapses/index.js';
import { PreSynapse, PreSTP, type PreSynOptions, type PreSTPOptions } from './presyn.js';
import { initialScale } from './scale.js';

/**
 * First step at which a gap junction transmits. The simulator computes the coupling after each
 * step's update, for the next step, so its first step receives none; this keeps the two equal.
 */
const GAP_FIRST_STEP = 1;

export type { Events } from '../data/events.js';
import { type Events } from '../data/events.js';

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
  /**
   * Gap junction (electrical synapse) on this state variable of both layers, e.g. 'v': the
   * simulator's `gap` option, with the same meaning. Each step, post unit j receives
   * Σ_i w_ij·(V_pre,i − V_post,j) into its input `target` (an input value such as 'I'), computed
   * from the state at the start of the step; the weights are conductances (dimension of the target
   * over that of V, e.g. nS for a current and a voltage) and must be given. Dense and sparse
   * projections only, between two layers; no `syn`/`stp`. Nothing is transmitted at the first step,
   * as in the simulator. The gradient reaches both membranes and the weights (see the module comment).
   * Where spike projections also increment V itself (target 'v'), the coupling reads V before those
   * increments: the simulator does the same when the gap projection is declared before them.
   *
   * @example
   * // one declaration for simulation and training:
   * const gj = { gap: 'v', target: 'I', weight: '2 nS' };
   * sim.connect(A, B, { comm: new FixedProb(0.5), ...gj }); // Network (simulation)
   * snn.sparse(a, b, new FixedProb(0.5), gj);              // SNN (training), conductances trained
   */
  readonly gap?: string;
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
  /** The coupled variable of a gap junction (options.gap), else undefined. */
  readonly gap: string | undefined;
  /**
   * A gap junction's arrays, bound at build: the variable's history in the pre and post layers
   * (slot u: the state before step u of the segment) and its adjoint in each.
   */
  protected gapX: { pre: FloatArray; post: FloatArray; lpre: FloatArray; lpost: FloatArray; preS: number; postS: number } | undefined;

  constructor(pre: Source, post: Layer, given: TrainProjectionOptions) {
    // a synapse object is plain data (it may come from JSON): checked and copied before any kernel reads it
    const options = given.syn === undefined ? given : { ...given, syn: checkSynapseDynamics(given.syn, `projection '${typeof given.name === 'string' ? given.name : '?'}'`, 'syn') };
    this.pre = pre;
    this.post = post;
    this.options = options;
    this.name = options.name ?? '';
    this.gap = options.gap;
    if (options.gap !== undefined) {
      const where = `projection '${options.name ?? `${pre.name}→${post.name}`}'`;
      if (typeof options.gap !== 'string' || options.gap === '') throw new BuildError(where, 'gap', `must name a state variable, got ${JSON.stringify(options.gap)}`, "give e.g. gap: 'v'");
      if (options.syn || options.stp) {
        throw new BuildError(where, options.syn ? 'syn' : 'stp', 'a gap junction is a continuous electrical coupling: it has no synapse kinetics and no short-term plasticity', 'remove it, or declare the chemical synapse as a projection of its own');
      }
    }
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

  /**
   * Checks a gap junction against its layers (called by the network when the projection is added,
   * before its target is registered): a layer as source, the variable stored by both models with one
   * dimension, an input of the post model as target, and a weight.
   */
  checkGap(): void {
    const V = this.gap!;
    const where = this.where;
    const pre = this.pre;
    if (pre.kind !== 'layer') throw new BuildError(where, 'gap', `input '${pre.name}' has no variable '${V}' to couple (an input only sends events)`, 'connect two layers');
    const dPre = storedDim(pre.model, V);
    const dPost = storedDim(this.post.model, V);
    if (!dPre || !dPost || !dimEq(dPre, dPost)) {
      throw new BuildError(where, 'gap', `'${V}' must be a state variable of both ${pre.model.name} and ${this.post.model.name} with one dimension`, `choose one of: ${pre.model.stateNames().filter((x) => this.post.model.stateNames().includes(x)).join(', ') || '(none in common)'}`);
    }
    const inputs = this.post.model.inputNames();
    const target = this.options.target ?? (inputs.length === 1 ? inputs[0] : undefined);
    if (target === undefined || !inputs.includes(target)) {
      throw new BuildError(where, 'target', `${target === undefined ? 'no target given' : `'${target}' is not an input`} of ${this.post.model.name}`, `a gap junction feeds a current: choose one of its inputs: ${inputs.join(', ') || "(none: declare one with the (input) flag)"}`);
    }
    if ((this.options as DenseOptions).weight === undefined) throw new BuildError(where, 'weight', 'a gap junction needs its conductances', "give e.g. weight: '1 nS' (or a distribution, or values per synapse)");
  }

  /** The dimension of the weights: the target's, over the coupled variable's for a gap junction. */
  protected weightDim(): Dim {
    const t = this.post.model.dimOf(this.target) ?? DIMENSIONLESS;
    return this.gap === undefined ? t : dimDiv(t, this.post.model.dimOf(this.gap)!);
  }

  /** Binds a gap junction's arrays (the layers are built before the projections). */
  protected bindGap(): void {
    const V = this.gap!;
    const pre = this.pre as Layer;
    this.gapX = { pre: pre.X.get(V)!, post: this.post.X.get(V)!, lpre: pre.L.get(V)!, lpost: this.post.L.get(V)!, preS: pre.S, postS: this.post.S };
  }

  /** Creates weights and scratch (post target already registered). */
  abstract build(F: FloatCtor, seed: number, index: number): void;
  abstract parameters(): Param[];
  /** Adds the events of the source for step t into slot u of the post input. */
  abstract forward(u: number, t: number, B: number): void;
  /**
   * Accumulates weight gradients from the post input gradient of step t; returns dL/ds into the
   * source (u: the slot of step t in the segment's state history).
   */
  abstract backward(t: number, B: number, u: number): void;
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
    if (this.gap !== undefined) return false;
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
    fillInit(value, init, this.weightDim(), new Rng(seed, 0x77720000 + index), this.where, 'weight');
    this.w = { name: `${this.name}.w`, value, grad: new F(value.length), scale: initialScale(value, init, this.weightDim()) };
    if (this.gap !== undefined) this.bindGap();
  }

  parameters(): Param[] {
    return this.trainable() ? [this.w] : [];
  }

  forward(u: number, t: number, B: number): void {
    if (this.gap !== undefined) {
      if (t >= GAP_FIRST_STEP) this.gapForward(u, B);
      return;
    }
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

  /** Gap junction, step in slot u: IN[b, j] += Σ_i W[i, j]·(V_pre[b, i] − V_post[b, j]). */
  private gapForward(u: number, B: number): void {
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const IN = this.post.IN.get(this.target)!;
    const W = this.w.value;
    const { pre: VA, post: VB, preS, postS } = this.gapX!;
    for (let b = 0; b < B; b++) {
      const a = u * preS + b * nPre;
      const p = u * postS + b * nPost;
      for (let i = 0; i < nPre; i++) {
        const vi = VA[a + i];
        const r = i * nPost;
        for (let j = 0; j < nPost; j++) IN[p + j] += W[r + j] * (vi - VB[p + j]);
      }
    }
  }

  /**
   * Gap junction, adjoint of step t (slot u): with g = dL/dI[b, j], the state adjoints get
   * +W[i, j]·g (pre) and −W[i, j]·g (post), and dW[i, j] += g·(V_pre[b, i] − V_post[b, j]).
   */
  private gapBackward(u: number, B: number): void {
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const G = this.post.GIN.get(this.target)!;
    const W = this.w.value;
    const dW = this.w.grad;
    const train = this.trainable();
    const { pre: VA, post: VB, lpre: LA, lpost: LB, preS, postS } = this.gapX!;
    for (let b = 0; b < B; b++) {
      const a = b * nPre;
      const p = b * nPost;
      const xa = u * preS + a;
      const xb = u * postS + p;
      for (let i = 0; i < nPre; i++) {
        const vi = VA[xa + i];
        const r = i * nPost;
        let acc = 0;
        for (let j = 0; j < nPost; j++) {
          const g = G[p + j];
          if (g === 0) continue;
          const wg = W[r + j] * g;
          acc += wg;
          LB[p + j] -= wg;
          if (train) dW[r + j] += g * (vi - VB[xb + j]);
        }
        LA[a + i] += acc;
      }
    }
  }

  backward(t: number, B: number, u: number): void {
    if (this.gap !== undefined) {
      if (t >= GAP_FIRST_STEP) this.gapBackward(u, B);
      return;
    }
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
    // A connector builds its CSR (FromCSR has an indptr too, so test for build first); a CSR is used as it is.
    if (isConnector(c)) {
      this.csr = c.build({ nPre: this.pre.n, nPost: this.post.n, seed: (seed ^ (0x5a5a0000 + index)) >>> 0, where: this.where, selfOffset: (this.pre as unknown) === this.post ? 0 : undefined });
    } else {
      if (c.nPre !== this.pre.n || c.nPost !== this.post.n) {
        throw new BuildError(this.where, 'csr', `is ${c.nPre} × ${c.nPost} but the projection is ${this.pre.n} × ${this.post.n}`, 'give a CSR of matching size');
      }
      this.csr = c;
    }
    const nSyn = this.csr.indices.length;
    const value = new F(nSyn);
    const fanIn = Math.max(1, nSyn / this.post.n);
    const init = (this.options as SparseOptions).weight ?? { dist: 'normal' as const, mean: 0, std: 1 / Math.sqrt(fanIn) };
    fillInit(value, init, this.weightDim(), new Rng(seed, 0x73700000 + index), this.where, 'weight');
    this.w = { name: `${this.name}.w`, value, grad: new F(nSyn), scale: initialScale(value, init, this.weightDim()) };
    if (this.gap !== undefined) this.bindGap();
  }

  parameters(): Param[] {
    return this.trainable() ? [this.w] : [];
  }

  forward(u: number, t: number, B: number): void {
    if (this.gap !== undefined) {
      if (t >= GAP_FIRST_STEP) this.gapForward(u, B);
      return;
    }
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

  /** Gap junction, step in slot u: IN[b, j] += w_s·(V_pre[b, i] − V_post[b, j]) over the synapses s = i→j. */
  private gapForward(u: number, B: number): void {
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const IN = this.post.IN.get(this.target)!;
    const { indptr, indices } = this.csr;
    const W = this.w.value;
    const { pre: VA, post: VB, preS, postS } = this.gapX!;
    for (let b = 0; b < B; b++) {
      const a = u * preS + b * nPre;
      const p = u * postS + b * nPost;
      for (let i = 0; i < nPre; i++) {
        const vi = VA[a + i];
        const end = indptr[i + 1];
        for (let s = indptr[i]; s < end; s++) {
          const j = p + indices[s];
          IN[j] += W[s] * (vi - VB[j]);
        }
      }
    }
  }

  /** Gap junction, adjoint of step t (slot u): as {@link Dense}'s, over the synapses (dW stays per synapse). */
  private gapBackward(u: number, B: number): void {
    const nPre = this.pre.n;
    const nPost = this.post.n;
    const G = this.post.GIN.get(this.target)!;
    const { indptr, indices } = this.csr;
    const W = this.w.value;
    const dW = this.w.grad;
    const train = this.trainable();
    const { pre: VA, post: VB, lpre: LA, lpost: LB, preS, postS } = this.gapX!;
    for (let b = 0; b < B; b++) {
      const a = b * nPre;
      const p = b * nPost;
      const xa = u * preS + a;
      const xb = u * postS + p;
      for (let i = 0; i < nPre; i++) {
        const vi = VA[xa + i];
        const end = indptr[i + 1];
        let acc = 0;
        for (let s = indptr[i]; s < end; s++) {
          const j = indices[s];
          const g = G[p + j];
          if (g === 0) continue;
          const wg = W[s] * g;
          acc += wg;
          LB[p + j] -= wg;
          if (train) dW[s] += g * (vi - VB[xb + j]);
        }
        LA[a + i] += acc;
      }
    }
  }

  backward(t: number, B: number, u: number): void {
    if (this.gap !== undefined) {
      if (t >= GAP_FIRST_STEP) this.gapBackward(u, B);
      return;
    }
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
    if (options.gap !== undefined) {
      throw new BuildError(`projection '${options.name ?? `${pre.name}→${post.name}`}'`, 'gap', 'a gap junction reads every synapse at every step, so just-in-time connectivity (rows regenerated per spike) does not serve it', 'use net.sparse(pre, post, connector, { gap, ... }) or net.dense');
    }
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
    // Mean and spread are both in weight units: one scale, the weights' magnitude √(mean² + std²).
    // (The weights are plain SI numbers here, so there is no written unit to fall back on.)
    const scale = initialScale([Math.hypot(this.mean.value[0], this.std ? this.std.value[0] : 0)], undefined, this.weightDim());
    this.mean.scale = scale;
    if (this.std) this.std.scale = scale;
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

function isConnector(c: Connector | CSR): c is Connector {
  return typeof (c as Connector).build === 'function';
}

/** The dimension of a variable the layer stores (a differential variable or a per-neuron value), else undefined. */
function storedDim(model: NeuronModel, name: string): Dim | undefined {
  const l = model.lines.find((x) => x.name === name);
  if (!l || !(l.kind === 'diff' || (l.kind === 'value' && !l.flags.includes('input')))) return undefined;
  return l.dim;
}
