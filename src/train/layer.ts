/**
 * A trainable layer of neurons of any model declared with `defineNeuron`: state in [batch × n]
 * typed arrays, one generated forward kernel and one generated backward kernel per layer (see
 * program.ts for the step and its adjoint).
 */
import { KERNEL_HELPERS } from '../equations/codegen.js';
import { parseQuantity, quantityIn, SECOND, type QuantityLike } from '../equations/quantity.js';
import { dimEq } from '../math/units.js';
import { Rng } from '../math/rng.js';
import { type NeuronModel, checkModel } from '../model/model.js';
import { BuildError } from '../lang/errors.js';
import { compileKernel } from '../lang/kernel.js';
import { type Init, fillInit, isScalarInit, scalarValue } from '../model/init.js';
import { type IntegratorName } from '../integrators/index.js';
import { atan, type Surrogate, SURROGATE_HELPERS } from './surrogate.js';
import { initialScale } from './scale.js';
import { buildProgram, emitForward, emitReverse, thresholdPartials, emitJS, jsNumber, type StepProgram } from './program.js';

export type FloatArray = Float32Array | Float64Array;
export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

export type { Param } from '../autodiff/param.js';
import { type Param } from '../autodiff/param.js';

/** Options of a spiking (or non-spiking) layer. */
export interface LayerOptions {
  /** Name used in messages and saved parameters (default: model name and index). */
  readonly name?: string;
  /** Parameter values overriding the model's; a trained parameter may be a distribution. */
  readonly params?: Readonly<Record<string, Init>>;
  /** Initial values of the state variables (default: the model's `init`, else 0). */
  readonly init?: Readonly<Record<string, Init>>;
  /** Parameters to train, one value per neuron (e.g. ['tau', 'Vth']). */
  readonly train?: readonly string[];
  /** Train the initial values of these state variables (true: all), one value per neuron. */
  readonly trainInit?: boolean | readonly string[];
  /** Surrogate gradient of the threshold (default atan(2)). */
  readonly surrogate?: Surrogate;
  /** The unit in which h (e.g. v - Vth) is measured for the surrogate (default 1, SI). */
  readonly scale?: QuantityLike;
  /** Leave the reset out of the gradient (default true). */
  readonly detachReset?: boolean;
  /** 'hard': spikes are 0/1 (default). 'soft': s = σ(h), differentiable (for checks; dense). */
  readonly spikeMode?: 'hard' | 'soft';
  /** Integration method (default: the model's, else 'auto' as in the simulator). */
  readonly method?: IntegratorName;
}

type FwdKernel = ($u: number, $t: number, $B: number, EV: Int32Array, EVV: FloatArray, $ne: number) => number;
type BwdKernel = ($u: number, $t: number, $B: number, GS: FloatArray) => void;

/** Sizes the network gives a layer when it is built. */
export interface LayerAlloc {
  readonly steps: number;
  readonly chunk: number;
  readonly segments: number;
  readonly maxBatch: number;
  readonly dt: number;
  readonly F: FloatCtor;
  readonly seed: number;
  readonly index: number;
}

/**
 * A layer of `n` neurons of one model; create it with `SNN.layer`.
 *
 * @example
 * const h = net.layer(100, synapticLIF(), { train: ['Vth'], surrogate: atan(2) }).record('v');
 * net.build(); h.parameters() // [{ name: ..., value, grad }]: Vth, one value per neuron
 */
export class Layer {
  readonly kind = 'layer';
  readonly n: number;
  readonly model: NeuronModel;
  readonly options: LayerOptions;
  name: string;
  /** Targets fed by projections: input values (currents) and state variables (jumps). */
  readonly currents = new Set<string>();
  readonly jumps = new Set<string>();
  /** Variables whose time course is recorded for losses ([steps × batch × n]). */
  readonly recorded = new Set<string>();

