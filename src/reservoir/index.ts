/**
 * Reservoir computing: echo-state networks, next-generation reservoirs (NVAR), liquid state
 * machines on BrainTS spiking networks, linear readouts (ridge, RLS/FORCE, LMS), benchmark tasks
 * (memory capacity, NARMA-10, Mackey–Glass, Lorenz-63) and their error measures.
 *
 * @example
 * import { EchoStateNetwork, Ridge, narma10, matrix, nrmse } from './reservoir/index.js';
 * const { input, target } = narma10(3000, { seed: 1 });
 * const esn = new EchoStateNetwork({ size: 200, inputSize: 1, seed: 1 });
 * const X = esn.run(matrix(3000, 1, input));
 * const r = new Ridge(200, 1).fit(X, matrix(3000, 1, target));
 */
export { type Matrix, matrix, fromRows, sliceRows, column, hconcat, cholesky, choleskySolve } from './linalg.js';
export { type WeightedCSR, csrMatVec, spectralRadius, type SpectralRadiusOptions, type SpectralRadiusResult } from './spectral.js';
export { EchoStateNetwork, randomMatrix, type EsnOptions, type EsnRunOptions, type RandomMatrixOptions, type RowPredictor } from './esn.js';
export { Nvar, type NvarOptions, type NvarFitOptions } from './nvar.js';
export { LiquidStateMachine, type LiquidOptions } from './lsm.js';
export { Ridge, Rls, Lms, type RidgeOptions, type RlsOptions, type LmsOptions } from './readout.js';
export { nrmse, squaredCorrelation, validTime, type ValidTimeOptions } from './metrics.js';
export {
  memoryCapacity,
  narma10,
  mackeyGlass,
  lorenz,
  LORENZ_LYAPUNOV,
  type MemoryCapacityOptions,
  type MemoryCapacityResult,
  type NarmaSeries,
  type MackeyGlassOptions,
  type LorenzOptions,
} from './tasks.js';
export { EIReservoir, predictedSpectralRadius, heterogeneousTargets, gridSearch, type EIReservoirOptions, type AdaptOptions, type AdaptResult, type SpectralPrediction, type TargetOptions } from './adaptive.js';
export { ThreeFactorReadout, type ThreeFactorOptions } from './three_factor.js';
export {
  Astrocyte,
  astrocyteSTDP,
  NalsmLIF,
  SpikeGate,
  liquid3D,
  exactDensity,
  NalsmLiquid,
  SpikeRaster,
  pixelProbabilities,
  pixelScale,
  normalizeCounts,
  type AstrocyteOptions,
  type AstrocyteSTDPOptions,
  type NalsmSynapseKind,
  type LiquidConnectivity,
  type Liquid3DOptions,
  type Liquid3D,
  type NalsmPlasticity,
  type NalsmOptions,
  type PresentOptions,
  type NalsmWeights,
} from './nalsm.js';
export { SoftmaxReadout, type SoftmaxOptions, type SoftmaxFitOptions, type SoftmaxFitResult } from './softmax.js';
