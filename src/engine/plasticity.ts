/**
 * Long-term plasticity inside the step engine: the rule's statements (src/plasticity/) compiled
 * to WebAssembly with the tree compiler, in the same order as the JavaScript step loop runs them.
 *
 * Threads. Thread w owns the post neurons of its range and the synapses onto them (its part of
 * every CSR row), so it alone changes those weights: on a pre spike it runs the on-pre statements
 * over its part of the row, on a spike of one of its post neurons the on-post statements over that
 * neuron's incoming synapses (a transposed index into the engine's CSR copy), and clock-driven
 * statements over its synapses. Post traces are states of the post group, updated by their owner.
 * Pre traces are read for any pre neuron, so each thread keeps its own copy of them (thread 0's
 * copy is the pre group's array) and decays and increments it exactly as the others do: no
 * barrier beyond the engine's one per step, and every copy holds the same values.
 *
 * Order within step n, per projection (as the JavaScript loop): the pre traces decay (the loop
 * decays them in the pre group's update); then for every delivered pre spike, synapse by synapse,
 * the transmission and the on-pre statements, and after the row the pre-trace update; then the
 * on-post statements and post-trace updates for the post spikes of step n; then, every
 * `everySteps` steps, the clock-driven statements.
 */
import { type Expr, symbolsOf, sym } from '../equations/ast.js';
import { type Assignment } from '../equations/parser.js';
import { diff, simplify, applyFunction, evaluate } from '../equations/symbolic.js';
import { type ModuleBuilder, type FunctionBuilder, Op, SimdOp, ValType } from '../wasm/encoder.js';
import { type WasmArena } from '../wasm/kernel.js';
import { ExprCompiler, unsupportedFunctions } from '../wasm/expr.js';
import { type PlasticityPlan } from '../plasticity/compile.js';

type StateArray = Float32Array | Float64Array;

/** A plastic projection's rule as the engine runs it. */
export interface EnginePlasticitySpec {
  readonly dt: number;
  /** Per-synapse variables besides the weight (their names in the statements, after `s$`), in the given CSR order. */
  readonly synVars: readonly { readonly name: string; readonly array: Float64Array }[];
  readonly onPre: readonly Assignment[];
  readonly onPost: readonly Assignment[];
  readonly every: readonly Assignment[];
  readonly everySteps: number;
  readonly preSpike: readonly Assignment[];
  readonly postSpike: readonly Assignment[];
  /** Array names of the statements (after `pre$` / `post$`) → the engine group's array key. */
  readonly preArrays: ReadonlyMap<string, string>;
  readonly postArrays: ReadonlyMap<string, string>;
  /** Pre traces (array names, right-hand sides in that name) that the engine decays itself, one copy per thread. */
  readonly preTraces: readonly { readonly name: string; readonly rhs: Expr }[];
}

/**
 * The engine's description of a plastic projection, or why the engine cannot run it.
 *
 * @example
 * const spec = enginePlasticity(plan, { dt: 1e-4, threads: 2, preKey: (n) => symOf.get(n), postKey: (n) => symOf.get(n) });
 * if (typeof spec === 'string') useTheLoop(spec);
 */
