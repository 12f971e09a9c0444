/**
 * Pre-synaptic ("align-pre") kinetic synapses in training: AMPA, GABA_A, NMDA and any
 * `SynapseDynamics` with `align: 'pre'`.
 *
 * The state (e.g. the open fraction g, NMDA's x) lives on each pre-synaptic unit of each batch row.
 * One step t, for every pre unit (b, i):
 *
 * ```
 * if the unit's spike reaches the projection at step t:  lastspike = t·dt;  onPreSpike statements
 * c_x = the state after those statements
 * n_x = Φ(c, p, t, lastspike)        the integrator (euler, rk2, exp_euler; 'auto' as the simulator)
 * ```
 *
 * and the projection transmits Σ_i w_ij · n_out(b, i) (n_out: the synapse's output state) into the
 * post-synaptic target at step t. The backward kernel is the reverse of this program, generated with
 * `diff` / `emitJS` exactly like a layer's (see program.ts): the adjoint of the state is carried from
 * step t + 1 to step t, the gradient of every trained synapse parameter (one scalar per projection)
 * is summed over units and steps. Spike times are fixed inputs: `lastspike` and the spike
 * indicators get no gradient, so no surrogate gradient flows through the synapse into a spiking
 * source layer.
 *
 * The whole history of the synaptic state is kept (O(steps · batch · nPre), also with checkpointing).
 */
import { type Expr, num, sym, bin, call, substitute, symbolsOf } from '../equations/ast.js';
import { parseStatements } from '../equations/parser.js';
import { parseQuantity } from '../equations/quantity.js';
import { diff, simplify, applyFunction } from '../equations/symbolic.js';
import { KERNEL_HELPERS } from '../equations/codegen.js';
import { compileKernel } from '../lang/kernel.js';
import { BuildError } from '../lang/errors.js';
import { chooseMethod, type IntegratorName } from '../integrators/index.js';
import { type SynapseDynamics, type ShortTermPlasticity } from '../synapses/index.js';
import { emitForward, emitReverse, emitJS, jsNumber, type Assign } from './program.js';
import { type FloatArray, type FloatCtor, type Param } from './layer.js';
import { initialScale } from './scale.js';

/** Options of the kinetic synapse of a training projection. */
export interface PreSynOptions {
  /** Synapse parameters to train (one scalar each per projection), e.g. ['alpha', 'beta']. */
  readonly trainSyn?: readonly string[];
  /** Integration method of the synaptic state (default 'auto': exponential Euler when linear). */
  readonly synMethod?: IntegratorName;
}

type FwdKernel = ($t: number, $B: number) => void;
type BwdKernel = ($t: number, $B: number) => void;

/** The kinetic state of one projection, per pre-synaptic unit and batch row, with its kernels. */
export class PreSynapse {
  readonly syn: SynapseDynamics;
  readonly where: string;
  readonly options: PreSynOptions;
  states: string[] = [];
  /** The state transmitted (Σ w · out). */
  out = '';
  /** History of each state: slot t is the state before step t (steps + 1 slots of S). */
  X = new Map<string, FloatArray>();
  /** Adjoint of each state after the step being processed (S values). */
  L = new Map<string, FloatArray>();
  /** Last spike time in steps, per slot (as X). */
  LS!: Float64Array;
  /** Whether a spike reached (b, i) at step t (steps slots of S). */
  SP!: Uint8Array;
  readonly trained = new Map<string, Param>();
  S = 0;
  n = 0;
  fwd!: FwdKernel;
  bwd!: BwdKernel;
  forwardSource = '';
  backwardSource = '';

  constructor(syn: SynapseDynamics, where: string, options: PreSynOptions) {
    if (syn.align !== 'pre') {
      throw new BuildError(where, 'syn', `${syn.kind} is an align-post synapse; training projections take kinetic (align 'pre') synapses such as AMPA(), GABAa(), NMDA()`, "fold align-post synapses into the neuron model with withSynapses and target their state");
    }
    this.syn = syn;
    this.where = where;
    this.options = options;
  }