  // --- built state ---
  program!: StepProgram;
  refSteps = 0;
  /** Stride of one time slot in the state arrays: maxBatch · n. */
  S = 0;
  /** State history of the current segment: slot u holds the state before step u of the segment. */
  X = new Map<string, FloatArray>();
  /** Remaining refractory steps, same layout as X (only when the model has a refractory period). */
  RC: Int32Array | null = null;
  /** Checkpoints: the state at the start of each segment. */
  CK = new Map<string, FloatArray>();
  RCK: Int32Array | null = null;
  /** Inputs of each step of the segment, per target. */
  IN = new Map<string, FloatArray>();
  /** Adjoint of the state (dL/dx at the current step of the backward pass). */
  L = new Map<string, FloatArray>();
  /** dL/d(input) at the current step, per target. */
  GIN = new Map<string, FloatArray>();
  /** dL/ds for the step being processed and for the one before it. */
  GS!: FloatArray;
  GSprev!: FloatArray;
  /** dL/d(spike count), added to dL/ds at every step (spike-count losses, rate regularizers). */
  countGrad!: FloatArray;
  /** Spike counts per batch row and neuron of the last forward pass. */
  counts!: Float64Array;
  /** Spike events: step t's spikes are ev[evPtr[t] .. evPtr[t+1]), flat indices b·n + i. */
  evPtr!: Int32Array;
  ev: Int32Array = new Int32Array(0);
  evVal: FloatArray = new Float64Array(0);
  scratchEv: Int32Array = new Int32Array(0);
  scratchVal: FloatArray = new Float64Array(0);
  /** Recorded traces and their gradients. */
  readonly traces = new Map<string, { data: FloatArray; grad: FloatArray }>();
  /** Trained parameters (per neuron) and initial values. */
  readonly trained = new Map<string, Param>();
  readonly initParams = new Map<string, Param>();
  /** Initial state per neuron (trained or fixed). */
  readonly X0 = new Map<string, FloatArray>();
  fwd!: FwdKernel;
  bwd!: BwdKernel;
  /** Generated kernel sources, for inspection. */
  forwardSource = '';
  backwardSource = '';
  private F!: FloatCtor;

  constructor(n: number, model: NeuronModel, options: LayerOptions = {}) {
    // only models built by defineNeuron (their names and trees were checked where they entered)
    checkModel(model, `layer '${typeof options.name === 'string' ? options.name : '?'}'`, 'model');
    if (!Number.isInteger(n) || n <= 0) throw new BuildError(`layer '${options.name ?? model.name}'`, 'size', `must be a positive integer, got ${n}`, 'give a size such as 100');
    this.n = n;
    this.model = model;
    this.options = options;
    this.name = options.name ?? '';
    const where = this.where;
    for (const k of Object.keys(options.params ?? {})) {
      if (!model.params.has(k)) throw new BuildError(where, `params.${k}`, `'${k}' is not a parameter of ${model.name}`, `known parameters: ${[...model.params.keys()].join(', ')}`);
    }
    for (const k of options.train ?? []) {
      if (!model.params.has(k)) throw new BuildError(where, 'train', `'${k}' is not a parameter of ${model.name}`, `choose among: ${[...model.params.keys()].join(', ')}`);
    }
  }

  get where(): string {
    return `${this.model.name} layer '${this.name || this.options.name || this.model.name}'`;
  }
  /** Whether the layer emits spikes. */
  get spiking(): boolean {
    return this.model.threshold !== undefined;
  }

  /** Records a state variable's time course (for a loss); call before the network is built. */
  record(variable: string): this {
    if (!this.model.stateNames().includes(variable)) {
      throw new BuildError(this.where, 'record', `'${variable}' is not a state variable of ${this.model.name}`, `record one of: ${this.model.stateNames().join(', ')}`);
    }
    this.recorded.add(variable);
    return this;
  }

  /** Adds a projection target: an input value (current) or a state variable (jump). Returns its kind. */
  addTarget(target: string | undefined, projection: string): string {
    const m = this.model;
    const inputs = m.inputNames();
    const t = target ?? (inputs.length === 1 ? inputs[0] : undefined);
    const where = `projection '${projection}'`;
    if (t === undefined) {
      throw new BuildError(where, 'target', `${m.name} has ${inputs.length} inputs, so the target must be named`, `give target: one of ${[...inputs, ...m.stateNames()].join(', ')}`);
    }
    if (inputs.includes(t)) this.currents.add(t);
    else if (m.stateNames().includes(t) || m.lines.some((l) => l.name === t && l.kind === 'value')) this.jumps.add(t);
    else throw new BuildError(where, 'target', `'${t}' is neither an input nor a state variable of ${m.name}`, `give one of ${[...inputs, ...m.stateNames()].join(', ')}`);
    return t;
  }

