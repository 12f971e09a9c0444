/**
 * Surrogate gradients for spike thresholds.
 *
 * A spike is s = H(h), where h is the threshold condition written as a difference (`v > Vth` gives
 * h = v - Vth). H has no useful derivative, so the backward pass uses a smooth pseudo-derivative
 * σ'(h) instead. Every surrogate here is a probability density in h (it integrates to 1), with a
 * sharpness α: the larger α, the closer its primitive σ(h) is to the step function.
 *
 * | name | σ'(h) | σ(h) (used by `spikeMode: 'soft'`) |
 * | --- | --- | --- |
 * | sigmoid(α) | α S(αh)(1 - S(αh)), S the logistic function | S(αh) |
 * | fastSigmoid(α) | (α/2) / (1 + α\|h\|)² | 1/2 + αh / (2(1 + α\|h\|)) |
 * | atan(α) | (α/2) / (1 + (π α h / 2)²) | 1/2 + arctan(π α h / 2) / π |
 * | triangle(α) | α max(0, 1 - α\|h\|) | piecewise quadratic from 0 to 1 on \|h\| < 1/α |
 * | gaussian(α) | α/√(2π) exp(-(αh)²/2) (standard deviation 1/α) | (1 + erf(αh/√2)) / 2 |
 *
 * `atan(2)` is σ'(h) = 1 / (1 + (π h)²), the arctan surrogate of the PyTorch reference benchmark.
 *
 * Code for the kernels is produced from fixed templates and numbers only (never from user text).
 */
import { emitJS, jsNumber } from '../equations/codegen.js';
import { type Expr, num, bin, call } from '../equations/ast.js';

/** A surrogate gradient: its name, sharpness and the code of σ'(h) and σ(h). */
export interface Surrogate {
  readonly name: 'sigmoid' | 'fastSigmoid' | 'atan' | 'triangle' | 'gaussian';
  /** Sharpness α (per unit of h after `scale`). */
  readonly alpha: number;
  /** σ'(h) as a number (for tests and documentation). */
  grad(h: number): number;
  /** σ(h), the smooth step whose derivative is `grad`. */
  soft(h: number): number;
  /** σ'(h) as an expression tree of h: the one definition every lowering compiles. */
  gradExpr(h: Expr): Expr;
  /** σ(h) as a tree of arithmetic, exp and sqrt (arctan and erf are approximated as trees). */
  softExpr(h: Expr): Expr | undefined;
  /** JavaScript expression for σ'(h) given the code of h (a local name). */
  gradCode(h: string): string;
  /** JavaScript expression for σ(h); may call `SG.erf`. */
  softCode(h: string): string;
}

/**
 * arctan(x) as a tree of arithmetic and square roots (for lowerings without a native arctan):
 * three half-angle steps y ← y / (1 + √(1 + y²)) bring any x to |y| ≤ tan(π/16), where the odd
 * Taylor series up to y²³ is exact to about 1e-19; arctan x = 8·arctan y.
 *
 * @example
 * atanTree(num(1)) // a tree whose value is π/4
 */
export function atanTree(x: Expr): Expr {
  let y = x;
  for (let k = 0; k < 3; k++) y = bin('/', y, add(num(1), call('sqrt', add(num(1), mul(y, y)))));
  const z = mul(y, y);
  let poly: Expr = num(-1 / 23);
  for (let j = 10; j >= 0; j--) poly = add(num((j % 2 === 0 ? 1 : -1) / (2 * j + 1)), mul(z, poly));
  return mul(num(8), mul(y, poly));
}

/**
 * erf(x) as a tree of arithmetic and exp (for lowerings without a native erf), accurate to about
 * 1e-14: the Taylor series below |x| = 2.5, 1 − erfc(|x|) from its continued fraction above, the
 * same split as {@link erf}; both branches are evaluated on clamped arguments and selected.
 *
 * @example
 * erfTree(num(1)) // a tree whose value is 0.8427007929497149
 */
