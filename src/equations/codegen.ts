/**
 * JavaScript code generation from expression trees.
 *
 * The emitted text is built only from the tree: numbers are printed from their parsed values,
 * symbols are mapped by the caller to generated names (state arrays, locals, constants), and
 * functions come from a fixed table. No text written by a user is copied into generated code.
 */
import { type Expr } from './ast.js';
import { dexprel, d2exprel } from './symbolic.js';
import { threefry2x32, threefryOut } from '../math/rng.js';
import { normalFromWords } from '../math/normal.js';

/** Runtime helpers the generated kernels call (passed in as arguments, never looked up globally). */
export const KERNEL_HELPERS = {
  exprel(x: number): number {
    return Math.abs(x) < 1e-6 ? 1 + x * (0.5 + x / 6) : Math.expm1(x) / x;
  },
  dexprel,
  d2exprel,
  sigmoid(x: number): number {
    return 1 / (1 + Math.exp(-x));
  },
  clip(x: number, lo: number, hi: number): number {
    return x < lo ? lo : x > hi ? hi : x;
  },
  heaviside(x: number): number {
    return x > 0 ? 1 : 0;
  },
  /** Uniform [0, 1) draw keyed by (seed, stream) and counted by (neuron i, step n): reproducible in any order. */
  uniform(seed: number, stream: number, i: number, n: number): number {
    threefry2x32(seed, stream, i, n);
    return ((threefryOut[0] >>> 5) * 67108864 + (threefryOut[1] >>> 6)) * 1.1102230246251565e-16;
  },
  /**
   * Standard normal draw keyed like `uniform` (Box–Muller on the two words of one block, with the
   * logarithm and cosine of src/math/normal.ts, which the step engine's kernels compute bit for bit).
   */
  normal(seed: number, stream: number, i: number, n: number): number {
    threefry2x32(seed, stream, i, n);
    return normalFromWords(threefryOut[0], threefryOut[1]);
  },
  /**
   * Binomial(count, p) draw keyed like `uniform`: inversion for small means, a rounded normal
   * approximation (clipped to [0, count]) when count·p·(1-p) > 25.
   */
  binomial(seed: number, stream: number, i: number, n: number, count: number, p: number): number {
    const mean = count * p;
    const variance = mean * (1 - p);
    if (variance > 25) {
      const z = KERNEL_HELPERS.normal(seed, stream, i, n);
      const k = Math.round(mean + Math.sqrt(variance) * z);
      return k < 0 ? 0 : k > count ? count : k;
    }
    let u = KERNEL_HELPERS.uniform(seed, stream, i, n);
    const q = 1 - p;
    let prob = Math.pow(q, count);
    let k = 0;
    const ratio = p / q;
    while (u > prob && k < count) {
      u -= prob;
      prob *= ((count - k) / (k + 1)) * ratio;
      k++;
    }
    return k;
  },
};

const MATH_FUNCS: Record<string, string> = {
  exp: 'Math.exp',
  log: 'Math.log',
  log10: 'Math.log10',
  expm1: 'Math.expm1',
  log1p: 'Math.log1p',
  sin: 'Math.sin',
  cos: 'Math.cos',
  tan: 'Math.tan',
  tanh: 'Math.tanh',
  sinh: 'Math.sinh',
  cosh: 'Math.cosh',
  arctan: 'Math.atan',
  sqrt: 'Math.sqrt',
  abs: 'Math.abs',
  sign: 'Math.sign',
  floor: 'Math.floor',
  ceil: 'Math.ceil',
  min: 'Math.min',
  max: 'Math.max',
  exprel: 'H.exprel',
  dexprel: 'H.dexprel',
  d2exprel: 'H.d2exprel',
  sigmoid: 'H.sigmoid',
  clip: 'H.clip',
  heaviside: 'H.heaviside',
};

/**
 * Prints a number as a JavaScript literal that round-trips exactly.
 *
 * @example
 * jsNumber(-0.07) // '(-0.07)'; jsNumber(Infinity) // 'Infinity'
 */
export function jsNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  const s = String(v);
  return v < 0 || Object.is(v, -0) ? `(${s})` : s;
}

/**
 * Emits a JavaScript expression. `resolve` maps each symbol to generated code (e.g. 's_v[i]' or a
 * local name); it must throw for a symbol it does not know.
 *
 * @example
 * emitJS(parseExpr('-v/tau'), (n) => (n === 'v' ? 'v' : '0.01')) // '(-(v / 0.01))'
 */