export function enginePlasticity(
  plan: PlasticityPlan,
  ctx: { dt: number; threads: number; preKey: (name: string) => string | undefined; postKey: (name: string) => string | undefined },
): EnginePlasticitySpec | string {
  const traces = new Set(plan.preTraces.map((t) => t.name));
  for (const t of plan.preTraces) {
    const other = [...symbolsOf(t.rhs)].filter((s) => s !== t.name);
    if (other.length > 0) return 'a pre-synaptic trace whose equation reads other variables (the engine keeps one copy of pre traces per thread)';
    if (simplify(diff(t.rhs, t.name)).k !== 'num') return 'a pre-synaptic trace that is not linear with a constant rate';
  }
  const lists = { onPre: plan.onPre, onPost: plan.onPost, every: plan.every, preSpike: plan.preSpike, postSpike: plan.postSpike };
  const preArrays = new Map<string, string>();
  const postArrays = new Map<string, string>();
  for (const [field, list] of Object.entries(lists)) {
    for (const a of list) {
      const bad = unsupportedFunctions(a.value);
      if (bad.length > 0) return `statements calling ${bad.join(', ')}(), which the step engine does not compile`;
      for (const s of [a.target, ...symbolsOf(a.value)]) {
        const side = s.startsWith('pre$') ? 'pre' : s.startsWith('post$') ? 'post' : '';
        // a trace update reads only its own side (the loop runs it outside the synapse loop)
        if (field === 'preSpike' && !(side === 'pre' || s === 't')) return 'a pre-synaptic spike statement that reads a synapse or post-synaptic value';
        if (field === 'postSpike' && !(side === 'post' || s === 't')) return 'a post-synaptic spike statement that reads a synapse or pre-synaptic value';
        if (s.startsWith('sig$')) return 'a signal outside the modulation';
        if (!side) continue;
        const name = s.slice(side.length + 1);
        if (side === 'pre' && ctx.threads > 1 && !traces.has(name)) return 'statements reading a pre-synaptic neuron variable, which another thread updates during delivery';
        const key = (side === 'pre' ? ctx.preKey : ctx.postKey)(name);
        if (key === undefined) return `statements reading a ${side}-synaptic value the engine does not hold`;
        (side === 'pre' ? preArrays : postArrays).set(name, key);
      }
    }
  }
  for (const t of plan.preTraces) {
    const key = ctx.preKey(t.name);
    if (key === undefined) return 'a pre-synaptic trace the engine does not hold';
    preArrays.set(t.name, key);
  }
  return { dt: ctx.dt, synVars: plan.synVars, ...lists, everySteps: plan.everySteps, preArrays, postArrays, preTraces: plan.preTraces };
}

/** Bytes the engine reserves for a plastic projection (for the engine's memory estimate). */
export function plasticBytes(spec: EnginePlasticitySpec, nnz: number, preN: number, postN: number, threads: number, elem: number): number {
  const r = (b: number) => Math.ceil(b / 64) * 64 + 64;
  return spec.synVars.length * r(nnz * 8) + spec.preTraces.length * (threads - 1) * r(preN * elem) + r((postN + 1) * 4) + 2 * r(nnz * 4) + r(spec.preTraces.length * 4);
}

/** What the emitters need of a group's layout in the engine (a structural view of engine.ts's). */
interface GroupView {
  readonly spec: { readonly size: number };
  readonly offsets: Record<string, number>;
  readonly spikes: number;
  readonly counts: number;
  readonly slots: number;
  readonly bounds: number;
}

/** Whether `e` uses only numbers, symbols, negation and + − × ÷ (operations a float64 lane computes as a scalar does). */
function plainArithmetic(e: Expr): boolean {
  if (e.k === 'num' || e.k === 'sym') return true;
  if (e.k === 'neg') return plainArithmetic(e.a);
  return e.k === 'bin' && e.op !== '^' && plainArithmetic(e.a) && plainArithmetic(e.b);
}

/**
 * Whether `e` is worth computing once per call rather than per synapse: it reads nothing but `t`
 * and numbers, is not a bare leaf, and calls no function (a random draw must stay per synapse).
 */
function stepConstant(e: Expr): boolean {
  if (e.k === 'num' || e.k === 'sym' || e.k === 'call') return false;
  let ok = true;
  const visit = (x: Expr): void => {
    if (x.k === 'call' || (x.k === 'sym' && x.name !== 't')) ok = false;
    else if (x.k === 'neg' || x.k === 'not') visit(x.a);
    else if (x.k === 'bin' || x.k === 'cmp' || x.k === 'logic') (visit(x.a), visit(x.b));
  };
  visit(e);
  return ok;
}

/** `e` with each largest step-constant subtree replaced by the symbol `h$<key>` (`found` collects them by key). */
function hoistSubtrees(e: Expr, found: Map<string, Expr>): Expr {
  if (stepConstant(e)) {
    const key = JSON.stringify(e);
    found.set(key, e);
    return sym(`h$${key}`);
  }
  switch (e.k) {
    case 'neg':
    case 'not':
      return { ...e, a: hoistSubtrees(e.a, found) };
    case 'bin':
    case 'cmp':
    case 'logic':
      return { ...e, a: hoistSubtrees(e.a, found), b: hoistSubtrees(e.b, found) };
    case 'call':
      return { ...e, args: e.args.map((x) => hoistSubtrees(x, found)) };
    default:
      return e;
  }
}

