/**
 * Parameter sweeps: spaces (grid, random), experiments (build, run, measure), the result table
 * (CSV, Arrow) and `sweep()`. Process pools and the Redis queue are in 'braints/node'.
 */
export { grid, randomSearch, seedList, checkColumnName, RESERVED_COLUMNS, MAX_SWEEP_JOBS, type SweepParams, type SweepPoint, type SweepSpace, type SweepDistribution, type SweepSeeds } from './space.js';
export {
  defineExperiment,
  registerExperiment,
  getExperiment,
  registeredExperiments,
  checkSweepParams,
  runJob,
  meanRateMetric,
  spikeCountMetric,
  spikeMonitorsOf,
  type Experiment,
  type AnyExperiment,
  type ExperimentModel,
  type Metric,
  type RunContext,
  type JobOutcome,
} from './experiment.js';
export { SweepTable, SweepCollector, type SweepColumn } from './table.js';
export { sweep, inProcess, type SweepOptions, type SweepRunner, type SweepRequest } from './sweep.js';
export { batchedInProcess } from './batched.js';