export function emitJS(e: Expr, resolve: (name: string) => string): string {
  const rec = (x: Expr): string => (x.k === 'sym' ? resolve(x.name) : emitNode(x, rec));
  return rec(e);
}

/** A structural key for an expression (equal keys, equal trees). */
function keyOf(e: Expr, memo: Map<Expr, string>): string {
  let k = memo.get(e);
  if (k !== undefined) return k;
  switch (e.k) {
    case 'num':
      k = `#${e.v}`;
      break;
    case 'sym':
      k = `$${e.name}`;
      break;
    case 'neg':
    case 'not':
      k = `${e.k}(${keyOf(e.a, memo)})`;
      break;
    case 'call':
      k = `${e.fn}(${e.args.map((a) => keyOf(a, memo)).join(',')})`;
      break;
    default:
      k = `(${keyOf(e.a, memo)}${e.op}${keyOf(e.b, memo)})`;
  }
  memo.set(e, k);
  return k;
}

/**
 * Emits several expressions that are evaluated together, computing every repeated non-trivial
 * sub-expression once (common-subexpression elimination). Returns the declarations of the shared
 * locals (named `${prefix}0`, `${prefix}1`, ...) and the code of each expression.
 *
 * Exponential Euler evaluates each gating variable's right-hand side and its derivative, which
 * share the rate functions (alpha_m, beta_m, ...): computing those once halves the transcendental
 * calls of a Hodgkin–Huxley step.
 *
 * @example
 * const { decls, codes } = emitShared([parseExpr('exp(v)*a'), parseExpr('exp(v)+1')], (n) => n, 'cse');
 * // decls: ['const cse0 = Math.exp(v);'], codes: ['(cse0 * a)', '(cse0 + 1)']
 */
export function emitShared(exprs: readonly Expr[], resolve: (name: string) => string, prefix: string): { decls: string[]; codes: string[] } {
  const memo = new Map<Expr, string>();
  const counts = new Map<string, number>();
  const count = (e: Expr) => {
    if (e.k === 'num' || e.k === 'sym') return;
    const key = keyOf(e, memo);
    const c = (counts.get(key) ?? 0) + 1;
    counts.set(key, c);
    if (c > 1) return; // children already counted on first sight
    if (e.k === 'neg' || e.k === 'not') count(e.a);
    else if (e.k === 'call') e.args.forEach(count);
    else count(e.a), count(e.b);
  };
  exprs.forEach(count);
  const names = new Map<string, string>();
  const decls: string[] = [];
  const emit = (e: Expr): string => {
    if (e.k === 'num' || e.k === 'sym') return emitJS(e, resolve);
    const key = keyOf(e, memo);
    const known = names.get(key);
    if (known) return known;
    // Rebuild this node with already-shared children, then share it if it repeats.
    const inner = emitNode(e, emit);
    if ((counts.get(key) ?? 0) > 1) {
      const name = `${prefix}${names.size}`;
      names.set(key, name);
      decls.push(`const ${name} = ${inner};`);
      return name;
    }
    return inner;
  };
  const codes = exprs.map(emit);
  return { decls, codes };
}

/** Emits one node whose children are emitted by `child` (shared with {@link emitJS}'s rules). */
function emitNode(e: Expr, child: (x: Expr) => string): string {
  switch (e.k) {
    case 'num':
      return jsNumber(e.v);
    case 'sym':
      throw new Error('internal: symbols are resolved by the caller');
    case 'neg':
      return `(-${child(e.a)})`;
    case 'not':
      return `(!${child(e.a)})`;
    case 'bin':
      if (e.op === '^') {
        if (e.b.k === 'num' && Number.isInteger(e.b.v) && e.b.v >= 2 && e.b.v <= 4) {
          const base = child(e.a);
          return `(${Array(e.b.v).fill(base).join(' * ')})`;
        }
        return `Math.pow(${child(e.a)}, ${child(e.b)})`;
      }
      return `(${child(e.a)} ${e.op} ${child(e.b)})`;
    case 'call': {
      const f = MATH_FUNCS[e.fn];
      if (!f) throw new Error(`no code for function '${e.fn}'`);
      return `${f}(${e.args.map(child).join(', ')})`;
    }
    case 'cmp': {
      const op = e.op === '==' ? '===' : e.op === '!=' ? '!==' : e.op;
      return `(${child(e.a)} ${op} ${child(e.b)})`;
    }
    case 'logic':
      return `(${child(e.a)} ${e.op === 'and' ? '&&' : '||'} ${child(e.b)})`;
  }
}
