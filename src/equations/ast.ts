/**
 * The expression tree every equation, threshold and reset is parsed into. Code is generated from
 * this tree alone: user text never reaches `eval` or `new Function`.
 */

export type BinOp = '+' | '-' | '*' | '/' | '^';
export type CmpOp = '<' | '>' | '<=' | '>=' | '==' | '!=';

export type Expr =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'sym'; readonly name: string }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'neg'; readonly a: Expr }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly k: 'cmp'; readonly op: CmpOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'logic'; readonly op: 'and' | 'or'; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'not'; readonly a: Expr };

/**
 * A number leaf.
 *
 * @example
 * show(bin('*', num(2), sym('v'))) // '2 * v'
 */
export const num = (v: number): Expr => ({ k: 'num', v });
/**
 * A symbol leaf (a variable, parameter or unit name).
 *
 * @example
 * symbolsOf(bin('/', sym('v'), sym('tau'))) // Set {'v', 'tau'}
 */
export const sym = (name: string): Expr => ({ k: 'sym', name });
/**
 * A binary operation node.
 *
 * @example
 * show(bin('-', sym('v'), sym('El'))) // 'v - El'
 */
export const bin = (op: BinOp, a: Expr, b: Expr): Expr => ({ k: 'bin', op, a, b });
/**
 * A negation node.
 *
 * @example
 * show(neg(sym('v'))) // '-v'
 */
export const neg = (a: Expr): Expr => ({ k: 'neg', a });
/**
 * A function call node (`fn` should be one of {@link FUNCTIONS}).
 *
 * @example
 * show(call('exp', neg(sym('x')))) // 'exp(-x)'
 */
export const call = (fn: string, ...args: Expr[]): Expr => ({ k: 'call', fn, args });

/** Functions the equation language knows, with their number of arguments. */
export const FUNCTIONS: Readonly<Record<string, { arity: number; kind: 'dimensionless' | 'same' | 'sqrt' | 'bool' }>> = {
  exp: { arity: 1, kind: 'dimensionless' },
  log: { arity: 1, kind: 'dimensionless' },
  log10: { arity: 1, kind: 'dimensionless' },
  expm1: { arity: 1, kind: 'dimensionless' },
  log1p: { arity: 1, kind: 'dimensionless' },
  exprel: { arity: 1, kind: 'dimensionless' },
  // derivatives of exprel, produced by symbolic differentiation (finite at 0, unlike their closed forms)
  dexprel: { arity: 1, kind: 'dimensionless' },
  d2exprel: { arity: 1, kind: 'dimensionless' },
  sin: { arity: 1, kind: 'dimensionless' },
  cos: { arity: 1, kind: 'dimensionless' },
  tan: { arity: 1, kind: 'dimensionless' },
  tanh: { arity: 1, kind: 'dimensionless' },
  sinh: { arity: 1, kind: 'dimensionless' },
  cosh: { arity: 1, kind: 'dimensionless' },
  arctan: { arity: 1, kind: 'dimensionless' },
  sigmoid: { arity: 1, kind: 'dimensionless' },
  sqrt: { arity: 1, kind: 'sqrt' },
  abs: { arity: 1, kind: 'same' },
  sign: { arity: 1, kind: 'dimensionless' },
  floor: { arity: 1, kind: 'same' },
  ceil: { arity: 1, kind: 'same' },
  min: { arity: 2, kind: 'same' },
  max: { arity: 2, kind: 'same' },
  clip: { arity: 3, kind: 'same' },
  heaviside: { arity: 1, kind: 'bool' },
  // random draws: one fresh value per neuron, per step and per place of use (counter-based, reproducible)
  rand: { arity: 0, kind: 'dimensionless' },
  randn: { arity: 0, kind: 'dimensionless' },
};

/** Functions whose value is a random draw: never folded into constants. */
export const RANDOM_FUNCTIONS: ReadonlySet<string> = new Set(['rand', 'randn']);

