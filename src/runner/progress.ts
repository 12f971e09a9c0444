/**
 * How a run reports its progress. The runner calls `start` once, `update` as steps complete
 * (possibly every step, so implementations must keep it cheap) and `stop` at the end, also when
 * the run fails. Implementations live outside the core, e.g. a terminal bar in `src/node/`.
 */
export interface ProgressReporter {
  /** A run of `totalSteps` steps begins; `label` says what runs (e.g. the network's name). */
  start(totalSteps: number, label: string): void;
  /** `step` steps (of `totalSteps`) are done. Called often: must be O(1). */
  update(step: number): void;
  /** The run ended (finished, stopped or failed). */
  stop(): void;
}
