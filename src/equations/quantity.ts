/**
 * Parsing of quantities written by people: '20 ms', '-55*mV', '1 uF/cm**2', or a plain number for
 * a dimensionless value. Parameters are given this way so that their units are checked.
 */
import { parseExpr } from './parser.js';
import { inferDim } from './dims.js';
import { evaluate } from './symbolic.js';
import { type Dim, type Quantity, DIMENSIONLESS, UNITS, dimEq, formatDim } from '../math/units.js';

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
  if (typeof q === 'object') return q;
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
