/**
 * A trainable spiking network: inputs, layers of any neuron model, and linear projections (dense,
 * sparse, just-in-time, recurrent or not), run for a fixed number of steps on a batch, with
 * backpropagation through time.
 *
 * Memory: the state of every step is kept for the backward pass, unless `checkpoint: C` is given;
 * then only the state every C steps is kept and each segment of C steps is recomputed during the
 * backward pass (memory O(T/C + C) states instead of O(T), for one more forward pass of compute).
 * Spike events are always kept (they are sparse). `truncate: K` stops the gradient from flowing
 * back across every K-th step (truncated BPTT: each gradient path spans at most K steps).
 *
 * @example
 * const net = new SNN({ steps: 100, batch: 32, dt: '1 ms' });
 * const x = net.input(784);
 * const h = net.layer(100, LIF, { params: { ... } });
 * const o = net.layer(10, Readout).record('v');
 * net.dense(x, h); net.dense(h, o);
 * net.build();
 * net.forward(events, 32);
 * const loss = crossEntropy(net, o, 'v', labels, { reduce: 'max' });
 * net.backward();
 */
import { quantityIn, SECOND, type QuantityLike } from '../equations/quantity.js';
import { BuildError } from '../lang/errors.js';
import { type NeuronModel } from '../model/model.js';
import { type Connector, type FixedProb } from '../connect/connectors.js';
import { type CSR } from '../connect/csr.js';
import { Layer, type LayerOptions, type Param, type FloatCtor } from './layer.js';
import { Dense, type DenseOptions, Sparse, type SparseOptions, Jit, type JitOptions, Input, type TrainProjection, type TrainProjectionOptions, type Source, type Events } from './projection.js';

/** Options of an {@link SNN}. */
export interface SNNOptions {
  /** Number of time steps of one sample. */
  readonly steps: number;
  /** Largest batch (arrays are sized for it; smaller batches may be run). */
  readonly batch: number;
  /** Time step (default '1 ms'). */
  readonly dt?: QuantityLike;
  /** Storage of state, weights and gradients (default 'float32'; arithmetic is in double). */
  readonly dtype?: 'float32' | 'float64';
  /** Seed of weight initialisation and connectivity (default 0). */
  readonly seed?: number;
  /** Keep the state only every this many steps and recompute in the backward pass. */
  readonly checkpoint?: number;
  /** Truncated BPTT: cut the gradient every this many steps. */
  readonly truncate?: number;
}

/**
 * A trainable spiking network (see the module comment).
 *
 * @example
 * const net = new SNN({ steps: 100, batch: 32, dt: '1 ms' });
 * const x = net.input(784); const out = net.layer(10, leakyReadout()).record('v'); net.dense(x, out, { target: 'I' }); net.build();
 * net.forward(latencyBatch(images, 784, rows, { steps: 100 }), rows.length);
 */
export class SNN {
  readonly options: SNNOptions;
  readonly steps: number;
  readonly maxBatch: number;
  readonly dt: number;
  readonly F: FloatCtor;
  readonly inputs: Input[] = [];
  readonly layers: Layer[] = [];
  readonly projections: TrainProjection[] = [];
  private built = false;
  private chunk = 0;
  private segments = 1;
  private batch = 0;
  private forwarded = false;
  /** The segment whose states are in the layers' history arrays. */
  private histSegment = 0;

  constructor(options: SNNOptions) {
    const where = 'SNN';
    if (!Number.isInteger(options.steps) || options.steps <= 0) throw new BuildError(where, 'steps', `must be a positive integer, got ${options.steps}`, 'give e.g. steps: 100');
    if (!Number.isInteger(options.batch) || options.batch <= 0) throw new BuildError(where, 'batch', `must be a positive integer, got ${options.batch}`, 'give e.g. batch: 32');
    for (const k of ['checkpoint', 'truncate'] as const) {
      const v = options[k];
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new BuildError(where, k, `must be a positive integer, got ${v}`, `give e.g. ${k}: 10, or leave it out`);
    }
    let dt: number;
    try {
      dt = quantityIn(options.dt ?? '1 ms', SECOND);
    } catch (err) {
      throw new BuildError(where, 'dt', (err as Error).message, "give a time step such as '1 ms'");
    }
    if (!(dt > 0)) throw new BuildError(where, 'dt', `must be positive, got ${JSON.stringify(options.dt)}`, "give a time step such as '1 ms'");
    this.options = options;
    this.steps = options.steps;
    this.maxBatch = options.batch;
    this.dt = dt;
    this.F = options.dtype === 'float64' ? Float64Array : Float32Array;
  }

