/** Parameter scales live with the reverse mode (src/autodiff/scale.ts); re-exported for the training API. */
export * from '../model/scale.js';
