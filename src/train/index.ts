/**
 * Training spiking networks with gradients: BPTT through generated kernels, surrogate gradients,
 * dense / sparse / just-in-time projections, losses, optimizers.
 */
export { SNN, type SNNOptions, type SavedParams } from './network.js';
export { Layer, type LayerOptions, type Param } from './layer.js';
export { Input, Dense, Sparse, Jit, TrainProjection, type Events, type DenseOptions, type SparseOptions, type JitOptions, type TrainProjectionOptions } from './projection.js';
export { sigmoid, fastSigmoid, atan, triangle, gaussian, erf, SURROGATES, type Surrogate } from './surrogate.js';
export { crossEntropy, mse, spikeCountLoss, rateRegularizer, readout, countCorrect, argmax, type Reduce, type ClassLoss, type CrossEntropyOptions, type CountOptions, type RateRegularizerOptions } from './loss.js';
export { SGD, Adam, AdamW, stepLR, exponentialLR, cosineLR, warmup, clipGradNorm, clipGradValue, type Optimizer, type Schedule } from './optim.js';
export { buildProgram, type StepProgram } from './program.js';
export { paramScale, unitScale, initialScale } from './scale.js';
export { synapticLIF, leakyReadout, type SynapticOptions } from './models.js';
export { trainWindows } from './tbptt.js';
export { PreSynapse, type PreSynOptions } from './presyn.js';
export { trainEpoch, evaluateAccuracy, type Classifier, type EpochOptions, type EpochResult, type Labelled } from './trainer.js';
export { fmnistClassifier, type FmnistOptions } from './fmnist.js';
export { HebbianSubspace, OrthogonalProjection, orthonormalRows, subspaceAngle, type HebbianSubspaceOptions, type FitOptions, type OrthogonalProjectionOptions } from './orthogonal.js';
