/**
 * Online truncated backpropagation through time: the sequence is cut into windows of K steps;
 * each window is run forward from the state the previous one left (with the parameters as updated
 * so far), its loss is backpropagated through its K steps only, and the optimizer takes a step
 * before the next window. With K = steps this is one ordinary BPTT step.
 */
import { type Events } from '../data/events.js';
import { clipGradNorm, type Optimizer } from './optim.js';
import { type Network } from '../core/network.js';
import { type Population } from '../model/group.js';
import { sliceEvents } from '../data/events.js';

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
