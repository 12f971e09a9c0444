/**
 * The JavaScript lowering of the step IR for training: a batched forward pass that keeps every
 * step's state on a tape, and the reverse pass derived from the same IR.
 *
 * Layout: each state slot has a tape X[(T+1) × B × N] (X[n] is the state before step n, so X[n+1]
 * holds step n's update, resets and deliveries) and an adjoint tape A of the same shape. Constant
 * slots (parameters, external inputs) are the simulator's own arrays, shared by all batch rows, so
 * what training changes is what `net.run` simulates next.
 *
 * Backward, for n = T−1 … 0:
 *   1. deliveries processed at step n read dL/d(target) at X[n+1] and add to the weight gradients,
 *      to dL/d(release) at X[n+1] and to dL/d(spike) of the step the spike was emitted (GS);
 *   2. each group's step program is recomputed from X[n] and run backwards (src/autodiff/reverse.ts):
 *      it reads A[n+1] and GS[n], adds to A[n] and to the parameter gradients.
 * Losses write dL/dX into A before the backward pass (see {@link TapeRuntime.trace}).
 *
 * Groups and deliveries each get a generated forward and reverse kernel. A delivery's kernels are
 * specialised on what the projection has (dense rows, one weight or per-synapse weights, delays,
 * release, soft spikes, trained weights, a spike adjoint to fill), so inner loops hold no branch
 * on these; dense rows are unrolled, and a dense spike adjoint runs over Wᵀ rows.
 *
 * Generated code names only compiler-minted symbols (slot symbols `s<k>`, stage prefixes, arrays
 * bound by position `Z<k>`) and numbers.
 */
import { KERNEL_HELPERS, emitJS, jsNumber } from '../../equations/codegen.js';
import { symbolsOf } from '../../equations/ast.js';
import { type Events } from '../../data/events.js';
import { compileKernel } from '../../lang/kernel.js';
import { type NetworkIR, type GroupIR, type DeliveryIR } from '../../ir/step.js';
import { buildStepProgram, ProgramError } from '../../ir/program.js';
import { emitForward, emitReverse, thresholdPartials } from '../../autodiff/reverse.js';
import { type Surrogate, SURROGATE_HELPERS } from '../../autodiff/surrogate.js';
import { BuildError } from '../../lang/errors.js';
import { checkForwardInputs, checkCarry, checkDifferentiable, checkCheckpoint, wholeSlots } from '../forward_checks.js';

type FloatArray = Float32Array | Float64Array;
type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/**
 * Arrays handed to a kernel factory as positional arguments Z[k]: `bind` mints the name Z<k> and
 * the hoisted `const Z<k> = Z[k];` (so no name from outside reaches the code).
 */
function binder(): { Z: unknown[]; hoist: string[]; bind: (a: unknown) => string } {
  const Z: unknown[] = [];
  const hoist: string[] = ['"use strict";'];
  const bind = (a: unknown) => {
    hoist.push(`const Z${Z.length} = Z[${Z.length}];`);
    Z.push(a);
    return `Z${Z.length - 1}`;
  };
  return { Z, hoist, bind };
}

/** Whether a group's equations or resets read the time of the last spike. */
function readsLastSpike(g: GroupIR): boolean {
  const exprs = [...g.vars.map((v) => v.rhs), ...g.resets.map((r) => r.value), ...(g.threshold ? [g.threshold] : [])];
  return exprs.some((e) => symbolsOf(e).has('lastspike'));
}

/** Events of input groups: step t's events are idx[ptr[t] .. ptr[t+1]), each b·n + i (src/data/events.ts). */
export type TapeEvents = Events;

/** How one group is differentiated. */
export interface GroupTraining {
  readonly surrogate: Surrogate;
  /** 1 / (the unit of the threshold difference). */
  readonly invScale: number;
  readonly soft: boolean;
  readonly detachReset: boolean;
}

/** What the runtime needs besides the IR. */
export interface TapeOptions {
  readonly steps: number;
  readonly batch: number;
  readonly F: FloatCtor;
  /** The simulator's array of a slot (constants are read from it every step). */
  readonly arrayOf: (slot: number) => FloatArray;
  /** Initial values of a state slot, one per neuron. */
  readonly initOf: (slot: number) => FloatArray;
  /** Gradient arrays (owned by the caller, so they outlive a rebuilt runtime): trained constant slots, */
  readonly gradOf: ReadonlyMap<number, FloatArray>;
  /** trained initial values of state slots, */
  readonly gradInitOf: ReadonlyMap<number, FloatArray>;
  /** trained weights, per delivery index. */
  readonly gradWeightOf: ReadonlyMap<number, FloatArray>;
  readonly training: (group: number) => GroupTraining;
  /**
   * Gradient checkpointing: keep the state only every this many steps (and the slots in `keep`
   * whole); the backward pass recomputes each segment from its checkpoint. Default: every step.
   */
  readonly checkpoint?: number;
  /** Slots kept whole under checkpointing (those losses read through `trace`). */
  readonly keep?: ReadonlySet<number>;
}

/** w: the row of step n in the tapes of segment slots (n itself without checkpointing). */
type Fwd = (n: number, B: number, EV: Int32Array, EVV: FloatArray, ne: number, w: number) => number;
type Bwd = (n: number, B: number, w: number) => void;
/** A delivery's kernel at step n: the pre group's events [q0, q1) of step m (unused by continuous coupling). */
type DeliveryFn = (n: number, B: number, EV: Int32Array, EVV: FloatArray, q0: number, q1: number, m: number, w: number) => void;

