/**
 * Data for training: IDX files, spike encoders, seeded batching, a synthetic task. (Loading
 * Fashion-MNIST from disk is Node-only: data/fashion_mnist.ts.)
 */
export { parseIdx, writeIdx, type IdxArray, type IdxType } from './idx.js';
export { latencySteps, latencyEvents, latencyBatch, rateEvents, currentEvents, type LatencyOptions, type RateOptions, type Features } from './encode.js';
export { permutation, batches, batchCount } from './batch.js';
export { sliceEvents, type Events } from './events.js';
export { syntheticDataset, type Dataset, type SyntheticOptions } from './synthetic.js';
