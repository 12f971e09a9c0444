/** Surrogate gradients live with the reverse mode (src/autodiff/surrogate.ts); re-exported here for the training API. */
export * from '../autodiff/surrogate.js';
