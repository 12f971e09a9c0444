/**
 * Numerical integrators, as code generators: each turns a system of ODEs (expression trees) into
 * the JavaScript statements of one time step for one neuron.
 *
 * - `euler`: x ← x + dt f(x). Order 1.
 * - `rk2`: the midpoint method. Order 2.
 * - `rk4`: the classical Runge–Kutta method. Order 4.
 * - `exp_euler`: exponential Euler. Each variable's right-hand side is split as f = A + B x with
 *   B = ∂f/∂x (found by symbolic differentiation) and x ← x + dt·f·exprel(B dt), the other variables
 *   held at their values at the start of the step. Exact for linear equations with constant
 *   coefficients, order 1 otherwise, and stable for stiff gating kinetics.
 * - `euler_maruyama`, `milstein`: for stochastic equations with white noise `xi` (or `xi_<name>`):
 *   dx = f dt + g dW with g = ∂rhs/∂xi found symbolically; Milstein adds ½ g ∂g/∂x (ΔW² − dt).
 * - `auto`: exponential Euler when every equation is linear in its own variable (∂f/∂x does not
 *   depend on x), else RK2; with noise, Euler–Maruyama for additive noise and Milstein otherwise.
 */
import { type Expr, num, substitute, symbolsOf, isNoiseSymbol } from '../equations/ast.js';
import { emitJS, emitShared, jsNumber } from '../equations/codegen.js';
import { diff, simplify, dependsOn, applyFunction } from '../equations/symbolic.js';

export type IntegratorName = 'auto' | 'euler' | 'rk2' | 'rk4' | 'exp_euler' | 'euler_maruyama' | 'milstein';

/** The integrators by name with their order of accuracy (for documentation and tests). */
export const INTEGRATORS: Readonly<Record<IntegratorName, { order: number; description: string }>> = {
  auto: { order: 1, description: 'exponential Euler if every equation is linear in its variable, else RK2' },
  euler: { order: 1, description: 'forward Euler' },
  rk2: { order: 2, description: 'midpoint Runge–Kutta' },
  rk4: { order: 4, description: 'classical Runge–Kutta' },
  exp_euler: { order: 1, description: 'exponential Euler (exact for linear constant-coefficient equations)' },
  euler_maruyama: { order: 1, description: 'Euler–Maruyama for equations with white noise xi (weak order 1, strong 1/2)' },
  milstein: { order: 1, description: 'Milstein for equations with white noise xi (strong order 1 for diagonal noise)' },
};

/** One differential equation of a system. `rhs` has sub-expressions and constants substituted. */
export interface OdeVar {
  readonly name: string;
  readonly rhs: Expr;
  /** True when the variable is frozen during the refractory period. */
  readonly gated: boolean;
  /**
   * Integrated by exponential Euler whatever the group's method (exact for a linear equation with
   * constant coefficients: a linear trace decays by exp(−dt/τ) per step). Plasticity traces are
   * such variables; the others read their value at the start of the step.
   */
  readonly exact?: boolean;
}

/**
 * Thrown when an integrator cannot handle the equations (e.g. exp_euler on a nonlinear one).
 *
 * @example
 * const v = { name: 'v', rhs: parseExpr('-v/tau + sigma*xi'), gated: false };
 * chooseMethod([v], 'rk4') // throws IntegratorError (e.variable === 'v'): noise needs 'euler_maruyama' or 'milstein'
 */
export class IntegratorError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(message);
    this.name = 'IntegratorError';
    this.variable = variable;
  }
}

/**
 * The white-noise symbols (xi, xi_<name>) a system uses, sorted.
 *
 * @example
 * noiseSymbols([{ name: 'v', rhs: parseExpr('-v/tau + sigma*xi_v + s2*xi'), gated: false }]) // ['xi', 'xi_v']
 */
export function noiseSymbols(vars: readonly OdeVar[]): string[] {
  const out = new Set<string>();
  for (const v of vars) for (const s of symbolsOf(v.rhs)) if (isNoiseSymbol(s)) out.add(s);
  return [...out].sort();
}

/**
 * True when dx/dt = f is linear in x, i.e. ∂f/∂x does not contain x.
 *
 * @example
 * isLinearIn(parseExpr('(El - v)/tau + I/C'), 'v') // true
 * isLinearIn(parseExpr('v - v^3/3 - w'), 'v') // false
 */
