/**
 * The step engine: one WebAssembly module that runs whole network steps — every group's update,
 * every projection's spike delivery, the recording of spikes — with no JavaScript between steps,
 * on one thread or on several threads over one shared memory.
 *
 * Partition. Each group's neurons are split into `threads` contiguous ranges whose starts are
 * multiples of 16 neurons; thread w updates range w of every group and delivers every spike to
 * the post-synaptic neurons of its own range of the post group. A neuron is therefore computed by
 * the same instructions whatever the thread count (ranges start on a SIMD lane boundary), and each
 * post-synaptic value receives its increments in the same order (spikes in ascending neuron
 * order, synapses in row order), so results do not depend on the number of threads.
 *
 * One step on thread w: update range w of each group (the spikes go to w's segment of the
 * group's spike list for that step), barrier, deliver the spikes of the step (all segments, in
 * thread order) to range w. Spike lists are kept in a ring of `1 + max delay + 1` slots when
 * threads > 1: the extra slot lets a thread write step n+1 while another still reads step n.
 *
 * Spikes of monitored groups are copied into per-thread record buffers; a thread whose buffer is
 * nearly full, or that sees a non-finite value, asks all threads to stop after the current step
 * (the request carries the step, so every thread stops at the same one).
 */
import { ModuleBuilder, type FunctionBuilder, Op, AtomicOp, ValType } from '../wasm/encoder.js';
import { emitUpdateFunction, WasmArena, type UpdateKernelSpec } from '../wasm/kernel.js';
import { wasmApi, type WasmMemory, type WasmModule } from '../wasm/runtime.js';
import { PlasticProjection, plasticBytes, type EnginePlasticitySpec } from './plasticity.js';
import { emitReleaseCopy, emitLoadRelease, emitReleasedWeight, releaseRingBytes } from './stp.js';
import { StateRecords, type EngineStateRecordSpec } from './record.js';

export type { EngineStateRecordSpec } from './record.js';
import { emitPoissonInput, type EnginePoissonInputSpec } from './poisson.js';
import { emitSpikeWalk } from './spike_walk.js';
import { emitRingFlush } from './ring_flush.js';

export type { EnginePoissonInputSpec };
import { emitThreefry, emitUniform } from './threefry.js';
import { ROW_BLOCK } from '../connect/geometric.js';
import { emitJitDeliver, jitBufferBytes, jitTableBytes, writeJitTable, type EngineJitRows } from './jit.js';
import { engineThreadHost, type EngineThread, type EngineThreadHost } from './threads.js';
import { CTL_GEN, CTL_COUNT, CTL_SLEEP, CTL_ABORT, CTL_SEQ, CTL_N0, CTL_N1, CTL_DONE, CTL_READY, CTL_QUIT, CTL_EPOCH, CTL_EXITED, CTL_FAULT, RUNNING, engineImports } from './control.js';
import { couplingTable, emitCoupling, emitSourceCopy, layoutCouplings, sourceRingBytes, type EngineCouplingSpec } from './coupling.js';

type StateArray = Float32Array | Float64Array;

/** One group as the engine runs it. */
export interface EngineGroupSpec {
  readonly name: string;
  readonly size: number;
  /** The update kernel's description, without memory placement (the engine places `arrays`). */
  readonly kernel: Omit<UpdateKernelSpec, 'arrays' | 'lastSpikeOffset' | 'finiteFlagOffset' | 'memory' | 'size'>;
  /** Every per-neuron array the kernel reads or writes, by symbol, with its current values. */
  readonly arrays: ReadonlyMap<string, StateArray>;
  readonly lastSpike: Int32Array;
  /** Spike lists kept: 1 + the longest transmission delay (steps) of a projection from this group. */
  readonly ring: number;
  /** Record spikes for monitors. */
  readonly record: boolean;
  /**
   * The arrays (keys of `arrays`) that hold external inputs: while one holds a single value for
   * every neuron, the update reads that value instead of streaming the array.
   */
  readonly inputs?: readonly string[];
  /**
   * A Poisson source group instead of an update kernel: neuron i spikes at step n when the
   * uniform draw H.uniform(seed, stream, i, n) (Threefry-2x32-20, 53 bits, as the JavaScript
   * kernels draw) is below rates[i]·dt, computed in float64.
   */
  readonly poisson?: {
    readonly seed: number;
    readonly stream: number;
    readonly rates: string;
    readonly dt: number;
    /**
     * A timed table added to the rates (as the JavaScript kernel adds it): row
     * min(⌊n·stepRatio + 1e-9⌋, rows − 1), one column shared or one per neuron.
     */
    readonly table?: { readonly data: Float64Array; readonly stepRatio: number; readonly rows: number; readonly columns: number };
  };
}

/** One event-driven projection: CSR rows of pre-synaptic neurons, increments of a post array. */
export interface EngineProjectionSpec {
  readonly name: string;
  /** Index of the pre group in the engine's group list, and the slice of it that projects. */
  readonly pre: number;
  readonly preStart: number;
  readonly preSize: number;
  readonly post: number;
  readonly postStart: number;
  readonly indptr: Int32Array | Uint32Array;
  /** Post indices relative to `postStart`. */
  readonly indices: Int32Array | Uint32Array;
  /** Per-synapse weights, or null for the single `weight`. */
  readonly weights: StateArray | null;
  readonly weight: number;
  readonly delaySteps: number;
  /** The post group's array that receives the weights. */
  readonly target: string;
  /**
   * When > 0, the target is held by `(unless refractory)`: an increment to a post neuron with
   * n − lastspike < gateRefSteps (refractory, or spiking at this step) is discarded.
   */
  readonly gateRefSteps?: number;
  /**
   * Per-synapse delays (steps), in CSR order, or null/absent for the one `delaySteps`. With them,
   * the spikes of step n add their weights to a ring of post-synaptic slots (float64, one slot
   * per step up to the longest delay), and slot n mod R is added to the target at step n.
   */
  readonly delays?: Int32Array | null;
  /** Long-term plasticity (src/engine/plasticity.ts); needs per-synapse `weights`. */
  readonly plastic?: EnginePlasticitySpec;
  /**
   * Short-term plasticity: the pre group's array (symbol) holding each neuron's release r at its
   * last spike; a spike then adds weight·r (see src/engine/stp.ts).
   */
  readonly release?: string;
  /** Rows regenerated on each spike instead of stored (indptr and indices are then not read): see ./jit.ts. */
  readonly jit?: EngineJitRows;
  /**
   * Continuous coupling instead of spike delivery (./coupling.ts): every step `target` (an
   * accumulator of the post group) becomes Σ w·source, or Σ w·(V_pre − V_post) for gap junctions.
   */
  readonly continuous?: EngineCouplingSpec;
}

/** Options of a {@link StepEngine}. */
export interface EngineOptions {
  /** Poisson inputs, applied after the step's deliveries (as the JavaScript loop orders them). */
  readonly poissonInputs?: readonly EnginePoissonInputSpec[];
  /** State monitors: values recorded at the end of each step (see src/engine/record.ts), read with drainStates. */
  readonly stateRecords?: readonly EngineStateRecordSpec[];
  /** Threads (default 1). */
  readonly threads?: number;
  /** Float64 state (f64x2 kernels) instead of Float32 (f32x4). */
  readonly double?: boolean;
  /** Stop on a non-finite state value (default true). */
  readonly checkDivergence?: boolean;
  /**
   * Seconds a thread may wait at a barrier, or for the end of a run, without any thread making
   * progress before the run is stopped as stalled (default 60).
   */
  readonly stallTimeout?: number;
  /**
   * Run one part of a network split over processes (src/distributed/): the memory is laid out as
   * for `count` threads, this engine runs only part `index`, without worker threads or barriers,
   * and the other parts' spikes are copied in by {@link StepEngine.importSpikes}.
   */
  readonly rank?: { readonly index: number; readonly count: number };
  /** Test only: bytes left unused at the start of the memory (lays the engine out above 2 GiB). */
  readonly memoryOffset?: number;
  /** Test only: worker thread `thread` fails in the given way when it is about to simulate `step`. */
  readonly injectFault?: { readonly thread: number; readonly step: number; readonly kind: 'throw' | 'exit' | 'hang' | 'trap' };
}

/**
 * A worker thread failed, exited or stalled during {@link StepEngine.run}. Steps before
 * `completed` were updated and recorded by every thread; the state after them is incomplete (the
 * failing step's delivery may be partial). The engine has stopped its workers and reset its
 * control words: a later run starts new threads, but the state must be restored first.
 */
export class EngineFault extends Error {
  readonly completed: number;
  readonly thread: number;
  readonly reason: string;
  constructor(completed: number, thread: number, reason: string) {
    super(`step engine: worker thread ${thread > 0 ? thread : '?'} ${reason}`);
    this.name = 'EngineFault';
    this.completed = completed;
    this.thread = thread;
    this.reason = reason;
  }
}

