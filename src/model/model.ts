/**
 * Neuron model declarations. A model is its equations, parameters with units and defaults,
 * threshold, reset and refractory period: one source of truth that simulation, training and
 * documentation all read. Built-in models are declared exactly as a user's own would be.
 */
import { type Expr, symbolsOf } from '../equations/ast.js';
import { type EquationLine, parseEquations, EquationError, isReservedName } from '../equations/equations.js';
import { type Assignment, parseExpr, parseStatements } from '../equations/parser.js';
import { type QuantityLike, parseQuantity, checkQuantityLike } from '../equations/quantity.js';
import { type Dim, DIMENSIONLESS, UNITS } from '../math/units.js';
import { BuildError } from '../lang/errors.js';
import { isNoiseSymbol } from '../equations/ast.js';
import { type IntegratorName, INTEGRATORS } from '../integrators/index.js';
import { type Init, checkInit } from './init.js';
import { checkRecordKeys, checkLabel, checkText, checkNames, describe, knownNames } from '../equations/validate.js';

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

  constructor(given: NeuronModelSpec) {
    // Everything below reads the checked copy, never the object the user handed in.
    const fields = checkRecordKeys(given, 'neuron model', 'spec', SPEC_KEYS, 'a model declares');
    const name = checkLabel(fields.name, 'neuron model', 'name');
    const where = `model '${name}'`;
    this.name = name;
    this.lines = parseEquations(checkText(fields.equations, where, 'equations'), where);
    const spec = checkSpec(fields, name, this.lines, where);
    this.spec = spec;
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
    throw new BuildError(`model '${labelOf(spec)}'`, 'equations', (err as Error).message);
  }
}

/**
 * Refuses anything that is not a model made by {@link defineNeuron} (an object shaped like one
 * would bypass every check of the declaration).
 *
 * @example
 * checkModel(LIF, "group 'P'", 'model') // LIF
 */
export function checkModel(model: unknown, where: string, field: string): NeuronModel {
  if (!(model instanceof NeuronModel)) throw new BuildError(where, field, `must be a neuron model, got ${describe(model)}`, 'declare it with defineNeuron({ ... })');
  return model;
}

const SPEC_KEYS = ['name', 'equations', 'params', 'threshold', 'reset', 'refractory', 'init', 'method', 'positive'];

/** The spec's fields checked and copied (the equations are already parsed into `lines`). */
function checkSpec(fields: Record<string, unknown>, name: string, lines: readonly EquationLine[], where: string): NeuronModelSpec {
  const out: { -readonly [K in keyof NeuronModelSpec]: NeuronModelSpec[K] } = { name, equations: fields.equations as string };
  if (fields.params !== undefined) {
    const params = checkRecordKeys(fields.params, where, 'params');
    for (const [k, v] of Object.entries(params)) {
      if (isReservedName(k)) throw new BuildError(where, `params.${k}`, `'${k}' is reserved by the equation language`, `rename it, e.g. '${k}_'`);
      params[k] = checkQuantityLike(v, where, `params.${k}`);
    }
    out.params = Object.freeze(params as Record<string, QuantityLike>);
  }
  if (fields.threshold !== undefined) out.threshold = checkText(fields.threshold, where, 'threshold');
  if (fields.reset !== undefined) out.reset = checkText(fields.reset, where, 'reset');
  // a refractory text may be a time, a parameter's name or a condition: it is parsed at build
  if (fields.refractory !== undefined) out.refractory = typeof fields.refractory === 'string' ? fields.refractory : checkQuantityLike(fields.refractory, where, 'refractory');
  if (fields.init !== undefined) {
    const settable = lines.filter((l) => l.kind !== 'sub' && !l.flags.includes('input')).map((l) => l.name);
    const init = checkRecordKeys(fields.init, where, 'init', settable, 'initialize one of');
    for (const [k, v] of Object.entries(init)) init[k] = checkInit(v, where, `init.${k}`);
    out.init = Object.freeze(init as Record<string, Init>);
  }
  if (fields.method !== undefined) out.method = checkMethod(fields.method, where);
  if (fields.positive !== undefined) out.positive = Object.freeze(checkNames(fields.positive, where, 'positive', Object.keys(out.params ?? {})));
  return Object.freeze(out);
}

/**
 * An integrator name from the table (an own key: 'constructor' is not an integrator).
 *
 * @example
 * checkMethod('rk4', "model 'HH'") // 'rk4'
 */
export function checkMethod(method: unknown, where: string): IntegratorName {
  if (typeof method !== 'string' || !Object.hasOwn(INTEGRATORS, method)) {
    throw new BuildError(where, 'method', `unknown integrator ${describe(method)}`, typeof method === 'string' ? knownNames(method, Object.keys(INTEGRATORS), 'choose one of') : `choose one of ${Object.keys(INTEGRATORS).join(', ')}`);
  }
  return method as IntegratorName;
}

/** A model's name for a message, read without trusting the spec. */
function labelOf(spec: unknown): string {
  const d = typeof spec === 'object' && spec !== null ? Object.getOwnPropertyDescriptor(spec, 'name') : undefined;
  return d && typeof d.value === 'string' ? d.value.slice(0, 200) : '?';
}

export { DIMENSIONLESS };
