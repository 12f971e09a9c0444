/**
 * Batched runs: B independent copies of one network in one WebAssembly module and one memory.
 *
 * The step engine bakes every array address into its module as a constant (a load's offset), so a
 * copy cannot be selected by a base address at run time. Instead the module holds one set of
 * functions per copy (update, delivery, run), each emitted by the engine's own emitters against
 * that copy's layout: its state arrays, spike ring, record buffers and control words. The
 * connectivity (CSR rows, indices, weights, delays, just-in-time tables) is laid out once and
 * every copy's deliveries read the same addresses.
 *
 * Each copy is laid out as a one-thread engine: no barrier, nothing shared with another copy but
 * read-only connectivity. Threads therefore split the copies, not the neurons: each thread claims
 * the next unclaimed copy (one shared counter) and runs it through all the steps of a pass on its
 * own, so a thread that finishes early (or whose copies spike less) takes more copies. A copy is
 * computed by the same instructions as a one-thread engine of the network, whichever thread runs
 * it, so its spikes are those of a separate run, for any thread count. The main thread hands each
 * finished copy to the caller (who replays its spikes into monitors) while the others still run.
 *
 * Per-copy values (inputs, per-neuron parameters, starting states) are data: they are written into
 * the copy's arrays before a run, never into the module. Per-copy seeds are numbers in the copy's
 * functions (as the network seed is in the engine's), keying the random draws made during a run.
 */
import { ModuleBuilder, ValType } from '../wasm/encoder.js';
import { emitUpdateFunction, WasmArena } from '../wasm/kernel.js';
import { wasmApi, type WasmMemory } from '../wasm/runtime.js';
import { emitJitDeliver, jitBufferBytes, jitTableBytes, writeJitTable } from './jit.js';
import { emitPoissonInput } from './poisson.js';
import {
  LINE,
  StepEngine,
  emitDeliver,
  emitFlush,
  emitPoissonSource,
  emitRun,
  partition,
  type EngineGroupSpec,
  type EnginePoissonInputSpec,
  type EngineProjectionSpec,
  type GroupLayout,
  type ProjLayout,
} from './engine.js';

type StateArray = Float32Array | Float64Array;

/** One copy of a batch: the seed of its random draws (the specs' seed when absent). */
export interface BatchCopySpec {
  readonly seed?: number;
}

/** Options of a {@link BatchEngine}. */
export interface BatchEngineOptions {
  readonly copies: readonly BatchCopySpec[];
  readonly poissonInputs?: readonly EnginePoissonInputSpec[];
  /** Threads that split the copies (default 1). */
  readonly threads?: number;
  readonly double?: boolean;
  /** Stop a copy on a non-finite state value (default true). */
  readonly checkDivergence?: boolean;
}

/** Control words of a batch (i32 indices into the control block); per-copy words follow. */
export const BATCH_CONTROL = { SEQ: 0, DONE: 1, QUIT: 2, ERROR: 3, READY: 4, NEXT: 5, COPIES: 16 } as const;
/** Per copy: [n0, n1, reached, finished] from word COPIES + 4·copy. */
export const COPY_WORDS = 4;

/**
 * What every thread of a batched run does with a pass: claim the next copy from the shared counter,
 * run it from its n0 towards its n1, mark it finished (waking a main thread waiting for it), until
 * no copy is left. `I` indexes the control block; `finished(c)` runs after each copy this thread ran.
 */
export function claimCopies(I: Int32Array, runs: readonly ((n0: number, n1: number, w: number) => number)[], finished?: (c: number) => void): void {
  for (;;) {
    const c = Atomics.add(I, BATCH_CONTROL.NEXT, 1);
    if (c >= runs.length) return;
    const at = BATCH_CONTROL.COPIES + COPY_WORDS * c;
    if (I[at] < I[at + 1]) I[at + 2] = runs[c](I[at], I[at + 1], 0);
    Atomics.store(I, at + 3, 1);
    Atomics.notify(I, at + 3);
    finished?.(c);
  }
}
/** A stop request meaning "none" (as the step engine's). */
const NO_STOP = 0x7fffffff;

interface CopyLayout {
  readonly groups: GroupLayout[];
  /** Stop and divergence words, as a one-thread engine's control block. */
  readonly ctl: number;
}

/**
 * Runs B copies of a network, the copies split over threads.
 *
 * @example
 * const batch = new BatchEngine(groups, projections, { copies: [{}, {}, {}], threads: 2 });
 * batch.views(1, 0).arrays.get('s0')!.fill(-0.06); // copy 1's first array
 * batch.run(0, 1000);
 * batch.drainSpikes(1, 0, 0, 1000, (n, idx, count) => {});
 * batch.close();
 */
