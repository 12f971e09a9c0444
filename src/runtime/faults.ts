/**
 * Faults of a running network that are not the model's doing: a worker thread of the step engine
 * that throws, traps, exits or stalls. The run stops with the cause, what the monitors recorded
 * before the failing step is kept, and the network refuses to continue from a torn state until a
 * stored state is restored (see src/runtime/store.ts).
 */
import { BuildError } from '../lang/errors.js';

/**
 * A run stopped because a worker thread failed. `partial` says how far it got: monitors hold the
 * spikes of every step before `partial.steps` steps into the run.
 *
 * @example
 * try { net.run('1 s'); } catch (e) { if (e instanceof RunFault) { console.log(e.cause, e.partial); net.restore('before'); } }
 */
export class RunFault extends BuildError {
  /** The worker thread that failed (0 when unknown). */
  readonly thread: number;
  /** The first step whose state is incomplete. */
  readonly step: number;
  readonly reason: string;
  partial: { steps: number; t: number } | undefined;
  constructor(where: string, thread: number, step: number, reason: string) {
    super(where, 'threads', `worker thread ${thread || '?'} ${reason}; the run stopped at step ${step}, whose state is incomplete`, 'results recorded before that step are kept; restore a stored state (net.restore) to continue, or build the network again');
    this.name = 'RunFault';
    this.thread = thread;
    this.step = step;
    this.reason = reason;
    this.partial = undefined;
  }
}

/** Whether a network may run, store or read its state, and why not. */
export class FaultState {
  private fault: { step: number; reason: string; exact: boolean } | undefined;

  /** Marks the state torn at `step` (`exact` false: somewhere in the steps from `step` on). */
  set(step: number, reason: string, exact = true): void {
    this.fault = { step, reason, exact };
  }

  /** The state is whole again (restored). */
  clear(): void {
    this.fault = undefined;
  }

  get faulted(): boolean {
    return this.fault !== undefined;
  }

  /** Throws a BuildError saying why the network cannot go on, if it cannot. */
  assertUsable(where: string, action = 'run'): void {
    if (!this.fault) return;
    throw new BuildError(where, action, `cannot ${action}: the run failed ${this.fault.exact ? `at step ${this.fault.step}` : `in a step from step ${this.fault.step} on`} (${this.fault.reason}) and the state of that step is incomplete`, 'restore a stored state with net.restore(...), or build the network again');
  }
}
