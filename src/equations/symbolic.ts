/**
 * Symbolic algebra on expression trees: simplification (constant folding and the identities that
 * matter for generated code), differentiation, and numeric evaluation without `eval`.
 *
 * Differentiation serves two masters: the integrators (exponential Euler needs ∂f/∂x and a
 * linearity test) and the backward kernels of training.
 */
import { type Expr, num, bin, neg, call, symbolsOf, RANDOM_FUNCTIONS } from './ast.js';

const isNum = (e: Expr, v?: number): e is { k: 'num'; v: number } => e.k === 'num' && (v === undefined || e.v === v);

/**
 * Evaluates a function of the equation language on numbers.
 *
 * @example
 * applyFunction('exprel', [0]) // 1, the limit of (e^x - 1)/x at 0
 */
export function applyFunction(fn: string, a: number[]): number {
  const x = a[0];
  switch (fn) {
    case 'exp':
      return Math.exp(x);
    case 'log':
      return Math.log(x);
    case 'log10':
      return Math.log10(x);
    case 'expm1':
      return Math.expm1(x);
    case 'log1p':
      return Math.log1p(x);
    case 'exprel':
      return x === 0 ? 1 : Math.abs(x) < 1e-8 ? 1 + x / 2 : Math.expm1(x) / x;
    case 'dexprel':
      return dexprel(x);
    case 'd2exprel':
      return d2exprel(x);
    case 'sin':
      return Math.sin(x);
    case 'cos':
      return Math.cos(x);
    case 'tan':
      return Math.tan(x);
    case 'tanh':
      return Math.tanh(x);
    case 'sinh':
      return Math.sinh(x);
    case 'cosh':
      return Math.cosh(x);
    case 'arctan':
      return Math.atan(x);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'sqrt':
      return Math.sqrt(x);
    case 'abs':
      return Math.abs(x);
    case 'sign':
      return Math.sign(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'min':
      return Math.min(x, a[1]);
    case 'max':
      return Math.max(x, a[1]);
    case 'clip':
      return Math.min(Math.max(x, a[1]), a[2]);
    case 'heaviside':
      return x > 0 ? 1 : 0;
    case 'rand':
    case 'randn':
      throw new Error(`${fn}() has no fixed value: it is drawn per neuron and step inside a simulation`);
    default:
      throw new Error(`unknown function '${fn}'`);
  }
}

/**
 * Evaluates an expression numerically. `env` gives each symbol's value; an unknown symbol throws.
 *
 * @example
 * evaluate(parseExpr('a*x + 1'), { a: 2, x: 3 }) // 7
 */
export function evaluate(e: Expr, env: Readonly<Record<string, number>> | ((name: string) => number)): number {
  const look = typeof env === 'function' ? env : (n: string) => {
    const v = env[n];
    if (v === undefined) throw new Error(`no value for symbol '${n}'`);
    return v;
  };
  const ev = (x: Expr): number => {
    switch (x.k) {
      case 'num':
        return x.v;
      case 'sym':
        return look(x.name);
      case 'neg':
        return -ev(x.a);
      case 'bin': {
        const a = ev(x.a);
        const b = ev(x.b);
        switch (x.op) {
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            return a / b;
          case '^':
            return a ** b;
        }
        break;
      }
      case 'call':
        return applyFunction(x.fn, x.args.map(ev));
      case 'cmp': {
        const a = ev(x.a);
        const b = ev(x.b);
        const r = x.op === '<' ? a < b : x.op === '>' ? a > b : x.op === '<=' ? a <= b : x.op === '>=' ? a >= b : x.op === '==' ? a === b : a !== b;
        return r ? 1 : 0;
      }
      case 'logic':
        return x.op === 'and' ? (ev(x.a) && ev(x.b) ? 1 : 0) : ev(x.a) || ev(x.b) ? 1 : 0;
      case 'not':
        return ev(x.a) ? 0 : 1;
    }
    throw new Error('unreachable');
  };
  return ev(e);
}

/**
 * Structural equality of two expressions.
 *
 * @example
 * sameExpr(parseExpr('a + b*2'), parseExpr('a+(b*2)')) // true (parentheses do not change the tree)
 */
export function sameExpr(a: Expr, b: Expr): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'num':
      return Object.is(a.v, (b as typeof a).v);
    case 'sym':
      return a.name === (b as typeof a).name;
    case 'neg':
    case 'not':
      return sameExpr(a.a, (b as typeof a).a);
    case 'bin':
    case 'cmp':
    case 'logic': {
      const bb = b as typeof a;
      return a.op === bb.op && sameExpr(a.a, bb.a) && sameExpr(a.b, bb.b);
    }
    case 'call': {
      const bb = b as typeof a;
      return a.fn === bb.fn && a.args.length === bb.args.length && a.args.every((x, i) => sameExpr(x, bb.args[i]));
    }
  }
}

