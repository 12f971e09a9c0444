/**
 * Neuron model declarations. A model is its equations, parameters with units and defaults,
 * threshold, reset and refractory period: one source of truth that simulation, training and
 * documentation all read. Built-in models are declared exactly as a user's own would be.
 */
import { type Expr, symbolsOf } from '../equations/ast.js';
import { type EquationLine, parseEquations, EquationError } from '../equations/equations.js';
import { type Assignment, parseExpr, parseStatements } from '../equations/parser.js';
import { type QuantityLike, parseQuantity } from '../equations/quantity.js';
import { type Dim, DIMENSIONLESS, UNITS } from '../math/units.js';
import { BuildError } from './errors.js';
import { isNoiseSymbol } from '../equations/ast.js';
import { type IntegratorName, INTEGRATORS } from '../integrators/index.js';
import { type Init } from './init.js';

/** What a user writes to declare a neuron model. */
export interface NeuronModelSpec {
  /** The model's name, used in messages ('LIF'). */
  readonly name: string;
  /** The equation block (see {@link parseEquations}). */
  readonly equations: string;
  /** Parameters with their default values and units, e.g. `{ tau: '10 ms' }`. */
  readonly params?: Readonly<Record<string, QuantityLike>>;
  /** Spike condition, e.g. `'v > Vth'`. Without it the model never spikes (a rate model). */
  readonly threshold?: string;
  /** Statements run on a spike, e.g. `'v = Vreset'`. */
  readonly reset?: string;
  /** The refractory period: a time, or the name of a parameter that holds it. */
  readonly refractory?: QuantityLike;
  /** Default initial values of the state variables. */
  readonly init?: Readonly<Record<string, Init>>;
  /** Integration method; 'auto' picks exponential Euler when every equation is linear in its variable. */
  readonly method?: IntegratorName;
  /** Parameters that must be strictly positive (time constants are checked automatically). */
  readonly positive?: readonly string[];
}

/**
 * A parsed, checked neuron model. Create one with {@link defineNeuron}.
 *
 * @example
 * const m = new NeuronModel({ name: 'decay', equations: 'dv/dt = -v/tau : volt', params: { tau: '10 ms' } }); // or defineNeuron(...)
 * m.stateNames() // ['v']
 */
export class NeuronModel {
  readonly name: string;
  readonly spec: NeuronModelSpec;
  readonly lines: readonly EquationLine[];
  readonly threshold: Expr | undefined;
  readonly reset: readonly Assignment[];
  /** Parameter name → default value and dimension. */
  readonly params: ReadonlyMap<string, { value: number; dim: Dim; source: QuantityLike }>;

  constructor(spec: NeuronModelSpec) {
    const where = `model '${spec.name}'`;
    this.name = spec.name;
    this.spec = spec;
    this.lines = parseEquations(spec.equations, where);
    const params = new Map<string, { value: number; dim: Dim; source: QuantityLike }>();
    for (const [k, v] of Object.entries(spec.params ?? {})) {
      if (this.lines.some((l) => l.name === k)) throw new BuildError(where, `params.${k}`, `'${k}' is both a parameter and a variable of the equations`, 'rename one of them');
      let q;
      try {
        q = parseQuantity(v);
      } catch (err) {
        throw new BuildError(where, `params.${k}`, `cannot read ${JSON.stringify(v)}: ${(err as Error).message}`, "write a number with a unit, e.g. '10 ms'");
      }
      params.set(k, { value: q.value, dim: q.dim, source: v });
    }
    this.params = params;
    try {
      this.threshold = spec.threshold ? parseExpr(spec.threshold) : undefined;
    } catch (err) {
      throw new BuildError(where, 'threshold', (err as Error).message, "write a condition such as 'v > Vth'");
    }
    try {
      this.reset = spec.reset ? parseStatements(spec.reset) : [];
    } catch (err) {
      throw new BuildError(where, 'reset', (err as Error).message, "write statements such as 'v = Vreset; w += b'");
    }
    if (spec.method !== undefined && !(spec.method in INTEGRATORS)) {
      throw new BuildError(where, 'method', `unknown integrator '${spec.method}'`, `choose one of ${Object.keys(INTEGRATORS).join(', ')}`);
    }
    for (const r of this.reset) {
      const line = this.lines.find((l) => l.name === r.target);
      if (!line || line.kind === 'sub') {
        throw new BuildError(where, 'reset', `'${r.target}' is not a state variable or value of the model`, `assign one of: ${this.stateNames().join(', ')}`);
      }
    }
    // Symbols must all be known: variables, parameters, units, t, dt, pi, and inputs.
    const known = (n: string) => this.lines.some((l) => l.name === n) || params.has(n) || UNITS.has(n) || ['t', 'dt', 'pi', 'inf', 'lastspike'].includes(n) || isNoiseSymbol(n);
    const check = (e: Expr, field: string, text: string) => {
      for (const s of symbolsOf(e)) {
        if (!known(s)) {
          throw new BuildError(
            where,
            field,
            `unknown symbol '${s}' in '${text}'`,
            `declare it as a parameter (params: { ${s}: ... }) or as a variable ('${s} : unit'); known names: ${[...this.lines.map((l) => l.name), ...params.keys()].join(', ')}`,
          );
        }
      }
    };
    for (const l of this.lines) if (l.expr) check(l.expr, 'equations', l.source);
    if (this.threshold) check(this.threshold, 'threshold', spec.threshold!);
    for (const r of this.reset) check(r.value, 'reset', spec.reset!);
  }

  /** Names of the differential (evolving) variables. */
  stateNames(): string[] {
    return this.lines.filter((l) => l.kind === 'diff').map((l) => l.name);
  }
  /** Names of the summed inputs (declared with the 'input' flag). */
  inputNames(): string[] {
    return this.lines.filter((l) => l.flags.includes('input')).map((l) => l.name);
  }
  /** The dimension of a variable or parameter, or undefined. */
  dimOf(name: string): Dim | undefined {
    const l = this.lines.find((x) => x.name === name);
    if (l) return l.dim;
    return this.params.get(name)?.dim;
  }
}

/**
 * Declares a neuron model from equations.
 *
 * @example
 * const QIF = defineNeuron({
 *   name: 'QIF',
 *   equations: `dv/dt = (c*(v - Vr)*(v - Vc) + R*I) / tau : volt (unless refractory)
 *               I : amp (input)`,
 *   params: { c: '0.07 / mV', Vr: '-65 mV', Vc: '-50 mV', R: '1 Mohm', tau: '10 ms', Vth: '-30 mV', Vreset: '-60 mV' },
 *   threshold: 'v > Vth', reset: 'v = Vreset', init: { v: '-65 mV' },
 * });
 */
export function defineNeuron(spec: NeuronModelSpec): NeuronModel {
  try {
    return new NeuronModel(spec);
  } catch (err) {
    if (err instanceof EquationError || err instanceof BuildError) throw err;
    throw new BuildError(`model '${spec.name}'`, 'equations', (err as Error).message);
  }
}

export { DIMENSIONLESS };