  private mutable(what: string): void {
    if (this.built) throw new Error(`SNN: cannot add ${what} after build()`);
  }

  /** Adds an input of `n` units (events are given to {@link SNN.forward}). */
  input(n: number, name?: string): Input {
    this.mutable('an input');
    const x = new Input(n, name ?? `input${this.inputs.length}`);
    this.inputs.push(x);
    return x;
  }

  /** Adds a layer of `n` neurons of a model declared with `defineNeuron`. */
  layer(n: number, model: NeuronModel, options: LayerOptions = {}): Layer {
    this.mutable('a layer');
    const l = new Layer(n, model, options);
    if (!l.name) l.name = `${model.name}${this.layers.length}`;
    this.layers.push(l);
    return l;
  }

  private addProjection<P extends TrainProjection>(p: P): P {
    this.mutable('a projection');
    if (!p.name) p.name = `${p.pre.name}→${p.post.name}`;
    if (!this.layers.includes(p.post)) throw new BuildError(p.where, 'post', 'the target layer is not part of this network', 'create it with net.layer(...)');
    if (p.pre.kind === 'layer' && !this.layers.includes(p.pre)) throw new BuildError(p.where, 'pre', 'the source layer is not part of this network', 'create it with net.layer(...)');
    // A gap junction couples state, not spikes: any layer may be its source.
    if (p.gap !== undefined) p.checkGap();
    else if (p.pre.kind === 'layer' && !p.pre.spiking) throw new BuildError(p.where, 'pre', `${p.pre.model.name} has no threshold, so it emits no spikes`, 'project from a spiking layer or an input');
    p.target = p.post.addTarget(p.options.target, p.name);
    this.projections.push(p);
    return p;
  }

  /**
   * Dense projection (all-to-all weights). With `gap: 'v'`, a gap junction between two layers
   * (see {@link TrainProjectionOptions.gap}).
   *
   * @example
   * net.dense(x, h, { target: 'I', weight: { dist: 'normal', mean: '0 pA', std: '50 pA' } });
   * net.dense(h, o, { gap: 'v', target: 'I', weight: '1 nS' }); // electrical coupling h → o
   */
  dense(pre: Source, post: Layer, options: DenseOptions = {}): Dense {
    return this.addProjection(new Dense(pre, post, options));
  }
  /**
   * Sparse projection on a connectivity (a connector such as FixedProb, or a CSR). With `gap: 'v'`,
   * a gap junction (see {@link TrainProjectionOptions.gap}).
   *
   * @example
   * net.sparse(h, h, new FixedProb(0.1), { name: 'rec', target: 'I' });
   * net.sparse(h, h, new FixedProb(0.2), { name: 'gj', gap: 'v', target: 'I', weight: '0.5 nS' });
   */
  sparse(pre: Source, post: Layer, connectivity: Connector | CSR, options: SparseOptions = {}): Sparse {
    return this.addProjection(new Sparse(pre, post, connectivity, options));
  }
  /** Just-in-time projection: FixedProb connectivity regenerated from the seed at every use. */
  jit(pre: Source, post: Layer, connector: FixedProb, options: JitOptions = {}): Jit {
    return this.addProjection(new Jit(pre, post, connector, options));
  }