/** Where {@link StepEngine.run} stopped. */
export interface EngineRunResult {
  /** First step not simulated (n1 unless stopped early). */
  readonly reached: number;
  /** Set when a group produced a non-finite value: the group index and the step. */
  readonly diverged?: { readonly group: number; readonly step: number };
}

/** Spins on a barrier this many times before sleeping on it. */
const SPIN = 1 << 14;
/** A stop request meaning "none". */
const NO_STOP = 0x7fffffff;
/** Bytes between words written by different threads (one cache line). */
export const LINE = 64;

export interface GroupLayout {
  readonly spec: EngineGroupSpec;
  readonly offsets: Record<string, number>;
  /** Inputs that may be read as one value (symbol → byte offset of that value). */
  readonly uniforms: Record<string, number>;
  /** i32 word: 1 when the uniform variant runs. */
  readonly mode: number;
  readonly lastSpike: number;
  readonly slots: number;
  readonly spikes: number;
  readonly counts: number;
  readonly flags: number;
  readonly bounds: number;
  readonly part: Int32Array;
  readonly recSteps: number;
  readonly recIdx: number;
  readonly recCount: number;
  readonly recCap: number;
  readonly elem: number;
  /** Byte offset of a Poisson source's timed table (float64), or −1. */
  readonly table: number;
}

export interface ProjLayout {
  readonly spec: EngineProjectionSpec;
  /** T = 1: indptr; T > 1: per row the T+1 bounds of each thread's part of the row. */
  readonly rows: number;
  /** Just-in-time rows: the skip table and the threads' target buffers (−1 without). */
  readonly table: number;
  readonly buffer: number;
  readonly indices: number;
  readonly weights: number;
  readonly nnz: number;
  /** Per-synapse delays: their copy (CSR order, reordered like the indices), and the ring of R × post-size float64 slots; −1 without. */
  readonly delays: number;
  readonly ring: number;
  readonly R: number;
  plast?: PlasticProjection;
  /** The release ring of a projection with short-term plasticity (slots × pre size values), or −1. */
  readonly relRing: number;
}

/**
 * Runs a network's steps in WebAssembly, optionally on worker threads.
 *
 * @example
 * const eng = new StepEngine(groups, projections, { threads: 2 });
 * const { reached } = eng.run(0, 10000);
 * eng.drainSpikes(0, (n, idx, count) => {});
 * eng.close();
 */
export class StepEngine {
  readonly threads: number;
  /** The part this engine runs when it is one rank of a split network, else −1. */
  readonly rankIndex: number;
  private readonly arena: WasmArena;
  private readonly memory: WasmMemory;
  private readonly module: WasmModule;
  private readonly runFn: (n0: number, n1: number, w: number) => number;
  private readonly groups: GroupLayout[];
  private readonly projs: ProjLayout[];
  private readonly ctl: number;
  private readonly I32: Int32Array;
  private readonly records: StateRecords;
  /** Worker w at index w − 1, while started. */
  private workers: EngineThread[] | null = null;
  /** An asynchronous start in progress (see startThreads). */
  private starting: Promise<void> | null = null;
  /** Delayed continuous coupling's source histories (state, see ./coupling.ts). */
  private readonly histories: { offset: number; bytes: number }[];
  private merge: Int32Array = new Int32Array(0);
  private readonly stallMs: number;
  private injectFault: EngineOptions['injectFault'];
  /** Barrier generation last seen by the main thread while sleeping, and since when (ms). */
  private watchGen = -1;
  private watchSince = 0;
  /** Why the main thread aborted the run itself (stall), when it did. */
  private stalled: string | undefined;

  /**
   * An upper bound of the bytes the engine's memory needs for these groups and projections (the
   * layout of the constructor, each reservation rounded up to a cache line), so that a caller can
   * refuse before allocating.
   *
   * @example
   * if (StepEngine.memoryNeeded(groups, projections, { threads: 2 }) > 2 ** 32) useTheLoop();
   */
  static memoryNeeded(groups: readonly EngineGroupSpec[], projections: readonly EngineProjectionSpec[], options: EngineOptions = {}): number {
    const T = options.threads ?? 1;
    const elem = options.double ? 8 : 4;
    const r = (b: number) => Math.ceil(b / LINE) * LINE + LINE;
    let total = r((16 + 3 * T) * LINE);
    for (const g of groups) {
      const N = g.size;
      const slots = T > 1 ? g.ring + 1 : g.ring;
      const recCap = g.record ? Math.max(16 * Math.ceil(N / T + 16), 1 << 16) : 0;
      for (const [, a] of g.arrays) total += r(a.length * elem) + r(8);
      total += r(4) + r(N * 4) + r(slots * N * 4) + r(slots * T * LINE) + r(T * LINE) + r((T + 1) * 4) + 2 * r(T * recCap * 4) + r(T * LINE);
    }
    total += StateRecords.bytes(options.stateRecords ?? [], T);
    for (const p of projections) {
      if (p.continuous) {
        total += r(sourceRingBytes(groups[p.pre].size, elem, T, p));
        const table = couplingTable(p, elem === 4);
        if (table) total += r(table.length * 8);
      }
      if (p.jit) {
        total += r(jitTableBytes(p.jit)) + r(jitBufferBytes(p.jit, T));
        continue;
      }
      const nnz = p.indptr[p.preSize];
      total += r((T === 1 ? p.preSize + 1 : p.preSize * (T + 1)) * 4) + r(nnz * 4) + (p.weights ? r(nnz * elem) : 0);
      if (p.plastic) total += plasticBytes(p.plastic, nnz, groups[p.pre].size, groups[p.post].size, T, elem);
      if (p.release) total += r(releaseRingBytes(T > 1 ? groups[p.pre].ring + 1 : groups[p.pre].ring, groups[p.pre].size, elem));
      if (p.delays) {
        // per-synapse delays: their copy, and the ring of R × post-size float64 slots (as the constructor reserves)
        let R = 0;
        for (let s = 0; s < nnz; s++) R = Math.max(R, p.delays[s] + 1);
        total += r(nnz * 4) + (p.continuous ? 0 : r(Math.max(1, R) * groups[p.post].size * 8));
      }
    }
    return total;
  }