  /** Resolves the parameters, allocates the history and compiles the kernels. */
  build(a: { n: number; steps: number; maxBatch: number; dt: number; F: FloatCtor; name: string }): void {
    const { syn, where } = this;
    const { F, dt } = a;
    this.n = a.n;
    const S = a.maxBatch * a.n;
    this.S = S;
    const states = syn.equations.map(([x]) => x);
    this.states = states;
    const stateSet = new Set(states);
    if (syn.output.k !== 'sym' || !stateSet.has(syn.output.name)) throw new BuildError(where, 'syn', `${syn.kind}: a pre-aligned synapse must output one of its states`);
    this.out = syn.output.name;
    const trainedNames = new Set(this.options.trainSyn ?? []);
    const values = new Map<string, number>();
    for (const [pn, q] of Object.entries(syn.params)) {
      let v: number;
      try {
        v = parseQuantity(q).value;
      } catch (err) {
        throw new BuildError(where, `syn.${pn}`, (err as Error).message);
      }
      if (syn.positive.includes(pn) && !(v > 0)) throw new BuildError(where, `syn.${pn}`, `must be positive, got ${JSON.stringify(q)}`, 'give a positive value');
      values.set(pn, v);
    }
    for (const pn of trainedNames) {
      if (!values.has(pn)) throw new BuildError(where, 'trainSyn', `'${pn}' is not a parameter of ${syn.kind}`, `choose among: ${[...values.keys()].join(', ')}`);
      const q = syn.params[pn];
      this.trained.set(pn, { name: `${a.name}.${pn}`, value: F.of(values.get(pn)!), grad: new F(1), scale: initialScale([values.get(pn)!], q, parseQuantity(q).dim) });
    }
    const expand = (e: Expr, prefix: string, tShift = 0): Expr =>
      simplify(
        substitute(e, (n) => {
          if (stateSet.has(n)) return sym(`${prefix}${n}`);
          if (n === 't') return tShift === 0 ? undefined : bin('+', sym('t'), num(tShift));
          if (n === 'lastspike') return sym('ls');
          if (trainedNames.has(n)) return sym(`p_${n}`);
          const v = values.get(n);
          if (v !== undefined) return num(v);
          if (n === 'dt') return num(dt);
          throw new BuildError(where, 'syn', `${syn.kind}: symbol '${n}' has no value in a training projection`);
        }),
      );

    // On-spike statements: o_x (state before) → q<j>_x ...; c_x is the last value of each state.
    const spike: Assign[] = [];
    const cur = new Map(states.map((x) => [x, `o_${x}`]));
    const curExpr = (e: Expr) => substitute(e, (n) => (cur.has(n) ? sym(cur.get(n)!) : undefined));
    (syn.onPreSpike ? parseStatements(syn.onPreSpike) : []).forEach((st, j) => {
      if (!stateSet.has(st.target)) throw new BuildError(where, 'syn', `${syn.kind}: on-spike statement assigns '${st.target}', which is not a state`);
      const value = simplify(curExpr(expand(st.value, '')));
      const old = sym(cur.get(st.target)!);
      const op = st.op === '=' ? undefined : (st.op[0] as '+' | '-' | '*' | '/');
      const name = `q${j}_${st.target}`;
      spike.push({ name, expr: op ? simplify(bin(op, old, value)) : value });
      cur.set(st.target, name);
    });

    // The integration step, from c_x to n_x.
    const vars = syn.equations.map(([x, rhs]) => ({ name: x, rhs: expand(rhs, ''), gated: false }));
    let method: string;
    try {
      method = chooseMethod(vars, this.options.synMethod ?? 'auto');
    } catch (err) {
      throw new BuildError(where, 'synMethod', (err as Error).message);
    }
    const rename = (e: Expr, prefix: string, tShift = 0): Expr =>
      simplify(substitute(e, (n) => (stateSet.has(n) ? sym(`${prefix}${n}`) : n === 't' && tShift !== 0 ? bin('+', sym('t'), num(tShift)) : undefined)));
    const step: Assign[] = [];
    const stage = (k: number, prefix: string, tShift: number) => {
      for (const v of vars) step.push({ name: `f${k}_${v.name}`, expr: rename(v.rhs, prefix, tShift) });
    };
    const f = (k: number, x: string) => sym(`f${k}_${x}`);
    const plus = (x: string, incr: Expr) => simplify(bin('+', sym(`c_${x}`), incr));
    if (method === 'euler') {
      stage(1, 'c_', 0);
      for (const v of vars) step.push({ name: `n_${v.name}`, expr: plus(v.name, bin('*', num(dt), f(1, v.name))) });
    } else if (method === 'rk2') {
      stage(1, 'c_', 0);
      for (const v of vars) step.push({ name: `m_${v.name}`, expr: plus(v.name, bin('*', num(dt / 2), f(1, v.name))) });
      stage(2, 'm_', dt / 2);
      for (const v of vars) step.push({ name: `n_${v.name}`, expr: plus(v.name, bin('*', num(dt), f(2, v.name))) });
    } else if (method === 'exp_euler') {
      stage(1, 'c_', 0);
      for (const v of vars) {
        const Bx = simplify(diff(v.rhs, v.name));
        if (symbolsOf(Bx).has(v.name)) throw new BuildError(where, 'synMethod', `exponential Euler needs d${v.name}/dt to be linear in ${v.name}; use synMethod 'rk2'`);
        let factor: Expr;
        if (Bx.k === 'num') factor = num(Bx.v === 0 ? dt : dt * applyFunction('exprel', [Bx.v * dt]));
        else {
          step.push({ name: `B_${v.name}`, expr: rename(Bx, 'c_') });
          factor = bin('*', num(dt), call('exprel', bin('*', sym(`B_${v.name}`), num(dt))));
        }
        step.push({ name: `n_${v.name}`, expr: plus(v.name, bin('*', factor, f(1, v.name))) });
      }
    } else {
      throw new BuildError(where, 'synMethod', `method '${method}' is not available for training synapses`, "use 'euler', 'rk2' or 'exp_euler'");
    }

    // Arrays.
    for (const x of states) {
      this.X.set(x, new F((a.steps + 1) * S));
      this.L.set(x, new F(S));
    }
    this.LS = new Float64Array((a.steps + 1) * S);
    this.SP = new Uint8Array(a.steps * S);
    this.compile(spike, cur, step, dt);
  }