export function erfTree(x: Expr): Expr {
  const ax = call('abs', x);
  const a = call('min', ax, num(2.5));
  const a2 = mul(a, a);
  // Σ (−1)ⁿ a^(2n+1) / (n! (2n+1)), n = 0..44, Horner in a²
  const terms = 45;
  const coef = (n: number) => {
    let f = 1;
    for (let k = 2; k <= n; k++) f *= k;
    return ((n % 2 === 0 ? 1 : -1) / f / (2 * n + 1)) * (2 / Math.sqrt(Math.PI));
  };
  let series: Expr = num(coef(terms - 1));
  for (let n = terms - 2; n >= 0; n--) series = add(num(coef(n)), mul(a2, series));
  series = mul(a, series);
  const b = call('max', ax, num(2.5));
  let cf: Expr = b;
  for (let k = 60; k >= 1; k--) cf = add(b, bin('/', num(k / 2), cf));
  const tail = bin('-', num(1), bin('/', call('exp', mul(num(-1), mul(b, b))), mul(num(Math.sqrt(Math.PI)), cf)));
  const small: Expr = { k: 'cmp', op: '<', a: ax, b: num(2.5) };
  const large: Expr = { k: 'cmp', op: '>=', a: ax, b: num(2.5) };
  return mul(call('sign', x), add(mul(small, series), mul(large, tail)));
}

/** JavaScript code of a tree over the single symbol h, given the code of h. */
const codeOf = (tree: (h: Expr) => Expr) => (h: string) => `(${emitJS(tree({ k: 'sym', name: 'h' }), () => h)})`;
const mul = (a: Expr, b: Expr) => bin('*', a, b);
const add = (a: Expr, b: Expr) => bin('+', a, b);
const abs = (h: Expr) => call('abs', h);

