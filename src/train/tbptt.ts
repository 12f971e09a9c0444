/**
 * Online truncated backpropagation through time: the sequence is cut into windows of K steps;
 * each window is run forward from the state the previous one left (with the parameters as updated
 * so far), its loss is backpropagated through its K steps only, and the optimizer takes a step
 * before the next window. With K = steps this is one ordinary BPTT step.
 */
import { type Layer } from './layer.js';
import { type SNN } from './network.js';
import { type Events } from './projection.js';
import { clipGradNorm, type Optimizer } from './optim.js';
import { type Network } from '../core/network.js';
import { type Population } from '../model/group.js';
import { sliceEvents } from '../data/events.js';

/** Options of {@link trainTBPTT}. */
export interface TBPTTOptions {
  /** Steps per window (K). */
  readonly window: number;
  /** Clip the global gradient norm of each update to this (default: no clipping). */
  readonly clip?: number;
}

/**
 * Trains on one sequence (a batch of B samples) with an update every `window` steps. `loss(t0, t1)`
 * computes the loss of steps [t0, t1) from the recorded traces and adds its gradient to the traces'
 * `grad` for those steps (e.g. {@link windowMSE}); it returns the loss value. Returns the loss of
 * every window.
 *
 * @example
 * const losses = trainTBPTT(net, opt, events, B, (t0, t1) => windowMSE(net, out, 'v', targets, t0, t1), { window: 10 });
 */
export function trainTBPTT(net: SNN, opt: Optimizer, inputs: Events | readonly Events[], B: number, loss: (t0: number, t1: number) => number, o: TBPTTOptions): number[] {
  const K = o.window;
  if (!(Number.isInteger(K) && K > 0)) throw new RangeError(`trainTBPTT: window must be a positive integer, got ${K}`);
  net.begin(inputs, B);
  const out: number[] = [];
  for (let t0 = 0; t0 < net.steps; t0 += K) {
    const t1 = Math.min(net.steps, t0 + K);
    net.forwardWindow(t0, t1);
    const value = loss(t0, t1);
    opt.zeroGrad();
    net.backwardWindow();
    if (o.clip !== undefined) clipGradNorm(opt.params, o.clip);
    opt.step();
    out.push(value);
  }
  return out;
}

/**
 * Mean squared error of a recorded variable against per-unit targets over steps [t0, t1): the mean
 * over those steps, the batch rows and the units of (x_t - y)². `targets` has B·n values (constant in
 * time) or steps·B·n values (row t·B·n + b·n + i). Adds the gradient to the trace's `grad`.
 *
 * @example
 * const l = windowMSE(net, out, 'v', targets, 0, net.steps); // over the whole sequence
 */
export function windowMSE(net: SNN, layer: Layer, variable: string, targets: ArrayLike<number>, t0: number, t1: number): number {
  const tr = layer.traces.get(variable);
  if (!tr) throw new Error(`windowMSE: '${variable}' of layer '${layer.name}' is not recorded. Fix: call layer.record('${variable}') before net.build()`);
  const N = net.batchSize * layer.n;
  const timed = targets.length >= net.steps * N;
  if (!timed && targets.length < N) throw new RangeError(`windowMSE: ${targets.length} targets for ${N} values per step`);
  const count = (t1 - t0) * N;
  let sum = 0;
  for (let t = t0; t < t1; t++) {
    const o = t * layer.S;
    for (let k = 0; k < N; k++) {
      const d = tr.data[o + k] - targets[timed ? t * N + k : k];
      sum += d * d;
      tr.grad[o + k] += (2 * d) / count;
    }
  }
  return sum / count;
}

/**
 * Online truncated BPTT on a `Network`: the sequence of `steps` steps runs in windows of
 * `window` steps; each window continues from the state the last one ended in (`carry`), and
 * gets its own loss, backward pass and optimizer step, so no gradient crosses a window boundary.
 * `loss(t0, t1)` reads the window's traces (`net.trace(...)`: step 0 of the trace is step t0 of the
 * sequence). Returns the loss of each window.
 *
 * @example
 * const losses = trainWindows(net, opt, { steps: 200, batch: B, window: 20, inputs: [[x, events]] }, (t0, t1) => mse(net.trace(out, 'v'), targetsFor(t0, t1)));
 */
export function trainWindows(
  net: Network,
  opt: Optimizer,
  o: { readonly steps: number; readonly batch: number; readonly window: number; readonly inputs?: ReadonlyArray<readonly [Population, Events]>; readonly clip?: number },
  loss: (t0: number, t1: number) => number,
): number[] {
  const K = o.window;
  if (!(Number.isInteger(K) && K > 0)) throw new RangeError(`trainWindows: window must be a positive integer, got ${K}`);
  if (!(Number.isInteger(o.steps) && o.steps >= K && o.steps % K === 0)) throw new RangeError(`trainWindows: steps (${o.steps}) must be a positive multiple of the window (${K})`);
  const out: number[] = [];
  for (let t0 = 0; t0 < o.steps; t0 += K) {
    const t1 = t0 + K;
    net.forward({ steps: K, batch: o.batch, carry: t0 > 0, inputs: (o.inputs ?? []).map(([p, e]) => [p, sliceEvents(e, t0, t1)] as const) });
    const value = loss(t0, t1);
    opt.zeroGrad();
    net.backward();
    if (o.clip !== undefined) clipGradNorm(opt.params, o.clip);
    opt.step();
    out.push(value);
  }
  return out;
}