export class BatchEngine {
  readonly copies: number;
  readonly threads: number;
  private readonly arena: WasmArena;
  private readonly memory: WasmMemory;
  private readonly module: object;
  private readonly runs: ((n0: number, n1: number, w: number) => number)[];
  private readonly layouts: CopyLayout[];
  private readonly ctl: number;
  private readonly I32: Int32Array;
  private workers: { terminate(): unknown }[] | null = null;
  private merge = new Int32Array(0);

  /**
   * Bytes the batch's memory needs (an upper bound): the connectivity once, the rest per copy.
   *
   * @example
   * if (BatchEngine.memoryNeeded(groups, projections, 8) > 2 ** 32) refuse();
   */
  static memoryNeeded(groups: readonly EngineGroupSpec[], projections: readonly EngineProjectionSpec[], copies: number, double = false): number {
    const perCopy = StepEngine.memoryNeeded(groups, [], { threads: 1, double });
    const withProjections = StepEngine.memoryNeeded(groups, projections, { threads: 1, double });
    let rings = 0;
    for (const p of projections) {
      if (p.jit) rings += jitBufferBytes(p.jit, 1) + 2 * LINE; // a copy's target buffer
      if (!p.delays) continue;
      let R = 1;
      for (let s = 0; s < p.indptr[p.preSize]; s++) R = Math.max(R, p.delays[s] + 1);
      rings += R * groups[p.post].size * 8 + 2 * LINE;
    }
    return withProjections + (copies - 1) * (perCopy + rings) + (BATCH_CONTROL.COPIES + COPY_WORDS * copies) * 4 + 2 * LINE;
  }

  constructor(groups: readonly EngineGroupSpec[], projections: readonly EngineProjectionSpec[], options: BatchEngineOptions) {
    const B = options.copies.length;
    const T = options.threads ?? 1;
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`a batch needs at least one copy, got ${B}`);
    if (!Number.isInteger(T) || T < 1) throw new RangeError(`threads must be a positive integer, got ${T}`);
    for (const p of projections) if (p.plastic || p.release || p.continuous) throw new RangeError(`projection '${p.name}': plasticity, short-term plasticity and continuous coupling do not run in a batch`);
    this.copies = B;
    this.threads = Math.min(T, B);
    const double = options.double ?? false;
    const elem = double ? 8 : 4;
    const arena = new WasmArena({ shared: this.threads > 1 });
    this.arena = arena;

    // Connectivity, once (a one-thread engine's layout: rows are the CSR indptr).
    const shared = projections.map((spec) => {
      const nnz = spec.jit ? 0 : spec.indptr[spec.preSize];
      let R = 0;
      if (spec.delays) for (let s = 0; s < nnz; s++) R = Math.max(R, spec.delays[s] + 1);
      return {
        spec,
        rows: spec.jit ? -1 : arena.reserve((spec.preSize + 1) * 4),
        table: spec.jit ? arena.reserve(jitTableBytes(spec.jit), LINE) : -1,
        buffer: -1, // per copy (below)
        indices: arena.reserve(nnz * 4),
        weights: spec.weights ? arena.reserve(nnz * elem) : -1,
        nnz,
        delays: spec.delays ? arena.reserve(nnz * 4) : -1,
        R: Math.max(1, R),
      };
    });
    // A Poisson source's timed table is read-only too: one copy.
    const tables = groups.map((g) => (g.poisson?.table ? arena.reserve(g.poisson.table.data.length * 8, 8) : -1));