export function isLinearIn(rhs: Expr, x: string): boolean {
  return !dependsOn(diff(rhs, x), x);
}

/**
 * The method `auto` resolves to for this system.
 *
 * @example
 * chooseMethod([{ name: 'v', rhs: parseExpr('(El - v)/tau'), gated: true }], 'auto') // 'exp_euler'
 */
export function chooseMethod(vars: readonly OdeVar[], requested: IntegratorName): Exclude<IntegratorName, 'auto'> {
  const noise = noiseSymbols(vars);
  if (noise.length > 0) {
    if (requested === 'euler_maruyama' || requested === 'milstein') return requested;
    if (requested !== 'auto') {
      throw new IntegratorError(vars[0].name, `the equations contain white noise (${noise.join(', ')}): choose method 'euler_maruyama' or 'milstein' instead of '${requested}'`);
    }
    const multiplicative = vars.some((v) => noise.some((z) => dependsOn(diff(v.rhs, z), v.name)));
    return multiplicative ? 'milstein' : 'euler_maruyama';
  }
  if (requested === 'euler_maruyama' || requested === 'milstein') return 'euler';
  if (requested !== 'auto') return requested;
  return vars.every((v) => isLinearIn(v.rhs, v.name)) ? 'exp_euler' : 'rk2';
}

/**
 * Generates the statements of one step. Current values are in locals `c_<name>`, and the code
 * declares `n_<name>` with the new values. `other(name)` resolves every symbol that is not one of
 * the system's variables; `gate` is a JS boolean expression (true = integrate) or null.
 *
 * @example
 * const vars = [{ name: 'v', rhs: parseExpr('-v/tau'), gated: false }];
 * generateStep(vars, 'euler', 1e-4, (n) => `p_${n}`, null) // 'const k1_v = ...;\nconst n_v = c_v + 0.0001 * k1_v;'
 */