interface DeliveryRt {
  readonly ir: DeliveryIR;
  /** Wᵀ [post × pre] of a dense projection whose spike adjoint is computed, refreshed by each backward pass. */
  readonly wt: FloatArray | null;
  readonly fwd: DeliveryFn;
  readonly bwd: DeliveryFn;
  readonly forwardSource: string;
  readonly backwardSource: string;
}

/**
 * Generated code for `count` iterations (a literal) of `body(s, j)`, with j = 0, 1, … and s = start + j,
 * unrolled by four: V8 does not unroll, and four independent updates per iteration run faster.
 */
function span(count: number, start: string, body: (s: string, j: string) => string): string {
  const at = (v: string, o: number) => (o === 0 ? v : `(${v} + ${o})`);
  const full = count - (count % 4);
  const loops: string[] = [];
  if (full > 0) loops.push(`for (; $j < ${full}; $j += 4, $s += 4) { ${[0, 1, 2, 3].map((o) => `{ ${body(at('$s', o), at('$j', o))} }`).join(' ')} }`);
  if (count > full) loops.push(`for (; $j < ${count}; $j++, $s++) { ${body('$s', '$j')} }`);
  return `{ let $j = 0, $s = ${start}; ${loops.join(' ')} }`;
}

/** Whether every pre row reaches every post neuron of the slice, in order (rows are then plain ranges of the weights). */
function denseRows(d: DeliveryIR): boolean {
  const P = d.postSize;
  if (d.indices.length !== d.preSize * P) return false;
  for (let r = 0; r <= d.preSize; r++) if (d.indptr[r] !== r * P) return false;
  for (let s = 0; s < d.indices.length; s++) if (d.indices[s] !== s % P) return false;
  return true;
}

interface GroupRt {
  readonly ir: GroupIR;
  readonly N: number;
  readonly spiking: boolean;
  readonly soft: boolean;
  /** Events carry a value: soft spikes, and input groups (analog inputs; 1 for a plain spike). */
  readonly valued: boolean;
  /** Input groups with state (e.g. STP on their projections): this step's spikes, 0/1 per row and neuron. */
  readonly mask: Uint8Array | null;
  ev: Int32Array;
  evv: FloatArray;
  readonly ep: Int32Array;
  /** dL/d(spike) [T × B × N], when the group spikes and a delivery reads it. */
  readonly gs: FloatArray | null;
  /** dL/d(spike count) [B × N] (losses on counts and rates): added to dL/d(spike) at every step. */
  readonly cg: FloatArray | null;
  /** Step of the last spike, per step [(T+1) × B × N], for refractory groups. */
  readonly ls: Int32Array | null;
  fwd?: Fwd;
  bwd?: Bwd;
  forwardSource: string;
  backwardSource: string;
}

/**
 * The training runtime of one network (see the module comment).
 *
 * @example
 * const rt = new TapeRuntime(net.ir!, options); // Network builds it on the first net.forward(...)
 * rt.forward(new Map([[0, events]]), 16); rt.trace(slotOfV).grad[...] = dL/dv; rt.backward();
 */
export class TapeRuntime {
  readonly ir: NetworkIR;
  readonly T: number;
  readonly maxBatch: number;
  /** The batch of the last forward pass. */
  batch = 0;
  /** Tape and adjoint tape of every state slot (undefined for constants). */
  readonly X: (FloatArray | undefined)[];
  readonly A: (FloatArray | undefined)[];
  /** Gradients of trained constant slots (length N) and trained initial values. */
  readonly G = new Map<number, FloatArray>();
  readonly GInit = new Map<number, FloatArray>();
  /** Gradients of trained weights, per delivery. */
  readonly GW = new Map<number, FloatArray>();
  private readonly groups: GroupRt[];
  private readonly dels: DeliveryRt[];
  private readonly pending: (FloatArray | null)[];
  private readonly opts: TapeOptions;
  private forwarded = false;
  private carried = false;
  /** Whether the last forward pass started from the initial values (not carried): only then do they get a gradient. */
  private fromInit = false;
  private lastBatch = 0;
  /** Steps per segment (T without checkpointing), and the slots that keep every step. */
  readonly C: number;
  private readonly whole: ReadonlySet<number>;
  /** Checkpoints: per segment slot (and per group's last-spike tape) the state at each segment's start. */
  private readonly ckpt = new Map<number, FloatArray>();
  private readonly ckptLS = new Map<number, Int32Array>();