  constructor(groups: readonly EngineGroupSpec[], projections: readonly EngineProjectionSpec[], options: EngineOptions = {}) {
    const rank = options.rank;
    const T = rank ? rank.count : (options.threads ?? 1);
    if (!Number.isInteger(T) || T < 1) throw new RangeError(`threads must be a positive integer, got ${T}`);
    if (rank && (!Number.isInteger(rank.index) || rank.index < 0 || rank.index >= T)) throw new RangeError(`rank index must be an integer in [0, ${T - 1}], got ${rank.index}`);
    this.threads = T;
    this.rankIndex = rank ? rank.index : -1;
    this.stallMs = (options.stallTimeout ?? 60) * 1000;
    this.injectFault = options.injectFault;
    const double = options.double ?? false;
    const elem = double ? 8 : 4;
    const arena = new WasmArena({ shared: T > 1 && !rank });
    this.arena = arena;
    if (options.memoryOffset) arena.reserve(options.memoryOffset);

    // Layout: groups, projections, control words.
    this.groups = groups.map((spec, gi) => {
      const N = spec.size;
      const offsets: Record<string, number> = {};
      for (const [key, a] of spec.arrays) offsets[key] = arena.reserve(a.length * elem);
      const slots = T > 1 ? spec.ring + 1 : spec.ring;
      // the post group of just-in-time rows cut into blocks: thread boundaries on block edges
      // (each thread then draws only its own blocks) when every thread gets at least one block
      const blocked = projections.find((p) => p.jit && p.post === gi && p.jit.nPost > ROW_BLOCK && p.postStart % 16 === 0);
      const part = blocked && N / T >= ROW_BLOCK ? partition(N, T, ROW_BLOCK, blocked.postStart) : partition(N, T);
      let maxRange = 0;
      for (let w = 0; w < T; w++) maxRange = Math.max(maxRange, part[w + 1] - part[w]);
      const recCap = spec.record ? Math.max(16 * maxRange, 1 << 16) : 0;
      // External inputs that are uniform now get a second update that reads one value instead of
      // streaming the array (less memory traffic); run() picks the variant while they stay uniform.
      const uniformKeys = spec.poisson ? [] : (spec.inputs ?? []).filter((key) => {
        const a = spec.arrays.get(key);
        return a !== undefined && a.length > 0 && a.every((x) => x === a[0]);
      });
      const uniforms: Record<string, number> = {};
      for (const key of uniformKeys) uniforms[key] = arena.reserve(8, 8);
      return {
        spec,
        offsets,
        uniforms,
        mode: arena.reserve(4),
        lastSpike: arena.reserve(N * 4),
        slots,
        spikes: arena.reserve(slots * N * 4),
        counts: arena.reserve(slots * T * LINE, LINE), // one cache line per (slot, thread)
        flags: arena.reserve(T * LINE, LINE),
        bounds: arena.reserve((T + 1) * 4),
        part,
        recSteps: arena.reserve(T * recCap * 4),
        recIdx: arena.reserve(T * recCap * 4),
        recCount: arena.reserve(T * LINE, LINE),
        recCap,
        elem,
        table: spec.poisson?.table ? arena.reserve(spec.poisson.table.data.length * 8, 8) : -1,
      };
    });
    this.projs = projections.map((spec) => {
      const nnz = spec.jit ? 0 : spec.indptr[spec.preSize];
      let R = 0;
      if (spec.delays) for (let s = 0; s < nnz; s++) R = Math.max(R, spec.delays[s] + 1);
      return {
        spec,
        rows: spec.jit ? -1 : arena.reserve((T === 1 ? spec.preSize + 1 : spec.preSize * (T + 1)) * 4),
        table: spec.jit ? arena.reserve(jitTableBytes(spec.jit), LINE) : -1,
        buffer: spec.jit ? arena.reserve(jitBufferBytes(spec.jit, T), LINE) : -1,
        indices: arena.reserve(nnz * 4),
        weights: spec.weights ? arena.reserve(nnz * elem) : -1,
        nnz,
        delays: spec.delays ? arena.reserve(nnz * 4) : -1,
        // (delayed continuous coupling keeps a history of its source instead: ./coupling.ts)
        ring: spec.delays && !spec.continuous ? arena.reserve(Math.max(1, R) * groups[spec.post].size * 8, 8) : -1,
        R: Math.max(1, R),
        relRing: spec.release ? arena.reserve(releaseRingBytes(this.groups[spec.pre].slots, groups[spec.pre].size, elem), 8) : -1,
      };
    });
    for (const p of this.projs) {
      const { plastic, pre, post, preStart, preSize, postStart } = p.spec;
      if (plastic) p.plast = new PlasticProjection(arena, plastic, { nnz: p.nnz, rows: p.rows, indices: p.indices, weights: p.weights, preStart, preSize, postStart, pre: this.groups[pre], post: this.groups[post], threads: T, double, line: LINE });
    }
    this.records = new StateRecords(arena, options.stateRecords ?? [], this.groups.map((g) => g.part));
    const coupling = layoutCouplings((bytes, align) => arena.reserve(bytes, align), this.projs, this.groups, T, elem);
    this.histories = coupling.histories;
    // control block: gen, count, sleepers, abort, command words (each on its own line), per-thread stop and divergence
    const ctl = arena.reserve((16 + 3 * T) * LINE, LINE);
    this.ctl = ctl;

    // Module.
    const m = new ModuleBuilder();
    // Sleeping on the barrier goes through JavaScript (Atomics.wait / notify): V8 11's baseline
    // compiler was seen to corrupt a local across memory.atomic.wait32 (Node 20).
    const sleepFn = m.importFunction('env', 'sleep', [ValType.i32, ValType.i32], []);
    const wakeFn = m.importFunction('env', 'wake', [ValType.i32], []);
    m.importMemory(arena.limits());
    const updateOf = (g: GroupLayout, uniforms: Record<string, number> | undefined) =>
      emitUpdateFunction(
        m,
        {
          ...g.spec.kernel,
          size: g.spec.size,
          lanes: double ? 'f64x2' : 'f32x4',
          arrays: g.offsets,
          uniforms,
          lastSpikeOffset: g.lastSpike,
          finiteFlagOffset: options.checkDivergence === false ? undefined : 0,
          flushSubnormals: false,
        },
        null,
        true,
      );
    const updates = this.groups.map((g) => (g.spec.poisson ? emitPoissonSource(m, g, double) : updateOf(g, undefined)));
    const uniformUpdates = this.groups.map((g) => (Object.keys(g.uniforms).length > 0 ? updateOf(g, g.uniforms) : -1));
    const flushes = this.groups.map((g) => (double || g.spec.poisson ? -1 : emitFlush(m, g)));
    // a plastic projection: its pre traces decay, then delivery with the on-pre statements, then the post side
    const delivers = this.projs.flatMap((p, k) => [
      p.plast?.emitDecay(m) ?? -1,
      p.spec.continuous ? emitCoupling(m, coupling.layouts[k]!, double) : p.spec.jit ? emitJitDeliver(m, p, this.groups[p.spec.pre], this.groups[p.spec.post], T, double, LINE) : emitDeliver(m, p, this.groups[p.spec.pre], this.groups[p.spec.post], T, double),
      p.plast?.emitPost(m) ?? -1,
    ].filter((x) => x >= 0));
    for (const pi of options.poissonInputs ?? []) delivers.push(emitPoissonInput(m, pi, this.groups[pi.post], double));
    // each thread copies the releases of its own spikes before the barrier (src/engine/stp.ts)
    const releaseCopies = this.projs.filter((p) => p.relRing >= 0).map((p) => {
      const pre = this.groups[p.spec.pre];
      return emitReleaseCopy(m, { size: pre.spec.size, slots: pre.slots, spikes: pre.spikes, counts: pre.counts, bounds: pre.bounds, line: LINE, release: pre.offsets[p.spec.release!], ring: p.relRing }, T, double);
    });
    // and the sources of continuous coupling its part of them (./coupling.ts)
    releaseCopies.push(...coupling.copies.map((c) => emitSourceCopy(m, c, double)));
    // state records last: after every delivery of the step, as the JavaScript loop calls its monitors
    delivers.push(...this.records.emit(m, (g, key) => this.groups[g].offsets[key], double));
    emitRun(m, this.groups, updates, uniformUpdates, flushes, delivers, T, ctl, options.checkDivergence !== false, sleepFn, wakeFn, releaseCopies, !rank);
    const api = wasmApi();
    this.module = new api.Module(m.toBytes());
    this.memory = arena.memory();
    this.I32 = new Int32Array(this.memory.buffer);

    // Data.
    for (const g of this.groups) {
      for (const [key, a] of g.spec.arrays) (double ? arena.f64(g.offsets[key], a.length) : arena.f32(g.offsets[key], a.length)).set(a);
      arena.i32(g.lastSpike, g.spec.size).set(g.spec.lastSpike);
      arena.i32(g.bounds, T + 1).set(g.part);
      if (g.table >= 0) arena.f64(g.table, g.spec.poisson!.table!.data.length).set(g.spec.poisson!.table!.data);
    }
    for (const p of this.projs) {
      this.fillProjection(p, double);
      p.plast?.fill(arena, arena.i32(p.rows, T === 1 ? p.spec.preSize + 1 : p.spec.preSize * (T + 1)), arena.i32(p.indices, p.nnz));
    }
    for (const t of coupling.tables) arena.f64(t.offset, t.data.length).set(t.data);
    this.records.fill(arena);
    const I = this.I32;
    I[(ctl >>> 2) + CTL_GEN] = 0;
    for (let w = 0; w < T; w++) {
      I[(ctl + (16 + w) * LINE) >>> 2] = NO_STOP;
      I[(ctl + (16 + T + w) * LINE) >>> 2] = -1;
    }
    // The main thread's sleep also watches for a stall: no barrier generation change for stallTimeout.
    const imports = engineImports(this.I32);
    const sleep = (word: number, value: number) => {
      imports.sleep(word, value);
      this.watch(value);
    };
    const inst = new api.Instance(this.module, { env: { memory: this.memory, sleep, wake: imports.wake } });
    this.runFn = inst.exports.run as (n0: number, n1: number, w: number) => number;
    if (T > 1 && !rank && engineThreadHost().startsWhileBlocked) this.startWorkers();
  }

