/**
 * Training spiking networks with gradients: a `Network` lowers to a step IR and a batched tape with
 * a reverse pass (src/ir/, src/autodiff/, src/backends/js/tape.ts); here are the surrogate
 * gradients, losses, optimizers, truncated BPTT, training loops and continual-learning hooks.
 */
export { type Param } from '../autodiff/param.js';
export { type Events } from '../data/events.js';
export { sigmoid, fastSigmoid, atan, triangle, gaussian, erf, SURROGATES, type Surrogate } from './surrogate.js';
export { crossEntropy, mse, spikeCountLoss, rateRegularizer, readout, countCorrect, argmax, type Reduce, type ClassLoss, type CrossEntropyOptions, type CountOptions, type RateRegularizerOptions } from './loss.js';
export { SGD, Adam, AdamW, stepLR, exponentialLR, cosineLR, warmup, clipGradNorm, clipGradValue, type Optimizer, type Schedule } from './optim.js';
export { paramScale, unitScale, initialScale } from './scale.js';
export { synapticLIF, leakyReadout, type SynapticOptions } from './models.js';
export { trainWindows } from './tbptt.js';
export { trainEpoch, evaluateAccuracy, type Classifier, type EpochOptions, type EpochResult, type Labelled } from './trainer.js';
export { fmnistClassifier, type FmnistOptions } from './fmnist.js';
export { HebbianSubspace, OrthogonalProjection, orthonormalRows, subspaceAngle, type HebbianSubspaceOptions, type FitOptions, type OrthogonalProjectionOptions } from './orthogonal.js';