  /** Allocates arrays, initialises weights and compiles the layer kernels. */
  build(): this {
    if (this.built) return this;
    const names = new Set<string>();
    for (const x of [...this.inputs, ...this.layers, ...this.projections]) {
      if (names.has(x.name)) throw new BuildError(`SNN`, 'name', `'${x.name}' is used twice`, 'give each layer, input and projection its own name');
      names.add(x.name);
    }
    const C = Math.min(this.options.checkpoint ?? this.steps, this.steps);
    this.chunk = C;
    this.segments = Math.ceil(this.steps / C);
    const seed = (this.options.seed ?? 0) >>> 0;
    this.layers.forEach((l, index) =>
      l.build({ steps: this.steps, chunk: C, segments: this.segments, maxBatch: this.maxBatch, dt: this.dt, F: this.F, seed, index }),
    );
    this.projections.forEach((p, index) => {
      p.build(this.F, seed, index);
      p.buildSynapse(this.F, this.steps, this.maxBatch, this.dt);
    });
    this.built = true;
    return this;
  }

  /** All trainable arrays: layer parameters and initial values, then projection weights. */
  parameters(): Param[] {
    this.build();
    return [...this.layers.flatMap((l) => l.parameters()), ...this.projections.flatMap((p) => p.allParameters())];
  }

  /** Sets every gradient to 0. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad.fill(0);
  }

  /**
   * Runs `steps` steps on a batch of B samples. `inputs` are the events of each input (one Events
   * per input, or one for a single input). Recorded traces and spike events are kept for
   * {@link SNN.backward}.
   */
  forward(inputs: Events | readonly Events[], B: number = this.maxBatch): void {
    this.begin(inputs, B);
    const C = this.chunk;
    for (let seg = 0; seg < this.segments; seg++) {
      const t0 = seg * C;
      const len = Math.min(C, this.steps - t0);
      if (this.segments > 1) this.saveCheckpoint(seg);
      for (let u = 0; u < len; u++) this.stepForward(u, t0 + u, B, true);
      if (seg < this.segments - 1) this.shift(len);
    }
    // Spike counts.
    for (const l of this.layers) {
      if (!l.spiking) continue;
      const c = l.counts;
      c.fill(0);
      const end = l.evPtr[this.steps];
      if (l.evVal.length > 0) for (let e = 0; e < end; e++) c[l.ev[e]] += l.evVal[e];
      else for (let e = 0; e < end; e++) c[l.ev[e]]++;
    }
    this.forwarded = true;
    this.histSegment = this.segments - 1;
  }

  /**
   * Starts a sequence (inputs, batch, initial state, zero trace gradients) without running it; used
   * by {@link SNN.forward} and by window-by-window training ({@link SNN.forwardWindow}).
   */
  begin(inputs: Events | readonly Events[], B: number = this.maxBatch): void {
    this.build();
    if (!(Number.isInteger(B) && B > 0 && B <= this.maxBatch)) throw new RangeError(`SNN.forward: batch must be an integer in 1..${this.maxBatch}, got ${B}`);
    const list = Array.isArray(inputs) ? (inputs as readonly Events[]) : [inputs as Events];
    if (list.length !== this.inputs.length) throw new RangeError(`SNN.forward: the network has ${this.inputs.length} inputs but ${list.length} event sets were given`);
    list.forEach((ev, k) => {
      if (ev.ptr.length !== this.steps + 1) throw new RangeError(`SNN.forward: events of input '${this.inputs[k].name}' have ${ev.ptr.length - 1} steps, expected ${this.steps}`);
      this.inputs[k].events = ev;
    });
    this.batch = B;
    for (const l of this.layers) {
      l.evPtr[0] = 0;
      for (const x of l.program.states) {
        const X = l.X.get(x)!;
        const x0 = l.X0.get(x)!;
        for (let b = 0; b < B; b++) X.set(x0, b * l.n);
      }
      l.RC?.fill(0, 0, l.S);
    }
    for (const l of this.layers) {
      for (const tr of l.traces.values()) tr.grad.fill(0);
      l.countGrad.fill(0);
    }
    this.forwarded = false;
    this.window = { t0: 0, t1: 0 };
  }