  /** Copies one projection's rows, reordering each row by owning thread (stably) when T > 1. */
  private fillProjection(p: ProjLayout, double: boolean): void {
    const T = this.threads;
    if (p.spec.jit) return writeJitTable(p.spec.jit, this.arena.i32(p.table, jitTableBytes(p.spec.jit) / 4));
    const { indptr, indices, weights, preSize, postStart } = p.spec;
    const dstIdx = this.arena.i32(p.indices, p.nnz);
    const dstW = weights ? (double ? this.arena.f64(p.weights, p.nnz) : this.arena.f32(p.weights, p.nnz)) : null;
    const delays = p.spec.delays ?? null;
    const dstD = delays ? this.arena.i32(p.delays, p.nnz) : null;
    const order = p.plast?.order;
    if (T === 1) {
      order?.forEach((_, s) => (order[s] = s));
      this.arena.i32(p.rows, preSize + 1).set(indptr);
      dstIdx.set(indices);
      if (dstW) dstW.set(weights!);
      if (dstD) dstD.set(delays!);
      return;
    }
    const part = this.groups[p.spec.post].part;
    const rows = this.arena.i32(p.rows, preSize * (T + 1));
    const owner = (j: number) => {
      const i = postStart + j;
      let w = 0;
      while (i >= part[w + 1]) w++;
      return w;
    };
    for (let r = 0; r < preSize; r++) {
      const a = indptr[r];
      const b = indptr[r + 1];
      let out = a;
      for (let w = 0; w < T; w++) {
        rows[r * (T + 1) + w] = out;
        for (let s = a; s < b; s++) {
          if (owner(indices[s]) !== w) continue;
          dstIdx[out] = indices[s];
          if (dstW) dstW[out] = weights![s];
          if (dstD) dstD[out] = delays![s];
          if (order) order[out] = s;
          out++;
        }
      }
      rows[r * (T + 1) + T] = out;
    }
  }

  /**
   * Views on the engine's memory for group `g`: its arrays (same keys as given) and lastspike.
   * The network re-points its runtime at these so that reads and writes between runs see the
   * engine's state.
   */
  views(g: number): { arrays: Map<string, StateArray>; lastSpike: Int32Array } {
    const L = this.groups[g];
    const arrays = new Map<string, StateArray>();
    for (const [key, a] of L.spec.arrays) arrays.set(key, L.elem === 8 ? this.arena.f64(L.offsets[key], a.length) : this.arena.f32(L.offsets[key], a.length));
    return { arrays, lastSpike: this.arena.i32(L.lastSpike, L.spec.size) };
  }

  /**
   * With one thread, views on the engine's copy of projection `k`'s CSR (same order as given),
   * so that the caller can drop its own; null with more threads (rows are reordered by thread).
   */
  projectionViews(k: number): { indptr: Int32Array; indices: Int32Array; weights: StateArray | null } | null {
    const p = this.projs[k];
    if (this.threads !== 1 || p.spec.jit) return null;
    const elem = this.groups[p.spec.post].elem;
    return {
      indptr: this.arena.i32(p.rows, p.spec.preSize + 1),
      indices: this.arena.i32(p.indices, p.nnz),
      weights: p.weights < 0 ? null : elem === 8 ? this.arena.f64(p.weights, p.nnz) : this.arena.f32(p.weights, p.nnz),
    };
  }

  /**
   * Simulates steps [n0, n1) (or fewer: see {@link EngineRunResult}).
   *
   * @example
   * let n = 0;
   * while (n < 10000) n = eng.run(n, 10000).reached;
   */
  run(n0: number, n1: number): EngineRunResult {
    const T = this.threads;
    const I = this.I32;
    const c = this.ctl >>> 2;
    const line = LINE >>> 2;
    n1 = this.records.limit(n0, n1);
    this.records.begin(I, n0);
    for (let w = 0; w < T; w++) I[c + (16 + w) * line] = NO_STOP;
    this.chooseVariants();
    for (const p of this.projs) p.plast?.sync(this.arena);
    let reached: number;
    if (T === 1 || this.rankIndex >= 0) reached = this.runFn(n0, n1, Math.max(0, this.rankIndex));
    else {
      this.startWorkers();
      const gen0 = Atomics.load(I, c + CTL_GEN * line);
      for (let w = 1; w < T; w++) I[c + (16 + 2 * T + w) * line] = RUNNING;
      Atomics.store(I, c + CTL_N0 * line, n0);
      Atomics.store(I, c + CTL_N1 * line, n1);
      Atomics.store(I, c + CTL_DONE * line, 0);
      this.watchGen = -1;
      this.stalled = undefined;
      Atomics.add(I, c + CTL_SEQ * line, 1);
      Atomics.notify(I, c + CTL_SEQ * line);
      try {
        reached = this.runFn(n0, n1, 0);
      } catch (err) {
        // the main thread's own part failed (a trap): stop the workers the same way
        Atomics.store(I, c + CTL_ABORT * line, 1);
        Atomics.notify(I, c + CTL_GEN * line);
        this.awaitWorkers();
        this.stalled = `(the main thread) failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
        const fault = this.fault(n0 + ((Atomics.load(I, c + CTL_GEN * line) - gen0) | 0));
        throw new EngineFault(fault.completed, 0, this.stalled);
      }
      this.awaitWorkers();
      if (Atomics.load(I, c + CTL_ABORT * line) !== 0 || reached < 0) {
        // Steps whose barrier every thread passed were updated and recorded by all threads.
        const completed = n0 + ((Atomics.load(I, c + CTL_GEN * line) - gen0) | 0);
        throw this.fault(Math.min(reached < 0 ? completed : reached, completed));
      }
      for (let w = 1; w < T; w++) {
        const r = I[c + (16 + 2 * T + w) * line];
        if (r !== reached) throw new Error(`step engine: threads stopped at different steps (${reached}, ${r})`);
      }
    }
    let diverged: { group: number; step: number } | undefined;
    for (let w = 0; w < T; w++) {
      const at = c + (16 + T + w) * line;
      const gi = I[at];
      if (gi >= 0) {
        const step = I[at + 1];
        if (!diverged || step < diverged.step || (step === diverged.step && gi < diverged.group)) diverged = { group: gi, step };
        I[at] = -1;
      }
    }
    return diverged ? { reached, diverged } : { reached };
  }

  /**
   * Waits until every worker has finished the current command. After an abort, waits (briefly)
   * only for the workers that are still alive; without one, gives up after the stall timeout
   * when no worker finishes (a hung thread), and aborts.
   */
  private awaitWorkers(): void {
    const T = this.threads;
    const I = this.I32;
    const c = this.ctl >>> 2;
    const line = LINE >>> 2;
    let since = Date.now();
    let last = -1;
    let abortedAt = 0;
    for (;;) {
      const d = Atomics.load(I, c + CTL_DONE * line);
      if (d >= T - 1) return;
      if (d !== last) (last = d), (since = Date.now());
      if (Atomics.load(I, c + CTL_ABORT * line) !== 0) {
        // live workers leave their barrier within one sleep (100 ms) of the abort
        if (abortedAt === 0) abortedAt = Date.now();
        let pending = 0;
        for (let w = 1; w < T; w++) if (I[c + (16 + 2 * T + w) * line] === RUNNING) pending++;
        if (pending <= Atomics.load(I, c + CTL_EXITED * line) || Date.now() - abortedAt > 2000) return;
      } else if (Date.now() - since > this.stallMs) {
        this.stalled = `made no progress for ${this.stallMs / 1000} s after the main thread finished its steps (hung or lost)`;
        Atomics.store(I, c + CTL_ABORT * line, 1);
        Atomics.notify(I, c + CTL_GEN * line);
      }
      Atomics.wait(I, c + CTL_DONE * line, d, 50);
    }
  }

  /** Called by the main thread each time it wakes at a barrier: aborts when no generation change for stallTimeout. */
  private watch(gen: number): void {
    const now = Date.now();
    if (gen !== this.watchGen) {
      this.watchGen = gen;
      this.watchSince = now;
      return;
    }
    if (now - this.watchSince > this.stallMs) {
      const I = this.I32;
      const c = this.ctl >>> 2;
      const line = LINE >>> 2;
      if (Atomics.load(I, c + CTL_ABORT * line) === 0) this.stalled = `did not reach the barrier for ${this.stallMs / 1000} s (hung or lost)`;
      Atomics.store(I, c + CTL_ABORT * line, 1);
    }
  }

  /**
   * After an abort: collects the cause, stops every worker, resets the control words so that a
   * later run starts fresh threads, and returns the fault to throw.
   */
  private fault(completed: number): EngineFault {
    const I = this.I32;
    const c = this.ctl >>> 2;
    const line = LINE >>> 2;
    const T = this.threads;
    let reason: string | undefined;
    let thread = Atomics.load(I, c + CTL_FAULT * line);
    (this.workers ?? []).forEach((worker, k) => {
      for (const message of worker.takeMessages()) if (reason === undefined) (reason = message), (thread = thread || k + 1);
    });
    if (reason === undefined && this.stalled) {
      reason = this.stalled;
      // the thread that did not finish its command
      for (let w = 1; w < T && thread === 0; w++) if (I[c + (16 + 2 * T + w) * line] === RUNNING) thread = w;
    }
    this.abandonWorkers();
    // an injected fault (tests) fires once: the threads started after it run normally
    this.injectFault = undefined;
    return new EngineFault(completed, thread, reason ?? 'failed without a message');
  }

  /** Terminates the workers without asking them, and resets every control word they use. */
  private abandonWorkers(): void {
    const I = this.I32;
    const c = this.ctl >>> 2;
    const line = LINE >>> 2;
    // a worker of an older epoch that wakes up later quits without touching the memory
    Atomics.add(I, c + CTL_EPOCH * line, 1);
    for (const w of this.workers ?? []) w.terminate();
    this.workers = null;
    for (const k of [CTL_COUNT, CTL_SLEEP, CTL_ABORT, CTL_DONE, CTL_READY, CTL_QUIT, CTL_EXITED, CTL_FAULT]) Atomics.store(I, c + k * line, 0);
    for (let w = 0; w < this.threads; w++) {
      I[c + (16 + w) * line] = NO_STOP;
      I[c + (16 + this.threads + w) * line] = -1;
    }
    Atomics.notify(I, c + CTL_SEQ * line);
    Atomics.notify(I, c + CTL_GEN * line);
  }

  /**
   * Group `g`'s inputs that its update reads as one value while they stay uniform (the variant
   * chosen at the next run), by array key.
   */
  uniformInputs(g: number): string[] {
    return Object.keys(this.groups[g].uniforms);
  }

  /** Per group: the uniform-input update while every candidate input is still uniform. */
  private chooseVariants(): void {
    for (const g of this.groups) {
      const keys = Object.keys(g.uniforms);
      if (keys.length === 0) continue;
      const N = g.spec.size;
      const views = keys.map((key) => (g.elem === 8 ? this.arena.f64(g.offsets[key], N) : this.arena.f32(g.offsets[key], N)));
      let uniform = true;
      for (const a of views) {
        const x = a[0];
        for (let i = 1; i < N && uniform; i++) if (a[i] !== x && !(a[i] !== a[i] && x !== x)) uniform = false;
      }
      this.I32[g.mode >>> 2] = uniform ? 1 : 0;
      if (uniform) keys.forEach((key, k) => (g.elem === 8 ? this.arena.f64(g.uniforms[key], 1) : this.arena.f32(g.uniforms[key], 1))[0] = views[k][0]);
    }
  }

  /**
   * Starts the worker threads when they are not running, and resolves once every one has
   * instantiated the module. Needed before a run where threads start only when this thread
   * returns to its event loop (a browser's Web Workers, see src/engine/threads.ts); elsewhere the
   * engine starts them itself and this resolves at once.
   *
   * @example
   * await eng.startThreads(); eng.run(0, 1000);
   */
  async startThreads(): Promise<void> {
    if (this.threads === 1 || this.rankIndex >= 0 || this.workers) return this.starting ?? undefined;
    const host = engineThreadHost();
    if (host.startsWhileBlocked) return this.startWorkers();
    this.spawnWorkers(host);
    const I = this.I32;
    const c = this.ctl >>> 2;
    const line = LINE >>> 2;
    const workers = this.workers!;
    this.starting = (async () => {
      const deadline = Date.now() + 20000;
      for (;;) {
        if (this.workers !== workers) throw new Error('step engine: the worker threads were stopped while starting');
        if (Atomics.load(I, c + CTL_READY * line) >= this.threads - 1) return;
        const why = workers.flatMap((w) => w.takeMessages())[0];
        if (why !== undefined || Atomics.load(I, c + CTL_ABORT * line) !== 0 || Date.now() > deadline) {
          this.abandonWorkers();
          throw new Error(`step engine: worker threads did not start${why ? `: ${why}` : ''}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })().finally(() => (this.starting = null));
    return this.starting;
  }

