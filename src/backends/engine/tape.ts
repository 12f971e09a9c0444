/**
 * The step engine's lowering of the step IR for training: the forward pass with its tape and the
 * reverse pass, compiled to one WebAssembly module over one memory, run on 1..N threads.
 *
 * It lowers the same things as the JavaScript lowering (src/backends/js/tape.ts) — each group's
 * step program (src/ir/program.ts) and its adjoint (src/autodiff/reverse.ts `reverseTerms`),
 * event deliveries (CSR rows, homogeneous or per-synapse delays, STP release, soft spikes) and
 * continuous coupling — but every expression tree is compiled to WebAssembly by the tree compiler
 * of the simulation kernels (src/wasm/expr.ts), in double precision, one neuron at a time.
 *
 * Memory (float64 unless said): per state slot a tape X[(T+1)·B·N] and its adjoint A; per constant
 * slot its N values (copied from the simulator's arrays before each pass, so what training changes
 * is what `net.run` simulates); per spiking group a spike tape S[T·B·N] holding each step's spike
 * (1, or the smooth spike's value; input groups' events are written into it), the last-spike step
 * (i32, (T+1)·B·N) where the group reads it, dL/d(spike) GS[T·B·N] where a delivery reads it,
 * dL/d(spike count) CG[B·N]; per delivery its rows, weights, delays and pending increments.
 *
 * Threads split the batch. The batch of B rows is cut into P = min(B, 16) fixed parts; a thread
 * runs whole parts, all T steps, with no synchronisation inside a pass. Parameter gradients go to
 * one buffer per part and are summed in part order after the pass, so the gradients are identical
 * for any number of threads (the parts depend on B only).
 *
 * Generated code contains only numbers, memory offsets and locals: no name reaches it.
 */
import { ModuleBuilder, type FunctionBuilder, Op, ValType } from '../../wasm/encoder.js';
import { ExprCompiler, unsupportedFunctions, type Operand } from '../../wasm/expr.js';
import { WasmArena } from '../../wasm/kernel.js';
import { wasmApi, type WasmModule, type WasmMemory } from '../../wasm/runtime.js';
import { type Expr, num, sym, bin, symbolsOf } from '../../equations/ast.js';
import { type Events } from '../../data/events.js';
import { type NetworkIR, type GroupIR, type DeliveryIR } from '../../ir/step.js';
import { buildStepProgram, ProgramError, type StepProgram } from '../../ir/program.js';
import { reverseTerms, thresholdPartials, type AdjointTerm } from '../../autodiff/reverse.js';
import { BuildError } from '../../lang/errors.js';
import { checkForwardInputs, checkCarry, checkDifferentiable, checkCheckpoint, wholeSlots } from '../forward_checks.js';
import { type TapeOptions } from '../js/tape.js';

type FloatArray = Float32Array | Float64Array;

/** Parts the batch is cut into, at most (gradients are reduced over parts in order). */
const MAX_PARTS = 16;
/** Kernel parameters: step n, batch B, rows [b0, b1), part p, row w of step n in segment tapes, recompute flag. */
const KERNEL_PARAMS = [ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32];
/** A last-spike step meaning "never". */
const NEVER = -0x40000000;
/** Control words (i32 indices from the control block): see the worker, src/node/tape_worker.ts. */
export const TAPE_CONTROL = { SEQ: 0, CMD: 1, BATCH: 2, PARTS: 3, DONE: 4, ERROR: 5, READY: 6, QUIT: 7 } as const;
/** Commands. */
export const TAPE_COMMAND = { FORWARD: 1, BACKWARD: 2 } as const;

/** Options of the engine lowering: the JavaScript lowering's, and the threads. */
export interface EngineTapeOptions extends TapeOptions {
  readonly threads: number;
}

interface GroupMem {
  readonly ir: GroupIR;
  readonly N: number;
  readonly spiking: boolean;
  readonly soft: boolean;
  /** Input group whose kernel applies the resets of its (given) spikes (e.g. STP state). */
  readonly masked: boolean;
  /** Spike tape, last-spike tape, spike adjoint, count adjoint: byte offsets, or −1. */
  readonly S: number;
  readonly LS: number;
  readonly GS: number;
  readonly CG: number;
  readonly hasKernel: boolean;
}

interface DeliveryMem {
  readonly ir: DeliveryIR;
  readonly nnz: number;
  readonly IP: number;
  readonly IX: number;
  readonly W: number;
  readonly DL: number;
  readonly PD: number;
  /** Per-part weight gradients (P·nnz), or −1. */
  readonly GW: number;
}

/** One loop `for (i = from; i < end; i++) body` over i32 locals. */
function forLoop(f: FunctionBuilder, i: number, end: number, body: () => void): void {
  f.block().loop();
  f.get(i).get(end).op(Op.i32_ge_s).br_if(1);
  body();
  f.get(i).i32(1).op(Op.i32_add).set(i);
  f.br(0);
  f.end().end();
}

/** Pushes base-free byte address (x·mul + add)·8 — callers give the base as the load's offset. */
const f64At = (f: FunctionBuilder, base: number) => f.mem(Op.f64_load, 3, base);
const f64Put = (f: FunctionBuilder, base: number) => f.mem(Op.f64_store, 3, base);

/**
 * The training runtime on the step engine (see the module comment). Same interface as the
 * JavaScript {@link TapeRuntime}.
 *
 * @example
 * const rt = new EngineTapeRuntime(net.ir!, { ...options, threads: 2 }); // built by net.forward
 */
export class EngineTapeRuntime {
  readonly ir: NetworkIR;
  readonly T: number;
  readonly maxBatch: number;
  readonly threads: number;
  batch = 0;
  private readonly opts: EngineTapeOptions;
  private readonly arena: WasmArena;
  private readonly memory: WasmMemory;
  private readonly module: WasmModule;
  private readonly fwdPart: (B: number, b0: number, b1: number, p: number) => void;
  private readonly bwdPart: (B: number, b0: number, b1: number, p: number) => void;
  private readonly X = new Map<number, number>();
  private readonly A = new Map<number, number>();
  private readonly K = new Map<number, number>();
  /** Per-part gradients of trained constant slots (P·N). */
  private readonly GP = new Map<number, number>();
  private readonly groups: GroupMem[];
  private readonly dels: DeliveryMem[];
  private readonly ctl: number;
  private workers: { terminate(): unknown }[] | null = null;
  private workerError: string | undefined;
  private passes = 0;
  /** Steps per segment (T without checkpointing); slots that keep every step (the others: C + 1 rows). */
  readonly C: number;
  private readonly whole: ReadonlySet<number>;
  /** Checkpoints of segment slots (S·B·N f64), per slot. (Last-spike tapes keep every step.) */
  private readonly CK = new Map<number, number>();
  private lastBatch = 0;
  private forwarded = false;
  private fromInit = false;