  constructor(ir: NetworkIR, opts: TapeOptions) {
    this.ir = ir;
    this.opts = opts;
    this.T = opts.steps;
    this.maxBatch = opts.batch;
    const { F, steps: T, batch: B } = opts;
    checkDifferentiable(ir);
    const preNeedsGrad = new Set(ir.deliveries.filter((d) => d.kind === 'event').map((d) => d.pre));
    this.C = Math.min(opts.checkpoint ?? T, T);
    const segmented = this.C < T;
    this.whole = segmented ? wholeSlots(ir, opts.keep ?? new Set()) : new Set(ir.slots.filter((s) => s.kind === 'state').map((s) => s.id));
    const S = Math.ceil(T / this.C);
    const rows = (id: number) => (this.whole.has(id) ? T + 1 : this.C + 1);
    this.X = ir.slots.map((s) => (s.kind === 'state' ? new F(rows(s.id) * B * ir.groups[s.group].size) : undefined));
    this.A = ir.slots.map((s) => (s.kind === 'state' ? new F(rows(s.id) * B * ir.groups[s.group].size) : undefined));
    if (segmented) for (const sl of ir.slots) if (sl.kind === 'state' && !this.whole.has(sl.id)) this.ckpt.set(sl.id, new F(S * B * ir.groups[sl.group].size));
    for (const [id, g] of opts.gradOf) this.G.set(id, g);
    for (const [id, g] of opts.gradInitOf) this.GInit.set(id, g);
    for (const [id, g] of opts.gradWeightOf) this.GW.set(id, g);
    this.pending = ir.deliveries.map((d) => (d.kind === 'event' && d.delays ? new F((T + 1) * B * ir.groups[d.post].size) : null));
    this.groups = ir.groups.map((g) => {
      const N = g.size;
      const spiking = g.kind === 'input' || g.threshold !== undefined;
      const soft = g.kind === 'neurons' && opts.training(g.index).soft;
      const valued = soft || g.kind === 'input';
      const stateful = g.slots.some((id) => ir.slots[id].kind === 'state');
      const rt: GroupRt = {
        ir: g,
        N,
        spiking,
        soft,
        valued,
        mask: g.kind === 'input' && stateful ? new Uint8Array(B * N) : null,
        ev: new Int32Array(spiking ? Math.max(1024, B * N * 4) : 0),
        evv: new F(valued ? Math.max(1024, B * N * 4) : 0),
        ep: new Int32Array(T + 1),
        gs: spiking && g.kind === 'neurons' && preNeedsGrad.has(g.index) ? new F(T * B * N) : null,
        cg: spiking && g.kind === 'neurons' ? new F(B * N) : null,
        ls: g.kind === 'neurons' && spiking && ((g.refSteps > 0 && !soft) || readsLastSpike(g)) ? new Int32Array((this.C + 1) * B * N) : null,
        forwardSource: '',
        backwardSource: '',
      };
      if (g.kind === 'neurons' || rt.mask) this.compile(rt);
      if (rt.ls && segmented) this.ckptLS.set(g.index, new Int32Array(S * B * N));
      return rt;
    });
    this.dels = ir.deliveries.map((d) => this.compileDelivery(d));
  }

  /** The generated sources of a group's kernels (for inspection and tests). */
  sources(group: number): { forward: string; backward: string } {
    const g = this.groups[group];
    return { forward: g.forwardSource, backward: g.backwardSource };
  }

  /** The generated sources of a delivery's kernels. */
  deliverySources(delivery: number): { forward: string; backward: string } {
    const d = this.dels[delivery];
    return { forward: d.forwardSource, backward: d.backwardSource };
  }

  /** Spike events of a group in the last forward pass. */
  spikes(group: number): TapeEvents {
    const g = this.groups[group];
    return { ptr: g.ep, idx: g.ev, val: g.valued ? g.evv : undefined };
  }

