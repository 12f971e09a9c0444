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
import { type Expr, num, sym, substitute } from '../equations/ast.js';
import { emitJS, jsNumber } from '../equations/codegen.js';
import { simplify } from '../equations/symbolic.js';
import { buildStepProgram, ProgramError, type StepProgram as GenericProgram } from '../ir/program.js';
import { UNITS } from '../math/units.js';
import { type NeuronModel } from '../model/model.js';
import { BuildError } from '../lang/errors.js';
import { chooseMethod, type IntegratorName, type OdeVar } from '../integrators/index.js';
import { type Surrogate } from './surrogate.js';


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

/** The straight-line program of one step (see src/ir/program.ts), with the method it resolved to. */
export interface StepProgram extends GenericProgram {
  readonly method: Exclude<IntegratorName, 'auto'>;
}


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
  if (method === 'euler_maruyama' || method === 'milstein') throw new BuildError(where, 'method', 'training does not integrate white noise', "remove xi from the equations, or choose method 'euler'");
  try {
    const prog = buildStepProgram({
      vars,
      values: valueNames,
      method,
      dt,
      threshold: model.threshold ? simplify(expand(model.threshold)) : undefined,
      resets: model.reset.map((r) => ({ target: r.target, op: r.op, value: simplify(expand(r.value)) })),
      refractory: spec.refSteps > 0,
    });
    return { ...prog, method };
  } catch (err) {
    if (err instanceof ProgramError) throw new BuildError(where, err.field, err.message, err.field === 'method' ? "use method 'rk2' or 'rk4'" : undefined);
    throw err;
  }
}

export { emitForward, emitReverse, thresholdPartials, type Assign } from '../autodiff/reverse.js';
export { jsNumber, emitJS };