/**
 * Simplifies bottom-up: folds constants and applies x+0, x*1, x*0, x/1, x^1, x^0, --x, x-x.
 * It never changes the value of a finite expression.
 *
 * @example
 * show(simplify(parseExpr('(x + 0) * 1 + 2*3'))) // 'x + 6'
 */
export function simplify(e: Expr): Expr {
  switch (e.k) {
    case 'num':
    case 'sym':
      return e;
    case 'neg': {
      const a = simplify(e.a);
      if (isNum(a)) return num(-a.v);
      if (a.k === 'neg') return a.a;
      return neg(a);
    }
    case 'call': {
      const args = e.args.map(simplify);
      if (!RANDOM_FUNCTIONS.has(e.fn) && args.every((x) => isNum(x))) return num(applyFunction(e.fn, args.map((x) => (x as { v: number }).v)));
      return call(e.fn, ...args);
    }
    case 'cmp':
    case 'logic':
      return { ...e, a: simplify(e.a), b: simplify(e.b) };
    case 'not':
      return { k: 'not', a: simplify(e.a) };
    case 'bin': {
      const a = simplify(e.a);
      const b = simplify(e.b);
      if (isNum(a) && isNum(b)) return num(evaluate(bin(e.op, a, b), {}));
      switch (e.op) {
        case '+':
          if (isNum(a, 0)) return b;
          if (isNum(b, 0)) return a;
          if (b.k === 'neg') return simplify(bin('-', a, b.a));
          break;
        case '-':
          if (isNum(b, 0)) return a;
          if (isNum(a, 0)) return simplify(neg(b));
          if (sameExpr(a, b)) return num(0);
          if (b.k === 'neg') return simplify(bin('+', a, b.a));
          break;
        case '*':
          if (isNum(a, 0) || isNum(b, 0)) return num(0);
          if (isNum(a, 1)) return b;
          if (isNum(b, 1)) return a;
          if (isNum(a, -1)) return simplify(neg(b));
          if (isNum(b, -1)) return simplify(neg(a));
          if (a.k === 'neg' && b.k === 'neg') return simplify(bin('*', a.a, b.a));
          if (a.k === 'neg') return simplify(neg(bin('*', a.a, b)));
          if (b.k === 'neg') return simplify(neg(bin('*', a, b.a)));
          // Gather numeric factors to the left: 2*(3*x) → 6*x.
          if (isNum(a) && b.k === 'bin' && b.op === '*' && isNum(b.a)) return simplify(bin('*', num(a.v * b.a.v), b.b));
          if (isNum(b)) return simplify(bin('*', b, a));
          break;
        case '/':
          if (isNum(a, 0)) return num(0);
          if (isNum(b, 1)) return a;
          if (isNum(b, -1)) return simplify(neg(a));
          if (a.k === 'neg') return simplify(neg(bin('/', a.a, b)));
          if (b.k === 'neg') return simplify(neg(bin('/', a, b.a)));
          if (sameExpr(a, b)) return num(1);
          break;
        case '^':
          if (isNum(b, 0)) return num(1);
          if (isNum(b, 1)) return a;
          break;
      }
      return bin(e.op, a, b);
    }
  }
}

/**
 * The derivative of `e` with respect to the symbol `x`, simplified.
 * Comparisons and logic are treated as piecewise constant (derivative 0); the surrogate
 * gradients of thresholds are handled by the training code, not here.
 *
 * @example
 * show(diff(parseExpr('x^3 + a*x'), 'x')) // '3 * x ^ 2 + a'
 */
export function diff(e: Expr, x: string): Expr {
  return simplify(d(e, x));
}