  private compile(rt: GroupRt): void {
    const g = rt.ir;
    const { ir, opts } = this;
    const tr = opts.training(g.index);
    const where = g.where;
    // Soft spikes have no refractory period (as in the literature); `lastspike` still follows the hard spikes.
    const refractory = rt.ls !== null && g.refSteps > 0 && !rt.soft;
    let prog;
    try {
      if (g.method === 'euler_maruyama' || g.method === 'milstein') throw new ProgramError('method', 'training does not integrate white noise');
      prog = buildStepProgram({ vars: g.vars, values: g.values, method: g.method, dt: ir.dt, threshold: g.threshold, resets: g.resets, refractory: refractory });
    } catch (err) {
      if (err instanceof ProgramError) throw new BuildError(where, err.field, err.message);
      throw err;
    }
    const N = rt.N;
    const states = g.slots.filter((id) => ir.slots[id].kind === 'state');
    const consts = g.slots.filter((id) => ir.slots[id].kind === 'const');
    const sym = (id: number) => ir.slots[id].symbol;
    const { Z, hoist, bind } = binder();
    const XS = new Map(states.map((id) => [id, bind(this.X[id])]));
    const AS = new Map(states.map((id) => [id, bind(this.A[id])]));
    const KS = new Map(consts.map((id) => [id, bind(opts.arrayOf(id))]));
    const GP = new Map(consts.filter((id) => this.G.has(id)).map((id) => [id, bind(this.G.get(id))]));
    const LS = rt.ls ? bind(rt.ls) : '';
    const GS = rt.gs ? bind(rt.gs) : '';
    const MASK = rt.mask ? bind(rt.mask) : '';
    const CG = rt.cg ? bind(rt.cg) : '';
    const known = new Set<string>(['t', 'nr', 'lastspike']);
    // the row of step n (0) or n + 1 (1): absolute for whole slots, within the segment for the others
    const at = (id: number, r: 0 | 1) => (this.whole.has(id) ? `$o${r}` : `$w${r}`);
    const pro: string[] = [];
    for (const id of states) {
      pro.push(`const c_${sym(id)} = ${XS.get(id)}[${at(id, 0)} + $k];`);
      known.add(`c_${sym(id)}`);
    }
    for (const id of consts) {
      pro.push(`const ${sym(id)} = ${KS.get(id)}[$i];`);
      known.add(sym(id));
    }
    if (rt.ls) pro.push(`const $ls = ${LS}[$w0 + $k]; const lastspike = $ls * ${jsNumber(ir.dt)};`);
    pro.push(refractory ? `const nr = ($n - $ls) >= ${g.refSteps} ? 1 : 0;` : 'const nr = 1;');
    pro.push(...emitForward(prog.step, known));
    const fail = (x: string): never => {
      throw new Error(`internal error: unresolved symbol '${x}' in a training kernel`);
    };
    const inv = tr.invScale;
    const hs = inv === 1 ? '$h' : `($h * ${jsNumber(inv)})`;
    if (prog.h) {
      pro.push(`const $h = ${emitJS(prog.h, (x) => (known.has(x) ? x : fail(x)))};`);
      pro.push(`const $gate = ${prog.gate ? `(${emitJS(prog.gate, (x) => (known.has(x) ? x : fail(x)))}) ? nr : 0` : 'nr'};`);
      pro.push(rt.soft ? `const $s = $gate * ${tr.surrogate.softCode(hs)};` : `const $s = $gate * ($h ${prog.inclusive ? '>=' : '>'} 0 ? 1 : 0);`);
    } else pro.push(rt.mask ? `const $s = ${MASK}[$k];` : 'const $s = 0;');
    const resetKnown = new Set(known);
    const resetCode = emitForward(prog.reset, resetKnown);
    const after = (x: string) => prog.resetOut.get(x) ?? `n_${x}`;
    const head = [`const $BN = $B * ${N}; const $o0 = $n * $BN; const $o1 = $o0 + $BN; const $w0 = $w * $BN; const $w1 = $w0 + $BN; const t = $n * ${jsNumber(ir.dt)};`, 'let $k = 0;', `for (let $b = 0; $b < $B; $b++) { for (let $i = 0; $i < ${N}; $i++, $k++) {`];

    // Forward.
    const fw = [...hoist, 'return function fwd($n, $B, EV, EVV, $ne, $w) {', ...head, ...pro];
    fw.push('if ($s !== 0) {', ...resetCode);
    for (const id of states) {
      const x = sym(id);
      const v = prog.resetOut.has(x) ? (rt.soft ? `n_${x} + $s * (${after(x)} - n_${x})` : after(x)) : `n_${x}`;
      fw.push(`${XS.get(id)}[${at(id, 1)} + $k] = ${v};`);
    }
    if (rt.ls) fw.push(rt.soft ? `${LS}[$w1 + $k] = $h ${prog.inclusive ? '>=' : '>'} 0 ? $n : $ls;` : `${LS}[$w1 + $k] = $n;`);
    // input groups' events are the data's; their kernel only applies the resets
    if (!rt.mask) fw.push(rt.soft ? 'EV[$ne] = $k; EVV[$ne] = $s; $ne++;' : 'EV[$ne++] = $k;');
    fw.push('} else {');
    for (const id of states) fw.push(`${XS.get(id)}[${at(id, 1)} + $k] = n_${sym(id)};`);
    if (rt.ls) fw.push(`${LS}[$w1 + $k] = $ls;`);
    fw.push('}', '} }', 'return $ne;', '};');
    rt.forwardSource = fw.join('\n');
    rt.fwd = compileKernel(['Z', 'H', 'SG'], rt.forwardSource)(Z, KERNEL_HELPERS, SURROGATE_HELPERS) as Fwd;

    // Backward: the same prologue, then the program in reverse.
    const adj = new Set<string>();
    for (const id of states) (adj.add(`c_${sym(id)}`), adj.add(`n_${sym(id)}`));
    for (const id of consts) adj.add(sym(id));
    const rv: string[] = [`let $g = ${[rt.gs ? `${GS}[$o0 + $k]` : '', CG ? `${CG}[$k]` : ''].filter(Boolean).join(' + ') || '0'};`];
    for (const id of states) rv.push(`const $l_${sym(id)} = ${AS.get(id)}[${at(id, 1)} + $k];`);
    rv.push('if ($s !== 0) {', ...resetCode);
    for (const id of states) {
      const x = sym(id);
      if (prog.resetOut.has(x)) {
        adj.add(after(x));
        rv.push(`a_${after(x)} += ${rt.soft ? '$s * ' : ''}$l_${x};`);
        if (rt.soft) rv.push(`a_n_${x} += (1 - $s) * $l_${x};`);
        if (rt.soft || !tr.detachReset) rv.push(`$g += $l_${x} * (${after(x)} - n_${x});`);
      } else rv.push(`a_n_${x} += $l_${x};`);
    }
    rv.push(...emitReverse(prog.reset, resetKnown, adj));
    rv.push('} else {');
    for (const id of states) rv.push(`a_n_${sym(id)} += $l_${sym(id)};`);
    rv.push('}');
    if (prog.h) {
      rv.push(`const $sg = $g * $gate * ${tr.surrogate.gradCode(hs)}${inv === 1 ? '' : ` * ${jsNumber(inv)}`};`);
      for (const [s, d] of thresholdPartials(prog.h)) {
        adj.add(s);
        rv.push(`a_${s} += $sg * ${emitJS(d, (x) => (known.has(x) ? x : fail(x)))};`);
      }
    }
    rv.push(...emitReverse(prog.step, known, adj));
    for (const id of states) rv.push(`${AS.get(id)}[${at(id, 0)} + $k] += a_c_${sym(id)};`);
    for (const [id, gp] of GP) rv.push(`${gp}[$i] += a_${sym(id)};`);
    const bw = [...hoist, 'return function bwd($n, $B, $w) {', ...head, ...pro, `let ${[...adj].map((x) => `a_${x} = 0`).join(', ')};`, ...rv, '} }', '};'];
    rt.backwardSource = bw.join('\n');
    rt.bwd = compileKernel(['Z', 'H', 'SG'], rt.backwardSource)(Z, KERNEL_HELPERS, SURROGATE_HELPERS) as Bwd;
  }