  constructor(ir: NetworkIR, opts: EngineTapeOptions) {
    checkDifferentiable(ir);
    this.ir = ir;
    this.opts = opts;
    this.T = opts.steps;
    this.maxBatch = opts.batch;
    this.threads = opts.threads;
    const T = this.T;
    const B = this.maxBatch;
    const P = Math.min(B, MAX_PARTS);
    const arena = new WasmArena({ shared: this.threads > 1 });
    this.arena = arena;
    const preNeedsGrad = new Set(ir.deliveries.filter((d) => d.kind === 'event').map((d) => d.pre));
    this.C = Math.min(opts.checkpoint ?? T, T);
    const segmented = this.C < T;
    const S = Math.ceil(T / this.C);
    this.whole = segmented ? wholeSlots(ir, opts.keep ?? new Set()) : new Set(ir.slots.filter((s) => s.kind === 'state').map((s) => s.id));
    for (const s of ir.slots) {
      const N = ir.groups[s.group].size;
      if (s.kind === 'state') {
        const rows = this.whole.has(s.id) ? T + 1 : this.C + 1;
        this.X.set(s.id, arena.reserve(rows * B * N * 8, 8));
        this.A.set(s.id, arena.reserve(rows * B * N * 8, 8));
        if (!this.whole.has(s.id)) this.CK.set(s.id, arena.reserve(S * B * N * 8, 8));
      } else {
        this.K.set(s.id, arena.reserve(N * 8, 8));
        if (opts.gradOf.has(s.id)) this.GP.set(s.id, arena.reserve(P * N * 8, 8));
      }
    }
    this.groups = ir.groups.map((g) => {
      const N = g.size;
      const spiking = g.kind === 'input' || g.threshold !== undefined;
      const soft = g.kind === 'neurons' && opts.training(g.index).soft;
      const stateful = g.slots.some((id) => ir.slots[id].kind === 'state');
      const readsLast = [...g.vars.map((v) => v.rhs), ...g.resets.map((r) => r.value), ...(g.threshold ? [g.threshold] : [])].some((e) => symbolsOf(e).has('lastspike'));
      return {
        ir: g,
        N,
        spiking,
        soft,
        masked: g.kind === 'input' && stateful,
        S: spiking ? arena.reserve(T * B * N * 8, 8) : -1,
        LS: g.kind === 'neurons' && spiking && ((g.refSteps > 0 && !soft) || readsLast) ? arena.reserve((T + 1) * B * N * 4, 4) : -1,
        GS: spiking && g.kind === 'neurons' && preNeedsGrad.has(g.index) ? arena.reserve(T * B * N * 8, 8) : -1,
        CG: spiking && g.kind === 'neurons' ? arena.reserve(B * N * 8, 8) : -1,
        hasKernel: g.kind === 'neurons' || (g.kind === 'input' && stateful),
      };
    });
    this.dels = ir.deliveries.map((d) => {
      const nnz = d.indices.length;
      const Npost = ir.groups[d.post].size;
      return {
        ir: d,
        nnz,
        IP: arena.reserve((d.preSize + 1) * 4, 4),
        IX: arena.reserve(nnz * 4, 4),
        W: d.weights ? arena.reserve(nnz * 8, 8) : -1,
        DL: d.kind === 'event' && d.delays ? arena.reserve(nnz * 4, 4) : -1,
        PD: d.kind === 'event' && d.delays ? arena.reserve((T + 1) * B * Npost * 8, 8) : -1,
        GW: opts.gradWeightOf.has(d.index) ? arena.reserve(P * nnz * 8, 8) : -1,
      };
    });
    this.ctl = arena.reserve(64, 64);
    if (arena.size >= 2 ** 32 - 65536) {
      throw new BuildError('network', 'batch', `training on the step engine needs ${(arena.size / 2 ** 30).toFixed(1)} GiB for ${T} steps × batch ${B}, more than a WebAssembly memory holds (4 GiB)`, 'train on fewer steps (trainWindows) or a smaller batch');
    }

    const m = new ModuleBuilder();
    m.importMemory(arena.limits());
    const gf = this.groups.map((g) => (g.hasKernel ? this.emitGroup(m, g, false) : -1));
    const gb = this.groups.map((g) => (g.hasKernel ? this.emitGroup(m, g, true) : -1));
    const df = this.dels.map((d) => this.emitDelivery(m, d, false));
    const db = this.dels.map((d) => this.emitDelivery(m, d, true));
    this.emitPart(m, gf, df, false);
    this.emitPart(m, gb, db, true, gf, df);
    const api = wasmApi();
    this.module = new api.Module(m.toBytes());
    this.memory = arena.memory();
    const inst = new api.Instance(this.module, { env: { memory: this.memory } });
    this.fwdPart = inst.exports.forward as EngineTapeRuntime['fwdPart'];
    this.bwdPart = inst.exports.backward as EngineTapeRuntime['bwdPart'];
    // Connectivity does not change: copied once.
    for (const d of this.dels) {
      arena.i32(d.IP, d.ir.preSize + 1).set(d.ir.indptr);
      arena.i32(d.IX, d.nnz).set(d.ir.indices);
      if (d.DL >= 0) arena.i32(d.DL, d.nnz).set(d.ir.delays!);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Code generation

  /** A group's forward (or reverse) kernel: (n, B, b0, b1, p) over rows [b0, b1) of step n. */
  private emitGroup(m: ModuleBuilder, gm: GroupMem, backward: boolean): number {
    const { ir, opts } = this;
    const g = gm.ir;
    const N = gm.N;
    const tr = opts.training(g.index);
    const refractory = gm.LS >= 0 && g.refSteps > 0 && !gm.soft;
    let prog: StepProgram;
    try {
      if (g.method === 'euler_maruyama' || g.method === 'milstein') throw new ProgramError('method', 'training does not integrate white noise');
      prog = buildStepProgram({ vars: g.vars, values: g.values, method: g.method, dt: ir.dt, threshold: g.threshold, resets: g.resets, refractory });
    } catch (err) {
      if (err instanceof ProgramError) throw new BuildError(g.where, err.field, err.message);
      throw err;
    }
    const inv = tr.invScale;
    const hs: Expr = inv === 1 ? sym('$h') : bin('*', sym('$h'), num(inv));
    const soft = gm.soft && prog.h ? tr.surrogate.softExpr(hs) : undefined;
    if (gm.soft && prog.h && !soft) throw new BuildError(g.where, 'spikeMode', `the step engine has no smooth spike for the ${tr.surrogate.name} surrogate (it needs arctan or erf)`, "use spikeMode: 'hard', another surrogate (sigmoid, fastSigmoid, triangle), or train on one thread (the JavaScript lowering)");
    const exprs: Expr[] = [...prog.step.map((a) => a.expr), ...prog.reset.map((a) => a.expr), ...(prog.h ? [prog.h, tr.surrogate.gradExpr(hs)] : []), ...(prog.gate ? [prog.gate] : []), ...(soft ? [soft] : [])];
    for (const e of exprs) {
      const bad = unsupportedFunctions(e);
      if (bad.length > 0) throw new BuildError(g.where, 'train', `the step engine cannot compile ${bad.join(', ')}()`, 'train on one thread (the JavaScript lowering)');
    }

    const f = m.addFunction(null, KERNEL_PARAMS, []);
    const [n, B, b0, b1, p, w] = [0, 1, 2, 3, 4, 5];
    const i32 = () => f.local(ValType.i32);
    const f64 = () => f.local(ValType.f64);
    const [b, i, k, a0, a1, BN8, o08, i8, pN8, la0, ls, end, w0, w1, ow8] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
    const tL = f64();
    const nrL = f64();
    const lastL = f64();
    const locals = new Map<string, number>();
    const c = new ExprCompiler(f, 'f64', {
      addrLocal: i8,
      resolve: (name): Operand => {
        const l = locals.get(name);
        if (l !== undefined) return { kind: 'local', index: l };
        if (name === 'nr' && !refractory) return { kind: 'const', value: 1 };
        throw new Error(`internal error: unresolved symbol '${name}' in an engine training kernel`);
      },
    });
    // BN8 = B·N·8, o08 = n·B·N·8, t = n·dt, pN8 = p·N·8
    f.get(B).i32(N * 8).op(Op.i32_mul).set(BN8);
    f.get(n).get(BN8).op(Op.i32_mul).set(o08);
    f.get(w).get(BN8).op(Op.i32_mul).set(ow8);
    f.get(n).op(Op.f64_convert_i32_s).f64(ir.dt).op(Op.f64_mul).set(tL);
    f.get(p).i32(N * 8).op(Op.i32_mul).set(pN8);
    locals.set('t', tL);
    f.get(b0).set(b);
    forLoop(f, b, b1, () => {
      f.get(b).i32(N).op(Op.i32_mul).set(k);
      f.i32(0).set(i);
      f.i32(N).set(end);
      forLoop(f, i, end, () => {
        // a0 = (n·B·N + k)·8, a1 = a0 + B·N·8 (whole tapes); w0, w1 the same at row w (segment
        // tapes); i8 = i·8; la0 = a0/2 (the last-spike tape, i32, keeps every step)
        f.get(k).i32(3).op(Op.i32_shl).get(o08).op(Op.i32_add).tee(a0).get(BN8).op(Op.i32_add).set(a1);
        f.get(k).i32(3).op(Op.i32_shl).get(ow8).op(Op.i32_add).tee(w0).get(BN8).op(Op.i32_add).set(w1);
        f.get(i).i32(3).op(Op.i32_shl).set(i8);
        f.get(a0).i32(1).op(Op.i32_shr_u).set(la0);
        c.forget();
        this.groupBody(f, c, gm, prog, { backward, refractory, soft, hs, n, pN8, a0, a1, w0, w1, i8, la0, ls, k, nrL, lastL, locals });
        f.get(k).i32(1).op(Op.i32_add).set(k);
      });
    });
    return m.functionCount - 1;
  }

  private groupBody(
    f: FunctionBuilder,
    c: ExprCompiler,
    gm: GroupMem,
    prog: StepProgram,
    L: { backward: boolean; refractory: boolean; soft: Expr | undefined; hs: Expr; n: number; pN8: number; a0: number; a1: number; w0: number; w1: number; i8: number; la0: number; ls: number; k: number; nrL: number; lastL: number; locals: Map<string, number> },
  ): void {
    const { ir, opts } = this;
    const g = gm.ir;
    const tr = opts.training(g.index);
    const { locals } = L;
    const states = g.slots.filter((id) => ir.slots[id].kind === 'state');
    const consts = g.slots.filter((id) => ir.slots[id].kind === 'const');
    const symOf = (id: number) => ir.slots[id].symbol;
    // the address local of a slot's element at step n (0) or n + 1 (1)
    const row = (id: number, r: 0 | 1) => (this.whole.has(id) ? (r ? L.a1 : L.a0) : r ? L.w1 : L.w0);
    const f64 = () => f.local(ValType.f64);
    const value = (e: Expr) => {
      const l = f64();
      c.value(e);
      f.set(l);
      return l;
    };
    // Prologue: the state before the step, the constants, time of the last spike, the refractory gate.
    for (const id of states) {
      const l = f64();
      f.get(row(id, 0));
      f64At(f, this.X.get(id)!);
      f.set(l);
      locals.set(`c_${symOf(id)}`, l);
    }
    for (const id of consts) {
      const l = f64();
      f.get(L.i8);
      f64At(f, this.K.get(id)!);
      f.set(l);
      locals.set(symOf(id), l);
    }
    if (gm.LS >= 0) {
      f.get(L.la0).mem(Op.i32_load, 2, gm.LS).set(L.ls);
      f.get(L.ls).op(Op.f64_convert_i32_s).f64(ir.dt).op(Op.f64_mul).set(L.lastL);
      locals.set('lastspike', L.lastL);
    }
    if (L.refractory) {
      f.get(L.n).get(L.ls).op(Op.i32_sub).i32(g.refSteps).op(Op.i32_ge_s).op(Op.f64_convert_i32_s).set(L.nrL);
      locals.set('nr', L.nrL);
    }
    for (const a of prog.step) locals.set(a.name, value(a.expr));
    // The spike s: hard H(h), the smooth σ(h), or the input's given spike; 0 for a group that never spikes.
    const sL = f64();
    let gateL = -1;
    let hL = -1;
    if (prog.h) {
      hL = value(prog.h);
      locals.set('$h', hL);
      gateL = f64();
      if (prog.gate) {
        c.value(prog.gate);
        if (L.refractory) f.get(L.nrL).op(Op.f64_mul);
      } else if (L.refractory) f.get(L.nrL);
      else f.f64(1);
      f.set(gateL);
      if (L.soft) c.value(L.soft);
      else f.get(hL).f64(0).op(prog.inclusive ? Op.f64_ge : Op.f64_gt).op(Op.f64_convert_i32_s);
      f.get(gateL).op(Op.f64_mul).set(sL);
    } else if (gm.masked) {
      f.get(L.a0);
      f64At(f, gm.S);
      f.set(sL);
    } else f.f64(0).set(sL);
    const spikes = prog.h !== undefined || gm.masked;
    const after = (x: string) => prog.resetOut.get(x) ?? `n_${x}`;
    const get = (name: string) => {
      const l = locals.get(name);
      if (l === undefined) throw new Error(`internal error: unresolved symbol '${name}' in an engine training kernel`);
      f.get(l);
    };
    const resetLocals = () => {
      c.forget();
      for (const a of prog.reset) locals.set(a.name, value(a.expr));
    };

    if (!L.backward) {
      const storeAll = (pick: (x: string) => void) => {
        for (const id of states) {
          f.get(row(id, 1));
          pick(symOf(id));
          f64Put(f, this.X.get(id)!);
        }
      };
      if (spikes) {
        f.get(sL).f64(0).op(Op.f64_ne).if();
        resetLocals();
        storeAll((x) => {
          if (!prog.resetOut.has(x)) return get(`n_${x}`);
          if (!gm.soft) return get(after(x));
          // n + s·(after − n)
          get(`n_${x}`);
          f.get(sL);
          get(after(x));
          get(`n_${x}`);
          f.op(Op.f64_sub).op(Op.f64_mul).op(Op.f64_add);
        });
        if (gm.LS >= 0) {
          this.storeLastSpike(f, gm, L, () => {
            if (gm.soft) {
              // the hard spike moves lastspike: h > 0 ? n : ls
              f.get(L.n).get(L.ls).get(hL).f64(0).op(prog.inclusive ? Op.f64_ge : Op.f64_gt).op(Op.select);
            } else f.get(L.n);
          });
        }
        if (!gm.masked && gm.S >= 0) {
          f.get(L.a0).get(sL);
          f64Put(f, gm.S);
        }
        c.forget();
        f.else();
        storeAll((x) => get(`n_${x}`));
        if (gm.LS >= 0) this.storeLastSpike(f, gm, L, () => f.get(L.ls));
        if (!gm.masked && gm.S >= 0) {
          f.get(L.a0).f64(0);
          f64Put(f, gm.S);
        }
        f.end();
      } else storeAll((x) => get(`n_${x}`));
      return;
    }

    // Reverse: adjoint locals, zero for each neuron.
    const adjNames = new Set<string>();
    for (const id of states) (adjNames.add(`c_${symOf(id)}`), adjNames.add(`n_${symOf(id)}`));
    for (const id of consts) adjNames.add(symOf(id));
    const resetTerms = reverseTerms(prog.reset, adjNames);
    const stepTerms = reverseTerms(prog.step, adjNames);
    const thr = prog.h ? thresholdPartials(prog.h) : [];
    for (const [s] of thr) adjNames.add(s);
    for (const x of prog.resetOut.values()) adjNames.add(x);
    const adj = new Map<string, number>();
    for (const x of adjNames) {
      const l = f64();
      f.f64(0).set(l);
      adj.set(x, l);
    }
    const addTo = (target: string, push: () => void) => {
      const l = adj.get(target)!;
      f.get(l);
      push();
      f.op(Op.f64_add).set(l);
    };
    const emitTerms = (terms: readonly AdjointTerm[]) => {
      for (const t of terms) {
        addTo(t.target, () => {
          f.get(adj.get(t.from)!);
          if (!(t.d.k === 'num' && t.d.v === 1)) {
            c.value(t.d);
            f.op(Op.f64_mul);
          }
        });
      }
    };
    // g = dL/ds of this step: from deliveries (GS) and from count losses (CG)
    const gL = f64();
    f.f64(0);
    if (gm.GS >= 0) {
      f.get(L.a0);
      f64At(f, gm.GS);
      f.op(Op.f64_add);
    }
    if (gm.CG >= 0) {
      f.get(L.k).i32(3).op(Op.i32_shl);
      f64At(f, gm.CG);
      f.op(Op.f64_add);
    }
    f.set(gL);
    const lx = new Map<string, number>();
    for (const id of states) {
      const l = f64();
      f.get(row(id, 1));
      f64At(f, this.A.get(id)!);
      f.set(l);
      lx.set(symOf(id), l);
    }
    if (spikes) {
      f.get(sL).f64(0).op(Op.f64_ne).if();
      resetLocals();
      for (const id of states) {
        const x = symOf(id);
        const l = lx.get(x)!;
        if (!prog.resetOut.has(x)) {
          addTo(`n_${x}`, () => f.get(l));
          continue;
        }
        addTo(after(x), () => (gm.soft ? f.get(sL).get(l).op(Op.f64_mul) : f.get(l)));
        if (gm.soft) addTo(`n_${x}`, () => f.f64(1).get(sL).op(Op.f64_sub).get(l).op(Op.f64_mul));
        if (gm.soft || !tr.detachReset) {
          // g += l·(after − n)
          f.get(gL).get(l);
          get(after(x));
          get(`n_${x}`);
          f.op(Op.f64_sub).op(Op.f64_mul).op(Op.f64_add).set(gL);
        }
      }
      emitTerms(resetTerms);
      c.forget();
      f.else();
      for (const id of states) addTo(`n_${symOf(id)}`, () => f.get(lx.get(symOf(id))!));
      f.end();
    } else for (const id of states) addTo(`n_${symOf(id)}`, () => f.get(lx.get(symOf(id))!));
    if (prog.h) {
      // sg = g · gate · σ'(h·inv) · inv, then through the threshold difference
      const sgL = f64();
      f.get(gL).get(gateL).op(Op.f64_mul);
      c.value(tr.surrogate.gradExpr(L.hs));
      f.op(Op.f64_mul);
      if (tr.invScale !== 1) f.f64(tr.invScale).op(Op.f64_mul);
      f.set(sgL);
      for (const [s, d] of thr) addTo(s, () => (f.get(sgL), c.value(d), f.op(Op.f64_mul)));
    }
    emitTerms(stepTerms);
    for (const id of states) {
      f.get(row(id, 0));
      f.get(row(id, 0));
      f64At(f, this.A.get(id)!);
      f.get(adj.get(`c_${symOf(id)}`)!).op(Op.f64_add);
      f64Put(f, this.A.get(id)!);
    }
    for (const id of consts) {
      const gp = this.GP.get(id);
      if (gp === undefined) continue;
      f.get(L.pN8).get(L.i8).op(Op.i32_add);
      f.get(L.pN8).get(L.i8).op(Op.i32_add);
      f64At(f, gp);
      f.get(adj.get(symOf(id))!).op(Op.f64_add);
      f64Put(f, gp);
    }
  }

  /** LS[n+1] = value (i32 tape; byte index a1/2). */
  private storeLastSpike(f: FunctionBuilder, gm: GroupMem, L: { a1: number }, push: () => void): void {
    f.get(L.a1).i32(1).op(Op.i32_shr_u);
    push();
    f.mem(Op.i32_store, 2, gm.LS);
  }

  /** A delivery's forward (or reverse) kernel at step n for rows [b0, b1). */
  private emitDelivery(m: ModuleBuilder, dm: DeliveryMem, backward: boolean): number {
    const { ir, T } = this;
    const d = dm.ir;
    const pre = this.groups[d.pre];
    const Npre = ir.groups[d.pre].size;
    const Npost = ir.groups[d.post].size;
    const f = m.addFunction(null, KERNEL_PARAMS, []);
    const [n, B, b0, b1, p, w, rc] = [0, 1, 2, 3, 4, 5, 6];
    const i32 = () => f.local(ValType.i32);
    const f64 = () => f.local(ValType.f64);
    const [b, r, s, e, mS, rowPre, rowPost, rowRel, at, pW, preEnd, j8] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
    const [v, vr, acc, acc2, a, x] = [f64(), f64(), f64(), f64(), f64(), f64()];
    f.get(p).i32(dm.nnz * 8).op(Op.i32_mul).set(pW);
    f.i32(d.preSize).set(preEnd);
    // w(s) on the stack
    const weight = () => {
      if (dm.W < 0) return f.f64(d.weight);
      f.get(s).i32(3).op(Op.i32_shl);
      f64At(f, dm.W);
    };
    // j8 = (post index of synapse s)·8
    const post = () => f.get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, dm.IX).i32(3).op(Op.i32_shl).set(j8);
    // loop over the synapses of pre row r
    const row = (body: () => void) => {
      f.get(r).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, dm.IP).set(s);
      f.get(r).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, dm.IP + 4).set(e);
      forLoop(f, s, e, () => {
        post();
        body();
      });
    };
    // byte offset of element (step·B + b)·size + start of a tape
    const rowOf = (step: () => void, size: number, start: number, into: number) => {
      step();
      f.get(B).op(Op.i32_mul).get(b).op(Op.i32_add).i32(size).op(Op.i32_mul).i32(start).op(Op.i32_add).i32(3).op(Op.i32_shl).set(into);
    };
    const stepN1 = () => f.get(n).i32(1).op(Op.i32_add);
    // step n + 1 in a slot's tape: absolute for whole slots, w + 1 for segment slots
    const next = (id: number) => () => f.get(this.whole.has(id) ? n : w).i32(1).op(Op.i32_add);

