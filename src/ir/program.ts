/**
 * One group's step as a straight-line program of expression trees: the integrator, the threshold
 * and the reset. Training (forward with a tape, and the reverse pass derived from it) reads this
 * program; so does every lowering of the step IR that wants the integrator formulas written once.
 *
 * For each neuron (and batch row):
 *
 * ```
 * n_x = Φ(c, p)                     the integrator (euler, rk2, rk4, exp_euler)
 * h   = threshold difference at n   'v > Vth' gives h = v - Vth
 * s   = H(h)  (0 while refractory)  or, in 'soft' mode, the surrogate's smooth step σ(h)
 * x'  = n_x + s (R_x(n, p) - n_x)   the reset statements R, applied in order
 * ```
 *
 * The variables arrive already expanded (sub-expressions and inputs inlined, fixed parameters
 * folded) and named by the compiler; here they get the stage prefixes `c_`, `n_`, `f1_`, ….
 */
import { type Expr, num, sym, bin, call, substitute, symbolsOf } from '../equations/ast.js';
import { diff, simplify, applyFunction } from '../equations/symbolic.js';
import { type IntegratorName, type OdeVar } from '../integrators/index.js';
import { type Assign } from '../autodiff/reverse.js';

/** What {@link buildStepProgram} needs: one group's expanded equations in compiler-minted names. */
export interface StepSpec {
  /** Integrated variables; `rhs` reads state names, constants' symbols and `t`. */
  readonly vars: readonly OdeVar[];
  /** Stored values that only resets and deliveries change (carried unchanged by the integrator). */
  readonly values: readonly string[];
  readonly method: Exclude<IntegratorName, 'auto' | 'euler_maruyama' | 'milstein'>;
  readonly dt: number;
  /** The spike condition over state names (values after the integration step), if the group spikes. */
  readonly threshold: Expr | undefined;
  /** Statements applied at a spike, in order. */
  readonly resets: readonly { readonly target: string; readonly op: '=' | '+=' | '-=' | '*=' | '/='; readonly value: Expr }[];
  /** True when gated variables are frozen while `nr` (not refractory) is 0. */
  readonly refractory: boolean;
}