function d(e: Expr, x: string): Expr {
  switch (e.k) {
    case 'num':
      return num(0);
    case 'sym':
      return num(e.name === x ? 1 : 0);
    case 'neg':
      return neg(d(e.a, x));
    case 'cmp':
    case 'logic':
    case 'not':
      return num(0);
    case 'bin': {
      const { a, b } = e;
      const da = d(a, x);
      const db = d(b, x);
      switch (e.op) {
        case '+':
          return bin('+', da, db);
        case '-':
          return bin('-', da, db);
        case '*':
          return bin('+', bin('*', da, b), bin('*', a, db));
        case '/':
          // (a/b)' = a'/b - a b'/b²
          return bin('-', bin('/', da, b), bin('/', bin('*', a, db), bin('^', b, num(2))));
        case '^': {
          if (!symbolsOf(b).has(x)) {
            // power rule with a constant exponent
            return bin('*', bin('*', b, bin('^', a, bin('-', b, num(1)))), da);
          }
          // general: (a^b)' = a^b (b' ln a + b a'/a)
          return bin('*', e, bin('+', bin('*', db, call('log', a)), bin('/', bin('*', b, da), a)));
        }
      }
      break;
    }
    case 'call': {
      const u = e.args[0];
      const du = d(u, x);
      switch (e.fn) {
        case 'exp':
          return bin('*', e, du);
        case 'expm1':
          return bin('*', call('exp', u), du);
        case 'log':
          return bin('/', du, u);
        case 'log10':
          return bin('/', du, bin('*', u, num(Math.LN10)));
        case 'log1p':
          return bin('/', du, bin('+', num(1), u));
        case 'sin':
          return bin('*', call('cos', u), du);
        case 'cos':
          return neg(bin('*', call('sin', u), du));
        case 'tan':
          return bin('/', du, bin('^', call('cos', u), num(2)));
        case 'tanh':
          return bin('*', bin('-', num(1), bin('^', e, num(2))), du);
        case 'sinh':
          return bin('*', call('cosh', u), du);
        case 'cosh':
          return bin('*', call('sinh', u), du);
        case 'arctan':
          return bin('/', du, bin('+', num(1), bin('^', u, num(2))));
        case 'sigmoid':
          return bin('*', bin('*', e, bin('-', num(1), e)), du);
        case 'sqrt':
          return bin('/', du, bin('*', num(2), e));
        case 'abs':
          return bin('*', call('sign', u), du);
        case 'exprel':
          return bin('*', call('dexprel', u), du);
        case 'dexprel':
          return bin('*', call('d2exprel', u), du);
        case 'sign':
        case 'floor':
        case 'ceil':
        case 'heaviside':
        case 'rand':
        case 'randn':
          return num(0);
        case 'min':
        case 'max': {
          const [p, q] = e.args;
          const pick = { k: 'cmp', op: e.fn === 'min' ? '<=' : '>=', a: p, b: q } as const;
          // derivative follows the branch that is selected
          return bin('+', bin('*', pick, d(p, x)), bin('*', { k: 'not', a: pick }, d(q, x)));
        }
        case 'clip': {
          const [p, lo, hi] = e.args;
          const inside: Expr = { k: 'logic', op: 'and', a: { k: 'cmp', op: '>', a: p, b: lo }, b: { k: 'cmp', op: '<', a: p, b: hi } };
          return bin('*', inside, d(p, x));
        }
      }
      throw new Error(`no derivative for function '${e.fn}'`);
    }
  }
  throw new Error('unreachable');
}

/**
 * True when `x` appears in `e`.
 *
 * @example
 * dependsOn(diff(parseExpr('-v/tau'), 'v'), 'v') // false: the equation is linear in v
 */
export function dependsOn(e: Expr, x: string): boolean {
  return symbolsOf(e).has(x);
}

/**
 * d/du exprel(u) = ((u - 1) e^u + 1) / u², with its series near 0 (limit 1/2).
 *
 * @example
 * dexprel(0) // 0.5
 */
export function dexprel(u: number): number {
  if (Math.abs(u) < 1e-2) return 0.5 + u * (1 / 3 + u * (1 / 8 + u * (1 / 30 + u * (1 / 144 + u / 840))));
  return ((u - 1) * Math.exp(u) + 1) / (u * u);
}

/**
 * d²/du² exprel(u) = ((u² - 2u + 2) e^u - 2) / u³, with its series near 0 (limit 1/3).
 *
 * @example
 * d2exprel(0) // 0.3333333333333333
 */
export function d2exprel(u: number): number {
  if (Math.abs(u) < 1e-2) return 1 / 3 + u * (1 / 4 + u * (1 / 10 + u * (1 / 36 + u / 168)));
  return ((u * u - 2 * u + 2) * Math.exp(u) - 2) / (u * u * u);
}