    if (d.kind === 'continuous') {
      const ACC = this.X.get(d.target)!;
      const AACC = this.A.get(d.target)!;
      const SRC = this.X.get(d.source!)!;
      const ASRC = this.A.get(d.source!);
      const VP = d.gapPost === undefined ? -1 : this.X.get(d.gapPost)!;
      const AVP = d.gapPost === undefined ? -1 : this.A.get(d.gapPost)!;
      const [q, qEnd] = [i32(), i32()];
      // val = x, or x − V_post for a gap junction
      const val = () => {
        f.get(x);
        if (VP >= 0) {
          f.get(rowPost).get(j8).op(Op.i32_add);
          f64At(f, VP);
          f.op(Op.f64_sub);
        }
      };
      const stepC = next(d.target);
      // zeroes row b of step n + 1 of a post tape (the accumulator, or its adjoint)
      const zeroRow = (base: number) => {
        rowOf(stepC, Npost, 0, q);
        f.get(q).i32(Npost * 8).op(Op.i32_add).set(qEnd);
        f.block().loop();
        f.get(q).get(qEnd).op(Op.i32_ge_u).br_if(1);
        f.get(q).f64(0);
        f64Put(f, base);
        f.get(q).i32(8).op(Op.i32_add).set(q);
        f.br(0).end().end();
      };
      f.get(b0).set(b);
      forLoop(f, b, b1, () => {
        rowOf(stepC, Npost, d.postStart, rowPost);
        rowOf(stepC, Npre, d.preStart, rowPre);
        if (!backward) {
          // the accumulator row of X[n+1] becomes Σ w·source
          zeroRow(ACC);
        }
        f.i32(0).set(r);
        forLoop(f, r, preEnd, () => {
          f.get(rowPre).get(r).i32(3).op(Op.i32_shl).op(Op.i32_add);
          f64At(f, SRC);
          f.set(x);
          if (!backward) {
            row(() => {
              f.get(rowPost).get(j8).op(Op.i32_add).tee(at);
              f.get(at);
              f64At(f, ACC);
              weight();
              val();
              f.op(Op.f64_mul).op(Op.f64_add);
              f64Put(f, ACC);
            });
            return;
          }
          f.f64(0).set(acc);
          row(() => {
            f.get(rowPost).get(j8).op(Op.i32_add).tee(at);
            f64At(f, AACC);
            f.tee(a).f64(0).op(Op.f64_ne).if();
            if (dm.GW >= 0) this.addGW(f, dm, s, pW, () => (f.get(a), val(), f.op(Op.f64_mul)));
            weight();
            f.get(a).op(Op.f64_mul).set(acc2);
            f.get(acc).get(acc2).op(Op.f64_add).set(acc);
            if (AVP >= 0) {
              f.get(at).get(at);
              f64At(f, AVP);
              f.get(acc2).op(Op.f64_sub);
              f64Put(f, AVP);
            }
            f.end();
          });
          if (ASRC !== undefined) {
            f.get(rowPre).get(r).i32(3).op(Op.i32_shl).op(Op.i32_add).tee(at);
            f.get(at);
            f64At(f, ASRC);
            f.get(acc).op(Op.f64_add);
            f64Put(f, ASRC);
          }
        });
        if (backward) {
          // the accumulator was overwritten by the step: its adjoint stops here
          zeroRow(AACC);
        }
      });
      return m.functionCount - 1;
    }