  private compile(spike: Assign[], cur: Map<string, string>, step: Assign[], dt: number): void {
    const S = this.S;
    const A: Record<string, unknown> = {};
    const hoist: string[] = ['"use strict";'];
    const put = (name: string, v: unknown) => {
      A[name] = v;
      hoist.push(`const ${name} = A[${JSON.stringify(name)}];`);
    };
    for (const x of this.states) (put(`X_${x}`, this.X.get(x)), put(`L_${x}`, this.L.get(x)));
    put('LS', this.LS);
    put('SP', this.SP);
    for (const [q, p] of this.trained) (put(`P_${q}`, p.value), put(`GP_${q}`, p.grad));

    const known = new Set<string>(['t', 'ls']);
    const pro: string[] = [];
    pro.push('const $sp = SP[$to + $k];');
    pro.push(`const ls = $sp ? t : LS[$o0 + $k];`);
    for (const x of this.states) {
      pro.push(`const o_${x} = X_${x}[$o0 + $k];`);
      known.add(`o_${x}`);
    }
    for (const q of this.trained.keys()) {
      pro.push(`const p_${q} = P_${q}[0];`);
      known.add(`p_${q}`);
    }
    pro.push(...emitForward(spike, known));
    for (const x of this.states) {
      const after = cur.get(x)!;
      pro.push(`const c_${x} = ${after === `o_${x}` ? `o_${x}` : `$sp ? ${after} : o_${x}`};`);
      known.add(`c_${x}`);
    }
    pro.push(...emitForward(step, known));
    const head = (name: string) => [
      ...hoist,
      `return function ${name}($t, $B) {`,
      `const $o0 = $t * ${S}; const $o1 = $o0 + ${S}; const $to = $t * ${S}; const t = $t * ${jsNumber(dt)};`,
      `for (let $k = 0; $k < $B * ${this.n}; $k++) {`,
      ...pro,
    ];
    const fw = head('fwd');
    for (const x of this.states) fw.push(`X_${x}[$o1 + $k] = n_${x};`);
    fw.push('LS[$o1 + $k] = ls;');
    fw.push('} };');
    this.forwardSource = fw.join('\n');
    this.fwd = compileKernel(['A', 'H'], this.forwardSource)(A, KERNEL_HELPERS) as FwdKernel;

    // Backward: L_x holds dL/dn_x on entry, dL/do_x (the state before the step) on exit.
    const adj = new Set<string>(['ls']);
    for (const x of this.states) (adj.add(`c_${x}`), adj.add(`n_${x}`), adj.add(`o_${x}`));
    for (const q of this.trained.keys()) adj.add(`p_${q}`);
    for (const s of spike) adj.add(s.name);
    const rv: string[] = [];
    for (const x of this.states) rv.push(`a_n_${x} = L_${x}[$k];`);
    rv.push(...emitReverse(step, known, adj));
    rv.push('if ($sp) {');
    for (const x of this.states) rv.push(`a_${cur.get(x)!} += a_c_${x};`);
    rv.push(...emitReverse(spike, known, adj));
    rv.push('} else {');
    for (const x of this.states) rv.push(`a_o_${x} += a_c_${x};`);
    rv.push('}');
    for (const x of this.states) rv.push(`L_${x}[$k] = a_o_${x};`);
    for (const q of this.trained.keys()) rv.push(`GP_${q}[0] += a_p_${q};`);
    const bw = head('bwd');
    bw.push(`let ${[...adj].map((x) => `a_${x} = 0`).join(', ')};`);
    bw.push(...rv);
    bw.push('} };');
    this.backwardSource = bw.join('\n');
    this.bwd = compileKernel(['A', 'H'], this.backwardSource)(A, KERNEL_HELPERS) as BwdKernel;
    void emitJS;
  }