  /** Creates worker threads 1..T−1 (not yet ready). */
  private spawnWorkers(host: EngineThreadHost): void {
    const T = this.threads;
    const I = this.I32;
    const c = this.ctl >>> 2;
    const line = LINE >>> 2;
    const epoch = Atomics.load(I, c + CTL_EPOCH * line);
    const seq = Atomics.load(I, c + CTL_SEQ * line);
    this.workers = [];
    for (let w = 1; w < T; w++) {
      const fault = this.injectFault && this.injectFault.thread === w ? { step: this.injectFault.step, kind: this.injectFault.kind } : undefined;
      try {
        this.workers.push(host.spawn({ module: this.module, memory: this.memory, ctl: this.ctl, w, line: LINE, resultLine: 16 + 2 * T + w, seq, epoch, fault }));
      } catch (err) {
        this.abandonWorkers();
        throw err;
      }
    }
  }

  /** Starts the worker threads when they are not running, waiting (blocking) until every one is ready. */
  private startWorkers(): void {
    if (this.workers) {
      if (this.starting) throw new Error('step engine: the worker threads are still starting: await startThreads() before running');
      return;
    }
    const host = engineThreadHost();
    if (!host.startsWhileBlocked) throw new Error('step engine: the worker threads are not started: await net.startThreads() before running (Web Workers start only once this thread returns to its event loop)');
    const T = this.threads;
    const I = this.I32;
    const c = this.ctl >>> 2;
    const line = LINE >>> 2;
    this.spawnWorkers(host);
    // Wait until every worker has instantiated the module (a worker that cannot start would
    // otherwise leave this thread waiting on the first barrier).
    const deadline = Date.now() + 20000;
    for (;;) {
      const ready = Atomics.load(I, c + CTL_READY * line);
      if (ready >= T - 1) break;
      if (Atomics.load(I, c + CTL_ABORT * line) !== 0 || Date.now() > deadline) {
        this.abandonWorkers();
        throw new Error('step engine: worker threads did not start');
      }
      Atomics.wait(I, c + CTL_READY * line, ready, 50);
    }
  }

  /**
   * Hands the spikes recorded for group `g` since the last drain to `cb`, step by step in
   * ascending order (every step in [n0, n1), with zero spikes too); indices ascend within a step.
   *
   * @example
   * eng.drainSpikes(0, 0, 100, (n, idx, count) => console.log(n, idx.subarray(0, count)));
   */
  drainSpikes(g: number, n0: number, n1: number, cb: (n: number, indices: Int32Array, count: number) => void): void {
    const L = this.groups[g];
    const T = this.threads;
    const I = this.I32;
    if (this.merge.length < L.spec.size) this.merge = new Int32Array(L.spec.size);
    const buf = this.merge;
    const pos = new Int32Array(T);
    const len = new Int32Array(T);
    for (let w = 0; w < T; w++) len[w] = I[(L.recCount + w * LINE) >>> 2];
    const steps = (w: number) => (L.recSteps >>> 2) + w * L.recCap;
    const idx = (w: number) => (L.recIdx >>> 2) + w * L.recCap;
    for (let n = n0; n < n1; n++) {
      let k = 0;
      for (let w = 0; w < T; w++) {
        const s0 = steps(w);
        const i0 = idx(w);
        let p = pos[w];
        while (p < len[w] && I[s0 + p] === n) buf[k++] = I[i0 + p++];
        pos[w] = p;
      }
      cb(n, buf, k);
    }
    for (let w = 0; w < T; w++) I[(L.recCount + w * LINE) >>> 2] = 0;
  }

  /**
   * Hands the samples of state record k for the steps of [n0, n1) of the last run (which began at
   * n0) to `cb`: variable v of recorded neuron j at values[offset + v·m + j].
   *
   * @example
   * eng.drainStates(0, 0, reached, (n, values, offset) => {});
   */
  drainStates(k: number, n0: number, n1: number, cb: (n: number, values: Float64Array, offset: number) => void): void {
    this.records.drain(k, n0, n1, cb);
  }

  /** Stops the worker threads (a later run starts new ones). @example eng.close() */
  close(): void {
    if (!this.workers) return;
    const I = this.I32;
    const c = this.ctl >>> 2;
    const line = LINE >>> 2;
    Atomics.store(I, c + CTL_DONE * line, 0);
    Atomics.store(I, c + CTL_QUIT * line, 1);
    Atomics.add(I, c + CTL_SEQ * line, 1);
    Atomics.notify(I, c + CTL_SEQ * line);
    // wait (briefly) until every worker has seen the quit word, so none can take a later command
    const deadline = Date.now() + 5000;
    for (;;) {
      const d = Atomics.load(I, c + CTL_DONE * line);
      if (d >= this.threads - 1 || Date.now() > deadline) break;
      Atomics.wait(I, c + CTL_DONE * line, d, 50);
    }
    this.abandonWorkers();
  }

