/**
 * The step of a neuron model as a straight-line program of expression trees, and the code of its
 * forward and backward (adjoint) kernels.
 *
 * One time step of a spiking layer, for each neuron of each batch row:
 *
 * ```
 * c_x  = x + jump_x                       inputs that increment a state variable (delta synapses)
 * n_x  = Φ(c, in, p)                      the integrator (euler, rk2, rk4, exp_euler; see below)
 * h    = threshold difference at n        'v > Vth' gives h = v - Vth
 * s    = H(h)  (0 while refractory)       'soft' mode: s = σ(h), the surrogate's smooth step
 * x'   = n_x + s (R_x(n, p) - n_x)        the reset statements R, applied sequentially
 * ```
 *
 * Φ, h and R are lists of assignments `name = expr` whose expressions are trees over the model's
 * symbols (renamed: `c_v`, `n_v`, `in_I`, `p_tau`), built from the model declaration with
 * sub-expressions inlined and fixed parameters folded to numbers. The backward kernel is reverse-
 * mode differentiation of this program: for each assignment, last to first, and each symbol it
 * reads, `a_sym += a_name * ∂expr/∂sym`, with the partial derivative found by `diff` and emitted
 * with `emitJS`. The spike's derivative is the surrogate σ'(h). With a detached reset (the default)
 * the term (R - n)·∂s/∂h is left out, as in most of the literature.
 *
 * The integrators use the formulas of `src/integrators/` (the simulator's): forward Euler,
 * midpoint RK2, classical RK4, and exponential Euler x + dt·exprel(B·dt)·f with B = ∂f/∂x; `auto`
 * resolves with the simulator's own `chooseMethod` (exponential Euler when every equation is
 * linear in its variable), so a layer integrates a model exactly as a NeuronGroup does.
 */
import { type Expr, num, sym, bin, call, substitute, symbolsOf } from '../equations/ast.js';
import { emitJS, jsNumber } from '../equations/codegen.js';
import { diff, simplify, applyFunction } from '../equations/symbolic.js';
import { UNITS } from '../math/units.js';
import { type NeuronModel } from '../core/model.js';
import { BuildError } from '../core/errors.js';
import { chooseMethod, type IntegratorName, type OdeVar } from '../integrators/index.js';
import { type Surrogate } from './surrogate.js';

/** One assignment of a straight-line program. */
export interface Assign {
  readonly name: string;
  readonly expr: Expr;
}

/** What {@link buildProgram} needs to know about a layer. */
export interface ProgramSpec {
  readonly model: NeuronModel;
  readonly where: string;
  /** Fixed parameters (SI), folded into the code. */
  readonly fixed: ReadonlyMap<string, number>;
  /** Trained parameters: per-neuron arrays `p_<name>`. */
  readonly trained: ReadonlySet<string>;
  /** Input values (flag 'input') fed by projections: `in_<name>`; other inputs are 0. */
  readonly currents: ReadonlySet<string>;
  /** State variables incremented by projections before the step. */
  readonly jumps: ReadonlySet<string>;
  readonly dt: number;
  readonly method: IntegratorName;
  readonly refSteps: number;
}

/** The straight-line program of one step. */
export interface StepProgram {
  /** Stored variables: the differential ones, then declared per-neuron values (constant in time). */
  readonly states: readonly string[];
  readonly method: Exclude<IntegratorName, 'auto'>;
  /** The integration step: defines `n_<x>` for every state. */
  readonly step: readonly Assign[];
  /** The threshold difference h (in `n_` symbols), or undefined for a model that never spikes. */
  readonly h: Expr | undefined;
  /** True for '>=' / '<=' thresholds (spike when h ≥ 0). */
  readonly inclusive: boolean;
  /** For 'A and B and ...' thresholds: the conditions after the first, a 0/1 gate without gradient. */
  readonly gate: Expr | undefined;
  /** Reset statements as assignments (reading `n_` symbols and earlier reset results). */
  readonly reset: readonly Assign[];
  /** State → the local holding its value after the reset. */
  readonly resetOut: ReadonlyMap<string, string>;
}