    // Per copy: what a one-thread engine lays out for its groups, its delay rings and its control words.
    const part1 = (N: number) => partition(N, 1);
    this.layouts = options.copies.map(() => ({
      groups: groups.map((spec, gi): GroupLayout => {
        const N = spec.size;
        const offsets: Record<string, number> = {};
        for (const [key, a] of spec.arrays) offsets[key] = arena.reserve(a.length * elem);
        // every copy gets the uniform-input variant: a copy's input is usually one value
        const uniforms: Record<string, number> = {};
        if (!spec.poisson) for (const key of spec.inputs ?? []) if ((spec.arrays.get(key)?.length ?? 0) > 0) uniforms[key] = arena.reserve(8, 8);
        const recCap = spec.record ? Math.max(16 * N, 1 << 16) : 0;
        return {
          spec,
          offsets,
          uniforms,
          mode: arena.reserve(4),
          lastSpike: arena.reserve(N * 4),
          slots: spec.ring,
          spikes: arena.reserve(spec.ring * N * 4),
          counts: arena.reserve(spec.ring * LINE, LINE),
          flags: arena.reserve(LINE, LINE),
          bounds: arena.reserve(8),
          part: part1(N),
          recSteps: arena.reserve(recCap * 4),
          recIdx: arena.reserve(recCap * 4),
          recCount: arena.reserve(LINE, LINE),
          recCap,
          elem,
          table: tables[gi],
        };
      }),
      ctl: arena.reserve((16 + 3) * LINE, LINE),
    }));
    const rings = options.copies.map(() => shared.map((p) => (p.delays >= 0 ? arena.reserve(p.R * groups[p.spec.post].size * 8, 8) : -1)));
    // and the target buffer of each just-in-time projection (src/engine/jit.ts)
    const buffers = options.copies.map(() => shared.map((p) => (p.spec.jit ? arena.reserve(jitBufferBytes(p.spec.jit, 1), LINE) : -1)));
    const ctl = arena.reserve((BATCH_CONTROL.COPIES + COPY_WORDS * B) * 4, LINE);
    this.ctl = ctl;

    // Module: one set of functions per copy, exported as run0, run1, …
    const m = new ModuleBuilder();
    m.importMemory(arena.limits());
    const checkDiv = options.checkDivergence !== false;
    this.layouts.forEach((copy, c) => {
      const seed = options.copies[c].seed;
      const G = copy.groups.map((g) => (seed === undefined ? g : { ...g, spec: reseedGroup(g.spec, seed) }));
      const updateOf = (g: GroupLayout, uniforms: Record<string, number> | undefined) =>
        emitUpdateFunction(
          m,
          { ...g.spec.kernel, size: g.spec.size, lanes: double ? 'f64x2' : 'f32x4', arrays: g.offsets, uniforms, lastSpikeOffset: g.lastSpike, finiteFlagOffset: checkDiv ? 0 : undefined, flushSubnormals: false },
          null,
          true,
        );
      const updates = G.map((g) => (g.spec.poisson ? emitPoissonSource(m, g, double) : updateOf(g, undefined)));
      const uniformUpdates = G.map((g) => (Object.keys(g.uniforms).length > 0 ? updateOf(g, g.uniforms) : -1));
      const flushes = G.map((g) => (double || g.spec.poisson ? -1 : emitFlush(m, g)));
      const delivers = shared.map((p, k) => {
        const layout: ProjLayout = { ...p, ring: rings[c][k], buffer: buffers[c][k], relRing: -1 };
        const [pre, post] = [G[p.spec.pre], G[p.spec.post]];
        return p.spec.jit ? emitJitDeliver(m, layout, pre, post, 1, double, LINE) : emitDeliver(m, layout, pre, post, 1, double);
      });
      for (const pi of options.poissonInputs ?? []) delivers.push(emitPoissonInput(m, seed === undefined ? pi : { ...pi, seed }, G[pi.post], double));
      emitRun(m, G, updates, uniformUpdates, flushes, delivers, 1, copy.ctl, checkDiv, -1, -1, [], false, `run${c}`);
    });
    const api = wasmApi();
    const module = new api.Module(m.toBytes());
    this.module = module;
    this.memory = arena.memory();
    this.I32 = new Int32Array(this.memory.buffer);

