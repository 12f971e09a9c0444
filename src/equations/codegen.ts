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
  /** Standard normal draw keyed like `uniform` (Box–Muller on the two words of one block). */
  normal(seed: number, stream: number, i: number, n: number): number {
    threefry2x32(seed, stream, i, n);
    const u1 = (threefryOut[0] + 1) * 2.3283064365386963e-10; // (0, 1]
    const u2 = threefryOut[1] * 2.3283064365386963e-10;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(6.283185307179586 * u2);
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

/** Prints a number as a JavaScript literal that round-trips exactly. */
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
  const rec = (x: Expr): string => {
    switch (x.k) {
      case 'num':
        return jsNumber(x.v);
      case 'sym':
        return resolve(x.name);
      case 'neg':
        return `(-${rec(x.a)})`;
      case 'bin': {
        if (x.op === '^') {
          // small integer powers are multiplied out: faster than Math.pow and exact for gating variables
          if (x.b.k === 'num' && Number.isInteger(x.b.v) && x.b.v >= 2 && x.b.v <= 4) {
            const base = rec(x.a);
            return `(${Array(x.b.v).fill(base).join(' * ')})`;
          }
          return `Math.pow(${rec(x.a)}, ${rec(x.b)})`;
        }
        return `(${rec(x.a)} ${x.op} ${rec(x.b)})`;
      }
      case 'call': {
        const f = MATH_FUNCS[x.fn];
        if (!f) throw new Error(`no code for function '${x.fn}'`);
        return `${f}(${x.args.map(rec).join(', ')})`;
      }
      case 'cmp': {
        const op = x.op === '==' ? '===' : x.op === '!=' ? '!==' : x.op;
        return `(${rec(x.a)} ${op} ${rec(x.b)})`;
      }
      case 'logic':
        return `(${rec(x.a)} ${x.op === 'and' ? '&&' : '||'} ${rec(x.b)})`;
      case 'not':
        return `(!${rec(x.a)})`;
    }
  };
  return rec(e);
}