const isZero = (e: Expr) => e.k === 'num' && e.v === 0;

/**
 * Builds the step program of a model (see the module comment).
 *
 * @example
 * const fixed = new Map([['tau_m', 6.15e-3], ['tau_s', 9.49e-3], ['R', 6.67], ['tref', 0]]); // untrained parameters, SI
 * const prog = buildProgram({ model: synapticLIF(), where: "layer 'h'", fixed, trained: new Set(['Vth']), currents: new Set(), jumps: new Set(['I']), dt: 1e-3, method: 'auto', refSteps: 0 });
 * prog.method // 'exp_euler'; show(prog.h!) // 'n_v - p_Vth'
 */
export function buildProgram(spec: ProgramSpec): StepProgram {
  const { model, where, fixed, trained, currents, jumps, dt } = spec;
  const lines = model.lines;
  const subs = new Map(lines.filter((l) => l.kind === 'sub').map((l) => [l.name, l.expr!]));
  const inputs = new Set(model.inputNames());
  const diffNames = lines.filter((l) => l.kind === 'diff').map((l) => l.name);
  const valueNames = lines.filter((l) => l.kind === 'value' && !inputs.has(l.name)).map((l) => l.name);
  const states = [...diffNames, ...valueNames];
  const stateSet = new Set(states);

  // Expansion: sub-expressions and inputs inlined, parameters and units resolved.
  const expanding = new Set<string>();
  const expand = (e: Expr): Expr =>
    substitute(e, (n) => {
      if (stateSet.has(n) || n === 't') return undefined;
      const s = subs.get(n);
      if (s) {
        if (expanding.has(n)) throw new BuildError(where, 'equations', `sub-expression '${n}' depends on itself`, 'remove the circular definition');
        expanding.add(n);
        const r = expand(s);
        expanding.delete(n);
        return r;
      }
      if (inputs.has(n)) return currents.has(n) ? sym(`in_${n}`) : num(0);
      if (trained.has(n)) return sym(`p_${n}`);
      const f = fixed.get(n);
      if (f !== undefined) return num(f);
      if (n === 'dt') return num(dt);
      if (n === 'pi') return num(Math.PI);
      if (n === 'inf') return num(Infinity);
      const u = UNITS.get(n);
      if (u && !model.params.has(n)) return num(u.value);
      throw new BuildError(where, 'equations', `symbol '${n}' has no value in a training layer`, 'give the parameter a single value (params: { ... })');
    });

  const vars: OdeVar[] = lines
    .filter((l) => l.kind === 'diff')
    .map((l) => ({ name: l.name, rhs: simplify(expand(l.expr!)), gated: l.flags.includes('unless refractory') }));
  let method: Exclude<IntegratorName, 'auto'>;
  try {
    method = chooseMethod(vars, spec.method);
  } catch (err) {
    throw new BuildError(where, 'method', (err as Error).message);
  }
  const rename = (e: Expr, prefix: string, tShift = 0): Expr =>
    simplify(
      substitute(e, (n) => {
        if (stateSet.has(n)) return sym(`${prefix}${n}`);
        if (n === 't' && tShift !== 0) return bin('+', sym('t'), num(tShift));
        return undefined;
      }),
    );
  const step: Assign[] = [];
  const gate = (v: OdeVar, incr: Expr): Expr =>
    simplify(bin('+', sym(`c_${v.name}`), v.gated && spec.refSteps > 0 ? bin('*', sym('nr'), incr) : incr));
  const stage = (k: number, prefix: string, tShift: number) => {
    for (const v of vars) step.push({ name: `f${k}_${v.name}`, expr: rename(v.rhs, prefix, tShift) });
  };
  const f = (k: number, v: OdeVar) => sym(`f${k}_${v.name}`);
  switch (method) {
    case 'euler':
      stage(1, 'c_', 0);
      for (const v of vars) step.push({ name: `n_${v.name}`, expr: gate(v, bin('*', num(dt), f(1, v))) });
      break;
    case 'rk2':
      stage(1, 'c_', 0);
      for (const v of vars) step.push({ name: `m_${v.name}`, expr: simplify(bin('+', sym(`c_${v.name}`), bin('*', num(dt / 2), f(1, v)))) });
      stage(2, 'm_', dt / 2);
      for (const v of vars) step.push({ name: `n_${v.name}`, expr: gate(v, bin('*', num(dt), f(2, v))) });
      break;
    case 'rk4': {
      stage(1, 'c_', 0);
      for (const v of vars) step.push({ name: `sa_${v.name}`, expr: simplify(bin('+', sym(`c_${v.name}`), bin('*', num(dt / 2), f(1, v)))) });
      stage(2, 'sa_', dt / 2);
      for (const v of vars) step.push({ name: `sb_${v.name}`, expr: simplify(bin('+', sym(`c_${v.name}`), bin('*', num(dt / 2), f(2, v)))) });
      stage(3, 'sb_', dt / 2);
      for (const v of vars) step.push({ name: `se_${v.name}`, expr: simplify(bin('+', sym(`c_${v.name}`), bin('*', num(dt), f(3, v)))) });
      stage(4, 'se_', dt);
      for (const v of vars) {
        const sum = bin('+', bin('+', f(1, v), bin('*', num(2), f(2, v))), bin('+', bin('*', num(2), f(3, v)), f(4, v)));
        step.push({ name: `n_${v.name}`, expr: gate(v, bin('*', num(dt / 6), sum)) });
      }
      break;
    }
    case 'exp_euler':
      stage(1, 'c_', 0);
      for (const v of vars) {
        const B = simplify(diff(v.rhs, v.name));
        if (symbolsOf(B).has(v.name)) {
          throw new BuildError(where, 'method', `exponential Euler needs d${v.name}/dt to be linear in ${v.name}; use method 'rk2' or 'rk4'`);
        }
        let factor: Expr;
        if (B.k === 'num') factor = num(B.v === 0 ? dt : dt * applyFunction('exprel', [B.v * dt]));
        else {
          step.push({ name: `B_${v.name}`, expr: rename(B, 'c_') });
          factor = bin('*', num(dt), call('exprel', bin('*', sym(`B_${v.name}`), num(dt))));
        }
        step.push({ name: `n_${v.name}`, expr: gate(v, bin('*', factor, f(1, v))) });
      }
      break;
  }
  for (const x of valueNames) step.push({ name: `n_${x}`, expr: sym(`c_${x}`) });

  // Threshold as a difference h (spike when h > 0, or h ≥ 0 for an inclusive comparison).
  // 'A and B and ...': A is the differentiable threshold, the other conditions gate it.
  let h: Expr | undefined;
  let inclusive = false;
  let thrGate: Expr | undefined;
  if (model.threshold) {
    const conj: Expr[] = [];
    const flatten = (e: Expr) => {
      if (e.k === 'logic' && e.op === 'and') {
        flatten(e.a);
        flatten(e.b);
      } else conj.push(e);
    };
    flatten(model.threshold);
    const t = conj[0];
    if (t.k !== 'cmp' || t.op === '==' || t.op === '!=') {
      throw new BuildError(where, 'threshold', "training needs a threshold that starts with one comparison such as 'v > Vth' (optionally 'and' further conditions)", 'write the threshold as a <, <=, > or >= comparison');
    }
    if (conj.length > 1) {
      const rest = conj.slice(1).reduce((a, b) => ({ k: 'logic', op: 'and', a, b }));
      thrGate = rename(simplify(expand(rest)), 'n_');
    }
    const diffExpr = t.op === '>' || t.op === '>=' ? bin('-', t.a, t.b) : bin('-', t.b, t.a);
    inclusive = t.op === '>=' || t.op === '<=';
    h = rename(simplify(expand(diffExpr)), 'n_');
  }

  // Reset statements, applied in order.
  const reset: Assign[] = [];
  const cur = new Map(states.map((x) => [x, `n_${x}`]));
  model.reset.forEach((r, j) => {
    const value = simplify(substitute(expand(r.value), (n) => (cur.has(n) ? sym(cur.get(n)!) : undefined)));
    const old = sym(cur.get(r.target)!);
    const op = r.op === '=' ? undefined : (r.op[0] as '+' | '-' | '*' | '/');
    const expr = op ? simplify(bin(op, old, value)) : value;
    const name = `r${j}_${r.target}`;
    reset.push({ name, expr });
    cur.set(r.target, name);
  });
  const resetOut = new Map([...cur].filter(([x, n]) => n !== `n_${x}`));
  return { states, method, step, h, inclusive, gate: thrGate, reset, resetOut };
}