  /**
   * Step t forward: marks the units whose spikes arrive (flat indices b·n + i in idx[e0..e1)),
   * integrates, and returns the transmitted values as events (every unit whose output is non-zero).
   */
  forward(t: number, B: number, e0: number, e1: number, idx: Int32Array): void {
    const S = this.S;
    const nB = B * this.n;
    if (t === 0) {
      for (const X of this.X.values()) X.fill(0, 0, nB);
      this.LS.fill(-1e30, 0, nB);
    }
    const sp = this.SP.subarray(t * S, t * S + nB);
    sp.fill(0);
    for (let e = e0; e < e1; e++) sp[idx[e]] = 1;
    this.fwd(t, B);
  }

  /** The transmitted values after step t as an event list (non-zero entries only). */
  events(t: number, B: number, buf: { idx: Int32Array; val: FloatArray }): number {
    const X = this.X.get(this.out)!;
    const o = (t + 1) * this.S;
    let m = 0;
    for (let k = 0; k < B * this.n; k++) {
      const v = X[o + k];
      if (v !== 0) {
        buf.idx[m] = k;
        buf.val[m] = v;
        m++;
      }
    }
    return m;
  }

  /** Clears the carried adjoint (start of a backward pass, or a truncation point). */
  resetAdjoint(): void {
    for (const L of this.L.values()) L.fill(0);
  }

  /** The adjoint of the output state after step t, to which the projection adds Σ_j W_ij dL/dI_j. */
  get outAdjoint(): FloatArray {
    return this.L.get(this.out)!;
  }

  /** Step t backward (after the projection added its part to {@link outAdjoint}). */
  backward(t: number, B: number): void {
    this.bwd(t, B);
  }