  /** Resolves parameters, allocates arrays and compiles the kernels. */
  build(a: LayerAlloc): void {
    const where = this.where;
    const m = this.model;
    const { F, dt, maxBatch, chunk, segments, steps } = a;
    this.F = F;
    const rng = new Rng(a.seed, 0x74720000 + a.index);
    const trainedNames = new Set(this.options.train ?? []);
    const fixed = new Map<string, number>();
    const refParam = typeof m.spec.refractory === 'string' && m.params.has(m.spec.refractory) ? m.spec.refractory : undefined;
    for (const [pn, def] of m.params) {
      const given: Init = this.options.params?.[pn] ?? def.source;
      const mustBePositive = (dimEq(def.dim, SECOND) && pn !== refParam) || (m.spec.positive ?? []).includes(pn);
      if (trainedNames.has(pn)) {
        if (pn === refParam) throw new BuildError(where, 'train', `the refractory period '${pn}' cannot be trained`, 'leave it out of train');
        const value = new F(this.n);
        fillInit(value, given, def.dim, rng, where, `params.${pn}`);
        if (mustBePositive) for (let i = 0; i < this.n; i++) if (!(value[i] > 0)) throw new BuildError(where, `params.${pn}`, `must be positive, but neuron ${i} has ${value[i]}`, 'give positive values');
        this.trained.set(pn, { name: `${this.name}.${pn}`, value, grad: new F(this.n), scale: initialScale(value, given, def.dim) });
        continue;
      }
      if (!isScalarInit(given)) throw new BuildError(where, `params.${pn}`, 'a parameter that is not trained must be one value for the layer', `give a single quantity, or add '${pn}' to train`);
      const v = scalarValue(given, def.dim, where, `params.${pn}`);
      if (mustBePositive && !(v > 0)) throw new BuildError(where, `params.${pn}`, `must be positive, got ${JSON.stringify(given)}`, 'give a positive value');
      fixed.set(pn, v);
    }
    // Refractory period, in steps (as the simulator counts it).
    const r = m.spec.refractory;
    let tref = 0;
    if (r !== undefined) tref = refParam ? fixed.get(refParam)! : quantityIn(r, SECOND);
    this.refSteps = Math.round(tref / dt);
    const soft = this.options.spikeMode === 'soft';
    const useRef = this.refSteps >= 2 && !soft && this.spiking;
    this.program = buildProgram({
      model: m,
      where,
      fixed,
      trained: trainedNames,
      currents: this.currents,
      jumps: this.jumps,
      dt,
      method: this.options.method ?? m.spec.method ?? 'auto',
      refSteps: useRef ? this.refSteps : 0,
    });
    const states = this.program.states;

    // Initial state, per neuron.
    const inits: Record<string, Init> = { ...(m.spec.init ?? {}), ...(this.options.init ?? {}) };
    const trainInit = this.options.trainInit === true ? states : this.options.trainInit === false || this.options.trainInit === undefined ? [] : this.options.trainInit;
    for (const x of trainInit) if (!states.includes(x)) throw new BuildError(where, 'trainInit', `'${x}' is not a state variable of ${m.name}`, `choose among ${states.join(', ')}`);
    for (const x of Object.keys(this.options.init ?? {})) if (!states.includes(x)) throw new BuildError(where, `init.${x}`, `'${x}' is not a state variable of ${m.name}`, `give initial values of ${states.join(', ')}`);
    for (const x of states) {
      const v = new F(this.n);
      if (inits[x] !== undefined) fillInit(v, inits[x], m.dimOf(x)!, rng, where, `init.${x}`);
      this.X0.set(x, v);
      if (trainInit.includes(x)) this.initParams.set(x, { name: `${this.name}.init.${x}`, value: v, grad: new F(this.n), scale: initialScale(v, inits[x], m.dimOf(x)!) });
    }

    // Arrays.
    const S = maxBatch * this.n;
    this.S = S;
    for (const x of states) {
      this.X.set(x, new F((chunk + 1) * S));
      if (segments > 1) this.CK.set(x, new F(segments * S));
      this.L.set(x, new F(S));
    }
    if (useRef) {
      this.RC = new Int32Array((chunk + 1) * S);
      if (segments > 1) this.RCK = new Int32Array(segments * S);
    }
    for (const t of [...this.currents, ...this.jumps]) {
      this.IN.set(t, new F(chunk * S));
      this.GIN.set(t, new F(S));
    }
    this.GS = new F(S);
    this.GSprev = new F(S);
    this.countGrad = new F(S);
    this.counts = new Float64Array(S);
    this.evPtr = new Int32Array(steps + 1);
    if (this.spiking) {
      this.ev = new Int32Array(Math.max(1024, S * 4));
      this.evVal = new F(soft ? this.ev.length : 0);
      this.scratchEv = new Int32Array(S);
      this.scratchVal = new F(soft ? S : 0);
    }
    for (const x of this.recorded) this.traces.set(x, { data: new F(steps * S), grad: new F(steps * S) });
    this.compile(dt, soft, useRef);
  }