/** The straight-line program of one step. */
export interface StepProgram {
  /** Stored variables: the integrated ones, then the values. */
  readonly states: readonly string[];
  /** The integration step: defines `n_<x>` for every state. */
  readonly step: readonly Assign[];
  /** The threshold difference h (in `n_` symbols), or undefined for a group that never spikes. */
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

/** Thrown with a message for the caller to wrap in a BuildError naming the group. */
export class ProgramError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/**
 * Builds the step program (see the module comment).
 *
 * @example
 * const prog = buildStepProgram({ vars: [{ name: 's0', rhs: parseExpr('-s0/0.01'), gated: false }], values: [], method: 'exp_euler', dt: 1e-4, threshold: parseExpr('s0 > 1'), resets: [], refractory: false });
 * show(prog.h!) // 'n_s0 - 1'
 */
export function buildStepProgram(spec: StepSpec): StepProgram {
  const { vars, values, method, dt } = spec;
  const states = [...vars.map((v) => v.name), ...values];
  const stateSet = new Set(states);
  const integrated = new Set(vars.map((v) => v.name));
  // Exact variables (plasticity traces) follow exponential Euler whatever the method; the stages of
  // the other variables read them at the start of the step.
  const exactVars = method === 'exp_euler' ? [] : vars.filter((v) => v.exact);
  const mainVars = exactVars.length ? vars.filter((v) => !v.exact) : vars;
  for (const v of exactVars) integrated.delete(v.name);
  // Stage values exist for integrated variables; the others keep their value through the step.
  const rename = (e: Expr, prefix: string, tShift = 0): Expr =>
    simplify(
      substitute(e, (n) => {
        if (stateSet.has(n)) return sym(`${integrated.has(n) || prefix === 'n_' ? prefix : 'c_'}${n}`);
        if (n === 't' && tShift !== 0) return bin('+', sym('t'), num(tShift));
        return undefined;
      }),
    );
  const step: Assign[] = [];
  const gate = (v: OdeVar, incr: Expr): Expr => simplify(bin('+', sym(`c_${v.name}`), v.gated && spec.refractory ? bin('*', sym('nr'), incr) : incr));
  const stage = (k: number, prefix: string, tShift: number, list: readonly OdeVar[] = mainVars) => {
    for (const v of list) step.push({ name: `f${k}_${v.name}`, expr: rename(v.rhs, prefix, tShift) });
  };
  const f = (k: number, v: OdeVar) => sym(`f${k}_${v.name}`);
  const half = (from: string, k: number, v: OdeVar, h: number) => ({ name: `${from}${v.name}`, expr: simplify(bin('+', sym(`c_${v.name}`), bin('*', num(h), f(k, v)))) });
  const expEuler = (list: readonly OdeVar[]) => {
    stage(list === mainVars ? 1 : 0, 'c_', 0, list);
    for (const v of list) {
      const B = simplify(diff(v.rhs, v.name));
      if (symbolsOf(B).has(v.name)) throw new ProgramError('method', `exponential Euler needs the equation of each variable to be linear in it; use method 'rk2' or 'rk4'`);
      let factor: Expr;
      if (B.k === 'num') factor = num(B.v === 0 ? dt : dt * applyFunction('exprel', [B.v * dt]));
      else {
        step.push({ name: `B_${v.name}`, expr: rename(B, 'c_') });
        factor = bin('*', num(dt), call('exprel', bin('*', sym(`B_${v.name}`), num(dt))));
      }
      step.push({ name: `n_${v.name}`, expr: gate(v, bin('*', factor, f(list === mainVars ? 1 : 0, v))) });
    }
  };
  const vs = mainVars;
  switch (method) {
    case 'euler':
      stage(1, 'c_', 0);
      for (const v of vs) step.push({ name: `n_${v.name}`, expr: gate(v, bin('*', num(dt), f(1, v))) });
      break;
    case 'rk2':
      stage(1, 'c_', 0);
      for (const v of vs) step.push(half('m_', 1, v, dt / 2));
      stage(2, 'm_', dt / 2);
      for (const v of vs) step.push({ name: `n_${v.name}`, expr: gate(v, bin('*', num(dt), f(2, v))) });
      break;
    case 'rk4': {
      stage(1, 'c_', 0);
      for (const v of vs) step.push(half('sa_', 1, v, dt / 2));
      stage(2, 'sa_', dt / 2);
      for (const v of vs) step.push(half('sb_', 2, v, dt / 2));
      stage(3, 'sb_', dt / 2);
      for (const v of vs) step.push(half('se_', 3, v, dt));
      stage(4, 'se_', dt);
      for (const v of vs) {
        const sum = bin('+', bin('+', f(1, v), bin('*', num(2), f(2, v))), bin('+', bin('*', num(2), f(3, v)), f(4, v)));
        step.push({ name: `n_${v.name}`, expr: gate(v, bin('*', num(dt / 6), sum)) });
      }
      break;
    }
    case 'exp_euler':
      expEuler(vs);
      break;
  }
  // exact variables: f0_<x> at the start of the step, then the exponential-Euler update
  if (exactVars.length) expEuler(exactVars);
  for (const x of values) step.push({ name: `n_${x}`, expr: sym(`c_${x}`) });

  // Threshold as a difference h (spike when h > 0, or h ≥ 0 for an inclusive comparison).
  // 'A and B and ...': A is the differentiable threshold, the other conditions gate it.
  let h: Expr | undefined;
  let inclusive = false;
  let thrGate: Expr | undefined;
  if (spec.threshold) {
    const conj: Expr[] = [];
    const flatten = (e: Expr) => {
      if (e.k === 'logic' && e.op === 'and') {
        flatten(e.a);
        flatten(e.b);
      } else conj.push(e);
    };
    flatten(spec.threshold);
    const t = conj[0];
    if (t.k !== 'cmp' || t.op === '==' || t.op === '!=') {
      throw new ProgramError('threshold', "training needs a threshold that starts with one comparison such as 'v > Vth' (optionally 'and' further conditions)");
    }
    if (conj.length > 1) thrGate = rename(conj.slice(1).reduce((a, b) => ({ k: 'logic', op: 'and', a, b })), 'n_');
    inclusive = t.op === '>=' || t.op === '<=';
    h = rename(t.op === '>' || t.op === '>=' ? bin('-', t.a, t.b) : bin('-', t.b, t.a), 'n_');
  }

  // Reset statements, applied in order; each reads the latest value of every state.
  const reset: Assign[] = [];
  const cur = new Map(states.map((x) => [x, `n_${x}`]));
  spec.resets.forEach((r, j) => {
    const value = simplify(substitute(r.value, (n) => (cur.has(n) ? sym(cur.get(n)!) : undefined)));
    const old = sym(cur.get(r.target)!);
    const op = r.op === '=' ? undefined : (r.op[0] as '+' | '-' | '*' | '/');
    const name = `r${j}_${r.target}`;
    reset.push({ name, expr: op ? simplify(bin(op, old, value)) : value });
    cur.set(r.target, name);
  });
  const resetOut = new Map([...cur].filter(([x, n]) => n !== `n_${x}`));
  return { states, step, h, inclusive, gate: thrGate, reset, resetOut };
}