  parameters(): Param[] {
    return [...this.trained.values()];
  }
}

/** Options of Tsodyks–Markram short-term plasticity on a training projection. */
export interface PreSTPOptions {
  /** STP parameters to train (one scalar each per projection), among 'U', 'tau_f', 'tau_d'. */
  readonly trainStp?: readonly string[];
}

/**
 * Tsodyks–Markram short-term plasticity (`stp: STP({...})`) on a training projection, per pre unit
 * (b, i). One step t (u, x: the state before the step; initially u = 0, x = 1):
 *
 * ```
 * if the unit's spike reaches the projection at step t:  u ← u + U(1 − u);  r = u·x;  x ← x − r
 * otherwise r = 0
 * u ← u·e^(−dt/τf);  x ← 1 − (1 − x)·e^(−dt/τd)      (exact solution of the decays over one step)
 * ```
 *
 * and the projection transmits Σ_i w_ij · r(b, i) at step t (input event values are ignored). The
 * backward pass is the hand-written reverse of this step; the gradients of the trained U, tau_f,
 * tau_d (one scalar each per projection) are summed over units and steps. Spike times are fixed
 * inputs (no gradient through the spike indicators). The history of u and x is kept
 * (O(steps · batch · nPre)).
 */
export class PreSTP {
  readonly stp: ShortTermPlasticity;
  where: string;
  readonly options: PreSTPOptions;
  /** History of u and x: slot t is the state before step t (steps + 1 slots of S). */
  XU!: FloatArray;
  XX!: FloatArray;
  /** The transmitted r of step t (steps slots of S; 0 where no spike arrived). */
  R!: FloatArray;
  /** Adjoints of u and x after the step being processed, and of r at that step (S values each). */
  LU!: FloatArray;
  LX!: FloatArray;
  LR!: FloatArray;
  /** Whether a spike reached (b, i) at step t (steps slots of S). */
  SP!: Uint8Array;
  readonly trained = new Map<string, Param>();
  /** Current parameter values (trained ones are read from their Param at every step). */
  private values = new Map<string, number>();
  S = 0;
  n = 0;
  dt = 0;

  constructor(stp: ShortTermPlasticity, where: string, options: PreSTPOptions) {
    if (!stp || stp.kind !== 'STP') throw new BuildError(where, 'stp', 'expects STP({ U, tau_f, tau_d })', "give stp: STP({ U: 0.5, tau_f: '20 ms', tau_d: '200 ms' })");
    this.stp = stp;
    this.where = where;
    this.options = options;
  }

  build(a: { n: number; steps: number; maxBatch: number; dt: number; F: FloatCtor; name: string }): void {
    const { where } = this;
    const { F } = a;
    this.n = a.n;
    this.dt = a.dt;
    const S = a.maxBatch * a.n;
    this.S = S;
    for (const [pn, q] of Object.entries(this.stp.params)) {
      let v: number;
      try {
        v = parseQuantity(q).value;
      } catch (err) {
        throw new BuildError(where, `stp.${pn}`, (err as Error).message);
      }
      if (!(v > 0) || (pn === 'U' && v > 1)) throw new BuildError(where, `stp.${pn}`, `must be ${pn === 'U' ? 'in (0, 1]' : 'positive'}, got ${JSON.stringify(q)}`);
      this.values.set(pn, v);
    }
    for (const pn of this.options.trainStp ?? []) {
      if (!this.values.has(pn)) throw new BuildError(where, 'trainStp', `'${pn}' is not a parameter of STP`, 'choose among: U, tau_f, tau_d');
      const q = this.stp.params[pn as 'U' | 'tau_f' | 'tau_d'];
      this.trained.set(pn, { name: `${a.name}.${pn}`, value: F.of(this.values.get(pn)!), grad: new F(1), scale: initialScale([this.values.get(pn)!], q, parseQuantity(q).dim) });
    }
    this.XU = new F((a.steps + 1) * S);
    this.XX = new F((a.steps + 1) * S);
    this.R = new F(a.steps * S);
    this.LU = new F(S);
    this.LX = new F(S);
    this.LR = new F(S);
    this.SP = new Uint8Array(a.steps * S);
  }