/** Symbols a kernel may read: the differentiable ones get an adjoint. */
function differentiable(name: string): boolean {
  return name !== 'nr' && name !== 't';
}

/**
 * Emits `const name = expr;` for each assignment.
 *
 * @example
 * const known = new Set(['t', 'nr', 'c_v', 'c_I', 'p_Vth']); // what the kernel's prologue declared
 * const code = emitForward(prog.step, known); // ['const f1_v = ...;', ..., 'const n_I = ...;']; known now has f1_v, n_v, ...
 */
export function emitForward(assigns: readonly Assign[], known: Set<string>): string[] {
  const out: string[] = [];
  for (const a of assigns) {
    out.push(`const ${a.name} = ${emitJS(a.expr, (n) => resolve(n, known))};`);
    known.add(a.name);
  }
  return out;
}

function resolve(n: string, known: Set<string>): string {
  if (!known.has(n)) throw new Error(`internal error: unresolved symbol '${n}' in a training kernel`);
  return n;
}

/**
 * Reverse-mode statements for a straight-line program: every adjoint `a_<name>` must be declared
 * (let, initialised) by the caller. Symbolic partial derivatives that simplify to 0 emit nothing.
 *
 * @example
 * const adj = new Set<string>();
 * const code = emitReverse(prog.step, known, adj); // ['a_c_I += a_n_I;', 'a_f1_I += a_n_I * 0.000949...;', ...]
 * // adj now names every adjoint the code uses (c_I, n_I, f1_I, c_v, ...): declare `let a_<name> = 0` for each
 */
export function emitReverse(assigns: readonly Assign[], known: Set<string>, adjoints: Set<string>): string[] {
  const out: string[] = [];
  for (let j = assigns.length - 1; j >= 0; j--) {
    const a = assigns[j];
    for (const s of symbolsOf(a.expr)) {
      if (!differentiable(s)) continue;
      const d = diff(a.expr, s);
      if (isZero(d)) continue;
      adjoints.add(s);
      adjoints.add(a.name);
      const code = d.k === 'num' && d.v === 1 ? `a_${a.name}` : `a_${a.name} * ${emitJS(d, (n) => resolve(n, known))}`;
      out.push(`a_${s} += ${code};`);
    }
  }
  return out;
}

/**
 * Derivative of h with respect to each symbol it reads (for the surrogate path).
 *
 * @example
 * thresholdPartials(parseExpr('n_v - p_Vth')) // [['n_v', 1], ['p_Vth', -1]] as expression trees
 */
export function thresholdPartials(h: Expr): [string, Expr][] {
  const out: [string, Expr][] = [];
  for (const s of symbolsOf(h)) {
    if (!differentiable(s)) continue;
    const d = diff(h, s);
    if (!isZero(d)) out.push([s, d]);
  }
  return out;
}

export { jsNumber, emitJS };