function checkAlpha(name: string, alpha: number): number {
  if (!(typeof alpha === 'number' && Number.isFinite(alpha) && alpha > 0)) {
    throw new RangeError(`surrogate ${name}: sharpness must be a positive finite number, got ${String(alpha)}. Fix: give e.g. ${name}(2)`);
  }
  return alpha;
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Error function, |error| < 1e-15 (series for |x| < 2.5, continued fraction beyond).
 *
 * @example
 * erf(1) // 0.8427007929497148
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf x = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  // erfc x = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) (Lentz-free backward evaluation)
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

/** Runtime helpers of surrogate code (passed to kernels as `SG`). */
export const SURROGATE_HELPERS = { erf };

/**
 * Logistic sigmoid surrogate: σ'(h) = α S(αh)(1 - S(αh)).
 *
 * @example
 * new NeuronGroup(100, LIF, { surrogate: sigmoid(4) })
 */
export function sigmoid(alpha = 4): Surrogate {
  const a = checkAlpha('sigmoid', alpha);
  const S = (h: Expr) => bin('/', num(1), add(num(1), call('exp', mul(num(-a), h))));
  const gradExpr = (h: Expr) => mul(mul(num(a), S(h)), bin('-', num(1), S(h)));
  return {
    name: 'sigmoid',
    alpha: a,
    grad: (h) => {
      const s = logistic(a * h);
      return a * s * (1 - s);
    },
    soft: (h) => logistic(a * h),
    gradExpr,
    softExpr: S,
    gradCode: codeOf(gradExpr),
    softCode: codeOf(S),
  };
}

/**
 * Fast sigmoid (SuperSpike) surrogate: σ'(h) = (α/2) / (1 + α|h|)².
 *
 * @example
 * new NeuronGroup(100, LIF, { surrogate: fastSigmoid(10) })
 */
export function fastSigmoid(alpha = 10): Surrogate {
  const a = checkAlpha('fastSigmoid', alpha);
  const den = (h: Expr) => add(num(1), mul(num(a), abs(h)));
  const gradExpr = (h: Expr) => bin('/', num(a / 2), mul(den(h), den(h)));
  const softExpr = (h: Expr) => add(num(0.5), bin('/', mul(num(a), h), mul(num(2), den(h))));
  return {
    name: 'fastSigmoid',
    alpha: a,
    grad: (h) => a / 2 / (1 + a * Math.abs(h)) ** 2,
    soft: (h) => 0.5 + (a * h) / (2 * (1 + a * Math.abs(h))),
    gradExpr,
    softExpr,
    gradCode: codeOf(gradExpr),
    softCode: codeOf(softExpr),
  };
}

/**
 * Arctangent surrogate: σ'(h) = (α/2) / (1 + (παh/2)²). `atan(2)` is 1/(1 + (πh)²).
 *
 * @example
 * atan(2).grad(0) // 1, the peak of σ'(h) = 1 / (1 + (πh)²)
 */
export function atan(alpha = 2): Surrogate {
  const a = checkAlpha('atan', alpha);
  const c = (Math.PI * a) / 2;
  const gradExpr = (h: Expr) => bin('/', num(a / 2), add(num(1), mul(mul(num(c), h), mul(num(c), h))));
  return {
    name: 'atan',
    alpha: a,
    grad: (h) => a / 2 / (1 + (c * h) ** 2),
    soft: (h) => 0.5 + Math.atan(c * h) / Math.PI,
    gradExpr,
    softExpr: (h) => add(num(0.5), bin('/', atanTree(mul(num(c), h)), num(Math.PI))),
    gradCode: codeOf(gradExpr),
    softCode: (h) => `(0.5 + Math.atan(${jsNumber(c)} * ${h}) / ${jsNumber(Math.PI)})`,
  };
}

/**
 * Triangle surrogate: σ'(h) = α max(0, 1 - α|h|).
 *
 * @example
 * triangle(1).grad(0.5) // 0.5
 */
export function triangle(alpha = 1): Surrogate {
  const a = checkAlpha('triangle', alpha);
  const gradExpr = (h: Expr) => mul(num(a), call('max', num(0), bin('-', num(1), mul(num(a), abs(h)))));
  const x = (h: Expr) => call('min', num(1), mul(num(a), abs(h)));
  const softExpr = (h: Expr) => add(num(0.5), mul(call('sign', h), bin('-', x(h), bin('/', mul(x(h), x(h)), num(2)))));
  const softN = (h: number) => {
    const x = Math.min(1, a * Math.abs(h));
    const half = x - (x * x) / 2; // ∫0^|h| α(1 - αy) dy
    return h < 0 ? 0.5 - half : 0.5 + half;
  };
  return {
    name: 'triangle',
    alpha: a,
    grad: (h) => a * Math.max(0, 1 - a * Math.abs(h)),
    soft: softN,
    gradExpr,
    softExpr,
    gradCode: codeOf(gradExpr),
    softCode: codeOf(softExpr),
  };
}

/**
 * Gaussian surrogate: σ'(h) = α/√(2π) exp(-(αh)²/2), a normal density of standard deviation 1/α.
 *
 * @example
 * new NeuronGroup(100, LIF, { surrogate: gaussian(2) }) // σ' is a normal density with std 1/2
 */
export function gaussian(alpha = 2): Surrogate {
  const a = checkAlpha('gaussian', alpha);
  const K = a / Math.sqrt(2 * Math.PI);
  const gradExpr = (h: Expr) => mul(num(K), call('exp', mul(num(-0.5), mul(mul(num(a), h), mul(num(a), h)))));
  return {
    name: 'gaussian',
    alpha: a,
    grad: (h) => K * Math.exp(-0.5 * (a * h) ** 2),
    soft: (h) => 0.5 * (1 + erf((a * h) / Math.SQRT2)),
    gradExpr,
    softExpr: (h) => mul(num(0.5), add(num(1), erfTree(mul(num(a / Math.SQRT2), h)))),
    gradCode: codeOf(gradExpr),
    softCode: (h) => `(0.5 * (1 + SG.erf(${jsNumber(a / Math.SQRT2)} * ${h})))`,
  };
}

/** The surrogates by name. */
export const SURROGATES = { sigmoid, fastSigmoid, atan, triangle, gaussian } as const;