export function generateStep(
  vars: readonly OdeVar[],
  method: Exclude<IntegratorName, 'auto'>,
  dt: number,
  other: (name: string) => string,
  gate: string | null,
): string {
  if (method !== 'exp_euler' && vars.some((v) => v.exact)) {
    // Exact variables (plasticity traces) by exponential Euler, the others by `method`; each part
    // reads the other's variables at the start of the step (the locals c_<name>).
    const main = vars.filter((v) => !v.exact);
    const exact = vars.filter((v) => v.exact);
    const mainNames = new Set(main.map((v) => v.name));
    const exactNames = new Set(exact.map((v) => v.name));
    const a = main.length ? generateStep(main, method, dt, (n) => (exactNames.has(n) ? `c_${n}` : other(n)), gate) : '';
    const b = generateStep(exact, 'exp_euler', dt, (n) => (mainNames.has(n) ? `c_${n}` : other(n)), gate);
    return a ? `${a}\n${b}` : b;
  }
  const names = new Set(vars.map((v) => v.name));
  const rhsWith = (e: Expr, prefix: string) => emitJS(e, (n) => (names.has(n) ? `${prefix}${n}` : other(n)));
  const apply = (v: OdeVar, incr: string) => {
    const g = v.gated && gate ? `(${gate} ? ${incr} : 0)` : incr;
    return `const n_${v.name} = c_${v.name} + ${g};`;
  };
  const lines: string[] = [];
  const DT = jsNumber(dt);
  // Stage k evaluates f at the stage values and at time t + tShift (time must advance with the
  // stages); sub-expressions shared between the variables' right-hand sides are computed once.
  const stage = (k: number, prefix: string, tShift: number) => {
    const resolve = (n: string) => (names.has(n) ? `${prefix}${n}` : n === 't' && tShift !== 0 ? `(t + ${jsNumber(tShift)})` : other(n));
    const { decls, codes } = emitShared(vars.map((v) => v.rhs), resolve, `q${k}_`);
    lines.push(...decls);
    vars.forEach((v, i) => lines.push(`const k${k}_${v.name} = ${codes[i]};`));
  };
  switch (method) {
    case 'euler':
      stage(1, 'c_', 0);
      for (const v of vars) lines.push(apply(v, `${DT} * k1_${v.name}`));
      break;
    case 'rk2': {
      stage(1, 'c_', 0);
      for (const v of vars) lines.push(`const m_${v.name} = c_${v.name} + ${jsNumber(dt / 2)} * k1_${v.name};`);
      stage(2, 'm_', dt / 2);
      for (const v of vars) lines.push(apply(v, `${DT} * k2_${v.name}`));
      break;
    }
    case 'rk4': {
      stage(1, 'c_', 0);
      for (const v of vars) lines.push(`const a_${v.name} = c_${v.name} + ${jsNumber(dt / 2)} * k1_${v.name};`);
      stage(2, 'a_', dt / 2);
      for (const v of vars) lines.push(`const b_${v.name} = c_${v.name} + ${jsNumber(dt / 2)} * k2_${v.name};`);
      stage(3, 'b_', dt / 2);
      for (const v of vars) lines.push(`const e_${v.name} = c_${v.name} + ${DT} * k3_${v.name};`);
      stage(4, 'e_', dt);
      for (const v of vars) {
        lines.push(apply(v, `${jsNumber(dt / 6)} * (k1_${v.name} + 2 * k2_${v.name} + 2 * k3_${v.name} + k4_${v.name})`));
      }
      break;
    }
    case 'euler_maruyama':
    case 'milstein': {
      // dx = f dt + Σ g_k dW_k; dW_k = sqrt(dt) Z_k with Z_k a standard normal draw given by other(xi_k).
      const noise = noiseSymbols(vars);
      const sqdt = jsNumber(Math.sqrt(dt));
      for (const v of vars) {
        const drift = simplify(substitute(v.rhs, (n) => (isNoiseSymbol(n) ? num(0) : undefined)));
        lines.push(`const k1_${v.name} = ${rhsWith(drift, 'c_')};`);
      }
      for (const v of vars) {
        const terms = [`${DT} * k1_${v.name}`];
        for (const z of noise) {
          const g = diff(v.rhs, z);
          if (g.k === 'num' && g.v === 0) continue;
          if (noise.some((zz) => dependsOn(g, zz))) throw new IntegratorError(v.name, `d${v.name}/dt must be linear in the noise ${z}`);
          const gCode = rhsWith(g, 'c_');
          const dW = `(${sqdt} * ${other(z)})`;
          terms.push(`${gCode} * ${dW}`);
          if (method === 'milstein') {
            const dg = diff(g, v.name);
            if (!(dg.k === 'num' && dg.v === 0)) terms.push(`0.5 * ${gCode} * ${rhsWith(dg, 'c_')} * (${dW} * ${dW} - ${DT})`);
          }
        }
        lines.push(apply(v, `(${terms.join(' + ')})`));
      }
      break;
    }
    case 'exp_euler': {
      // f and B = ∂f/∂x of every variable, all at the values of the start of the step, share their
      // sub-expressions (the rate functions of gating variables): one CSE scope for all of them.
      const Bs = vars.map((v) => {
        const B = diff(v.rhs, v.name);
        if (dependsOn(B, v.name)) {
          throw new IntegratorError(v.name, `exponential Euler needs d${v.name}/dt to be linear in ${v.name}, but ∂f/∂${v.name} still depends on ${v.name}; use method 'rk2' or 'rk4'`);
        }
        return simplify(B);
      });
      const varying = Bs.map((B) => B.k !== 'num');
      const resolve = (n: string) => (names.has(n) ? `c_${n}` : other(n));
      const { decls, codes } = emitShared([...vars.map((v) => v.rhs), ...Bs.filter((_, i) => varying[i])], resolve, 'q_');
      lines.push(...decls);
      let bAt = vars.length;
      vars.forEach((v, i) => {
        const f = codes[i];
        const B = Bs[i];
        if (B.k === 'num') {
          // constant coefficient: the factor dt·exprel(B dt) is computed here, once
          const factor = B.v === 0 ? dt : dt * applyFunction('exprel', [B.v * dt]);
          lines.push(apply(v, `${jsNumber(factor)} * ${f}`));
        } else {
          lines.push(`const B_${v.name} = ${codes[bAt++]};`);
          lines.push(apply(v, `${DT} * H.exprel(B_${v.name} * ${DT}) * ${f}`));
        }
      });
      break;
    }
  }
  return lines.join('\n');
}
