/**
 * Parsing of quantities written by people: '20 ms', '-55*mV', '1 uF/cm**2', or a plain number for
 * a dimensionless value. Parameters are given this way so that their units are checked.
 */
import { parseExpr } from './parser.js';
import { inferDim } from './dims.js';
import { evaluate } from './symbolic.js';
import { type Dim, type Quantity, DIMENSIONLESS, UNITS, dimEq, formatDim } from '../math/units.js';
import { plainEntries, checkArray, checkFinite, describe } from './validate.js';
import { BuildError } from '../lang/errors.js';

/** What a user may write for a quantity: '20 ms', '20*ms', a {@link Quantity}, or a number (dimensionless). */
export type QuantityLike = string | number | Quantity;

const LEADING_NUMBER = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z(].*)$/;

/**
 * Parses a quantity into SI.
 *
 * @example
 * parseQuantity('20 ms')   // { value: 0.02, dim: second }
 * parseQuantity('-55 mV')  // { value: -0.055, dim: volt }
 */
export function parseQuantity(q: QuantityLike): Quantity {
  if (typeof q === 'number') return { value: q, dim: DIMENSIONLESS };
  // an object is read once into a checked copy: its value may end up printed into a kernel
  if (typeof q === 'object') return checkQuantityLike(q, 'quantity', 'value') as Quantity;
  const m = LEADING_NUMBER.exec(q);
  const text = m ? `${m[1]}*(${m[2]})` : q;
  const e = parseExpr(text);
  const look = (name: string) => UNITS.get(name);
  const dim = inferDim(e, (n) => look(n)?.dim);
  const value = evaluate(e, (n) => look(n)!.value);
  return { value, dim };
}

/**
 * Parses a quantity and checks its dimension. Throws an Error whose message says what was expected.
 *
 * @example
 * quantityIn('5 ms', SECOND) // 0.005
 */
export function quantityIn(q: QuantityLike, dim: Dim): number {
  const v = parseQuantity(q);
  if (!dimEq(v.dim, dim)) {
    throw new Error(`expected a quantity of dimension ${formatDim(dim)}, got ${typeof q === 'object' ? JSON.stringify(q) : JSON.stringify(q)} (dimension ${formatDim(v.dim)})`);
  }
  return v.value;
}

/**
 * The dimension of a unit expression such as 'mV', 'siemens/cm**2' or '1'.
 *
 * @example
 * formatDim(unitDim('siemens/cm**2')) // 'siemens/metre^2'
 */
export function unitDim(unit: string): Dim {
  return parseQuantity(unit.trim() === '' ? '1' : unit).dim;
}

export const SECOND: Dim = [0, 0, 1, 0, 0, 0, 0];
export const VOLT: Dim = [2, 1, -3, -1, 0, 0, 0];

/**
 * A quantity as a user may give it: text that parses as a quantity (it is parsed, never copied
 * into code), a number, or a `{ value, dim }` object whose value is a number and whose dimension
 * is seven finite exponents. Returns the text, the number or a checked copy of the object.
 *
 * @example
 * checkQuantityLike('10 ms', "model 'LIF'", 'params.tau') // '10 ms'
 * checkQuantityLike('10 ms);x', "model 'LIF'", 'params.tau') // throws BuildError
 * checkQuantityLike({ value: '1);x', dim: [0, 0, 1, 0, 0, 0, 0] }, "model 'LIF'", 'params.tau') // throws BuildError
 */
export function checkQuantityLike(value: unknown, where: string, field: string): QuantityLike {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    try {
      parseQuantity(value);
    } catch (err) {
      throw new BuildError(where, field, `cannot read ${describe(value)}: ${(err as Error).message}`, "write a number with a unit, e.g. '10 ms'");
    }
    return value;
  }
  const q = new Map(plainEntries(value, where, field));
  for (const key of q.keys()) if (key !== 'value' && key !== 'dim') throw new BuildError(where, `${field}.${key}`, `a quantity has no field ${describe(key)}`, "give '10 ms', a number, or { value, dim }");
  const v = q.get('value');
  if (typeof v !== 'number') throw new BuildError(where, `${field}.value`, `must be a number, got ${describe(v)}`, "give '10 ms', a number, or { value, dim }");
  const dim = checkArray(q.get('dim'), where, `${field}.dim`);
  if (dim.length !== 7) throw new BuildError(where, `${field}.dim`, `must have 7 exponents (m, kg, s, A, K, mol, cd), got ${dim.length}`);
  dim.forEach((x, i) => checkFinite(x, where, `${field}.dim[${i}]`));
  return Object.freeze({ value: v, dim: Object.freeze(dim) as unknown as Dim });
}