/**
 * White-noise symbols of stochastic equations: `xi` and `xi_<name>` (independent of each other),
 * with dimension second^-1/2, as in Brian2.
 *
 * @example
 * isNoiseSymbol('xi_v') // true; isNoiseSymbol('x') // false
 */
export function isNoiseSymbol(name: string): boolean {
  return name === 'xi' || name.startsWith('xi_');
}

/**
 * Calls `visit` on every node of `e`, parents before children.
 *
 * @example
 * let calls = 0; walk(parseExpr('exp(-v/tau) + log(v)'), (n) => { if (n.k === 'call') calls++; }); // calls === 2
 */
export function walk(e: Expr, visit: (node: Expr) => void): void {
  visit(e);
  switch (e.k) {
    case 'bin':
    case 'cmp':
    case 'logic':
      walk(e.a, visit);
      walk(e.b, visit);
      break;
    case 'neg':
    case 'not':
      walk(e.a, visit);
      break;
    case 'call':
      for (const a of e.args) walk(a, visit);
      break;
    default:
      break;
  }
}

/**
 * The names of the symbols `e` uses.
 *
 * @example
 * symbolsOf(parseExpr('(El - v)/tau + I')) // Set {'El', 'v', 'tau', 'I'}
 */
export function symbolsOf(e: Expr): Set<string> {
  const out = new Set<string>();
  walk(e, (n) => {
    if (n.k === 'sym') out.add(n.name);
  });
  return out;
}

/**
 * Replaces symbols by expressions (`map` returns undefined to keep a symbol).
 *
 * @example
 * show(substitute(parseExpr('-v/tau'), (n) => (n === 'tau' ? num(0.01) : undefined))) // '-v / 0.01'
 */
export function substitute(e: Expr, map: (name: string) => Expr | undefined): Expr {
  switch (e.k) {
    case 'num':
      return e;
    case 'sym':
      return map(e.name) ?? e;
    case 'bin':
      return { k: 'bin', op: e.op, a: substitute(e.a, map), b: substitute(e.b, map) };
    case 'cmp':
      return { k: 'cmp', op: e.op, a: substitute(e.a, map), b: substitute(e.b, map) };
    case 'logic':
      return { k: 'logic', op: e.op, a: substitute(e.a, map), b: substitute(e.b, map) };
    case 'neg':
      return { k: 'neg', a: substitute(e.a, map) };
    case 'not':
      return { k: 'not', a: substitute(e.a, map) };
    case 'call':
      return { k: 'call', fn: e.fn, args: e.args.map((a) => substitute(a, map)) };
  }
}

const PREC: Record<BinOp, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '^': 4 };

/**
 * Prints an expression back as equation text (for messages and documentation).
 *
 * @example
 * show(parseExpr('(ge*(Ee-v))/taum')) // 'ge * (Ee - v) / taum'
 */
export function show(e: Expr, parentPrec = 0): string {
  switch (e.k) {
    case 'num': {
      // a negative literal reads back as a negation: bracket it where a negation would be
      const s = String(e.v);
      return (e.v < 0 || Object.is(e.v, -0)) && parentPrec > 2 ? `(${s})` : s;
    }
    case 'sym':
      return e.name;
    case 'bin': {
      const p = PREC[e.op];
      // the base of a power is an atom in the grammar: (a ** b) ** c keeps its brackets
      const s = `${show(e.a, e.op === '^' ? p + 1 : p)} ${e.op === '^' ? '**' : e.op} ${show(e.b, e.op === '-' || e.op === '/' || e.op === '^' ? p + 1 : p)}`;
      return p < parentPrec ? `(${s})` : s;
    }
    case 'neg': {
      const s = `-${show(e.a, 3)}`;
      return parentPrec > 2 ? `(${s})` : s;
    }
    case 'call':
      return `${e.fn}(${e.args.map((a) => show(a)).join(', ')})`;
    case 'cmp':
      return `(${show(e.a)} ${e.op} ${show(e.b)})`;
    case 'logic':
      return `(${show(e.a)} ${e.op} ${show(e.b)})`;
    case 'not':
      return `not ${show(e.a, 5)}`;
  }
}