  /** Makes room for one more step of events. */
  reserveEvents(used: number, B: number): void {
    const need = used + B * this.n;
    if (need <= this.ev.length) return;
    const len = Math.max(need, this.ev.length * 2);
    const ev = new Int32Array(len);
    ev.set(this.ev.subarray(0, used));
    this.ev = ev;
    if (this.evVal.length > 0) {
      const v = new this.F(len);
      v.set(this.evVal.subarray(0, used));
      this.evVal = v;
    }
  }

  private compile(dt: number, soft: boolean, useRef: boolean): void {
    const p = this.program;
    const n = this.n;
    const S = this.S;
    const surrogate = this.options.surrogate ?? atan(2);
    let invScale = 1;
    if (this.options.scale !== undefined) {
      const q = parseQuantity(this.options.scale);
      if (!(q.value > 0)) throw new BuildError(this.where, 'scale', `must be positive, got ${JSON.stringify(this.options.scale)}`, "give e.g. '1 mV'");
      invScale = 1 / q.value;
    }
    const detach = this.options.detachReset ?? true;
    const hoist: string[] = ['"use strict";'];
    const arr = (name: string, key: string) => hoist.push(`const ${name} = A[${JSON.stringify(key)}];`);
    const A: Record<string, unknown> = {};
    const put = (name: string, a: unknown) => {
      A[name] = a;
      arr(name, name);
    };
    for (const x of p.states) put(`X_${x}`, this.X.get(x));
    for (const x of p.states) put(`L_${x}`, this.L.get(x));
    for (const t of this.IN.keys()) {
      put(`IN_${t}`, this.IN.get(t));
      put(`GIN_${t}`, this.GIN.get(t));
    }
    for (const [q, prm] of this.trained) {
      put(`P_${q}`, prm.value);
      put(`GP_${q}`, prm.grad);
    }
    if (useRef) put('RC', this.RC);
    put('CG', this.countGrad);

    // Per-neuron prologue: read the state, the inputs and the parameters.
    const known = new Set<string>(['t', 'nr']);
    const pro: string[] = [];
    for (const x of p.states) {
      pro.push(`const c_${x} = X_${x}[$o0 + $k]${this.jumps.has(x) ? ` + IN_${x}[$io + $k]` : ''};`);
      known.add(`c_${x}`);
    }
    for (const c of this.currents) {
      pro.push(`const in_${c} = IN_${c}[$io + $k];`);
      known.add(`in_${c}`);
    }
    for (const q of this.trained.keys()) {
      pro.push(`const p_${q} = P_${q}[$i];`);
      known.add(`p_${q}`);
    }
    pro.push(useRef ? 'const $rc = RC[$o0 + $k]; const nr = $rc > 0 ? 0 : 1;' : 'const nr = 1;');
    pro.push(...emitForward(p.step, known));
    const hCode = p.h ? emitJS(p.h, (x) => (known.has(x) ? x : fail(x))) : '';
    const hs = invScale === 1 ? '$h' : `($h * ${jsNumber(invScale)})`;
    if (p.h) {
      pro.push(`const $h = ${hCode};`);
      // Conditions after the first comparison of an 'and' threshold gate the spike (no gradient).
      pro.push(`const $gate = ${p.gate ? `(${emitJS(p.gate, (x) => (known.has(x) ? x : fail(x)))}) ? nr : 0` : 'nr'};`);
      pro.push(soft ? `const $s = $gate * ${surrogate.softCode(hs)};` : `const $s = $gate * ($h ${p.inclusive ? '>=' : '>'} 0 ? 1 : 0);`);
    } else pro.push('const $s = 0;');
    const resetKnown = new Set(known);
    const resetCode = emitForward(p.reset, resetKnown);
    const after = (x: string) => p.resetOut.get(x) ?? `n_${x}`;

    // Forward kernel.
    const fw: string[] = [...hoist];
    fw.push('return function fwd($u, $t, $B, EV, EVV, $ne) {');
    fw.push(`const $o0 = $u * ${S}; const $o1 = $o0 + ${S}; const $io = $u * ${S}; const t = $t * ${jsNumber(dt)};`);
    fw.push(`let $k = 0;`);
    fw.push(`for (let $b = 0; $b < $B; $b++) { for (let $i = 0; $i < ${n}; $i++, $k++) {`);
    fw.push(...pro);
    fw.push('if ($s !== 0) {');
    fw.push(...resetCode);
    for (const x of p.states) {
      const v = p.resetOut.has(x) ? (soft ? `n_${x} + $s * (${after(x)} - n_${x})` : after(x)) : `n_${x}`;
      fw.push(`X_${x}[$o1 + $k] = ${v};`);
    }
    if (useRef) fw.push(`RC[$o1 + $k] = ${this.refSteps - 1};`);
    fw.push(soft ? 'EV[$ne] = $k; EVV[$ne] = $s; $ne++;' : 'EV[$ne++] = $k;');
    fw.push('} else {');
    for (const x of p.states) fw.push(`X_${x}[$o1 + $k] = n_${x};`);
    if (useRef) fw.push('RC[$o1 + $k] = nr ? 0 : $rc - 1;');
    fw.push('}');
    fw.push('} }');
    fw.push('return $ne;');
    fw.push('};');
    this.forwardSource = fw.join('\n');
    this.fwd = compileKernel(['A', 'H', 'SG'], this.forwardSource)(A, KERNEL_HELPERS, SURROGATE_HELPERS) as FwdKernel;

    // Backward kernel.
    const adj = new Set<string>();
    for (const x of p.states) (adj.add(`c_${x}`), adj.add(`n_${x}`));
    for (const c of this.currents) adj.add(`in_${c}`);
    for (const q of this.trained.keys()) adj.add(`p_${q}`);
    const rv: string[] = [];
    rv.push(`let $g = GS[$k] + CG[$k];`);
    for (const x of p.states) rv.push(`const $l_${x} = L_${x}[$k];`);
    rv.push('if ($s !== 0) {');
    rv.push(...resetCode);
    for (const x of p.states) {
      if (p.resetOut.has(x)) {
        adj.add(after(x));
        rv.push(`a_${after(x)} += ${soft ? '$s * ' : ''}$l_${x};`);
        if (soft) rv.push(`a_n_${x} += (1 - $s) * $l_${x};`);
        if (!detach) rv.push(`$g += $l_${x} * (${after(x)} - n_${x});`);
      } else rv.push(`a_n_${x} += $l_${x};`);
    }
    rv.push(...emitReverse(p.reset, resetKnown, adj));
    rv.push('} else {');
    for (const x of p.states) rv.push(`a_n_${x} += $l_${x};`);
    rv.push('}');
    if (p.h) {
      const sg = surrogate.gradCode(hs);
      rv.push(`const $sg = $g * $gate * ${sg}${invScale === 1 ? '' : ` * ${jsNumber(invScale)}`};`);
      for (const [s, d] of thresholdPartials(p.h)) {
        adj.add(s);
        rv.push(`a_${s} += $sg * ${emitJS(d, (x) => (known.has(x) ? x : fail(x)))};`);
      }
    }
    rv.push(...emitReverse(p.step, known, adj));
    for (const x of p.states) rv.push(`L_${x}[$k] = a_c_${x};`);
    for (const x of this.jumps) rv.push(`GIN_${x}[$k] = a_c_${x};`);
    for (const c of this.currents) rv.push(`GIN_${c}[$k] = a_in_${c};`);
    for (const q of this.trained.keys()) rv.push(`GP_${q}[$i] += a_p_${q};`);
    const bw: string[] = [...hoist];
    bw.push('return function bwd($u, $t, $B, GS) {');
    bw.push(`const $o0 = $u * ${S}; const $io = $u * ${S}; const t = $t * ${jsNumber(dt)};`);
    bw.push('let $k = 0;');
    bw.push(`for (let $b = 0; $b < $B; $b++) { for (let $i = 0; $i < ${n}; $i++, $k++) {`);
    bw.push(...pro);
    bw.push(`let ${[...adj].map((x) => `a_${x} = 0`).join(', ')};`);
    bw.push(...rv);
    bw.push('} }');
    bw.push('};');
    this.backwardSource = bw.join('\n');
    this.bwd = compileKernel(['A', 'H', 'SG'], this.backwardSource)(A, KERNEL_HELPERS, SURROGATE_HELPERS) as BwdKernel;
  }

  /** All trainable arrays of the layer. */
  parameters(): Param[] {
    return [...this.trained.values(), ...this.initParams.values()];
  }
}

function fail(x: string): never {
  throw new Error(`internal error: unresolved symbol '${x}' in a training kernel`);
}


