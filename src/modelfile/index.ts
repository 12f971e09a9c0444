/**
 * Model files: a whole network as data (YAML or JSON), checked by a schema, built by the same
 * public API a program uses, written back by `net.toJSON()` / {@link toModelFile}.
 */
export { MODEL_FILE_VERSION, modelFileSchema, type ModelFile, type ModelFileGroup, type ModelFileConnection, type ModelFileMonitor, type ModelDecl, type ModelFileTraining } from './schema.js';
export { parseModelText, checkModelFileShape, buildModelFile, loadModelText, validateModelText, ModelFileError, dimWord, type ModelFileIssue, type ModelFileOverrides, type LoadedModel } from './load.js';
export { toModelFile, type ToModelFileOptions } from './write.js';
import { toModelFile } from './write.js';
import { registerModelFileWriter } from '../core/network.js';

// Network.toJSON writes through this (the core does not import the model-file layer).
registerModelFileWriter((net) => toModelFile(net));
export { NEURON_MODELS, NotWritableError } from './library.js';
export { formatModelFile } from './format.js';
export { type TrainingTask } from './training.js';