    // Data: connectivity once; every copy starts from the specs' arrays.
    for (const p of shared) {
      const { spec } = p;
      if (spec.jit) {
        writeJitTable(spec.jit, arena.i32(p.table, jitTableBytes(spec.jit) / 4));
        continue;
      }
      arena.i32(p.rows, spec.preSize + 1).set(spec.indptr);
      arena.i32(p.indices, p.nnz).set(spec.indices.subarray(0, p.nnz));
      if (spec.weights) (double ? arena.f64(p.weights, p.nnz) : arena.f32(p.weights, p.nnz)).set(spec.weights.subarray(0, p.nnz));
      if (spec.delays) arena.i32(p.delays, p.nnz).set(spec.delays.subarray(0, p.nnz));
    }
    groups.forEach((g, gi) => {
      if (tables[gi] >= 0) arena.f64(tables[gi], g.poisson!.table!.data.length).set(g.poisson!.table!.data);
    });
    for (const copy of this.layouts) {
      for (const g of copy.groups) {
        for (const [key, a] of g.spec.arrays) (double ? arena.f64(g.offsets[key], a.length) : arena.f32(g.offsets[key], a.length)).set(a);
        arena.i32(g.lastSpike, g.spec.size).set(g.spec.lastSpike);
        arena.i32(g.bounds, 2).set(g.part);
      }
      const I = this.I32;
      I[(copy.ctl + 16 * LINE) >>> 2] = NO_STOP;
      I[(copy.ctl + 17 * LINE) >>> 2] = -1; // no divergence
    }
    const inst = new api.Instance(module, { env: { memory: this.memory } });
    this.runs = this.layouts.map((_, c) => inst.exports[`run${c}`] as (n0: number, n1: number, w: number) => number);
    // as the step engine, start the threads with the build, not in the first run
    if (this.threads > 1) this.startWorkers();
  }

  /**
   * Views on copy `c`'s arrays of group `g` (keys as in the group's spec) and its last-spike times:
   * write a copy's parameters and starting state through them before a run.
   */
  views(c: number, g: number): { arrays: Map<string, StateArray>; lastSpike: Int32Array } {
    const L = this.layouts[c].groups[g];
    const arrays = new Map<string, StateArray>();
    for (const [key, a] of L.spec.arrays) arrays.set(key, L.elem === 8 ? this.arena.f64(L.offsets[key], a.length) : this.arena.f32(L.offsets[key], a.length));
    return { arrays, lastSpike: this.arena.i32(L.lastSpike, L.spec.size) };
  }

  /**
   * Runs every copy c from step from[c] towards n1, as far as each can go in one pass (a copy stops
   * early when its spike records are nearly full or it diverged); returns the step each reached.
   * Copies at n1 already are skipped. `finished(c, reached)` is called on this thread for every
   * copy as soon as it is done (whichever thread ran it), while other copies may still be running:
   * it may read that copy's records and arrays, nothing of another copy.
   */
  run(from: readonly number[], n1: number, finished?: (c: number, reached: number) => void): Int32Array {
    const B = this.copies;
    const c0 = this.ctl >>> 2;
    const I = this.I32.subarray(c0, c0 + BATCH_CONTROL.COPIES + COPY_WORDS * B);
    for (let c = 0; c < B; c++) {
      // a copy that stopped early last time (records full) left its stop request: clear it
      this.I32[(this.layouts[c].ctl + 16 * LINE) >>> 2] = NO_STOP;
      const at = BATCH_CONTROL.COPIES + COPY_WORDS * c;
      I[at] = from[c];
      I[at + 1] = n1;
      I[at + 2] = from[c];
      I[at + 3] = 0;
    }
    I[BATCH_CONTROL.NEXT] = 0;
    this.chooseVariants();
    const T = this.threads;
    const handed = new Uint8Array(B);
    const hand = (c: number) => {
      handed[c] = 1;
      finished?.(c, I[BATCH_CONTROL.COPIES + COPY_WORDS * c + 2]);
    };
    if (T > 1) {
      this.startWorkers();
      Atomics.store(I, BATCH_CONTROL.DONE, 0);
      Atomics.add(I, BATCH_CONTROL.SEQ, 1);
      Atomics.notify(I, BATCH_CONTROL.SEQ);
    }
    claimCopies(I, this.runs, hand);
    if (T > 1) {
      const failed = () => Atomics.load(I, BATCH_CONTROL.ERROR) !== 0;
      // the other threads' copies, each handed over as soon as it is finished
      for (let c = 0; c < B && !failed(); c++) {
        const at = BATCH_CONTROL.COPIES + COPY_WORDS * c + 3;
        while (!handed[c] && Atomics.load(I, at) === 0 && !failed()) Atomics.wait(I, at, 0, 200);
        if (!handed[c] && !failed()) hand(c);
      }
      for (;;) {
        const d = Atomics.load(I, BATCH_CONTROL.DONE);
        if (d >= T - 1 || failed()) break;
        Atomics.wait(I, BATCH_CONTROL.DONE, d, 200);
      }
      if (failed()) {
        this.close();
        throw new Error('batched run: a worker thread failed (its error is printed above)');
      }
    }
    const reached = new Int32Array(B);
    for (let c = 0; c < B; c++) reached[c] = I[BATCH_CONTROL.COPIES + COPY_WORDS * c + 2];
    return reached;
  }

  /**
   * Copy c's divergence, when its last pass stopped on a non-finite value: the group index and
   * the step (the flag is cleared).
   */
  takeDivergence(c: number): { group: number; step: number } | undefined {
    const at = (this.layouts[c].ctl + 17 * LINE) >>> 2;
    const gi = this.I32[at];
    if (gi < 0) return undefined;
    this.I32[at] = -1;
    return { group: gi, step: this.I32[at + 1] };
  }

  /** Per copy and group: the uniform-input variant while the copy's inputs are each one value. */
  private chooseVariants(): void {
    for (const copy of this.layouts) {
      for (const g of copy.groups) {
        const keys = Object.keys(g.uniforms);
        if (keys.length === 0) continue;
        const N = g.spec.size;
        const views = keys.map((key) => (g.elem === 8 ? this.arena.f64(g.offsets[key], N) : this.arena.f32(g.offsets[key], N)));
        let uniform = true;
        for (const a of views) for (let i = 1; i < N && uniform; i++) if (a[i] !== a[0] && !(a[i] !== a[i] && a[0] !== a[0])) uniform = false;
        this.I32[g.mode >>> 2] = uniform ? 1 : 0;
        if (uniform) keys.forEach((key, k) => ((g.elem === 8 ? this.arena.f64(g.uniforms[key], 1) : this.arena.f32(g.uniforms[key], 1))[0] = views[k][0]));
      }
    }
  }

  /**
   * Hands copy c's spikes of group g recorded since the last drain to `cb`, step by step for every
   * step of [n0, n1) (indices ascend within a step), then empties the copy's record buffer.
   */
  drainSpikes(c: number, g: number, n0: number, n1: number, cb: (n: number, indices: Int32Array, count: number) => void): void {
    const L = this.layouts[c].groups[g];
    const I = this.I32;
    if (this.merge.length < L.spec.size) this.merge = new Int32Array(L.spec.size);
    const buf = this.merge;
    const len = I[L.recCount >>> 2];
    const s0 = L.recSteps >>> 2;
    const i0 = L.recIdx >>> 2;
    let p = 0;
    for (let n = n0; n < n1; n++) {
      let k = 0;
      while (p < len && I[s0 + p] === n) buf[k++] = I[i0 + p++];
      cb(n, buf, k);
    }
    I[L.recCount >>> 2] = 0;
  }

  private startWorkers(): void {
    if (this.workers) return;
    const wt = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:worker_threads') as
      | { Worker: new (url: URL, o: { workerData: unknown }) => { on(ev: string, cb: (e: Error) => void): void; unref(): void; terminate(): unknown } }
      | undefined;
    if (!wt) throw new Error('a batch on more than one thread needs Node.js ≥ 20.16 (worker_threads); use threads: 1');
    const I = this.I32;
    const c0 = this.ctl >>> 2;
    const url = new URL('../node/batch_worker.js', import.meta.url);
    this.workers = [];
    Atomics.store(I, c0 + BATCH_CONTROL.READY, 0);
    Atomics.store(I, c0 + BATCH_CONTROL.QUIT, 0);
    Atomics.store(I, c0 + BATCH_CONTROL.ERROR, 0);
    for (let w = 1; w < this.threads; w++) {
      const worker = new wt.Worker(url, { workerData: { module: this.module, memory: this.memory, ctl: this.ctl, copies: this.copies, seq: Atomics.load(I, c0 + BATCH_CONTROL.SEQ) } });
      worker.on('error', () => Atomics.store(I, c0 + BATCH_CONTROL.ERROR, 1));
      worker.unref();
      this.workers.push(worker);
    }
    const deadline = Date.now() + 20000;
    for (;;) {
      const ready = Atomics.load(I, c0 + BATCH_CONTROL.READY);
      if (ready >= this.threads - 1) break;
      if (Atomics.load(I, c0 + BATCH_CONTROL.ERROR) !== 0 || Date.now() > deadline) {
        this.close();
        throw new Error('batched run: worker threads did not start');
      }
      Atomics.wait(I, c0 + BATCH_CONTROL.READY, ready, 50);
    }
  }

  /** Stops the worker threads (a later run starts new ones). @example batch.close() */
  close(): void {
    if (!this.workers) return;
    const I = this.I32;
    const c0 = this.ctl >>> 2;
    Atomics.store(I, c0 + BATCH_CONTROL.QUIT, 1);
    Atomics.add(I, c0 + BATCH_CONTROL.SEQ, 1);
    Atomics.notify(I, c0 + BATCH_CONTROL.SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers = null;
  }
}

/** A group's spec with its run-time random draws keyed by `seed` (what a network built with that seed draws). */
function reseedGroup(spec: EngineGroupSpec, seed: number): EngineGroupSpec {
  const random = spec.kernel.random?.map((d) => ({ ...d, seed }));
  return {
    ...spec,
    kernel: random ? { ...spec.kernel, random } : spec.kernel,
    poisson: spec.poisson ? { ...spec.poisson, seed } : undefined,
  };
}