  private p(name: 'U' | 'tau_f' | 'tau_d'): number {
    const t = this.trained.get(name);
    return t ? t.value[0] : this.values.get(name)!;
  }

  forward(t: number, B: number, e0: number, e1: number, idx: Int32Array): void {
    const S = this.S;
    const nB = B * this.n;
    const { XU, XX, R } = this;
    if (t === 0) (XU.fill(0, 0, nB), XX.fill(1, 0, nB));
    const sp = this.SP.subarray(t * S, t * S + nB);
    sp.fill(0);
    for (let e = e0; e < e1; e++) sp[idx[e]] = 1;
    const U = this.p('U');
    const eu = Math.exp(-this.dt / this.p('tau_f'));
    const ex = Math.exp(-this.dt / this.p('tau_d'));
    const o0 = t * S;
    const o1 = o0 + S;
    for (let k = 0; k < nB; k++) {
      let u = XU[o0 + k];
      let x = XX[o0 + k];
      let r = 0;
      if (sp[k]) {
        u = u + U * (1 - u);
        r = u * x;
        x = x - r;
      }
      R[o0 + k] = r;
      XU[o1 + k] = u * eu;
      XX[o1 + k] = 1 - (1 - x) * ex;
    }
  }

  events(t: number, B: number, buf: { idx: Int32Array; val: FloatArray }): number {
    const R = this.R;
    const o = t * this.S;
    let m = 0;
    for (let k = 0; k < B * this.n; k++) {
      const v = R[o + k];
      if (v !== 0) {
        buf.idx[m] = k;
        buf.val[m] = v;
        m++;
      }
    }
    return m;
  }

  resetAdjoint(): void {
    this.LU.fill(0);
    this.LX.fill(0);
    this.LR.fill(0);
  }

  /** dL/dr of the step being processed, to which the projection adds Σ_j W_ij dL/dI_j. */
  get outAdjoint(): FloatArray {
    return this.LR;
  }

  /** Step t backward: LU/LX hold dL/d(state after step t) on entry, dL/d(state before) on exit. */
  backward(t: number, B: number): void {
    const S = this.S;
    const nB = B * this.n;
    const { XU, XX, LU, LX, LR, SP } = this;
    const dt = this.dt;
    const U = this.p('U');
    const tf = this.p('tau_f');
    const td = this.p('tau_d');
    const eu = Math.exp(-dt / tf);
    const ex = Math.exp(-dt / td);
    const o0 = t * S;
    let gU = 0;
    let gEu = 0;
    let gEx = 0;
    for (let k = 0; k < nB; k++) {
      const ou = XU[o0 + k];
      const ox = XX[o0 + k];
      const anu = LU[k];
      const anx = LX[k];
      let au: number;
      let ax: number;
      if (SP[o0 + k]) {
        const qu = ou + U * (1 - ou);
        const r = qu * ox;
        const qx = ox - r;
        gEu += anu * qu;
        gEx -= anx * (1 - qx);
        const aqx = anx * ex;
        const ar = LR[k] - aqx;
        const aqu = anu * eu + ar * ox;
        ax = aqx + ar * qu;
        au = aqu * (1 - U);
        gU += aqu * (1 - ou);
      } else {
        gEu += anu * ou;
        gEx -= anx * (1 - ox);
        au = anu * eu;
        ax = anx * ex;
      }
      LU[k] = au;
      LX[k] = ax;
      LR[k] = 0;
    }
    const pU = this.trained.get('U');
    if (pU) pU.grad[0] += gU;
    const pf = this.trained.get('tau_f');
    if (pf) pf.grad[0] += (gEu * eu * dt) / (tf * tf);
    const pd = this.trained.get('tau_d');
    if (pd) pd.grad[0] += (gEx * ex * dt) / (td * td);
  }

  parameters(): Param[] {
    return [...this.trained.values()];
  }
}