/** Loop `for (i = lo; i < hi; i++) body()` with i, hi locals (lo already in i). */
function forRange(f: FunctionBuilder, i: number, hi: number, body: () => void): void {
  f.block().get(i).get(hi).op(Op.i32_ge_s).br_if(0).loop();
  body();
  f.get(i).i32(1).op(Op.i32_add).tee(i).get(hi).op(Op.i32_lt_s).br_if(0);
  f.end().end();
}

/**
 * One plastic projection in the engine: its memory (per-synapse variables, per-thread pre-trace
 * copies, the transposed index) and its code.
 */
export class PlasticProjection {
  readonly spec: EnginePlasticitySpec;
  /** Engine CSR position → position in the given CSR order (filled by the engine's copy of the rows). */
  readonly order: Int32Array;
  private readonly synVars: number[];
  /** Per pre trace: the pre group's array (thread 0's copy) and the copies of threads 1..T−1. */
  private readonly traces: { readonly group: number; readonly copies: number }[];
  /** Per pre trace, an i32 set before each run: 1 when the group's array is +0 outside the pre slice. */
  private readonly zeroOutside: number;
  private readonly stride: number;
  private readonly tptr: number;
  private readonly tpos: number;
  private readonly trow: number;
  private readonly cols: number;
  private readonly elem: number;
  /** Per function emitted with {@link emitPrologue}: the locals of t and of the step-constant subexpressions, by name. */
  private readonly prologues = new WeakMap<FunctionBuilder, Map<string, number>>();

  constructor(
    arena: WasmArena,
    spec: EnginePlasticitySpec,
    private readonly p: {
      readonly nnz: number;
      /** Byte offsets of the engine's copy of the rows, post indices and weights. */
      readonly rows: number;
      readonly indices: number;
      readonly weights: number;
      readonly preStart: number;
      readonly preSize: number;
      readonly postStart: number;
      readonly pre: GroupView;
      readonly post: GroupView;
      readonly threads: number;
      readonly double: boolean;
      readonly line: number;
    },
  ) {
    this.spec = spec;
    this.order = new Int32Array(p.nnz);
    this.elem = p.double ? 8 : 4;
    const T = p.threads;
    const N = p.pre.spec.size;
    this.synVars = spec.synVars.map(() => arena.reserve(p.nnz * 8, 64));
    this.stride = Math.ceil((N * this.elem) / p.line) * p.line;
    this.traces = spec.preTraces.map((t) => ({ group: p.pre.offsets[spec.preArrays.get(t.name)!], copies: T > 1 ? arena.reserve((T - 1) * this.stride, p.line) : -1 }));
    this.zeroOutside = arena.reserve(Math.max(1, this.traces.length) * 4, 4);
    this.cols = p.post.spec.size - p.postStart;
    this.tptr = arena.reserve((this.cols + 1) * 4);
    this.tpos = arena.reserve(p.nnz * 4);
    this.trow = arena.reserve(p.nnz * 4);
  }

  /**
   * Writes the per-synapse variables and the transposed index, once the engine has copied the
   * rows (`rows`: T = 1 indptr, else per row T + 1 bounds; `indices` in engine order) and `order`.
   */
  fill(arena: WasmArena, rows: Int32Array, indices: Int32Array): void {
    const { nnz, preSize, threads: T } = this.p;
    this.spec.synVars.forEach((v, k) => {
      const dst = arena.f64(this.synVars[k], nnz);
      for (let s = 0; s < nnz; s++) dst[s] = v.array[this.order[s]];
    });
    // column c lists its synapses by ascending pre row (the JavaScript loop's transpose order)
    const ptr = arena.i32(this.tptr, this.cols + 1);
    const pos = arena.i32(this.tpos, nnz);
    const row = arena.i32(this.trow, nnz);
    ptr.fill(0);
    for (let s = 0; s < nnz; s++) ptr[indices[s] + 1]++;
    for (let c = 0; c < this.cols; c++) ptr[c + 1] += ptr[c];
    const next = ptr.slice(0, this.cols);
    for (let r = 0; r < preSize; r++) {
      const a = T === 1 ? rows[r] : rows[r * (T + 1)];
      const b = T === 1 ? rows[r + 1] : rows[r * (T + 1) + T];
      for (let s = a; s < b; s++) {
        const x = next[indices[s]]++;
        pos[x] = s;
        row[x] = r;
      }
    }
  }

