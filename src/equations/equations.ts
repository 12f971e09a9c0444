/**
 * Equation blocks, written the way a paper prints them:
 *
 * ```
 * dv/dt = (-(v - El) + R*I) / tau : volt (unless refractory)   # a differential equation
 * Isyn = g*(E - v) : amp                                        # a sub-expression
 * I : amp (input)                                               # summed input (currents arrive here)
 * b : amp                                                       # a per-neuron value that does not evolve
 * ```
 *
 * Each line has a unit after ':' and optional flags in parentheses. Comments start with '#'.
 */
import { type Expr } from './ast.js';
import { parseExpr, ParseError } from './parser.js';
import { type Dim } from '../math/units.js';
import { unitDim } from './quantity.js';
import { nameProblem } from './validate.js';
import { BuildError } from '../lang/errors.js';

export type Flag = 'unless refractory' | 'constant' | 'input';
const FLAGS: readonly Flag[] = ['unless refractory', 'constant', 'input'];

/** One line of an equation block. */
export interface EquationLine {
  /** 'diff': dx/dt = f; 'sub': x = f (recomputed whenever used); 'value': x, a per-neuron value. */
  readonly kind: 'diff' | 'sub' | 'value';
  readonly name: string;
  /** The right-hand side (absent for 'value'). */
  readonly expr?: Expr;
  readonly unit: string;
  readonly dim: Dim;
  readonly flags: readonly Flag[];
  /** The line as written, for messages. */
  readonly source: string;
}

/**
 * A mistake in an equation block, with the model and the line.
 *
 * @example
 * try { parseEquations('dv/dt = -v/tau', "model 'decay'"); }
 * catch (e) { if (e instanceof EquationError) console.log(e.message); } // missing ': unit' in line 'dv/dt = -v/tau'
 */
export class EquationError extends BuildError {
  // a BuildError, so that every refusal of a declaration can be caught as one
  constructor(where: string, line: string, problem: string) {
    super(where, 'equations', `${problem} in line '${line.trim()}'`);
    this.name = 'EquationError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['t', 'dt', 'i', 'xi', 'and', 'or', 'not', 'pi', 'inf', 'not_refractory', 'lastspike']);

/**
 * Whether a name is taken by the equation language itself (t, dt, pi, noise symbols...).
 *
 * @example
 * isReservedName('dt') // true; isReservedName('tau') // false
 */
export function isReservedName(name: string): boolean {
  return RESERVED.has(name) || /^xi_/.test(name);
}

/**
 * Parses an equation block. `where` names the model in error messages.
 *
 * @example
 * parseEquations('dv/dt = -v/tau : volt', "model 'decay'")
 */
export function parseEquations(text: string, where: string): EquationLine[] {
  const out: EquationLine[] = [];
  const seen = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const colon = line.lastIndexOf(':');
    if (colon < 0) throw new EquationError(where, line, "missing ': unit' (write ': 1' for a dimensionless variable)");
    const head = line.slice(0, colon).trim();
    let tail = line.slice(colon + 1).trim();
    const flags: Flag[] = [];
    const flagMatch = /\(([A-Za-z ,]+)\)\s*$/.exec(tail);
    if (flagMatch && flagMatch[1].split(',').every((f) => /^[a-z ]+$/.test(f.trim()))) {
      for (const f of flagMatch[1].split(',').map((s) => s.trim().replace(/\s+/g, ' '))) {
        if (!FLAGS.includes(f as Flag)) throw new EquationError(where, line, `unknown flag '${f}' (known: ${FLAGS.join(', ')})`);
        flags.push(f as Flag);
      }
      tail = tail.slice(0, flagMatch.index).trim();
    }
    let dim: Dim;
    try {
      dim = unitDim(tail);
    } catch (err) {
      throw new EquationError(where, line, `cannot read the unit '${tail}' (${(err as Error).message})`);
    }
    let kind: EquationLine['kind'];
    let name: string;
    let expr: Expr | undefined;
    const eq = head.indexOf('=');
    if (eq < 0) {
      kind = 'value';
      name = head;
    } else {
      const lhs = head.slice(0, eq).trim();
      const rhs = head.slice(eq + 1).trim();
      const dm = /^d\s*([A-Za-z_][A-Za-z0-9_]*)\s*\/\s*dt$/.exec(lhs);
      if (dm) {
        kind = 'diff';
        name = dm[1];
      } else {
        kind = 'sub';
        name = lhs;
      }
      try {
        expr = parseExpr(rhs);
      } catch (err) {
        if (err instanceof ParseError) throw new EquationError(where, line, err.message);
        throw err;
      }
    }
    if (!NAME.test(name)) throw new EquationError(where, line, `'${name}' is not a valid name (letters, digits and _; not starting with a digit)`);
    // names become keys of records and maps: one every object already has would reach its prototype
    if (nameProblem(name)) throw new EquationError(where, line, `${nameProblem(name)}; choose another name`);
    if (isReservedName(name)) throw new EquationError(where, line, `'${name}' is reserved; choose another name`);
    if (seen.has(name)) throw new EquationError(where, line, `'${name}' is defined twice`);
    if (flags.includes('unless refractory') && kind !== 'diff') {
      throw new EquationError(where, line, "the flag 'unless refractory' applies only to differential equations");
    }
    if (flags.includes('input') && kind !== 'value') {
      throw new EquationError(where, line, "the flag 'input' applies only to a declared value such as 'I : amp (input)'");
    }
    seen.add(name);
    out.push({ kind, name, expr, unit: tail, dim, flags, source: line });
  }
  return out;
}
