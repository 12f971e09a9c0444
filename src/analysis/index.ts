/**
 * Spike statistics and closed-form rates. Plain typed arrays in, numbers or typed arrays out;
 * no Node-specific imports, so this runs in the browser too.
 */
export {
  type SpikeData,
  type PopulationRate,
  type Correlogram,
  meanRate,
  firingRates,
  populationRate,
  smoothGaussian,
  spikeTimesOf,
  lowerBound,
  isi,
  cvISI,
  spikeTrainsEqual,
  fanoFactor,
  crossCorrelogram,
} from './spikes.js';
export { type LifParams, lifRateAnalytic, lifRateCurve } from './fi.js';
export {
  type AxisRange,
  type PlaneOptions,
  type PlaneGridOptions,
  type FixedPointOptions,
  type Polyline,
  type Nullclines,
  type VectorFieldGrid,
  type Eigenvalue,
  type StabilityInfo,
  type FixedPoint,
  type BifurcationTransition,
  type BifurcationOptions,
  type BifurcationScan,
  nullclines,
  marchingSquares,
  joinPolylines,
  vectorField,
  fixedPoints,
  stability,
  bifurcationScan,
} from './dynamics.js';
export {
  type StepSpikes,
  type CSRLike,
  type BranchingFactorOptions,
  type BranchingFactorResult,
  type BranchingRatioOptions,
  type BranchingRatioResult,
  type BranchingProcessOptions,
  type NetworkBranchingOptions,
  branchingFactor,
  branchingRatio,
  branchingProcess,
  networkBranchingProcess,
} from './branching.js';