  /**
   * Before a run: threads 1..T−1 start from thread 0's pre traces (what the user sees and stores),
   * and each trace notes whether it is +0 (all bits clear) outside the pre slice, where nothing
   * but the decay writes it during the run.
   */
  sync(arena: WasmArena): void {
    const N = this.p.pre.spec.size;
    const { preStart, preSize, double } = this.p;
    const flags = arena.i32(this.zeroOutside, this.traces.length);
    this.traces.forEach((t, k) => {
      const bits = arena.i32(t.group, N * (double ? 2 : 1));
      const per = double ? 2 : 1;
      let zero = 1;
      for (let x = 0; x < preStart * per && zero; x++) if (bits[x] !== 0) zero = 0;
      for (let x = (preStart + preSize) * per; x < N * per && zero; x++) if (bits[x] !== 0) zero = 0;
      flags[k] = zero;
    });
    for (const t of this.traces) {
      if (t.copies < 0) continue;
      const view = (off: number) => (this.p.double ? arena.f64(off, N) : arena.f32(off, N));
      const src = view(t.group);
      for (let w = 1; w < this.p.threads; w++) view(t.copies + (w - 1) * this.stride).set(src);
    }
  }

  /** Copies weights and per-synapse variables between the engine and arrays in the given CSR order. */
  exchange(arena: WasmArena, dir: 'read' | 'write', weights: StateArray, synVars: readonly Float64Array[]): void {
    const { nnz, double } = this.p;
    const ew = double ? arena.f64(this.p.weights, nnz) : arena.f32(this.p.weights, nnz);
    const pairs: [StateArray, StateArray][] = [[ew, weights], ...synVars.map((v, k): [StateArray, StateArray] => [arena.f64(this.synVars[k], nnz), v])];
    for (const [eng, given] of pairs) {
      if (dir === 'read') for (let s = 0; s < nnz; s++) given[this.order[s]] = eng[s];
      else for (let s = 0; s < nnz; s++) eng[s] = given[this.order[s]];
    }
  }

  /** Byte ranges of plastic state besides the weights: per-synapse variables. */
  regions(): { name: string; offset: number; bytes: number }[] {
    return this.synVars.map((offset, k) => ({ name: `syn${k}`, offset, bytes: this.p.nnz * 8 }));
  }