  /** The last window run by {@link SNN.forwardWindow}. */
  private window = { t0: 0, t1: 0 };

  /**
   * Runs steps [t0, t1) of the sequence started by {@link SNN.begin}, from the state where the
   * previous window ended (t0 must be that step; t1 - t0 at most the checkpoint interval, i.e. any
   * length without checkpointing). Traces and events of these steps are kept for
   * {@link SNN.backwardWindow}. The parameters may have changed since the previous window.
   */
  forwardWindow(t0: number, t1: number): void {
    if (!this.built || this.batch === 0) throw new Error('SNN.forwardWindow: call begin() first');
    if (t0 !== this.window.t1) throw new RangeError(`SNN.forwardWindow: the previous window ended at step ${this.window.t1}, got t0 = ${t0}`);
    if (!(Number.isInteger(t1) && t1 > t0 && t1 <= this.steps && t1 - t0 <= this.chunk)) {
      throw new RangeError(`SNN.forwardWindow: t1 must be an integer in ${t0 + 1}..${Math.min(this.steps, t0 + this.chunk)}, got ${t1}`);
    }
    if (this.window.t1 > this.window.t0) this.shift(this.window.t1 - this.window.t0);
    for (let u = 0; u < t1 - t0; u++) this.stepForward(u, t0 + u, this.batch, true);
    this.window = { t0, t1 };
    this.forwarded = false;
  }

  /**
   * Backpropagation through the last window only (truncated BPTT): the adjoints start at 0 at its
   * end, so nothing flows in from later steps, and the state at its start is treated as a constant
   * (except at t0 = 0, where the initial values receive their gradient). Losses write their trace
   * gradients for the window's steps before; gradients are added to the parameters' `grad`.
   */
  backwardWindow(): void {
    const { t0, t1 } = this.window;
    if (t1 <= t0) throw new Error('SNN.backwardWindow: call forwardWindow() first');
    const B = this.batch;
    for (const l of this.layers) {
      for (const L of l.L.values()) L.fill(0);
      l.GS.fill(0);
      l.GSprev.fill(0);
    }
    for (const p of this.projections) (p.beginBackward(), p.cutGradient());
    for (let t = t1 - 1; t >= t0; t--) this.stepBackward(t - t0, t, B);
    if (t0 === 0) this.initialValueGrads(B);
  }

  private initialValueGrads(B: number): void {
    for (const l of this.layers) {
      for (const [x, p] of l.initParams) {
        const L = l.L.get(x)!;
        for (let b = 0; b < B; b++) for (let i = 0; i < l.n; i++) p.grad[i] += L[b * l.n + i];
      }
    }
  }

  private stepForward(u: number, t: number, B: number, keep: boolean): void {
    for (const l of this.layers) {
      const n = B * l.n;
      for (const IN of l.IN.values()) IN.fill(0, u * l.S, u * l.S + n);
    }
    for (const p of this.projections) {
      p.batch = B;
      p.synForward(t, B);
      p.forward(u, t, B);
    }
    for (const l of this.layers) {
      if (keep) {
        const used = l.evPtr[t];
        if (l.spiking) l.reserveEvents(used, B);
        l.evPtr[t + 1] = l.fwd(u, t, B, l.ev, l.evVal, used);
        for (const [x, tr] of l.traces) tr.data.set(l.X.get(x)!.subarray((u + 1) * l.S, (u + 1) * l.S + B * l.n), t * l.S);
      } else {
        l.fwd(u, t, B, l.scratchEv, l.scratchVal, 0);
      }
    }
  }

  private saveCheckpoint(seg: number): void {
    for (const l of this.layers) {
      for (const [x, X] of l.X) l.CK.get(x)!.set(X.subarray(0, l.S), seg * l.S);
      if (l.RC) l.RCK!.set(l.RC.subarray(0, l.S), seg * l.S);
    }
  }