    // Event delivery: spikes of step m = n − delay (per-synapse delays: m = n, landing at m + delay + 1).
    const delay = d.delays ? 0 : d.delaySteps;
    const REL = d.release === undefined ? -1 : this.X.get(d.release)!;
    const AREL = d.release === undefined ? -1 : this.A.get(d.release)!;
    const TG = this.X.get(d.target)!;
    const AT = this.A.get(d.target)!;
    f.get(n).i32(delay).op(Op.i32_sub).tee(mS).i32(0).op(Op.i32_lt_s).if().ret().end();
    const stepM = () => f.get(mS);
    // the release at step m + 1: whole (any delay), or a segment slot read at the step itself (no delay)
    const stepM1 = () => f.get(d.release !== undefined && !this.whole.has(d.release) ? w : mS).i32(1).op(Op.i32_add);
    // The landing element of synapse s (byte offset into a post tape) into `at`; with per-synapse
    // delays, skips the synapse when it lands after the last step.
    // The refractory gate (Brian2 / NEST semantics, DeliveryIR.gated): an increment landing on a
    // refractory post neuron is discarded, and so is its adjoint. The target keeps every step, as
    // does the post group's last-spike tape, with the same layout: the gate reads LS at at/2.
    const postG = this.groups[d.post];
    const gated = d.gated === true && postG.LS >= 0 && !postG.soft && ir.groups[d.post].refSteps > 0;
    const landStep = i32();
    // pushes (arrival step − LS[element at byte offset `addr` of the target]) ≥ refSteps, for the increment of step `landStep`
    const open = (addr: number) => {
      f.get(landStep);
      f.get(addr).i32(1).op(Op.i32_shr_u).mem(Op.i32_load, 2, postG.LS);
      f.op(Op.i32_sub).i32(ir.groups[d.post].refSteps).op(Op.i32_ge_s);
    };
    // pushes dL/d(target) at `at`, or 0 where the gate dropped the increment
    const adjoint = () => {
      f.get(at);
      f64At(f, AT);
      if (gated) {
        f.f64(0);
        open(at);
        f.op(Op.select);
      }
    };
    const landing = (use: () => void) => {
      if (dm.DL < 0) {
        f.get(n).set(landStep);
        f.get(rowPost).get(j8).op(Op.i32_add).set(at);
        use();
        return;
      }
      const step = f.local(ValType.i32);
      f.get(mS).get(s).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, dm.DL).op(Op.i32_add).i32(1).op(Op.i32_add).tee(step);
      // the increment joins the target at step (landing − 1)
      f.get(step).i32(1).op(Op.i32_sub).set(landStep);
      f.get(step);
      f.i32(T).op(Op.i32_le_s).if();
      f.get(step).get(B).op(Op.i32_mul).get(b).op(Op.i32_add).i32(Npost).op(Op.i32_mul).i32(d.postStart).op(Op.i32_add).i32(3).op(Op.i32_shl).get(j8).op(Op.i32_add).set(at);
      use();
      f.end();
    };
    // v = the spike of pre row r at step m; vr = v·release
    const spikeValue = () => {
      f.get(rowPre).get(r).i32(3).op(Op.i32_shl).op(Op.i32_add);
      f64At(f, pre.S);
      f.set(v);
    };
    const release = () => {
      f.get(v);
      if (REL >= 0) {
        f.get(rowRel).get(r).i32(3).op(Op.i32_shl).op(Op.i32_add);
        f64At(f, REL);
        f.op(Op.f64_mul);
      }
      f.set(vr);
    };
    f.get(b0).set(b);
    forLoop(f, b, b1, () => {
      rowOf(stepM, Npre, d.preStart, rowPre);
      if (REL >= 0) rowOf(stepM1, Npre, d.preStart, rowRel);
      rowOf(dm.DL >= 0 ? stepN1 : next(d.target), Npost, d.postStart, rowPost);
      f.i32(0).set(r);
      forLoop(f, r, preEnd, () => {
        if (!backward) {
          spikeValue();
          f.get(v).f64(0).op(Op.f64_ne);
          // recomputing a segment: increments in flight (per-synapse delays) are already pending
          if (dm.PD >= 0) f.get(rc).op(Op.i32_eqz).op(Op.i32_and);
          f.if();
          release();
          row(() =>
            landing(() => {
              const dst = dm.PD >= 0 ? dm.PD : TG;
              // per-synapse delays: gated when the pending increment joins the target (below)
              if (gated && dm.PD < 0) (open(at), f.if());
              f.get(at).get(at);
              f64At(f, dst);
              weight();
              f.get(vr).op(Op.f64_mul).op(Op.f64_add);
              f64Put(f, dst);
              if (gated && dm.PD < 0) f.end();
            }),
          );
          f.end();
          return;
        }
        if (pre.GS >= 0) {
          // every pre neuron, spiking or not: dL/ds += Σ w·dL/d(target)·release
          f.f64(0).set(acc);
          row(() =>
            landing(() => {
              f.get(acc);
              weight();
              adjoint();
              f.op(Op.f64_mul).op(Op.f64_add).set(acc);
            }),
          );
          f.get(rowPre).get(r).i32(3).op(Op.i32_shl).op(Op.i32_add).tee(at);
          f.get(at);
          f64At(f, pre.GS);
          f.get(acc);
          if (REL >= 0) {
            f.get(rowRel).get(r).i32(3).op(Op.i32_shl).op(Op.i32_add);
            f64At(f, REL);
            f.op(Op.f64_mul);
          }
          f.op(Op.f64_add);
          f64Put(f, pre.GS);
        }
        if (dm.GW >= 0 || AREL >= 0) {
          // weight and release gradients: rows of the neurons that spiked
          spikeValue();
          f.get(v).f64(0).op(Op.f64_ne).if();
          release();
          f.f64(0).set(acc2);
          row(() =>
            landing(() => {
              adjoint();
              f.set(a);
              if (dm.GW >= 0) this.addGW(f, dm, s, pW, () => f.get(a).get(vr).op(Op.f64_mul));
              if (AREL >= 0) {
                f.get(acc2);
                weight();
                f.get(a).op(Op.f64_mul).op(Op.f64_add).set(acc2);
              }
            }),
          );
          if (AREL >= 0) {
            f.get(rowRel).get(r).i32(3).op(Op.i32_shl).op(Op.i32_add).tee(at);
            f.get(at);
            f64At(f, AREL);
            f.get(acc2).get(v).op(Op.f64_mul).op(Op.f64_add);
            f64Put(f, AREL);
          }
          f.end();
        }
      });
      if (!backward && dm.PD >= 0) {
        // increments due now (pending at step n+1) join the target
        const [q, qEnd] = [f.local(ValType.i32), f.local(ValType.i32)];
        rowOf(stepN1, Npost, 0, q);
        f.get(q).i32(Npost * 8).op(Op.i32_add).set(qEnd);
        f.block().loop();
        f.get(q).get(qEnd).op(Op.i32_ge_u).br_if(1);
        if (gated) (f.get(n).set(landStep), open(q), f.if());
        f.get(q).get(q);
        f64At(f, TG);
        f.get(q);
        f64At(f, dm.PD);
        f.op(Op.f64_add);
        f64Put(f, TG);
        if (gated) f.end();
        f.get(q).i32(8).op(Op.i32_add).set(q);
        f.br(0).end().end();
      }
    });
    return m.functionCount - 1;
  }

  /** GW[p][s] += (value pushed by `push`). */
  private addGW(f: FunctionBuilder, dm: DeliveryMem, s: number, pW: number, push: () => void): void {
    const addr = f.local(ValType.i32);
    f.get(s).i32(3).op(Op.i32_shl).get(pW).op(Op.i32_add).tee(addr);
    f.get(addr);
    f64At(f, dm.GW);
    push();
    f.op(Op.f64_add);
    f64Put(f, dm.GW);
  }

  /**
   * The exported pass over one part of the batch (rows [b0, b1), part p): every segment of C steps
   * (one without checkpointing); groups then deliveries, each step. Reverse: segments last to first,
   * each recomputed from its checkpoint (except the last, still in the tapes), steps last to first,
   * deliveries then groups.
   */
  private emitPart(m: ModuleBuilder, groupFns: number[], delFns: number[], backward: boolean, fwdGroups = groupFns, fwdDels = delFns): void {
    const { T, C } = this;
    const f = m.addFunction(backward ? 'backward' : 'forward', [ValType.i32, ValType.i32, ValType.i32, ValType.i32], []);
    const [B, b0, b1, p] = [0, 1, 2, 3];
    const i32 = () => f.local(ValType.i32);
    const [n, base, end, seg, rc, q, qEnd, wL] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
    const call = (fn: number) => {
      if (fn < 0) return;
      f.get(n).get(B).get(b0).get(b1).get(p).get(wL).get(rc).call(fn);
    };
    // w = n − base
    const setW = () => f.get(n).get(base).op(Op.i32_sub).set(wL);
    const forwardSteps = () => {
      f.get(base).set(n);
      forLoop(f, n, end, () => {
        setW();
        fwdGroups.forEach(call);
        fwdDels.forEach(call);
      });
    };
    // for each segment tape (elements of `bytes`): the rows [b0, b1) of tape row `fromRow` copied to `toRow`
    // of `dst` (byte ranges; rows are B·N elements)
    const copyRows = (src: number, dst: number, N: number, bytes: 4 | 8, fromRow: () => void, toRow: () => void, zero = false) => {
      const load = bytes === 8 ? Op.f64_load : Op.i32_load;
      const store = bytes === 8 ? Op.f64_store : Op.i32_store;
      const log2 = bytes === 8 ? 3 : 2;
      const from = i32();
      // q = (toRow·B + b0)·N·bytes, qEnd = q + (b1 − b0)·N·bytes, from = (fromRow·B + b0)·N·bytes
      toRow();
      f.get(B).op(Op.i32_mul).get(b0).op(Op.i32_add).i32(N * bytes).op(Op.i32_mul).set(q);
      f.get(b1).get(b0).op(Op.i32_sub).i32(N * bytes).op(Op.i32_mul).get(q).op(Op.i32_add).set(qEnd);
      fromRow();
      f.get(B).op(Op.i32_mul).get(b0).op(Op.i32_add).i32(N * bytes).op(Op.i32_mul).set(from);
      f.block().loop();
      f.get(q).get(qEnd).op(Op.i32_ge_u).br_if(1);
      f.get(q);
      if (zero) {
        if (bytes === 8) f.f64(0);
        else f.i32(0);
      } else f.get(from).mem(load, log2, src);
      f.mem(store, log2, dst);
      f.get(q).i32(bytes).op(Op.i32_add).set(q);
      f.get(from).i32(bytes).op(Op.i32_add).set(from);
      f.br(0).end().end();
    };
    const segTapes: [number, number, number][] = [...this.CK.entries()].map(([id, ck]) => [this.X.get(id)!, ck, this.ir.groups[this.ir.slots[id].group].size]);
    const constRow = (r: number) => () => f.i32(r);
    const segRow = () => f.get(seg);
    // base = seg·C, end = min(base + C, T)
    const bounds = () => {
      f.get(seg).i32(C).op(Op.i32_mul).tee(base).i32(C).op(Op.i32_add).set(end);
      f.get(end).i32(T).op(Op.i32_gt_s).if().i32(T).set(end).end();
    };
    const S = Math.ceil(T / C);
    if (!backward) {
      f.i32(0).set(rc);
      f.i32(0).set(seg);
      const segEnd = i32();
      f.i32(S).set(segEnd);
      forLoop(f, seg, segEnd, () => {
        bounds();
        // the state after the last segment becomes row 0; saved as this segment's checkpoint
        f.get(seg).if();
        for (const [x, , N] of segTapes) copyRows(x, x, N, 8, constRow(C), constRow(0));
        f.end();
        for (const [x, ck, N] of segTapes) copyRows(x, ck, N, 8, constRow(0), segRow);
        forwardSteps();
      });
      return;
    }
    f.i32(S - 1).set(seg);
    f.block().loop();
    f.get(seg).i32(0).op(Op.i32_lt_s).br_if(1);
    bounds();
    f.get(seg).i32(S - 1).op(Op.i32_lt_s).if();
    {
      // recompute the segment from its checkpoint
      for (const [x, ck, N] of segTapes) copyRows(ck, x, N, 8, segRow, constRow(0));
      f.i32(1).set(rc);
      forwardSteps();
      f.i32(0).set(rc);
      // the adjoint of the segment's end state (row C) is row 0 of the next segment's; rows 0..C−1 restart at 0
      for (const id of this.CK.keys()) {
        const a = this.A.get(id)!;
        const N = this.ir.groups[this.ir.slots[id].group].size;
        copyRows(a, a, N, 8, constRow(0), constRow(C));
        const [r, rEnd] = [i32(), i32()];
        f.i32(0).set(r);
        f.i32(C).set(rEnd);
        forLoop(f, r, rEnd, () => copyRows(a, a, N, 8, () => f.get(r), () => f.get(r), true));
      }
    }
    f.end();
    f.get(end).i32(1).op(Op.i32_sub).set(n);
    f.block().loop();
    f.get(n).get(base).op(Op.i32_lt_s).br_if(1);
    setW();
    for (let j = delFns.length - 1; j >= 0; j--) call(delFns[j]);
    for (let j = groupFns.length - 1; j >= 0; j--) call(groupFns[j]);
    f.get(n).i32(1).op(Op.i32_sub).set(n);
    f.br(0).end().end();
    f.get(seg).i32(1).op(Op.i32_sub).set(seg);
    f.br(0).end().end();
  }

  // ---------------------------------------------------------------------------------------------
  // Running

  /** Rows of a state slot's tape: T + 1 (whole) or C + 1 (segment). */
  private rows(id: number): number {
    return this.whole.has(id) ? this.T + 1 : this.C + 1;
  }

  private f64(offset: number, length: number): Float64Array {
    return this.arena.f64(offset, length);
  }

  /** Runs a pass over every part, on all threads. */
  private pass(cmd: number, B: number): void {
    const P = Math.min(B, MAX_PARTS);
    const bounds = (p: number) => [Math.floor((p * B) / P), Math.floor(((p + 1) * B) / P)];
    const fn = cmd === TAPE_COMMAND.FORWARD ? this.fwdPart : this.bwdPart;
    if (this.threads === 1) {
      for (let p = 0; p < P; p++) fn(B, bounds(p)[0], bounds(p)[1], p);
      return;
    }
    this.startWorkers();
    const I = new Int32Array(this.memory.buffer, this.ctl, 16);
    const C = TAPE_CONTROL;
    Atomics.store(I, C.CMD, cmd);
    Atomics.store(I, C.BATCH, B);
    Atomics.store(I, C.PARTS, P);
    Atomics.store(I, C.DONE, 0);
    Atomics.add(I, C.SEQ, 1);
    Atomics.notify(I, C.SEQ);
    let failure: unknown;
    try {
      for (let p = 0; p < P; p += this.threads) fn(B, bounds(p)[0], bounds(p)[1], p);
    } catch (err) {
      failure = err;
    }
    const deadline = Date.now() + 600_000;
    for (;;) {
      const done = Atomics.load(I, C.DONE);
      if (done >= this.threads - 1) break;
      if (Date.now() > deadline) {
        this.close();
        throw new Error('step engine (training): a worker thread did not finish its parts within 10 minutes');
      }
      Atomics.wait(I, C.DONE, done, 100);
    }
    if (failure) throw failure;
    if (Atomics.load(I, C.ERROR) !== 0) {
      this.close();
      throw new Error(`step engine (training): a worker thread failed (${this.workerError ?? 'see its message above'})`);
    }
  }

  private startWorkers(): void {
    if (this.workers) return;
    const wt = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:worker_threads') as
      | { Worker: new (url: URL, o: { workerData: unknown }) => { on(ev: string, cb: (e: Error) => void): void; unref(): void; terminate(): unknown } }
      | undefined;
    if (!wt) throw new BuildError('network', 'threads', 'training on several threads needs Node.js ≥ 20.16 (worker_threads)', 'use threads: 1');
    const I = new Int32Array(this.memory.buffer, this.ctl, 16);
    const url = new URL('../../node/tape_worker.js', import.meta.url);
    this.workers = [];
    Atomics.store(I, TAPE_CONTROL.READY, 0);
    Atomics.store(I, TAPE_CONTROL.QUIT, 0);
    for (let w = 1; w < this.threads; w++) {
      const worker = new wt.Worker(url, { workerData: { module: this.module, memory: this.memory, ctl: this.ctl, w, threads: this.threads, seq: Atomics.load(I, TAPE_CONTROL.SEQ) } });
      worker.on('error', (e: Error) => (this.workerError = e.message));
      worker.unref();
      this.workers.push(worker);
    }
    const deadline = Date.now() + 20000;
    for (;;) {
      const ready = Atomics.load(I, TAPE_CONTROL.READY);
      if (ready >= this.threads - 1) break;
      if (Atomics.load(I, TAPE_CONTROL.ERROR) !== 0 || Date.now() > deadline) {
        this.close();
        throw new Error('step engine (training): worker threads did not start');
      }
      Atomics.wait(I, TAPE_CONTROL.READY, ready, 50);
    }
  }

  /** Stops the worker threads (a later pass starts new ones). @example rt.close() */
  close(): void {
    if (!this.workers) return;
    const I = new Int32Array(this.memory.buffer, this.ctl, 16);
    Atomics.store(I, TAPE_CONTROL.QUIT, 1);
    Atomics.add(I, TAPE_CONTROL.SEQ, 1);
    Atomics.notify(I, TAPE_CONTROL.SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers = null;
    Atomics.store(I, TAPE_CONTROL.ERROR, 0);
  }

  /**
   * Runs T steps on B batch rows from the initial state (or, `carry`, from the end of the last
   * pass). `inputs`: the input groups' events (flat indices b·N + i).
   */
  forward(inputs: ReadonlyMap<number, Events>, B: number, carry = false): void {
    const { T, ir, opts } = this;
    checkForwardInputs(ir, inputs, T, B, this.maxBatch);
    if (carry) checkCarry(ir, { passes: this.passes, lastBatch: this.lastBatch }, B);
    this.batch = B;
    this.lastBatch = B;
    this.fromInit = !carry;
    checkCheckpoint(this.C, T, carry);
    const MB = this.maxBatch;
    for (const s of ir.slots) {
      const N = ir.groups[s.group].size;
      if (s.kind === 'const') {
        this.f64(this.K.get(s.id)!, N).set(opts.arrayOf(s.id).subarray(0, N));
        continue;
      }
      const x = this.f64(this.X.get(s.id)!, this.rows(s.id) * MB * N);
      if (carry) x.copyWithin(0, T * B * N, (T + 1) * B * N);
      else {
        const init = opts.initOf(s.id);
        for (let b = 0; b < B; b++) x.set(init.subarray(0, N), b * N);
      }
    }
    for (const g of this.groups) {
      if (g.LS < 0) continue;
      const ls = this.arena.i32(g.LS, (T + 1) * MB * g.N);
      if (!carry) ls.fill(NEVER, 0, B * g.N);
      // steps count from the window's start: the last spike moves back by T
      else for (let k = 0; k < B * g.N; k++) ls[k] = Math.max(ls[T * B * g.N + k] - T, NEVER);
    }
    for (const d of this.dels) {
      if (d.W >= 0) this.f64(d.W, d.nnz).set(d.ir.weights!);
      if (d.PD >= 0) this.f64(d.PD, (T + 1) * MB * ir.groups[d.ir.post].size).fill(0);
    }
    for (const g of this.groups) {
      if (g.ir.kind !== 'input') continue;
      const S = this.f64(g.S, T * B * g.N);
      S.fill(0);
      const e = inputs.get(g.ir.index)!;
      for (let n = 0; n < T; n++) for (let q = e.ptr[n]; q < e.ptr[n + 1]; q++) S[n * B * g.N + e.idx[q]] += e.val ? e.val[q] : 1;
    }
    this.pass(TAPE_COMMAND.FORWARD, B);
    this.passes++;
    this.forwarded = true;
    for (const id of this.A.keys()) this.f64(this.A.get(id)!, this.rows(id) * MB * ir.groups[ir.slots[id].group].size).fill(0);
    for (const g of this.groups) {
      if (g.GS >= 0) this.f64(g.GS, T * MB * g.N).fill(0);
      if (g.CG >= 0) this.f64(g.CG, MB * g.N).fill(0);
    }
  }

  /** Reverse pass over the last forward pass; gradients add to the caller's arrays, parts summed in order. */
  backward(): void {
    if (!this.forwarded) throw new Error('backward(): run net.forward(...) first');
    const { ir, opts, batch: B } = this;
    const P = Math.min(B, MAX_PARTS);
    for (const [id, off] of this.GP) this.f64(off, P * ir.groups[ir.slots[id].group].size).fill(0);
    for (const d of this.dels) if (d.GW >= 0) this.f64(d.GW, P * d.nnz).fill(0);
    this.pass(TAPE_COMMAND.BACKWARD, B);
    for (const [id, off] of this.GP) {
      const grad = opts.gradOf.get(id)!;
      const N = grad.length;
      const parts = this.f64(off, P * N);
      for (let p = 0; p < P; p++) for (let i = 0; i < N; i++) grad[i] += parts[p * N + i];
    }
    for (const d of this.dels) {
      if (d.GW < 0) continue;
      const grad = opts.gradWeightOf.get(d.ir.index)!;
      const parts = this.f64(d.GW, P * d.nnz);
      for (let p = 0; p < P; p++) for (let s = 0; s < d.nnz; s++) grad[s] += parts[p * d.nnz + s];
    }
    // a carried window starts from the last window's end state, not from the initial values
    if (this.fromInit) {
      for (const [id, grad] of opts.gradInitOf) {
        const N = grad.length;
        const a = this.f64(this.A.get(id)!, B * N);
        for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) grad[i] += a[b * N + i];
      }
    }
    this.forwarded = false;
  }

  /** A state slot's time course as losses read it (see TapeRuntime.trace). */
  trace(slot: number): { data: FloatArray; grad: FloatArray; offset: number; stride: number } {
    const N = this.ir.groups[this.ir.slots[slot].group].size;
    const len = (this.T + 1) * this.maxBatch * N;
    if (!this.X.has(slot)) throw new Error('internal error: trace of a constant slot');
    if (!this.whole.has(slot)) throw new BuildError(this.ir.groups[this.ir.slots[slot].group].where, 'trace', 'with checkpointing, only the variables named in `keep` keep every step', 'add [group, variable] to keep in net.forward');
    return { data: this.f64(this.X.get(slot)!, len), grad: this.f64(this.A.get(slot)!, len), offset: this.batch * N, stride: this.batch * N };
  }

  /** dL/d(spike count) of a group [B × N], which losses on counts fill before the backward pass. */
  countGrad(group: number): FloatArray {
    const g = this.groups[group];
    if (g.CG < 0) throw new BuildError(g.ir.where, 'counts', 'the group does not spike', 'put spike-count losses on a spiking group');
    return this.f64(g.CG, this.batch * g.N);
  }

  /** Spike counts per batch row and neuron over the last forward pass [B × N]. */
  spikeCounts(group: number): Float64Array {
    const g = this.groups[group];
    const BN = this.batch * g.N;
    const out = new Float64Array(BN);
    if (g.S < 0) return out;
    const S = this.f64(g.S, this.T * BN);
    for (let n = 0; n < this.T; n++) for (let k = 0; k < BN; k++) out[k] += S[n * BN + k];
    return out;
  }

  /** Spike events of a group in the last forward pass (copies). */
  spikes(group: number): Events {
    const g = this.groups[group];
    const BN = this.batch * g.N;
    const ptr = new Int32Array(this.T + 1);
    const idx: number[] = [];
    const val: number[] = [];
    if (g.S >= 0) {
      const S = this.f64(g.S, this.T * BN);
      for (let n = 0; n < this.T; n++) {
        for (let k = 0; k < BN; k++) {
          const x = S[n * BN + k];
          if (x !== 0) (idx.push(k), val.push(x));
        }
        ptr[n + 1] = idx.length;
      }
    }
    return { ptr, idx: Int32Array.from(idx), val: g.soft || g.ir.kind === 'input' ? Float64Array.from(val) : undefined };
  }
}
