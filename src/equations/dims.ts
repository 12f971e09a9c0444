/**
 * Dimension inference: the dimension of an expression given the dimensions of its symbols.
 * A mismatch (adding volts to seconds, exp of a voltage) throws a {@link DimensionError} whose
 * message shows the offending sub-expression and both dimensions.
 */
import { type Expr, FUNCTIONS, show, isNoiseSymbol } from './ast.js';

/** The dimension of white noise xi: second^-1/2. */
export const NOISE_DIM = [0, 0, -0.5, 0, 0, 0, 0] as const;
import { type Dim, DIMENSIONLESS, dimDiv, dimEq, dimMul, dimPow, formatDim, isDimensionless } from '../math/units.js';
import { simplify } from './symbolic.js';

/**
 * Thrown by {@link inferDim} when an expression mixes dimensions (adding volts to seconds,
 * exp of a voltage); the message shows the offending sub-expression and both dimensions.
 *
 * @example
 * try { inferDim(parseExpr('v + tau'), (n) => unitByName(n === 'v' ? 'volt' : 'second')!.dim); }
 * catch (e) { if (e instanceof DimensionError) console.log(e.message); } // cannot add: 'v' has dimension volt but 'tau' ...
 */
export class DimensionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DimensionError';
  }
}

/** `null` stands for "any dimension": the literal 0, which may stand beside any quantity. */
type MaybeDim = Dim | null;

/**
 * The dimension of `e`. `dimOf(name)` gives a symbol's dimension, or undefined for an unknown
 * symbol (which throws with the list of known ones).
 *
 * @example
 * formatDim(inferDim(parseExpr('g*(E - v)'), (n) => unitByName(n === 'g' ? 'nS' : 'mV')?.dim)) // 'amp'
 */
export function inferDim(e: Expr, dimOf: (name: string) => Dim | undefined): Dim {
  return inferMaybe(e, dimOf) ?? DIMENSIONLESS;
}

function inferMaybe(e: Expr, dimOf: (name: string) => Dim | undefined): MaybeDim {
  const rec = (x: Expr) => inferMaybe(x, dimOf);
  const same = (a: MaybeDim, b: MaybeDim, what: string, ea: Expr, eb: Expr): MaybeDim => {
    if (a === null) return b;
    if (b === null) return a;
    if (!dimEq(a, b)) {
      throw new DimensionError(`${what}: '${show(ea)}' has dimension ${formatDim(a)} but '${show(eb)}' has dimension ${formatDim(b)}`);
    }
    return a;
  };
  const needDimensionless = (x: Expr, where: string): void => {
    const d = rec(x);
    if (d !== null && !isDimensionless(d)) {
      throw new DimensionError(`${where} needs a dimensionless argument, but '${show(x)}' has dimension ${formatDim(d)}`);
    }
  };
  switch (e.k) {
    case 'num':
      return e.v === 0 ? null : DIMENSIONLESS;
    case 'sym': {
      if (isNoiseSymbol(e.name)) return NOISE_DIM;
      const d = dimOf(e.name);
      if (d === undefined) throw new DimensionError(`unknown symbol '${e.name}'`);
      return d;
    }
    case 'neg':
      return rec(e.a);
    case 'bin': {
      const a = rec(e.a);
      switch (e.op) {
        case '+':
        case '-':
          return same(a, rec(e.b), `cannot ${e.op === '+' ? 'add' : 'subtract'}`, e.a, e.b);
        case '*': {
          // a bare 0 counts as dimensionless in a product: 0*mV is a voltage
          const b = rec(e.b);
          if (a === null && b === null) return null;
          return dimMul(a ?? DIMENSIONLESS, b ?? DIMENSIONLESS);
        }
        case '/': {
          const b = rec(e.b);
          return dimDiv(a ?? DIMENSIONLESS, b ?? DIMENSIONLESS);
        }
        case '^': {
          needDimensionless(e.b, `the exponent of '${show(e)}'`);
          if (a === null || isDimensionless(a)) return a;
          const p = simplify(e.b);
          if (p.k !== 'num') {
            throw new DimensionError(`'${show(e)}' raises a quantity of dimension ${formatDim(a)} to a non-constant power; use a number as exponent`);
          }
          return dimPow(a, p.v);
        }
      }
      break;
    }
    case 'call': {
      const f = FUNCTIONS[e.fn];
      if (!f) throw new DimensionError(`unknown function '${e.fn}'`);
      switch (f.kind) {
        case 'dimensionless':
          for (const a of e.args) needDimensionless(a, `${e.fn}()`);
          return DIMENSIONLESS;
        case 'bool':
          rec(e.args[0]);
          return DIMENSIONLESS;
        case 'sqrt': {
          const a = rec(e.args[0]);
          return a === null ? null : dimPow(a, 0.5);
        }
        case 'same': {
          let d: MaybeDim = rec(e.args[0]);
          for (let i = 1; i < e.args.length; i++) d = same(d, rec(e.args[i]), `${e.fn}() needs arguments of one dimension`, e.args[0], e.args[i]);
          return d;
        }
      }
      break;
    }
    case 'cmp':
      same(rec(e.a), rec(e.b), 'cannot compare', e.a, e.b);
      return DIMENSIONLESS;
    case 'logic':
      rec(e.a);
      rec(e.b);
      return DIMENSIONLESS;
    case 'not':
      rec(e.a);
      return DIMENSIONLESS;
  }
  throw new Error('unreachable');
}