  /**
   * Runs T steps on B batch rows from the initial state. `inputs` gives the spikes of input groups
   * (group index → events with flat indices b·N + i).
   */
  forward(inputs: ReadonlyMap<number, TapeEvents>, B: number, carry = false): void {
    const { T, ir, opts } = this;
    checkForwardInputs(ir, inputs, T, B, this.maxBatch);
    checkCheckpoint(this.C, T, carry);
    this.batch = B;
    // Truncated BPTT: start from where the last pass ended (same batch; no spike in flight).
    if (carry) checkCarry(ir, { passes: this.forwarded || this.carried ? 1 : 0, lastBatch: this.lastBatch }, B);
    this.lastBatch = B;
    this.carried = true;
    this.fromInit = !carry;
    // Initial state, the same for every batch row (or the end of the last pass); adjoints cleared.
    for (const s of ir.slots) {
      if (carry) {
        const x = this.X[s.id];
        if (x) x.copyWithin(0, T * B * ir.groups[s.group].size, (T + 1) * B * ir.groups[s.group].size);
        continue;
      }
      const x = this.X[s.id];
      if (!x) continue;
      const N = ir.groups[s.group].size;
      const init = opts.initOf(s.id);
      for (let b = 0; b < B; b++) x.set(init.subarray(0, N), b * N);
    }
    for (const g of this.groups) {
      if (!g.ls) continue;
      if (!carry) g.ls.fill(-0x40000000, 0, B * g.N);
      // steps count from the window's start: the last spike moves back by T
      else for (let k = 0; k < B * g.N; k++) g.ls[k] = Math.max(g.ls[T * B * g.N + k] - T, -0x40000000);
    }
    for (const p of this.pending) p?.fill(0);
    this.inputs = inputs;
    // Segments of C steps (one segment without checkpointing); each starts from a checkpoint.
    for (let seg = 0, base = 0; base < T; seg++, base += this.C) {
      if (seg > 0) this.shiftSegment(B);
      this.saveCheckpoint(seg, B);
      for (let n = base; n < Math.min(T, base + this.C); n++) this.step(n, n - base, B, false);
    }
    this.forwarded = true;
    for (const a of this.A) a?.fill(0);
    for (const g of this.groups) {
      g.gs?.fill(0);
      g.cg?.fill(0);
    }
  }

  private inputs: ReadonlyMap<number, TapeEvents> = new Map();

  /** One forward step n (row w of the segment tapes); `recompute`: again, in the backward pass. */
  private step(n: number, w: number, B: number, recompute: boolean): void {
    for (const g of this.groups) {
      if (g.ir.kind === 'input') {
        this.copyInput(g, this.inputs.get(g.ir.index)!, n, B);
        if (g.fwd) {
          this.fillMask(g, n, B);
          g.fwd(n, B, g.ev, g.evv, g.ep[n + 1], w);
        }
        continue;
      }
      if (!g.fwd) continue;
      this.reserve(g, n, B);
      g.ep[n + 1] = g.fwd(n, B, g.ev, g.evv, g.ep[n], w);
    }
    for (let di = 0; di < this.dels.length; di++) this.deliver(this.dels[di], n, B, w, recompute);
  }

  /** Segment slots (and last-spike tapes): the state after the segment becomes row 0 of the next. */
  private shiftSegment(B: number): void {
    const C = this.C;
    for (const id of this.ckpt.keys()) {
      const BN = B * this.ir.groups[this.ir.slots[id].group].size;
      this.X[id]!.copyWithin(0, C * BN, (C + 1) * BN);
    }
    for (const g of this.groups) if (g.ls && this.C < this.T) g.ls.copyWithin(0, C * B * g.N, (C + 1) * B * g.N);
  }

  private saveCheckpoint(seg: number, B: number): void {
    for (const [id, ck] of this.ckpt) {
      const BN = B * this.ir.groups[this.ir.slots[id].group].size;
      ck.set(this.X[id]!.subarray(0, BN), seg * BN);
    }
    for (const [gi, ck] of this.ckptLS) {
      const BN = B * this.groups[gi].N;
      ck.set(this.groups[gi].ls!.subarray(0, BN), seg * BN);
    }
  }

  private restoreCheckpoint(seg: number, B: number): void {
    for (const [id, ck] of this.ckpt) {
      const BN = B * this.ir.groups[this.ir.slots[id].group].size;
      this.X[id]!.set(ck.subarray(seg * BN, (seg + 1) * BN), 0);
    }
    for (const [gi, ck] of this.ckptLS) {
      const BN = B * this.groups[gi].N;
      this.groups[gi].ls!.set(ck.subarray(seg * BN, (seg + 1) * BN), 0);
    }
  }

  /** Makes room for one more step of events (at most one per neuron and row). */
  private reserve(g: GroupRt, n: number, B: number): void {
    const used = g.ep[n];
    const need = used + B * g.N;
    if (need <= g.ev.length) return;
    const len = Math.max(need, g.ev.length * 2);
    const ev = new Int32Array(len);
    ev.set(g.ev.subarray(0, used));
    g.ev = ev;
    if (g.soft) {
      const v = new this.opts.F(len);
      v.set(g.evv.subarray(0, used));
      g.evv = v;
    }
  }