  /**
   * A rank's spikes of steps [n0, n1), for the other ranks: per group and step, the count of this
   * rank's part followed by its neuron indices. The steps must still be in the spike ring (at
   * most `ring` steps back), which holds when ranks exchange once per minimum delay.
   *
   * @example
   * const mine = eng.exportSpikes(n0, n1); // send it; peers call importSpikes(rank, n0, n1, mine)
   */
  exportSpikes(n0: number, n1: number): Int32Array {
    const w = this.rankIndex;
    if (w < 0) throw new Error('exportSpikes: this engine is not a rank of a split network');
    const I = this.I32;
    let total = 0;
    for (const g of this.groups) for (let n = n0; n < n1; n++) total += 1 + I[(g.counts + ((n % g.slots) * this.threads + w) * LINE) >>> 2];
    const out = new Int32Array(total);
    let k = 0;
    for (const g of this.groups) {
      for (let n = n0; n < n1; n++) {
        const slot = n % g.slots;
        const c = I[(g.counts + (slot * this.threads + w) * LINE) >>> 2];
        out[k++] = c;
        const at = (g.spikes >>> 2) + slot * g.spec.size + g.part[w];
        out.set(I.subarray(at, at + c), k);
        k += c;
      }
    }
    return out;
  }

  /**
   * Copies rank `from`'s spikes of steps [n0, n1) (as {@link exportSpikes} wrote them) into the
   * ring slots of that rank's part, where this rank's deliveries read them.
   */
  importSpikes(from: number, n0: number, n1: number, data: Int32Array): void {
    if (this.rankIndex < 0) throw new Error('importSpikes: this engine is not a rank of a split network');
    if (!Number.isInteger(from) || from < 0 || from >= this.threads || from === this.rankIndex) throw new RangeError(`importSpikes: no rank ${from} to import from`);
    const I = this.I32;
    let k = 0;
    for (const g of this.groups) {
      const lo = g.part[from];
      const room = g.part[from + 1] - lo;
      for (let n = n0; n < n1; n++) {
        const slot = n % g.slots;
        const c = data[k++];
        if (!(c >= 0 && c <= room && k + c <= data.length)) throw new RangeError(`importSpikes: rank ${from}'s data for group '${g.spec.name}' at step ${n} is malformed`);
        for (let s = 0; s < c; s++) {
          const i = data[k + s];
          if (!(i >= lo && i < lo + room)) throw new RangeError(`importSpikes: rank ${from} sent neuron ${i} of group '${g.spec.name}', outside its part [${lo}, ${lo + room})`);
        }
        I.set(data.subarray(k, k + c), (g.spikes >>> 2) + slot * g.spec.size + lo);
        I[(g.counts + (slot * this.threads + from) * LINE) >>> 2] = c;
        k += c;
      }
    }
    if (k !== data.length) throw new RangeError(`importSpikes: rank ${from}'s data has ${data.length - k} words left over`);
  }

  /** Spike-ring slots of each group (a rank may exchange at most this many steps back). */
  get ringSlots(): number {
    return Math.min(...this.groups.map((g) => g.slots));
  }

  /**
   * Byte ranges of the engine's memory that hold simulation state (for store and restore), by
   * name: every group's arrays, last-spike times, spike-list ring and counts. Connectivity and
   * weights are constant in the engine and not listed; record buffers are empty between runs.
   */
  stateRegions(): { name: string; offset: number; bytes: number }[] {
    const out: { name: string; offset: number; bytes: number }[] = [];
    this.groups.forEach((g, gi) => {
      for (const [key, a] of g.spec.arrays) out.push({ name: `g${gi}.${key}`, offset: g.offsets[key], bytes: a.length * g.elem });
      out.push({ name: `g${gi}.lastspike`, offset: g.lastSpike, bytes: g.spec.size * 4 });
      out.push({ name: `g${gi}.spikes`, offset: g.spikes, bytes: g.slots * g.spec.size * 4 });
      out.push({ name: `g${gi}.counts`, offset: g.counts, bytes: g.slots * this.threads * LINE });
    });
    // plastic weights and per-synapse variables; increments in flight on per-synapse delays
    this.projs.forEach((p, k) => {
      if (p.plast) out.push({ name: `p${k}.weights`, offset: p.weights, bytes: p.nnz * this.groups[p.spec.post].elem }, ...p.plast.regions().map((r) => ({ ...r, name: `p${k}.${r.name}` })));
      if (p.ring >= 0) out.push({ name: `p${k}.ring`, offset: p.ring, bytes: p.R * this.groups[p.spec.post].spec.size * 8 });
      if (p.relRing >= 0) out.push({ name: `p${k}.release`, offset: p.relRing, bytes: releaseRingBytes(this.groups[p.spec.pre].slots, this.groups[p.spec.pre].spec.size, this.groups[p.spec.pre].elem) });
    });
    this.histories.forEach((h, k) => out.push({ name: `history${k}`, ...h }));
    return out;
  }

  /**
   * Copies plastic projection `k`'s weights and per-synapse variables out of the engine ('read')
   * or into it ('write'), in the CSR order the projection was given.
   *
   * @example
   * eng.plasticState(0, 'read', weights, synVars);
   */
  plasticState(k: number, dir: 'read' | 'write', weights: StateArray, synVars: readonly Float64Array[]): void {
    this.projs[k].plast!.exchange(this.arena, dir, weights, synVars);
  }

  /** The engine's memory as bytes (for store and restore of {@link stateRegions}). */
  get bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }
}

/**
 * Starts of each thread's range (the last is N): origin + multiples of `align` (16, or the block of
 * posts of just-in-time rows, so that a thread draws only its own blocks), nearest to an even split.
 */
export function partition(N: number, T: number, align = 16, origin = 0): Int32Array {
  const b = new Int32Array(T + 1);
  for (let w = 1; w < T; w++) b[w] = Math.min(N, Math.max(b[w - 1], origin + Math.round(((N * w) / T - origin) / align) * align));
  b[T] = N;
  return b;
}

/**
 * `update(n, out, lo, hi, flag) → count` of a Poisson source group: for i in [lo, hi), draw
 * u = H.uniform(seed, stream, i, n) with Threefry-2x32-20 (the words x0, x1 of key (seed, stream)
 * and counter (i, n); u = ((x0 >>> 5)·2^26 + (x1 >>> 6))·2^−53, exact in float64) and spike when
 * u < rates[i]·dt. The draw depends only on (seed, stream, i, n), so any partition of the neurons
 * among threads gives the same spikes, and the JavaScript kernel the same ones too.
 */
export function emitPoissonSource(m: ModuleBuilder, g: GroupLayout, double: boolean): number {
  const { seed, stream, rates, dt } = g.spec.poisson!;
  const f = m.addFunction(null, [ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32], [ValType.i32]);
  const idx = m.functionCount - 1;
  const N_ = 0;
  const OUT = 1;
  const LO = 2;
  const HI = 3;
  const i = f.local(ValType.i32);
  const count = f.local(ValType.i32);
  const x0 = f.local(ValType.i32);
  const x1 = f.local(ValType.i32);
  const rOff = g.offsets[rates];
  const table = g.spec.poisson!.table;
  // the table's row of step n, as the JavaScript kernel computes it: min(⌊n·ratio + 1e-9⌋, rows − 1), in bytes
  const row = f.local(ValType.i32);
  if (table) {
    f.get(N_).op(Op.f64_convert_i32_s).f64(table.stepRatio).op(Op.f64_mul).f64(1e-9).op(Op.f64_add).op(Op.f64_floor);
    f.op(0xaa); // i32.trunc_f64_s
    f.set(row);
    f.get(row).i32(table.rows - 1).get(row).i32(table.rows - 1).op(Op.i32_lt_s).op(Op.select).i32(table.columns * 8).op(Op.i32_mul).set(row);
  }
  f.i32(0).set(count);
  f.get(LO).set(i);
  f.block().get(i).get(HI).op(Op.i32_ge_s).br_if(0).loop();
  emitThreefry(f, seed, stream, i, N_, x0, x1);
  // u < rates[i]·dt, in float64
  emitUniform(f, x0, x1);
  f.get(i).i32(double ? 3 : 2).op(Op.i32_shl).mem(double ? Op.f64_load : Op.f32_load, double ? 3 : 2, rOff);
  if (!double) f.op(Op.f64_promote_f32);
  if (table) {
    // + table[row + (one column ? 0 : i)]
    f.get(row);
    if (table.columns > 1) f.get(i).i32(3).op(Op.i32_shl).op(Op.i32_add);
    f.mem(Op.f64_load, 3, g.table).op(Op.f64_add);
  }
  f.f64(dt).op(Op.f64_mul).op(Op.f64_lt);
  f.if();
  // spikes[out + 4·count] = i; lastspike[i] = n; count++
  f.get(OUT).get(count).i32(2).op(Op.i32_shl).op(Op.i32_add).get(i).mem(Op.i32_store, 2, 0);
  f.get(i).i32(2).op(Op.i32_shl).get(N_).mem(Op.i32_store, 2, g.lastSpike);
  f.get(count).i32(1).op(Op.i32_add).set(count);
  f.end();
  f.get(i).i32(1).op(Op.i32_add).tee(i).get(HI).op(Op.i32_lt_s).br_if(0);
  f.end().end();
  f.get(count);
  return idx;
}