  /**
   * `decay(n, w)`: thread w's copy of every pre trace advances one step (exponential Euler, as the
   * loop: x ← x + factor·f(x) in float64, then stored). Thread 0's copy is the pre group's array and
   * decays whole, as the loop decays it; the other copies only on the projection's pre slice, the
   * only entries the rule reads there. Plain arithmetic runs two float64 lanes at a time (the same
   * operations per lane, so the same bits). Where the update keeps +0 at +0, lanes that are all +0
   * (neurons that have not spiked) are skipped, and so is the part of thread 0's copy outside the
   * slice when it was all +0 at the start of the run (nothing else writes there): both store what
   * the update would have stored.
   */
  emitDecay(m: ModuleBuilder): number {
    if (this.traces.length === 0) return -1;
    const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
    const idx = m.functionCount - 1;
    const W = 1;
    const { double, threads: T, preStart, preSize } = this.p;
    const N = this.p.pre.spec.size;
    const i = f.local(ValType.i32);
    const hi = f.local(ValType.i32);
    const lo = f.local(ValType.i32);
    const vhi = f.local(ValType.i32);
    const whole = f.local(ValType.i32);
    const a = f.local(ValType.i32);
    const x = f.local(ValType.f64);
    const v = f.local(ValType.v128);
    const xin = f.local(ValType.v128);
    const xs = [f.local(ValType.v128), f.local(ValType.v128)];
    const dt = this.spec.dt;
    const shift = double ? 3 : 2;
    const c = new ExprCompiler(f, 'f64', { addrLocal: a, cse: false, resolve: () => ({ kind: 'local', index: x }) });
    this.spec.preTraces.forEach((t, k) => {
      // x ← x + factor·f(x), factor = dt·exprel(B·dt) with B = ∂f/∂x constant
      const B = simplify(diff(t.rhs, t.name));
      const factor = B.k === 'num' && B.v !== 0 ? dt * applyFunction('exprel', [B.v * dt]) : dt;
      const simd = plainArithmetic(t.rhs);
      const keepsZero = simd && Object.is(0 + factor * evaluate(t.rhs, () => 0), 0);
      this.traceBase(f, k, W, a);
      // [lo, hi): the whole array on thread 0 unless it is +0 outside the slice (and stays so), else the pre slice
      if (!(preStart === 0 && preSize === N) && (T > 1 || keepsZero)) {
        f.get(W).op(Op.i32_eqz);
        if (keepsZero) f.i32(0).mem(Op.i32_load, 2, this.zeroOutside + 4 * k).op(Op.i32_eqz).op(Op.i32_and);
        f.set(whole);
        f.i32(0).i32(preStart).get(whole).op(Op.select).set(lo);
        f.i32(N).i32(preStart + preSize).get(whole).op(Op.select).set(hi);
      } else {
        f.i32(0).set(lo);
        f.i32(N).set(hi);
      }
      f.get(lo).set(i);
      if (simd) {
        // lanes of 4 (float32: two promoted halves) or 2 (float64) elements, up to vhi
        const lanes = double ? 2 : 4;
        const lc = new ExprCompiler(f, 'f64x2', { addrLocal: a, cse: false, resolve: () => ({ kind: 'local', index: xin }) });
        f.get(hi).get(lo).op(Op.i32_sub).i32(-lanes).op(Op.i32_and).get(lo).op(Op.i32_add).set(vhi);
        f.block().get(i).get(vhi).op(Op.i32_ge_s).br_if(0).loop();
        f.get(a).get(i).i32(shift).op(Op.i32_shl).op(Op.i32_add).simdMem(SimdOp.v128_load, shift, 0).set(v);
        if (keepsZero) f.get(v).simd(SimdOp.v128_any_true).if();
        for (let h = 0; h < (double ? 1 : 2); h++) {
          f.get(v);
          if (!double) {
            if (h === 1) f.get(v).simd(SimdOp.i8x16_shuffle, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
            f.simd(SimdOp.f64x2_promote_low_f32x4);
          }
          f.tee(xin).f64x2(factor);
          lc.value(t.rhs);
          f.simd(SimdOp.f64x2_mul).simd(SimdOp.f64x2_add);
          if (!double) f.simd(SimdOp.f32x4_demote_f64x2_zero);
          f.set(xs[h]);
        }
        f.get(a).get(i).i32(shift).op(Op.i32_shl).op(Op.i32_add);
        if (double) f.get(xs[0]);
        else f.get(xs[0]).get(xs[1]).simd(SimdOp.i8x16_shuffle, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
        f.simdMem(SimdOp.v128_store, shift, 0);
        if (keepsZero) f.end();
        f.get(i).i32(lanes).op(Op.i32_add).tee(i).get(vhi).op(Op.i32_lt_s).br_if(0);
        f.end().end();
        f.get(vhi).set(i);
      }
      forRange(f, i, hi, () => {
        this.load(f, a, i, 0);
        f.set(x);
        f.get(a).get(i).i32(shift).op(Op.i32_shl).op(Op.i32_add);
        f.get(x).f64(factor);
        c.value(t.rhs);
        f.op(Op.f64_mul).op(Op.f64_add);
        this.store(f);
      });
    });
    return idx;
  }

  /**
   * At the top of a function that runs the on-pre and pre-spike statements (the delivery; i32
   * locals `n`, the step, and `w`, the thread): t = n·dt, the statements' subexpressions that read
   * only t and numbers, and the address of thread w's copy of each pre trace, each computed once per
   * call into a local that the per-synapse code reads (the same operations, so the same values).
   */
  emitPrologue(f: FunctionBuilder, n: number, w: number): void {
    this.prologue(f, n, w, [this.spec.onPre, this.spec.preSpike]);
  }

  private prologue(f: FunctionBuilder, n: number, w: number, lists: readonly (readonly Assignment[])[]): void {
    const found = new Map<string, Expr>();
    for (const list of lists) for (const a of list) hoistSubtrees(a.value, found);
    const locals = new Map<string, number>();
    const t = f.local(ValType.f64);
    f.get(n).op(Op.f64_convert_i32_s).f64(this.spec.dt).op(Op.f64_mul).set(t);
    locals.set('t', t);
    const c = new ExprCompiler(f, 'f64', { addrLocal: f.local(ValType.i32), cse: false, resolve: () => ({ kind: 'local', index: t }) });
    for (const [key, e] of found) {
      const l = f.local(ValType.f64);
      c.value(e);
      f.set(l);
      locals.set(`h$${key}`, l);
    }
    // the address of thread w's copy of each pre trace (a local of i32 type, unlike the others)
    this.traces.forEach((_, k) => {
      const b = f.local(ValType.i32);
      this.traceBase(f, k, w, b);
      locals.set(`base$${k}`, b);
    });
    this.prologues.set(f, locals);
  }

  /**
   * In the delivery loop, after synapse `s` (engine position) of row `r` transmitted: the on-pre
   * statements on that synapse (post neuron `jj`, relative to the projection's post start).
   */
  emitOnPre(f: FunctionBuilder, at: { n: number; w: number; r: number; s: number; jj: number }): void {
    if (this.spec.onPre.length === 0) return;
    const i = this.absolute(f, at.r, this.p.preStart);
    const j = this.absolute(f, at.jj, this.p.postStart);
    this.statements(f, this.spec.onPre, { n: at.n, w: at.w, i, j, s: at.s });
  }

  /** After the row of a delivered pre spike (row `r`): the pre-trace update, on thread w's copy. */
  emitPreSpike(f: FunctionBuilder, at: { n: number; w: number; r: number }): void {
    if (this.spec.preSpike.length === 0) return;
    const i = this.absolute(f, at.r, this.p.preStart);
    this.statements(f, this.spec.preSpike, { n: at.n, w: at.w, i, j: -1, s: -1 });
  }

  /**
   * `post(n, w)`: for thread w's post spikes of step n, the on-post statements over each neuron's
   * incoming synapses, then its post-trace update; then, on clock steps, the clock-driven statements
   * over thread w's synapses. Returns −1 when the rule has none.
   */
  emitPost(m: ModuleBuilder): number {
    const { onPost, postSpike, every, everySteps } = this.spec;
    if (onPost.length + postSpike.length + every.length === 0) return -1;
    const f = m.addFunction(null, [ValType.i32, ValType.i32], []);
    const idx = m.functionCount - 1;
    const N_ = 0;
    const W = 1;
    const { post, threads: T, line, preStart, postStart, preSize } = this.p;
    const M = post.spec.size;
    const q = f.local(ValType.i32);
    const cnt = f.local(ValType.i32);
    const base = f.local(ValType.i32);
    const j = f.local(ValType.i32);
    const col = f.local(ValType.i32);
    const x = f.local(ValType.i32);
    const xe = f.local(ValType.i32);
    const s = f.local(ValType.i32);
    const i = f.local(ValType.i32);
    this.prologue(f, N_, W, [onPost, postSpike, every]);
    if (onPost.length + postSpike.length > 0) {
      // thread w's segment of the post group's spike list of step n
      const slot = f.local(ValType.i32);
      if (post.slots > 1) f.get(N_).i32(post.slots).op(Op.i32_rem_u).set(slot);
      else f.i32(0).set(slot);
      f.get(slot).i32(T).op(Op.i32_mul).get(W).op(Op.i32_add).i32(line).op(Op.i32_mul).mem(Op.i32_load, 2, post.counts).set(cnt);
      f.get(slot).i32(M).op(Op.i32_mul).get(W).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, post.bounds).op(Op.i32_add).i32(2).op(Op.i32_shl).i32(post.spikes).op(Op.i32_add).set(base);
      f.i32(0).set(q);
      forRange(f, q, cnt, () => {
        f.block(); // next spike
        f.get(base).get(q).i32(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load, 2, 0).tee(j);
        f.i32(postStart).op(Op.i32_sub).tee(col).i32(this.cols).op(Op.i32_ge_u).br_if(0);
        if (onPost.length > 0) {
          f.get(col).i32(2).op(Op.i32_shl).tee(x).mem(Op.i32_load, 2, this.tptr + 4).set(xe);
          f.get(x).mem(Op.i32_load, 2, this.tptr).set(x);
          forRange(f, x, xe, () => {
            f.get(x).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, this.tpos).set(s);
            f.get(x).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, this.trow).i32(preStart).op(Op.i32_add).set(i);
            this.statements(f, onPost, { n: N_, w: W, i, j, s });
          });
        }
        if (postSpike.length > 0) this.statements(f, postSpike, { n: N_, w: W, i: -1, j, s: -1 });
        f.end(); // next spike
      });
    }
    if (every.length > 0) {
      const r = f.local(ValType.i32);
      const e = f.local(ValType.i32);
      const nr = f.local(ValType.i32);
      f.block();
      if (everySteps > 1) f.get(N_).i32(everySteps).op(Op.i32_rem_u).br_if(0);
      f.i32(0).set(r);
      f.i32(preSize).set(nr);
      forRange(f, r, nr, () => {
        // thread w's part of row r: [rows[r·(T+1) + w], rows[r·(T+1) + w + 1]) (T = 1: indptr)
        if (T === 1) f.get(r).i32(2).op(Op.i32_shl).set(x);
        else f.get(r).i32(T + 1).op(Op.i32_mul).get(W).op(Op.i32_add).i32(2).op(Op.i32_shl).set(x);
        f.get(x).mem(Op.i32_load, 2, this.p.rows).set(s);
        f.get(x).mem(Op.i32_load, 2, this.p.rows + 4).set(e);
        f.get(r).i32(preStart).op(Op.i32_add).set(i);
        forRange(f, s, e, () => {
          f.get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, this.p.indices).i32(postStart).op(Op.i32_add).set(j);
          this.statements(f, every, { n: N_, w: W, i, j, s });
        });
      });
      f.end();
    }
    return idx;
  }

  private absolute(f: FunctionBuilder, rel: number, start: number): number {
    const l = f.local(ValType.i32);
    f.get(rel).i32(start).op(Op.i32_add).set(l);
    return l;
  }

  /** `a` ← the byte address of thread w's copy of pre trace k. */
  private traceBase(f: FunctionBuilder, k: number, w: number, a: number): void {
    const t = this.traces[k];
    if (t.copies < 0) {
      f.i32(t.group).set(a);
      return;
    }
    f.i32(t.group);
    f.get(w).i32(1).op(Op.i32_sub).i32(this.stride).op(Op.i32_mul).i32(t.copies).op(Op.i32_add);
    f.get(w).op(Op.i32_eqz).op(Op.select).set(a);
  }

  /** Pushes the state value at byte address base + index·elem + offset, as float64. */
  private load(f: FunctionBuilder, base: number, index: number, offset: number): void {
    f.get(base).get(index).i32(this.p.double ? 3 : 2).op(Op.i32_shl).op(Op.i32_add);
    if (this.p.double) f.mem(Op.f64_load, 3, offset);
    else f.mem(Op.f32_load, 2, offset).op(Op.f64_promote_f32);
  }

  /** Stores the float64 on the stack as a state value at the address below it. */
  private store(f: FunctionBuilder): void {
    if (this.p.double) f.mem(Op.f64_store, 3, 0);
    else f.op(Op.f32_demote_f64).mem(Op.f32_store, 2, 0);
  }

  /**
   * Runs statements on locals: the weight and per-synapse variables of synapse `s`, the pre and
   * post arrays at `i` and `j`, t = n·dt; stores what they assigned. State arrays hold what was
   * stored (rounded to float32 in a float32 engine) after each assignment, as the loop's arrays do;
   * the weight and per-synapse variables are locals until the end, as the loop's are.
   */
  private statements(f: FunctionBuilder, list: readonly Assignment[], at: { n: number; w: number; i: number; j: number; s: number }): void {
    const { double } = this.p;
    const locals = new Map<string, number>();
    const addr = f.local(ValType.i32);
    const names = new Set<string>();
    // t and the step-constant subexpressions come from the function's prologue where it has one
    const pro = this.prologues.get(f);
    if (pro) list = list.map((a) => ({ ...a, value: hoistSubtrees(a.value, new Map()) }));
    for (const a of list) for (const s of [a.target, ...symbolsOf(a.value)]) names.add(s);
    // where each name lives: [base local, index local, memory offset, float64?]
    const place = (name: string): { base: number; index: number; offset: number; f64: boolean } => {
      if (name === 'w$') return { base: -1, index: at.s, offset: this.p.weights, f64: double };
      if (name.startsWith('s$')) {
        const k = this.spec.synVars.findIndex((v) => `s$${v.name}` === name);
        return { base: -1, index: at.s, offset: this.synVars[k], f64: true };
      }
      const pre = name.startsWith('pre$');
      const arrayName = name.slice(pre ? 4 : 5);
      const k = pre ? this.spec.preTraces.findIndex((t) => t.name === arrayName) : -1;
      if (k >= 0) {
        let b = pro?.get(`base$${k}`);
        if (b === undefined) this.traceBase(f, k, at.w, (b = f.local(ValType.i32)));
        return { base: b, index: at.i, offset: 0, f64: double };
      }
      const g = pre ? this.p.pre : this.p.post;
      const key = (pre ? this.spec.preArrays : this.spec.postArrays).get(arrayName)!;
      return { base: -1, index: pre ? at.i : at.j, offset: g.offsets[key], f64: double };
    };
    const places = new Map<string, ReturnType<typeof place>>();
    const address = (pl: ReturnType<typeof place>) => {
      f.get(pl.index).i32(pl.f64 ? 3 : 2).op(Op.i32_shl);
      if (pl.base >= 0) f.get(pl.base).op(Op.i32_add);
    };
    for (const name of names) {
      const held = pro?.get(name);
      if (held !== undefined) {
        locals.set(name, held);
        continue;
      }
      const l = f.local(ValType.f64);
      locals.set(name, l);
      if (name === 't') {
        f.get(at.n).op(Op.f64_convert_i32_s).f64(this.spec.dt).op(Op.f64_mul).set(l);
        continue;
      }
      const pl = place(name);
      places.set(name, pl);
      address(pl);
      if (pl.f64) f.mem(Op.f64_load, 3, pl.offset);
      else f.mem(Op.f32_load, 2, pl.offset).op(Op.f64_promote_f32);
      f.set(l);
    }
    const c = new ExprCompiler(f, 'f64', { addrLocal: addr, cse: false, resolve: (name) => ({ kind: 'local', index: locals.get(name)! }) });
    const written = new Set<string>();
    for (const a of list) {
      const l = locals.get(a.target)!;
      if (a.op !== '=') f.get(l);
      c.value(a.value);
      if (a.op === '+=') f.op(Op.f64_add);
      else if (a.op === '-=') f.op(Op.f64_sub);
      else if (a.op === '*=') f.op(Op.f64_mul);
      else if (a.op === '/=') f.op(Op.f64_div);
      const pl = places.get(a.target)!;
      // a float32 state array holds the rounded value (the weight and synapse locals round at the end)
      if (!pl.f64 && a.target !== 'w$') f.op(Op.f32_demote_f64).op(Op.f64_promote_f32);
      f.set(l);
      written.add(a.target);
    }
    for (const name of written) {
      const pl = places.get(name)!;
      address(pl);
      f.get(locals.get(name)!);
      if (pl.f64) f.mem(Op.f64_store, 3, pl.offset);
      else f.op(Op.f32_demote_f64).mem(Op.f32_store, 2, pl.offset);
    }
  }
}
