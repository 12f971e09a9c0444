/**
 * Optimizers (SGD with momentum, Adam, AdamW), learning-rate schedules and gradient clipping.
 * They update `Param.value` in place from `Param.grad`.
 *
 * Adam follows Kingma & Ba (2015) with bias correction; AdamW decouples the weight decay
 * (Loshchilov & Hutter, 2019): θ ← θ - lr·λ·θ before the Adam step.
 *
 * Scaled parameters: where a Param has a `scale` s, every optimizer and clipping function works on
 * θ̃ = θ/s, so that lr, weight decay and clipping thresholds are unit-free: the gradient it sees is
 * g̃ = g·s, an L2 penalty adds λ·θ̃, and a step Δθ̃ changes θ by s·Δθ̃. Without a scale (or with 1)
 * every formula reduces exactly, bit for bit, to the unscaled one.
 */
import { type Param } from '../autodiff/param.js';

/** An optimizer over a list of parameters. */
export interface Optimizer {
  /** The current learning rate (schedules set it). */
  lr: number;
  readonly params: readonly Param[];
  /** Applies one update from the gradients. */
  step(): void;
  /** Sets every gradient to 0. */
  zeroGrad(): void;
}

/** Refuses a scale that is not positive and finite, or whose length is not the parameter's. */
function checkScale(where: string, p: Param): void {
  const sc = p.scale;
  if (sc === undefined) return;
  if (typeof sc === 'number') {
    if (!(Number.isFinite(sc) && sc > 0)) throw new RangeError(`${where}: parameter '${p.name}' has scale ${sc}; a scale must be a finite number > 0`);
    return;
  }
  if (sc.length !== p.value.length) throw new RangeError(`${where}: parameter '${p.name}' has ${sc.length} scales for ${p.value.length} values`);
  for (let i = 0; i < sc.length; i++) {
    if (!(Number.isFinite(sc[i]) && sc[i] > 0)) throw new RangeError(`${where}: parameter '${p.name}' has scale ${sc[i]} at ${i}; a scale must be a finite number > 0`);
  }
}

/** Checks every scale before anything is changed, so a bad one leaves all values as they were. */
function checkScales(where: string, params: readonly Param[]): void {
  for (const p of params) checkScale(where, p);
}

function checkLr(name: string, lr: number): number {
  if (!(Number.isFinite(lr) && lr >= 0)) throw new RangeError(`${name}: lr must be a finite number ≥ 0, got ${lr}`);
  return lr;
}

abstract class Base implements Optimizer {
  lr: number;
  readonly params: readonly Param[];
  constructor(name: string, params: readonly Param[], lr: number) {
    this.params = params;
    this.lr = checkLr(name, lr);
  }
  abstract step(): void;
  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }
}

/** Options of {@link SGD}. */
export interface SGDOptions {
  readonly lr: number;
  readonly momentum?: number;
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient. */
  readonly weightDecay?: number;
}

/**
 * Stochastic gradient descent with (Nesterov) momentum: v ← μv + g; θ ← θ - lr·v (or g + μv).
 *
 * @example
 * const opt = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * net.forward(events); crossEntropy(net, out, 'v', labels); opt.zeroGrad(); net.backward(); opt.step();
 */
export class SGD extends Base {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  private readonly vel: Float64Array[];
  constructor(params: readonly Param[], o: SGDOptions) {
    super('SGD', params, o.lr);
    this.momentum = o.momentum ?? 0;
    this.nesterov = o.nesterov ?? false;
    this.weightDecay = o.weightDecay ?? 0;
    this.vel = params.map((p) => new Float64Array(this.momentum ? p.value.length : 0));
  }
  step(): void {
    const { lr, momentum: mu, weightDecay: wd } = this;
    checkScales('SGD', this.params);
    this.params.forEach((p, k) => {
      const x = p.value;
      const g = p.grad;
      const v = this.vel[k];
      const sa = typeof p.scale === 'object' ? p.scale : undefined;
      const s0 = typeof p.scale === 'number' ? p.scale : 1;
      for (let i = 0; i < x.length; i++) {
        // In θ̃ = θ/s: gradient g·s, L2 term λ·θ/s, and the step on θ is s times the step on θ̃.
        const s = sa ? sa[i] : s0;
        let d = g[i] * s + wd * (x[i] / s);
        if (mu) {
          v[i] = mu * v[i] + d;
          d = this.nesterov ? d + mu * v[i] : v[i];
        }
        x[i] -= s * (lr * d);
      }
    });
  }
}

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions {
  readonly lr?: number;
  readonly betas?: readonly [number, number];
  readonly eps?: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay (default 0.01). */
  readonly weightDecay?: number;
}

/**
 * Adam (Kingma & Ba, 2015).
 *
 * @example
 * const opt = new Adam(net.parameters(), { lr: 1e-3 });
 * net.forward(events); crossEntropy(net, out, 'v', labels); opt.zeroGrad(); net.backward(); opt.step();
 */