/** `flush(lo, hi)`: float32 state values below the normal range become 0 (see the network's note). */
export function emitFlush(m: ModuleBuilder, g: GroupLayout): number {
  const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
  const idx = m.functionCount - 1;
  const i = f.local(ValType.i32);
  const a = f.local(ValType.i32);
  for (const v of g.spec.kernel.vars) {
    const off = g.offsets[v.name];
    f.get(0).set(i);
    f.block().get(i).get(1).op(Op.i32_ge_s).br_if(0).loop();
    f.get(i).i32(2).op(Op.i32_shl).tee(a).mem(Op.f32_load, 2, off).op(Op.f32_abs).f32(1.1754943508222875e-38).op(Op.f32_lt);
    f.if().get(a).f32(0).mem(Op.f32_store, 2, off).end();
    f.get(i).i32(1).op(Op.i32_add).tee(i).get(1).op(Op.i32_lt_s).br_if(0);
    f.end().end();
  }
  return idx;
}

/** `deliver(n, w)`: the spikes of step n − delay, to thread w's part of the post group. */
export function emitDeliver(m: ModuleBuilder, p: ProjLayout, pre: GroupLayout, post: GroupLayout, T: number, double: boolean): number {
  const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
  const idx = m.functionCount - 1;
  const { preStart, preSize, postStart, delaySteps, weights, weight, target } = p.spec;
  const gate = p.spec.gateRefSteps ?? 0;
  const N = pre.spec.size;
  const whole = preStart === 0 && preSize === N;
  const d = f.local(ValType.i32);
  const slot = f.local(ValType.i32);
  const c = f.local(ValType.i32);
  const base = f.local(ValType.i32);
  const q = f.local(ValType.i32);
  const r = f.local(ValType.i32);
  const s = f.local(ValType.i32);
  const e = f.local(ValType.i32);
  const a = f.local(ValType.i32);
  const delayed = p.delays >= 0;
  // the post index is kept in a local only where something reads it twice (the plain loop keeps it on the stack)
  const keepJ = delayed || gate > 0 || p.plast !== undefined;
  const jj = keepJ ? f.local(ValType.i32) : -1;
  const elem = double ? 8 : 4;
  const shift = double ? 3 : 2;
  const tOff = post.offsets[target] + postStart * elem;
  const M = post.spec.size;
  const rel = p.relRing >= 0 ? f.local(ValType.f64) : -1;
  // per-synapse delays: n mod R once per call, so that each synapse wraps with a compare instead of a division
  const nR = delayed ? f.local(ValType.i32) : -1;
  const at = delayed ? f.local(ValType.i32) : -1;
  if (delayed && p.R > 0) f.get(0).i32(p.R).op(Op.i32_rem_u).set(nR); // R = 0: no synapse, nothing to wrap
  p.plast?.emitPrologue(f, 0, 1); // t, the rule's step constants and trace addresses, once per call
  f.block();
  f.get(0);
  if (delaySteps > 0) f.i32(delaySteps).op(Op.i32_sub).tee(d).i32(0).op(Op.i32_lt_s).br_if(0);
  else f.set(d);
  if (pre.slots > 1) f.get(d).i32(pre.slots).op(Op.i32_rem_u).set(slot);
  else f.i32(0).set(slot);
  emitSpikeWalk(f, pre, T, LINE, { preStart, preSize }, { slot, c, base, q, r }, () => {
    if (T === 1) {
      f.get(r).i32(2).op(Op.i32_shl).tee(a).mem(Op.i32_load, 2, p.rows).set(s);
      f.get(a).mem(Op.i32_load, 2, p.rows + 4).set(e);
    } else {
      f.get(r).i32(T + 1).op(Op.i32_mul).get(1).op(Op.i32_add).i32(2).op(Op.i32_shl).tee(a).mem(Op.i32_load, 2, p.rows).set(s);
      f.get(a).mem(Op.i32_load, 2, p.rows + 4).set(e);
    }
    if (rel >= 0) emitLoadRelease(f, { size: N, ring: p.relRing }, preStart, slot, r, rel, double);
    if (!delayed && gate === 0 && rel < 0 && !keepJ) emitPlainUnrolled(f, p, s, e, a, tOff, double);
    // for (; s < e; s++) target[postStart + indices[s]] += w   (unless the post neuron is refractory, for a gated target)
    f.block().get(s).get(e).op(Op.i32_ge_s).br_if(0).loop();
    f.get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, p.indices);
    if (keepJ) f.set(jj);
    if (delayed) {
      // ring[((n + delay[s]) mod R)·M + postStart + j] += w, in float64 (judged by the gate when it arrives)
      // (n mod R + delay[s]) < 2R since every delay is < R: one conditional subtraction wraps it
      f.get(nR).get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, p.delays).op(Op.i32_add).tee(at).i32(p.R).op(Op.i32_sub);
      f.get(at).get(at).i32(p.R).op(Op.i32_ge_u).op(Op.select).i32(M).op(Op.i32_mul);
      f.get(jj).op(Op.i32_add).i32(postStart).op(Op.i32_add).i32(3).op(Op.i32_shl).tee(a);
      f.get(a).mem(Op.f64_load, 3, p.ring);
      if (weights) {
        f.get(s).i32(shift).op(Op.i32_shl).mem(double ? Op.f64_load : Op.f32_load, shift, p.weights);
        if (!double) f.op(Op.f64_promote_f32);
      } else f.f64(weight);
      if (rel >= 0) f.get(rel).op(Op.f64_mul);
      f.op(Op.f64_add).mem(Op.f64_store, 3, p.ring);
    } else {
    if (gate > 0) {
      f.block(); // skip target
      // n − lastspike[postStart + j] < refSteps: drop the increment
      f.get(0).get(jj).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, post.lastSpike + postStart * 4).op(Op.i32_sub).i32(gate).op(Op.i32_lt_s).br_if(0);
    }
    if (keepJ) f.get(jj);
    f.i32(shift).op(Op.i32_shl).tee(a);
    f.get(a).mem(double ? Op.f64_load : Op.f32_load, shift, tOff);
    if (rel >= 0) {
      // target + weight·r, in float64 as the JavaScript loop sums it
      if (!double) f.op(Op.f64_promote_f32);
      emitReleasedWeight(f, p.weights, weight, s, rel, double);
      f.op(Op.f64_add);
      if (!double) f.op(Op.f32_demote_f64);
      f.mem(double ? Op.f64_store : Op.f32_store, shift, tOff);
    } else if (weights) {
      f.get(s).i32(shift).op(Op.i32_shl).mem(double ? Op.f64_load : Op.f32_load, shift, p.weights);
    } else if (double) f.f64(weight);
    else f.f32(weight);
    if (rel < 0) f.op(double ? Op.f64_add : Op.f32_add).mem(double ? Op.f64_store : Op.f32_store, shift, tOff);
    if (gate > 0) f.end();
    }
    p.plast?.emitOnPre(f, { n: 0, w: 1, r, s, jj });
    f.get(s).i32(1).op(Op.i32_add).tee(s).get(e).op(Op.i32_lt_s).br_if(0);
    f.end().end();
    p.plast?.emitPreSpike(f, { n: 0, w: 1, r });
  });
  // the slot of step n lands on this thread's post neurons and is emptied (./ring_flush.ts)
  if (delayed) emitRingFlush(f, { ring: p.ring, R: p.R, M, target: post.offsets[target], lastSpike: post.lastSpike, bounds: post.bounds, gate, double });
  f.end();
  return idx;
}

/**
 * The plain delivery (no delay ring, gate, release or plasticity) four synapses per turn while
 * s + 4 ≤ e, in the order of the one-by-one loop that finishes the row: the same sums, fewer loop
 * branches and stack checks per synapse.
 */
function emitPlainUnrolled(f: FunctionBuilder, p: ProjLayout, s: number, e: number, a: number, tOff: number, double: boolean): void {
  const elem = double ? 8 : 4;
  const shift = double ? 3 : 2;
  f.block().get(s).i32(4).op(Op.i32_add).get(e).op(Op.i32_gt_s).br_if(0).loop();
  for (let k = 0; k < 4; k++) {
    // target[indices[s + k]] += weights[s + k] (or the one weight)
    f.get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, p.indices + 4 * k).i32(shift).op(Op.i32_shl).tee(a);
    f.get(a).mem(double ? Op.f64_load : Op.f32_load, shift, tOff);
    if (p.spec.weights) f.get(s).i32(shift).op(Op.i32_shl).mem(double ? Op.f64_load : Op.f32_load, shift, p.weights + elem * k);
    else if (double) f.f64(p.spec.weight);
    else f.f32(p.spec.weight);
    f.op(double ? Op.f64_add : Op.f32_add).mem(double ? Op.f64_store : Op.f32_store, shift, tOff);
  }
  f.get(s).i32(4).op(Op.i32_add).tee(s).i32(4).op(Op.i32_add).get(e).op(Op.i32_le_s).br_if(0);
  f.end().end();
}