  private restoreCheckpoint(seg: number): void {
    for (const l of this.layers) {
      for (const [x, X] of l.X) X.set(l.CK.get(x)!.subarray(seg * l.S, (seg + 1) * l.S), 0);
      if (l.RC) l.RC.set(l.RCK!.subarray(seg * l.S, (seg + 1) * l.S), 0);
    }
  }

  /** Moves the state after `len` steps to slot 0 (the start of the next segment). */
  private shift(len: number): void {
    for (const l of this.layers) {
      for (const X of l.X.values()) X.copyWithin(0, len * l.S, (len + 1) * l.S);
      l.RC?.copyWithin(0, len * l.S, (len + 1) * l.S);
    }
  }

  /**
   * Backpropagation through time of the last forward pass. Losses write dL/d(trace) into the
   * layers' `traces` and dL/d(count) into `countGrad` before this is called. Gradients are added
   * to the parameters' `grad` (call {@link SNN.zeroGrad} between batches).
   */
  backward(): void {
    if (!this.forwarded) throw new Error('SNN.backward: call forward() first');
    const B = this.batch;
    for (const l of this.layers) {
      for (const L of l.L.values()) L.fill(0);
      l.GS.fill(0);
      l.GSprev.fill(0);
    }
    for (const p of this.projections) (p.beginBackward(), p.cutGradient());
    const C = this.chunk;
    const K = this.options.truncate;
    for (let seg = this.segments - 1; seg >= 0; seg--) {
      const t0 = seg * C;
      const len = Math.min(C, this.steps - t0);
      if (seg !== this.histSegment) {
        this.restoreCheckpoint(seg);
        for (let u = 0; u < len; u++) this.stepForward(u, t0 + u, B, false);
        this.histSegment = seg;
      }
      for (let u = len - 1; u >= 0; u--) {
        const t = t0 + u;
        this.stepBackward(u, t, B);
        if (K !== undefined && t % K === 0 && t > 0) {
          for (const l of this.layers) {
            for (const L of l.L.values()) L.fill(0);
            l.GS.fill(0);
          }
          for (const p of this.projections) p.cutGradient();
        }
      }
    }
    // Initial values.
    this.initialValueGrads(B);
  }

  private stepBackward(u: number, t: number, B: number): void {
    for (const l of this.layers) {
      const n = B * l.n;
      for (const [x, tr] of l.traces) {
        const L = l.L.get(x)!;
        const g = tr.grad;
        const o = t * l.S;
        for (let k = 0; k < n; k++) L[k] += g[o + k];
      }
      l.bwd(u, t, B, l.GS);
    }
    for (const p of this.projections) {
      p.backward(t, B, u);
      p.synBackward(t, B);
    }
    for (const l of this.layers) {
      const g = l.GS;
      l.GS = l.GSprev;
      l.GSprev = g;
      g.fill(0, 0, B * l.n);
    }
  }

  /** The batch size of the last forward pass. */
  get batchSize(): number {
    return this.batch;
  }

  /** Parameters as plain JSON (names → arrays), with the format and shapes. */
  save(): SavedParams {
    const params: Record<string, number[]> = {};
    for (const p of this.parameters()) params[p.name] = Array.from(p.value);
    return { format: 'braints-snn-params', version: 1, params };
  }

  /** Loads parameters saved by {@link SNN.save} (names and sizes must match). */
  load(saved: SavedParams): void {
    if (!saved || saved.format !== 'braints-snn-params') throw new Error("SNN.load: not a BrainTS parameter file (format 'braints-snn-params' expected)");
    for (const p of this.parameters()) {
      const v = saved.params[p.name];
      if (!v) throw new Error(`SNN.load: parameter '${p.name}' is missing from the saved file`);
      if (v.length !== p.value.length) throw new Error(`SNN.load: parameter '${p.name}' has ${v.length} values, expected ${p.value.length}`);
      p.value.set(v);
    }
  }
}

/** The JSON form of saved parameters. */
export interface SavedParams {
  readonly format: 'braints-snn-params';
  readonly version: 1;
  readonly params: Record<string, number[]>;
}