  private copyInput(g: GroupRt, e: TapeEvents, n: number, B: number): void {
    const a = e.ptr[n];
    const b = e.ptr[n + 1];
    const at = g.ep[n];
    if (g.ev.length < at + (b - a)) {
      const len = Math.max(at + (b - a), g.ev.length * 2);
      const ev = new Int32Array(len);
      ev.set(g.ev.subarray(0, at));
      g.ev = ev;
      const evv = new this.opts.F(len);
      evv.set(g.evv.subarray(0, at));
      g.evv = evv;
    }
    g.ev.set(e.idx.subarray(a, b), at);
    // analog inputs carry their value; a plain spike counts 1
    if (e.val) g.evv.set(e.val.subarray(a, b), at);
    else g.evv.fill(1, at, at + (b - a));
    g.ep[n + 1] = at + (b - a);
    void B;
  }

  /** Marks the input group's spikes of step n (its kernel applies their resets, e.g. STP). */
  private fillMask(g: GroupRt, n: number, B: number): void {
    const mask = g.mask!;
    mask.fill(0, 0, B * g.N);
    for (let q = g.ep[n]; q < g.ep[n + 1]; q++) mask[g.ev[q]] = 1;
  }

  /**
   * Compiles one delivery's forward and reverse kernels, specialised on what it has (per-synapse
   * weights or one weight, dense rows, delays, release, soft spikes, trained weights, a spike
   * adjoint to fill). Every array is bound by position (Z<k>); the code holds only numbers.
   */
  private compileDelivery(d: DeliveryIR): DeliveryRt {
    const { ir, T } = this;
    const num = jsNumber;
    // an offset term, left out when it is 0
    const plus = (x: number) => (x === 0 ? '' : x > 0 ? ` + ${num(x)}` : ` - ${num(-x)}`);
    const Npre = ir.groups[d.pre].size;
    const Npost = ir.groups[d.post].size;
    const pre = this.groups[d.pre];
    const { Z, hoist, bind } = binder();
    const P = d.postSize;
    const dense = denseRows(d);
    const IP = dense ? '' : bind(d.indptr);
    const IX = dense ? '' : bind(d.indices);
    const W = d.weights ? bind(d.weights) : '';
    const w = (s: string) => (W ? `${W}[${s}]` : num(d.weight));
    // A loop over the synapses of pre row $r; `body` gets the synapse and the post index (within the slice).
    const row = (body: (s: string, j: string) => string) =>
      dense ? span(P, `$r * ${num(P)}`, body) : `for (let $s = ${IP}[$r], $e = ${IP}[$r + 1]; $s < $e; $s++) { const $j = ${IX}[$s]; ${body('$s', '$j')} }`;
    const GW = this.GW.has(d.index) ? bind(this.GW.get(d.index)) : '';
    let wt: FloatArray | null = null;
    const sig = (name: string) => `function ${name}($n, $B, EV, EVV, $q0, $q1, $m, $w) {`;
    // the step variable whose rows a slot's tape holds: absolute ($n, $m) for whole slots, else the segment's ($w)
    const stepOf = (id: number, abs: string) => (this.whole.has(id) ? abs : '$w');
    const fw: string[] = [];
    const bw: string[] = [];
    if (d.kind === 'continuous') {
      const ACC = bind(this.X[d.target]);
      const AACC = bind(this.A[d.target]);
      const SRC = bind(this.X[d.source!]);
      const ASRC = this.A[d.source!] ? bind(this.A[d.source!]) : '';
      const VP = d.gapPost === undefined ? '' : bind(this.X[d.gapPost]);
      const AVP = d.gapPost === undefined ? '' : bind(this.A[d.gapPost]);
      const val = (j: string) => (VP ? `($x - ${VP}[$row + ${j}])` : '$x');
      const rows = [
        `const $o1 = (${stepOf(d.target, '$n')} + 1) * $B; const $p0 = $o1 * ${num(Npost)};`,
        'for (let $b = 0; $b < $B; $b++) {',
        `const $row = $p0 + $b * ${num(Npost)}${plus(d.postStart)}; const $kb = $o1 * ${num(Npre)} + $b * ${num(Npre)}${plus(d.preStart)};`,
        `for (let $r = 0; $r < ${num(d.preSize)}; $r++) { const $k = $kb + $r; const $x = ${SRC}[$k];`,
      ];
      // The accumulator at X[n+1] becomes Σ w·source (or Σ w·(V_pre − V_post)).
      fw.push(`return ${sig('dlv')}`, ...rows.slice(0, 1), `${ACC}.fill(0, $p0, $p0 + $B * ${num(Npost)});`, ...rows.slice(1));
      fw.push(row((s, j) => `${ACC}[$row + ${j}] += ${w(s)} * ${val(j)};`), '} }', '};');
      // Its adjoint goes to the weights, the source and V_post, then is cleared (it was overwritten).
      bw.push(`return ${sig('dlvb')}`, ...rows, 'let $back = 0;');
      const body = (s: string, j: string) =>
        [`const $a = ${AACC}[$row + ${j}]; if ($a !== 0) {`, GW ? `${GW}[${s}] += $a * ${val(j)};` : '', `const $wa = ${w(s)} * $a; $back += $wa;`, AVP ? `${AVP}[$row + ${j}] -= $wa;` : '', '}'].filter(Boolean).join(' ');
      bw.push(row(body), ASRC ? `${ASRC}[$k] += $back;` : '', '} }', `${AACC}.fill(0, $p0, $p0 + $B * ${num(Npost)});`, '};');
    } else {
      const sliced = d.preStart !== 0 || d.preSize !== Npre;
      const REL = d.release === undefined ? '' : bind(this.X[d.release]);
      const AREL = d.release === undefined ? '' : bind(this.A[d.release]);
      const pend = this.pending[d.index];
      const PD = pend ? bind(pend) : '';
      const TG = PD ? '' : bind(this.X[d.target]);
      const DL = d.delays ? bind(d.delays) : '';
      const event = [
        'for (let $q = $q0; $q < $q1; $q++) {',
        `const $k = EV[$q]; const $b = ($k / ${num(Npre)}) | 0; const $r = $k - $b * ${num(Npre)}${plus(-d.preStart)};`,
        sliced ? `if ($r < 0 || $r >= ${num(d.preSize)}) continue;` : '',
        `const $pb = $b * ${num(Npost)}${plus(d.postStart)};`,
      ];
      // value × release of the spike (soft spikes carry a value; STP a release fraction)
      // STP: the release computed when the spike was emitted (step m), whatever the delay
      const relRow = d.release === undefined ? '' : `(${stepOf(d.release, '$m')} + 1) * $B * ${num(Npre)}`;
      const factors = [pre.valued ? 'EVV[$q]' : '', REL ? `${REL}[${relRow} + $k]` : ''].filter(Boolean);
      const vr = factors.length ? ' * $vr' : '';
      const vrDecl = factors.length ? `const $vr = ${factors.join(' * ')};` : '';
      fw.push(`return ${sig('dlv')}`, `const $o1 = (${stepOf(d.target, '$n')} + 1) * $B;`, ...event, vrDecl);
      if (PD) fw.push(row((s, j) => `${PD}[($n + ${DL}[${s}] + 1) * $B * ${num(Npost)} + $pb + ${j}] += ${w(s)}${vr};`));
      else fw.push(`const $t = $o1 * ${num(Npost)} + $pb;`, row((s, j) => `${TG}[$t + ${j}] += ${w(s)}${vr};`));
      fw.push('}', '};');
      // The reverse pass reads dL/d(target) where each increment landed: X[n+1], or X[m + delay + 1] (nothing past the last step).
      const AT = bind(this.A[d.target]);
      const at = (use: (s: string) => string) => (s: string, j: string) =>
        DL ? `const $at = $m + ${DL}[${s}] + 1; if ($at <= ${num(T)}) { const $a = ${AT}[$at * $B * ${num(Npost)} + $pb + ${j}]; ${use(s)} }` : `const $a = ${AT}[$L + ${j}]; ${use(s)}`;
      const landing = DL ? '' : `const $L = $o1 * ${num(Npost)} + $pb;`;
      bw.push(`return ${sig('dlvb')}`, `const $o1 = (${stepOf(d.target, '$n')} + 1) * $B;`);
      if (pre.gs && dense && !DL && !REL) {
        // Surrogate path, dense rows: dL/ds[b, :] += Σ_j dL/d(target)[b, j]·Wᵀ[j, :], contiguous
        // updates of the spike adjoint row instead of a short dot product per pre neuron.
        const GS = bind(pre.gs);
        const pb = `const $pb = $b * ${num(Npost)}${plus(d.postStart)}; const $g = $m * $B * ${num(Npre)} + $b * ${num(Npre)}${plus(d.preStart)};`;
        bw.push('for (let $b = 0; $b < $B; $b++) {', pb, landing);
        if (W) {
          wt = new (this.opts.F)(P * d.preSize);
          const WT = bind(wt);
          bw.push(`for (let $c = 0; $c < ${num(P)}; $c++) {`, `const $a = ${AT}[$L + $c]; if ($a === 0) continue;`, span(d.preSize, `$c * ${num(d.preSize)}`, (s, j) => `${GS}[$g + ${j}] += $a * ${WT}[${s}];`), '}');
        } else {
          // one weight: every pre neuron of the row gets w·Σ_j dL/d(target)[b, j]
          bw.push('let $sum = 0;', `for (let $c = 0; $c < ${num(P)}; $c++) $sum += ${AT}[$L + $c];`, `const $v = ${num(d.weight)} * $sum;`, `for (let $r = 0; $r < ${num(d.preSize)}; $r++) ${GS}[$g + $r] += $v;`);
        }
        bw.push('}');
      } else if (pre.gs) {
        // Surrogate path: every pre neuron (spiking or not) gets dL/ds = Σ_s w·rel·dL/d(target).
        const GS = bind(pre.gs);
        bw.push(
          'for (let $b = 0; $b < $B; $b++) {',
          `const $pb = $b * ${num(Npost)}${plus(d.postStart)}; const $kb = $b * ${num(Npre)}${plus(d.preStart)}; const $g = $m * $B * ${num(Npre)} + $kb;`,
          landing,
          `for (let $r = 0; $r < ${num(d.preSize)}; $r++) {`,
          'let $acc = 0;',
          row(at((s) => `$acc += ${w(s)} * $a;`)),
          `${GS}[$g + $r] += ${REL ? `$acc * ${REL}[${relRow} + $kb + $r]` : '$acc'};`,
          '} }',
        );
      }
      if (GW || AREL) {
        // Weight and release gradients: only the rows of neurons that spiked (or all rows, soft).
        const use = (s: string) => [GW ? `${GW}[${s}] += $a${vr};` : '', AREL ? `$acc += ${w(s)} * $a;` : ''].filter(Boolean).join(' ');
        bw.push(...event, vrDecl, landing, AREL ? 'let $acc = 0;' : '', row(at(use)));
        if (AREL) bw.push(`${AREL}[${relRow} + $k] += $acc${pre.valued ? ' * EVV[$q]' : ''};`);
        bw.push('}');
      }
      bw.push('};');
    }
    const forwardSource = [...hoist, ...fw].filter(Boolean).join('\n');
    const backwardSource = [...hoist, ...bw].filter(Boolean).join('\n');
    return {
      ir: d,
      wt,
      fwd: compileKernel(['Z'], forwardSource)(Z) as DeliveryFn,
      bwd: compileKernel(['Z'], backwardSource)(Z) as DeliveryFn,
      forwardSource,
      backwardSource,
    };
  }

