/**
 * State monitors on the step engine: per step, the values of some per-neuron arrays at chosen
 * neurons, copied into a record buffer that the host drains after each run.
 *
 * Each thread copies the recorded neurons of its own range, at the end of its step (after its
 * deliveries and Poisson inputs, where the JavaScript loop calls its monitors): no other thread
 * writes those neurons during the step, so the values are the step's final ones, whatever the
 * thread count. Row r of the buffer holds step n = n0 + r·every (n0: the first step of the run,
 * a multiple-of-`every` step only is sampled): variable v of recorded neuron j at v·m + j, in
 * float64 (float32 state converts exactly). A run is cut to as many steps as the buffer holds rows,
 * so nothing is dropped and no stop request is needed.
 */
import { type ModuleBuilder, Op, ValType } from '../wasm/encoder.js';
import { type WasmArena } from '../wasm/kernel.js';

/** One state monitor as the engine records it. */
export interface EngineStateRecordSpec {
  /** Index of the group in the engine's group list. */
  readonly group: number;
  /** The group's arrays (symbols), one per recorded variable; each holds one value per neuron. */
  readonly arrays: readonly string[];
  /** Recorded neurons, as indices into the group (any order, repeats allowed). */
  readonly indices: Int32Array;
  /** Sample every this many steps (steps n with n mod every = 0). */
  readonly every: number;
}

/** Bytes of record buffer per monitor (at least one row): runs are cut to fit. */
const BUFFER_BYTES = 1 << 22;
/** Alignment slack per reservation (an upper bound for memoryNeeded). */
const SLACK = 128;

interface RecordLayout {
  readonly spec: EngineStateRecordSpec;
  readonly stride: number;
  readonly rows: number;
  /** i32 pairs (neuron, column), grouped by owning thread. */
  readonly table: number;
  /** T + 1 i32 bounds into the table, per thread. */
  readonly bounds: number;
  readonly buffer: number;
  readonly entries: Int32Array;
  readonly starts: Int32Array;
}

function rowsOf(spec: EngineStateRecordSpec): number {
  const stride = spec.indices.length * spec.arrays.length;
  return Math.max(1, Math.floor(BUFFER_BYTES / Math.max(1, stride * 8)));
}

/**
 * The engine's state records: their memory, their per-step code and their draining.
 *
 * @example
 * const rec = new StateRecords(arena, specs, groups.map((g) => g.part));
 * delivers.push(...rec.emit(m, (g, key) => groups[g].offsets[key], double));
 */
export class StateRecords {
  private readonly layouts: RecordLayout[];
  /** i32 word: the first step of the current run. */
  private readonly base: number;
  private view: Float64Array | null = null;
  private arena: WasmArena | null = null;

  /** An upper bound of the bytes {@link StateRecords} reserves. */
  static bytes(specs: readonly EngineStateRecordSpec[], threads: number): number {
    let total = specs.length > 0 ? 4 + SLACK : 0;
    for (const s of specs) total += s.indices.length * 8 + (threads + 1) * 4 + rowsOf(s) * s.indices.length * s.arrays.length * 8 + 3 * SLACK;
    return total;
  }

  /** Reserves the records' memory; `parts[g]` are group g's thread range starts (T + 1 words). */
  constructor(arena: WasmArena, specs: readonly EngineStateRecordSpec[], parts: readonly Int32Array[]) {
    this.base = specs.length > 0 ? arena.reserve(4) : -1;
    this.layouts = specs.map((spec) => {
      if (!Number.isInteger(spec.every) || spec.every < 1) throw new RangeError(`a state record samples every ${spec.every} steps`);
      const part = parts[spec.group];
      const T = part.length - 1;
      const m = spec.indices.length;
      // entries of thread 0, then thread 1, ...: (neuron, column) with the column's order kept within a thread
      const entries = new Int32Array(2 * m);
      const starts = new Int32Array(T + 1);
      let e = 0;
      for (let w = 0; w < T; w++) {
        starts[w] = e;
        for (let j = 0; j < m; j++) {
          const i = spec.indices[j];
          if (!(i >= 0 && i < part[T])) throw new RangeError(`a state record's neuron ${i} is outside its group`);
          if (i >= part[w] && i < part[w + 1]) (entries[2 * e] = i), (entries[2 * e + 1] = j), e++;
        }
      }
      starts[T] = e;
      const stride = m * spec.arrays.length;
      const rows = rowsOf(spec);
      return { spec, stride, rows, entries, starts, table: arena.reserve(Math.max(1, 2 * m) * 4), bounds: arena.reserve((T + 1) * 4), buffer: arena.reserve(Math.max(1, rows * stride) * 8, 8) };
    });
  }

