/**
 * Checks shared by the training lowerings (JavaScript tape, step engine) before a forward pass:
 * the batch, the events of input groups, and whether a truncated-BPTT window may continue the last
 * pass. One place, so that both lowerings refuse the same input with the same message.
 */
import { type NetworkIR } from '../ir/step.js';
import { type Events } from '../data/events.js';
import { BuildError } from '../lang/errors.js';

/**
 * Refuses a batch outside [1, maxBatch] and input events that do not cover the run or index
 * outside the batch.
 *
 * @example
 * checkForwardInputs(ir, inputs, 100, 16, 32);
 */
export function checkForwardInputs(ir: NetworkIR, inputs: ReadonlyMap<number, Events>, T: number, B: number, maxBatch: number): void {
  if (!(Number.isInteger(B) && B >= 1 && B <= maxBatch)) throw new BuildError('network', 'batch', `must be an integer in [1, ${maxBatch}], got ${B}`, `give at most ${maxBatch} rows, or build with a larger batch`);
  for (const g of ir.groups) {
    if (g.kind !== 'input') continue;
    const e = inputs.get(g.index);
    if (!e) throw new BuildError(g.where, 'inputs', 'no events given for this input group', 'pass its events to net.forward');
    if (e.ptr.length < T + 1) throw new BuildError(g.where, 'inputs', `events cover ${e.ptr.length - 1} steps, the network runs ${T}`, `give events for ${T} steps`);
    for (let k = e.ptr[0]; k < e.ptr[T]; k++) if (!(e.idx[k] >= 0 && e.idx[k] < B * g.size)) throw new BuildError(g.where, 'inputs', `event index ${e.idx[k]} is outside [0, ${B * g.size}) for a batch of ${B}`, 'give flat indices b·N + i');
  }
}

/**
 * Refuses to continue (truncated BPTT) without an earlier pass, with another batch, or with spikes
 * in flight across the window boundary.
 *
 * @example
 * checkCarry(ir, { passes: 1, lastBatch: 16 }, 16);
 */
export function checkCarry(ir: NetworkIR, state: { readonly passes: number; readonly lastBatch: number }, B: number): void {
  if (state.passes === 0) throw new BuildError('network', 'carry', 'there is no earlier forward pass to continue', 'run net.forward once without carry');
  if (B !== state.lastBatch) throw new BuildError('network', 'carry', `the batch changed from ${state.lastBatch} to ${B}`, 'continue with the same batch');
  for (const d of ir.deliveries) if (d.kind === 'event' && (d.delays || d.delaySteps > 0)) throw new BuildError(d.where, 'carry', 'spikes in flight across a window boundary are not carried yet', 'use delay 0, or train whole sequences without carry');
}

/**
 * Refuses a network part without a differentiable lowering (the IR says why).
 *
 * @example
 * checkDifferentiable(ir);
 */
export function checkDifferentiable(ir: NetworkIR): void {
  if (ir.unsupported.length > 0) throw new BuildError('network', 'train', `no differentiable lowering yet for ${ir.unsupported.join(', ')}`, 'remove these parts from the trained network');
  for (const g of ir.groups) if (g.notDifferentiable && g.kind === 'neurons') throw new BuildError(g.where, 'train', `cannot be differentiated: ${g.notDifferentiable}`, 'remove it from the trained network');
  for (const d of ir.deliveries) if (d.notDifferentiable) throw new BuildError(d.where, 'train', `cannot be differentiated: ${d.notDifferentiable}`, 'remove it from the trained network');
}

/**
 * Gradient checkpointing: which state slots keep every step (the others keep one segment of
 * `checkpoint` steps and are recomputed from a checkpoint in the backward pass). Kept whole: the
 * slots losses read (`keep`), and those a delivery reads at another step than its own — the
 * release of a delayed projection, the target of per-synapse delays (their adjoint lands later) —
 * and, for continuous coupling, all of its slots together.
 *
 * @example
 * const whole = wholeSlots(ir, new Set([slotOfV]));
 */
export function wholeSlots(ir: NetworkIR, keep: ReadonlySet<number>): Set<number> {
  const whole = new Set(keep);
  for (const d of ir.deliveries) {
    if (d.kind !== 'event') continue;
    if (d.release !== undefined && (d.delays || d.delaySteps > 0)) whole.add(d.release);
    if (d.delays) whole.add(d.target);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const d of ir.deliveries) {
      if (d.kind !== 'continuous') continue;
      const ids = [d.target, d.source!, ...(d.gapPost === undefined ? [] : [d.gapPost])].filter((id) => ir.slots[id].kind === 'state');
      if (ids.some((id) => whole.has(id)) && !ids.every((id) => whole.has(id))) {
        for (const id of ids) whole.add(id);
        changed = true;
      }
    }
  }
  return whole;
}

/**
 * Refuses a checkpoint length that is not a positive integer, or checkpointing with carry.
 *
 * @example
 * checkCheckpoint(20, 100, false);
 */
export function checkCheckpoint(checkpoint: number | undefined, T: number, carry: boolean): void {
  if (checkpoint === undefined) return;
  if (!(Number.isInteger(checkpoint) && checkpoint >= 1)) throw new BuildError('network', 'checkpoint', `must be a positive integer number of steps, got ${JSON.stringify(checkpoint)}`, 'give e.g. checkpoint: 50');
  if (carry && checkpoint < T) throw new BuildError('network', 'checkpoint', 'windows that carry the state (truncated BPTT) keep every step of the window', 'use checkpoint or carry, not both');
}