  /** Adds the increments delivered at step n into X[n+1] (per-synapse delays: through the pending buffer). */
  private deliver(dr: DeliveryRt, n: number, B: number, w: number, recompute: boolean): void {
    const d = dr.ir;
    const pre = this.groups[d.pre];
    if (d.kind === 'continuous') return dr.fwd(n, B, pre.ev, pre.evv, 0, 0, 0, w);
    const m = d.delays ? n : n - d.delaySteps;
    // recomputing a segment: increments in flight (per-synapse delays) are already in the pending buffer
    if (m >= 0 && pre.ep[m + 1] > pre.ep[m] && !(recompute && d.delays)) dr.fwd(n, B, pre.ev, pre.evv, pre.ep[m], pre.ep[m + 1], m, w);
    const pend = this.pending[d.index];
    if (pend) {
      const target = this.X[d.target]!;
      const BN = B * this.groups[d.post].N;
      const o1post = (n + 1) * BN;
      for (let k = 0; k < BN; k++) {
        const x = pend[o1post + k];
        if (x !== 0) target[o1post + k] += x;
      }
    }
  }

  /** Reverse pass over the last forward pass; gradients add to G, GInit and GW. */
  backward(): void {
    if (!this.forwarded) throw new Error('backward(): run net.forward(...) first');
    const { T, batch: B, dels, groups } = this;
    for (const dr of dels) {
      if (!dr.wt) continue;
      const { weights, preSize, postSize } = dr.ir;
      for (let r = 0; r < preSize; r++) for (let c = 0; c < postSize; c++) dr.wt[c * preSize + r] = weights![r * postSize + c];
    }
    const C = this.C;
    const last = Math.ceil(T / C) - 1;
    for (let seg = last; seg >= 0; seg--) {
      const base = seg * C;
      const len = Math.min(C, T - base);
      if (seg < last) {
        // Recompute the segment from its checkpoint; the adjoint of its end state comes from row 0
        // of the next segment's adjoint.
        this.restoreCheckpoint(seg, B);
        for (let n = base; n < base + len; n++) this.step(n, n - base, B, true);
        for (const id of this.ckpt.keys()) {
          const BN = B * this.ir.groups[this.ir.slots[id].group].size;
          const a = this.A[id]!;
          a.copyWithin(len * BN, 0, BN);
          a.fill(0, 0, len * BN);
        }
      }
      for (let n = base + len - 1; n >= base; n--) {
        const w = n - base;
        for (let di = dels.length - 1; di >= 0; di--) {
          const dr = dels[di];
          const d = dr.ir;
          const pre = groups[d.pre];
          if (d.kind === 'continuous') dr.bwd(n, B, pre.ev, pre.evv, 0, 0, 0, w);
          else {
            const m = d.delays ? n : n - d.delaySteps;
            if (m >= 0) dr.bwd(n, B, pre.ev, pre.evv, pre.ep[m], pre.ep[m + 1], m, w);
          }
        }
        for (let gi = groups.length - 1; gi >= 0; gi--) {
          const g = groups[gi];
          if (!g.bwd) continue;
          if (g.mask) this.fillMask(g, n, B);
          g.bwd(n, B, w);
        }
      }
    }
    // a carried window starts from the last window's end state, not from the initial values
    if (this.fromInit) for (const [id, grad] of this.GInit) {
      const a = this.A[id]!;
      const N = grad.length;
      for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) grad[i] += a[b * N + i];
    }
    this.forwarded = false;
  }

  /**
   * A state slot's time course as the losses read it: data[(n + 1)·B·N + b·N + i] is the value
   * after step n; write dL/d(value) at the same place of `grad`.
   */
  trace(slot: number): { data: FloatArray; grad: FloatArray; offset: number; stride: number } {
    const x = this.X[slot];
    if (!x) throw new Error('internal error: trace of a constant slot');
    if (!this.whole.has(slot)) throw new BuildError(this.ir.groups[this.ir.slots[slot].group].where, 'trace', 'with checkpointing, only the variables named in `keep` keep every step', 'add [group, variable] to keep in net.forward');
    const N = this.ir.groups[this.ir.slots[slot].group].size;
    return { data: x, grad: this.A[slot]!, offset: this.batch * N, stride: this.batch * N };
  }

  /** Spike counts per batch row and neuron over the last forward pass [B × N]. */
  /** dL/d(spike count) of a group [B × N], which losses on counts fill before the backward pass. */
  countGrad(group: number): FloatArray {
    const cg = this.groups[group].cg;
    if (!cg) throw new BuildError(this.ir.groups[group].where, 'counts', 'the group does not spike', 'put spike-count losses on a spiking group');
    return cg;
  }

  spikeCounts(group: number): Float64Array {
    const g = this.groups[group];
    const out = new Float64Array(this.batch * g.N);
    for (let q = 0; q < g.ep[this.T]; q++) out[g.ev[q]] += g.valued ? g.evv[q] : 1;
    return out;
  }
}