  /** Writes the tables into the arena's memory (after it is created). */
  fill(arena: WasmArena): void {
    this.arena = arena;
    for (const L of this.layouts) {
      arena.i32(L.table, L.entries.length).set(L.entries);
      arena.i32(L.bounds, L.starts.length).set(L.starts);
    }
  }

  /**
   * Emits one `record(n, w)` per state record (called after the step's deliveries): thread w's
   * recorded neurons → row (n − n0)/every of the buffer, when n mod every = 0.
   */
  emit(m: ModuleBuilder, offsetOf: (group: number, key: string) => number, double: boolean): number[] {
    const shift = double ? 3 : 2;
    return this.layouts.map((L) => {
      const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
      const idx = m.functionCount - 1;
      const N_ = 0;
      const W = 1;
      const e = f.local(ValType.i32);
      const end = f.local(ValType.i32);
      const row = f.local(ValType.i32);
      const at = f.local(ValType.i32);
      const i = f.local(ValType.i32);
      const { every, arrays, indices } = L.spec;
      const mCount = indices.length;
      f.block();
      if (every > 1) f.get(N_).i32(every).op(Op.i32_rem_u).br_if(0);
      // row byte offset: ((n − n0)/every)·stride·8
      f.get(N_).i32(0).mem(Op.i32_load, 2, this.base).op(Op.i32_sub);
      if (every > 1) f.i32(every).op(Op.i32_div_s);
      f.i32(L.stride * 8).op(Op.i32_mul).set(row);
      f.get(W).i32(2).op(Op.i32_shl).tee(e).mem(Op.i32_load, 2, L.bounds + 4).set(end);
      f.get(e).mem(Op.i32_load, 2, L.bounds).set(e);
      f.block().get(e).get(end).op(Op.i32_ge_s).br_if(0).loop();
      f.get(e).i32(3).op(Op.i32_shl).tee(at).mem(Op.i32_load, 2, L.table).set(i);
      // at = row + column·8
      f.get(at).mem(Op.i32_load, 2, L.table + 4).i32(3).op(Op.i32_shl).get(row).op(Op.i32_add).set(at);
      arrays.forEach((key, v) => {
        f.get(at);
        f.get(i).i32(shift).op(Op.i32_shl).mem(double ? Op.f64_load : Op.f32_load, shift, offsetOf(L.spec.group, key));
        if (!double) f.op(Op.f64_promote_f32);
        f.mem(Op.f64_store, 3, L.buffer + v * mCount * 8);
      });
      f.get(e).i32(1).op(Op.i32_add).tee(e).get(end).op(Op.i32_lt_s).br_if(0);
      f.end().end();
      f.end();
      return idx;
    });
  }

  /** The last step (exclusive) of a run from n0 whose samples fit the buffers. */
  limit(n0: number, n1: number): number {
    for (const L of this.layouts) n1 = Math.min(n1, n0 + L.rows * L.spec.every);
    return n1;
  }

  /** Before a run from step n0. */
  begin(I32: Int32Array, n0: number): void {
    if (this.base >= 0) I32[this.base >>> 2] = n0;
  }

  /**
   * Hands the samples of record k for the steps of [n0, n1) (the last run's, which began at n0) to `cb`:
   * variable v of recorded neuron j of step n at values[offset + v·m + j].
   */
  drain(k: number, n0: number, n1: number, cb: (n: number, values: Float64Array, offset: number) => void): void {
    const L = this.layouts[k];
    const every = L.spec.every;
    if (!this.view) {
      let end = 0;
      for (const x of this.layouts) end = Math.max(end, x.buffer + Math.max(1, x.rows * x.stride) * 8);
      this.view = this.arena!.f64(0, end >>> 3);
    }
    for (let n = Math.ceil(n0 / every) * every; n < n1; n += every) cb(n, this.view, (L.buffer >>> 3) + Math.floor((n - n0) / every) * L.stride);
  }
}