/** `run(n0, n1, w) → first step not simulated` (−1 when another thread failed). */
export function emitRun(m: ModuleBuilder, groups: readonly GroupLayout[], updates: number[], uniformUpdates: number[], flushes: number[], delivers: number[], T: number, ctl: number, checkDiv: boolean, sleepFn: number, wakeFn: number, afterUpdates: number[], barrier: boolean, exportName = 'run'): void {
  const f = m.addFunction(exportName, [ValType.i32, ValType.i32, ValType.i32], [ValType.i32]);
  const N_ = 0;
  const N1 = 1;
  const W = 2;
  const stopReq = f.local(ValType.i32);
  const cnt = f.local(ValType.i32);
  const k = f.local(ValType.i32);
  const rc = f.local(ValType.i32);
  const src = f.local(ValType.i32);
  const gen = f.local(ValType.i32);
  const spin = f.local(ValType.i32);
  const lo = groups.map(() => f.local(ValType.i32));
  const hi = groups.map(() => f.local(ValType.i32));
  const wLine = f.local(ValType.i32); // w · LINE
  f.get(W).i32(LINE).op(Op.i32_mul).set(wLine);
  groups.forEach((g, gi) => {
    f.get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, g.bounds).set(lo[gi]);
    f.get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, g.bounds + 4).set(hi[gi]);
  });
  const stopAddr = ctl + 16 * LINE; // + w·LINE
  const divAddr = ctl + (16 + T) * LINE; // + w·LINE: [group, step]
  f.block(); // exit
  f.get(N_).get(N1).op(Op.i32_ge_s).br_if(0);
  f.loop(); // step
  f.i32(0).set(stopReq);
  groups.forEach((g, gi) => {
    const N = g.spec.size;
    // slot base: spikes + (slot·N + lo)·4
    f.get(N_);
    if (g.slots > 1) f.i32(g.slots).op(Op.i32_rem_u).set(k);
    else f.op(Op.drop).i32(0).set(k);
    const callUpdate = (fn: number) => {
      f.get(N_);
      f.get(k).i32(N).op(Op.i32_mul).get(lo[gi]).op(Op.i32_add).i32(2).op(Op.i32_shl).i32(g.spikes).op(Op.i32_add);
      f.get(lo[gi]).get(hi[gi]);
      f.get(wLine).i32(g.flags).op(Op.i32_add);
      f.call(fn);
    };
    if (uniformUpdates[gi] >= 0) {
      f.i32(0).mem(Op.i32_load, 2, g.mode).if(ValType.i32);
      callUpdate(uniformUpdates[gi]);
      f.else();
      callUpdate(updates[gi]);
      f.end();
    } else callUpdate(updates[gi]);
    f.set(cnt);
    f.get(k).i32(T).op(Op.i32_mul).get(W).op(Op.i32_add).i32(LINE).op(Op.i32_mul).get(cnt).mem(Op.i32_store, 2, g.counts);
    if (checkDiv) {
      f.get(wLine).mem(Op.i32_load, 2, g.flags).if();
      f.get(wLine).mem(Op.i32_load, 2, divAddr).i32(0).op(Op.i32_lt_s).if();
      f.get(wLine).i32(gi).mem(Op.i32_store, 2, divAddr);
      f.get(wLine).get(N_).mem(Op.i32_store, 2, divAddr + 4);
      f.end();
      f.i32(1).set(stopReq);
      f.end();
    }
    if (g.spec.record) {
      // copy the step's spikes into this thread's record buffer
      f.get(wLine).mem(Op.i32_load, 2, g.recCount).set(rc);
      f.get(k).i32(N).op(Op.i32_mul).get(lo[gi]).op(Op.i32_add).i32(2).op(Op.i32_shl).i32(g.spikes).op(Op.i32_add).set(src);
      f.get(W).i32(g.recCap * 4).op(Op.i32_mul).get(rc).i32(2).op(Op.i32_shl).op(Op.i32_add).set(k); // byte offset of entry rc of w's buffer
      f.block().get(cnt).i32(0).op(Op.i32_le_s).br_if(0).loop();
      f.get(k).get(src).mem(Op.i32_load, 2, 0).mem(Op.i32_store, 2, g.recIdx);
      f.get(k).get(N_).mem(Op.i32_store, 2, g.recSteps);
      f.get(k).i32(4).op(Op.i32_add).set(k);
      f.get(src).i32(4).op(Op.i32_add).set(src);
      f.get(rc).i32(1).op(Op.i32_add).set(rc);
      f.get(cnt).i32(1).op(Op.i32_sub).tee(cnt).br_if(0);
      f.end().end();
      f.get(wLine).get(rc).mem(Op.i32_store, 2, g.recCount);
      // room for one more step of every neuron of the range?
      f.get(rc).get(hi[gi]).get(lo[gi]).op(Op.i32_sub).op(Op.i32_add).i32(g.recCap).op(Op.i32_gt_s).if().i32(1).set(stopReq).end();
    }
  });
  if (flushes.some((x) => x >= 0)) {
    f.get(N_).i32(255).op(Op.i32_and).i32(255).op(Op.i32_eq).if();
    groups.forEach((_, gi) => {
      if (flushes[gi] >= 0) f.get(lo[gi]).get(hi[gi]).call(flushes[gi]);
    });
    f.end();
  }
  for (const a of afterUpdates) f.get(N_).get(W).call(a);
  f.get(stopReq).if();
  f.get(wLine).get(N_).i32(1).op(Op.i32_add);
  if (T > 1) f.atomic(AtomicOp.i32_atomic_store, 2, stopAddr);
  else f.mem(Op.i32_store, 2, stopAddr);
  f.end();
  if (T > 1 && barrier) emitBarrier(f, T, ctl, gen, spin, sleepFn, wakeFn);
  for (const d of delivers) f.get(N_).get(W).call(d);
  f.get(N_).i32(1).op(Op.i32_add).set(N_);
  // stop when some thread asked to stop at this step
  for (let w = 0; w < T; w++) {
    f.i32(0);
    if (T > 1) f.atomic(AtomicOp.i32_atomic_load, 2, stopAddr + w * LINE);
    else f.mem(Op.i32_load, 2, stopAddr);
    f.get(N_).op(Op.i32_le_s).br_if(1);
  }
  f.get(N_).get(N1).op(Op.i32_lt_s).br_if(0);
  f.end(); // loop
  f.end(); // exit block
  f.get(N_);
}

/**
 * A sense-counting barrier: the last thread to arrive bumps the generation; the others spin on
 * it, then sleep (Atomics.wait with a timeout, through an import; checking the abort word).
 */
function emitBarrier(f: FunctionBuilder, T: number, ctl: number, gen: number, spin: number, sleepFn: number, wakeFn: number): void {
  const GEN = ctl + CTL_GEN * LINE;
  const COUNT = ctl + CTL_COUNT * LINE;
  const SLEEP = ctl + CTL_SLEEP * LINE;
  const ABORT = ctl + CTL_ABORT * LINE;
  f.i32(0).atomic(AtomicOp.i32_atomic_load, 2, GEN).set(gen);
  f.i32(0).i32(1).atomic(AtomicOp.i32_atomic_rmw_add, 2, COUNT).i32(T - 1).op(Op.i32_eq);
  f.if();
  f.i32(0).i32(0).atomic(AtomicOp.i32_atomic_store, 2, COUNT);
  f.i32(0).get(gen).i32(1).op(Op.i32_add).atomic(AtomicOp.i32_atomic_store, 2, GEN);
  f.i32(0).atomic(AtomicOp.i32_atomic_load, 2, SLEEP).if();
  f.i32(GEN >>> 2).call(wakeFn);
  f.end();
  f.else();
  f.i32(0).set(spin);
  f.block().loop();
  f.i32(0).atomic(AtomicOp.i32_atomic_load, 2, GEN).get(gen).op(Op.i32_ne).br_if(1);
  f.get(spin).i32(1).op(Op.i32_add).tee(spin).i32(SPIN).op(Op.i32_lt_s).br_if(0);
  // sleep (100 ms at most, then look at the abort word)
  f.i32(0).i32(1).atomic(AtomicOp.i32_atomic_rmw_add, 2, SLEEP).op(Op.drop);
  f.i32(GEN >>> 2).get(gen).call(sleepFn);
  f.i32(0).i32(-1).atomic(AtomicOp.i32_atomic_rmw_add, 2, SLEEP).op(Op.drop);
  f.i32(0).atomic(AtomicOp.i32_atomic_load, 2, ABORT).if().i32(-1).ret().end();
  f.br(0);
  f.end().end();
  f.end();
}