export class Adam extends Base {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;
  /** 'Adam' or 'AdamW', for messages. */
  private readonly name: string;
  private t = 0;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  constructor(params: readonly Param[], o: AdamOptions = {}, name = 'Adam', defaultDecay = 0) {
    super(name, params, o.lr ?? 1e-3);
    this.name = name;
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? defaultDecay;
    this.m = params.map((p) => new Float64Array(p.value.length));
    this.v = params.map((p) => new Float64Array(p.value.length));
  }
  step(): void {
    this.t++;
    const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const decoupled = this.decoupled;
    checkScales(this.name, this.params);
    this.params.forEach((p, k) => {
      const x = p.value;
      const g = p.grad;
      const m = this.m[k];
      const v = this.v[k];
      const sa = typeof p.scale === 'object' ? p.scale : undefined;
      const s0 = typeof p.scale === 'number' ? p.scale : 1;
      for (let i = 0; i < x.length; i++) {
        // In θ̃ = θ/s: gradient g·s, L2 term λ·θ/s; decoupled decay θ̃ -= lr·λ·θ̃ is the same on θ.
        const s = sa ? sa[i] : s0;
        let gi = g[i] * s;
        if (wd) {
          if (decoupled) x[i] -= lr * wd * x[i];
          else gi += wd * (x[i] / s);
        }
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        x[i] -= s * ((lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps));
      }
    });
  }
}

/**
 * AdamW: Adam with decoupled weight decay (default 0.01).
 *
 * @example
 * const opt = new AdamW(net.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 * net.forward(events); crossEntropy(net, out, 'v', labels); opt.zeroGrad(); net.backward(); opt.step();
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(params: readonly Param[], o: AdamOptions = {}) {
    super(params, o, 'AdamW', 0.01);
  }
}

/** A learning-rate schedule: the rate for an epoch (or step) index starting at 0. */
export type Schedule = (k: number) => number;

/**
 * lr · gamma^floor(k / every).
 *
 * @example
 * const lr = stepLR(0.1, 10); // lr(0..9) = 0.1, lr(10..19) = 0.01, ...
 */
export function stepLR(lr: number, every: number, gamma = 0.1): Schedule {
  return (k) => lr * gamma ** Math.floor(k / every);
}
/**
 * lr · gamma^k.
 *
 * @example
 * opt.lr = exponentialLR(1e-3, 0.95)(epoch);
 */
export function exponentialLR(lr: number, gamma: number): Schedule {
  return (k) => lr * gamma ** k;
}
/**
 * Cosine annealing from lr to minLr over `total` epochs (then minLr).
 *
 * @example
 * const lr = cosineLR(1e-3, 20); // lr(0) = 1e-3, lr(10) = 5e-4, lr(20) = 0
 */
export function cosineLR(lr: number, total: number, minLr = 0): Schedule {
  return (k) => (k >= total ? minLr : minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * k) / total))) / 2);
}
/**
 * Linear warm-up over `warmup` epochs, then `after` (shifted so that it starts at 0).
 *
 * @example
 * const lr = warmup(2, cosineLR(1e-3, 18)); // lr(0) = 1e-3/3, lr(1) = 2e-3/3, then cosine from lr(2) = 1e-3
 */
export function warmup(warmupEpochs: number, after: Schedule): Schedule {
  return (k) => (k < warmupEpochs ? (after(0) * (k + 1)) / (warmupEpochs + 1) : after(k - warmupEpochs));
}

/**
 * Scales all gradients so that their global L2 norm is at most `maxNorm`. Returns the norm
 * before clipping. The norm is that of the scaled gradients g·scale (see the module comment), so
 * that maxNorm does not depend on the units of the parameters.
 *
 * @example
 * net.backward(); const norm = clipGradNorm(opt.params, 1); opt.step(); // norm: before clipping
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number): number {
  checkScales('clipGradNorm', params);
  let s = 0;
  for (const p of params) {
    const sa = typeof p.scale === 'object' ? p.scale : undefined;
    const s0 = typeof p.scale === 'number' ? p.scale : 1;
    for (let i = 0; i < p.grad.length; i++) {
      const g = p.grad[i] * (sa ? sa[i] : s0);
      s += g * g;
    }
  }
  const norm = Math.sqrt(s);
  if (norm > maxNorm && norm > 0) {
    const f = maxNorm / norm;
    for (const p of params) for (let i = 0; i < p.grad.length; i++) p.grad[i] *= f;
  }
  return norm;
}

/**
 * Clamps every scaled gradient component g·scale to [-limit, limit] (g itself when there is no
 * scale; see the module comment).
 *
 * @example
 * net.backward(); clipGradValue(opt.params, 0.5); opt.step();
 */
export function clipGradValue(params: readonly Param[], limit: number): void {
  checkScales('clipGradValue', params);
  for (const p of params) {
    const sa = typeof p.scale === 'object' ? p.scale : undefined;
    const s0 = typeof p.scale === 'number' ? p.scale : 1;
    for (let i = 0; i < p.grad.length; i++) {
      const s = sa ? sa[i] : s0;
      const gs = p.grad[i] * s;
      const c = Math.max(-limit, Math.min(limit, gs));
      // Written back only when clamped, so unclamped values keep every bit.
      if (c !== gs) p.grad[i] = c / s;
    }
  }
}
